"""Readable terminal summaries of analyses and drafts."""

from __future__ import annotations

from app.schemas import AnalysisOut, DraftOut


def _bar(value: float, width: int = 20) -> str:
    filled = round(max(0.0, min(1.0, value)) * width)
    return "#" * filled + "." * (width - filled)


def format_analysis(a: AnalysisOut) -> str:
    """A few lines a person reads at a glance."""
    lines = [
        f"tone        {a.tone.label} ({a.tone.scores[a.tone.label]:.0%})",
        f"hostility   {_bar(a.hostility)} {a.hostility:.2f}",
        "threat      "
        + (
            f"yes: {', '.join(a.threat.kinds)} ({a.threat.score:.0%})" if a.threat.present else "no"
        ),
        "complaints  " + (", ".join(f"{c.label} ({c.score:.0%})" for c in a.complaints) or "none"),
        f"language    {a.language}"
        + ("" if a.language_supported else "  (not supported: labels are unreliable)"),
        f"strategy    {a.strategy.label}: {a.strategy.reason}",
        f"pause       {a.cooldown_minutes} min before sending",
        "",
        "sentences:",
    ]
    lines += [f"  [{s.role:<7}] {s.text}" for s in a.sentences]
    if a.detached.requests or a.detached.facts or a.detached.threats:
        lines += ["", "detached:"]
        lines += [f"  request: {i.text}" for i in a.detached.requests]
        lines += [f"  fact:    {i.text}" for i in a.detached.facts]
        lines += [f"  threat:  {i.text}" for i in a.detached.threats]
    if not a.detached.needs_reply:
        lines.append("  (nothing to answer: a one-line acknowledgement is enough)")
    return "\n".join(lines)


def format_draft(d: DraftOut) -> str:
    """The analysis summary, then the reply and its checks."""
    failing = [c for c in d.draft.checks if not c.passed]
    lines = [
        format_analysis(d.analysis),
        "",
        f"--- draft ({d.draft.strategy}; "
        f"send after {d.draft.send_not_before:%Y-%m-%d %H:%M %Z}) ---",
        f"Subject: {d.draft.subject}",
        "",
        d.draft.body,
        "---",
        "checks: "
        + ("all passed" if not failing else "; ".join(f"{c.rule}: {c.detail}" for c in failing)),
    ]
    for alt in d.alternatives:
        lines += ["", f"--- alternative ({alt.strategy}) ---", alt.body]
    return "\n".join(lines)
