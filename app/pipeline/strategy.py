"""Strategy: resolve, boundary or exit, from the labels and the sender's history."""

from __future__ import annotations

from app.pipeline.types import STRATEGIES, Analysis, Detached, SenderHistory, Strategy

GRIEVANCES = ("delay", "quality", "billing", "unresponsive", "refund")
PROBLEM_CLIENT = (
    "payment",
    "scope_creep",
    "never_satisfied",
    "know_it_all",
    "off_hours",
    "no_contract",
    "indecisive",
)
# Asking for time to pay is a request to negotiate, not pressure: from a calm sender with
# no threat and no hostile history it gets the cooperative answer (instalments offered).
NEGOTIABLE_WHEN_CALM = ("payment",)
HOSTILE = 0.5
REPEATED_HOSTILE = 3

_LABEL_WORDS = {
    "payment": "late payment",
    "scope_creep": "scope creep",
    "never_satisfied": "endless revisions",
    "know_it_all": "second-guessing",
    "off_hours": "off-hours demands",
    "no_contract": "disputed terms",
    "indecisive": "changed decisions",
    "delay": "a delay",
    "quality": "a quality problem",
    "refund": "a refund request",
    "billing": "a billing error",
    "unresponsive": "unanswered messages",
}


def describe(labels: list[str]) -> str:
    """'a delay and a billing error' for a list of complaint labels."""
    words = [_LABEL_WORDS.get(label, label.replace("_", " ")) for label in labels]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def choose_strategy(
    analysis: Analysis,
    detached: Detached,
    history: SenderHistory | None = None,
    forced: str | None = None,
) -> Strategy:
    """The recommended way to answer, with a one-sentence reason."""
    note = (
        ""
        if detached.needs_reply
        else (" There is nothing to answer, so a one-line acknowledgement is enough.")
    )
    if forced is not None:
        if forced not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {forced!r}")
        return Strategy(forced, f"Chosen by the reviewer.{note}", forced=True)
    history = history or SenderHistory()
    hostile_now = analysis.hostility >= HOSTILE or analysis.tone == "abusive"
    complaints = analysis.complaints
    if history.boundary_replies and analysis.tone == "abusive":
        return Strategy(
            "exit",
            "Abuse after an earlier boundary reply: finish what is owed "
            f"and close the engagement professionally.{note}",
        )
    if hostile_now and history.hostile_count + 1 >= REPEATED_HOSTILE:
        return Strategy(
            "exit",
            f"Hostile again ({history.hostile_count + 1} hostile messages "
            "from this sender): close the engagement professionally."
            f"{note}",
        )
    if analysis.tone == "abusive":
        return Strategy(
            "boundary",
            "Abusive tone: restate what was agreed and set the limit "
            f"calmly, without answering the insults.{note}",
        )
    problems = [c for c in complaints if c in PROBLEM_CLIENT]
    grievances = [c for c in complaints if c in GRIEVANCES]
    friendly = (
        analysis.tone == "calm"
        and not hostile_now
        and not analysis.threat_present
        and not history.hostile_count
        and not history.boundary_replies
    )
    if friendly and problems and not grievances and set(problems) <= set(NEGOTIABLE_WHEN_CALM):
        return Strategy(
            "resolve",
            f"A calm request about {describe(problems)}: restate the terms and offer "
            f"a way to meet them.{note}",
        )
    if problems and (not grievances or len(problems) >= len(grievances)):
        return Strategy(
            "boundary",
            f"A problem-client pattern ({describe(problems)}): point "
            f"back to the agreed terms and offer the paid or scheduled way forward."
            f"{note}",
        )
    if grievances:
        return Strategy(
            "resolve",
            f"A legitimate grievance ({describe(grievances)}): "
            f"acknowledge the facts and give a concrete fix with a date.{note}",
        )
    return Strategy(
        "resolve", f"No complaint found: answer the questions and confirm the next step.{note}"
    )
