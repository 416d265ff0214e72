"""Check: the calm guard, run on generated drafts, human edits and POST /v1/check.

Each rule returns one `Check` with a message a person understands and the span of the
first offending words. Word lists are data (`prompts/guard.yaml`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from app.pipeline.neutral import is_abbreviation
from app.pipeline.profile import CompanyProfile
from app.pipeline.types import Check
from app.pipeline.words import load_words

GUARD_FILE = Path(__file__).resolve().parents[2] / "prompts" / "guard.yaml"
MAX_HOSTILITY = 0.3
ONE_LINE_MIN_WORDS = 15
"""A one-line acknowledgement (nothing to answer) may be this short."""
Reader = Callable[[str], tuple[str, float]]


@dataclass(frozen=True)
class GuardRules:
    """Phrase lists for the guard."""

    apology: tuple[str, ...]
    blame: tuple[str, ...]
    refund_promise: tuple[str, ...]
    unlimited: tuple[str, ...]
    off_hours: tuple[str, ...]
    next_step: tuple[str, ...]


@lru_cache(maxsize=4)
def load_rules(path: Path = GUARD_FILE) -> GuardRules:
    """The guard's phrase lists from `path`."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return GuardRules(**{key: tuple(data[key]) for key in GuardRules.__dataclass_fields__})


@lru_cache(maxsize=64)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.search(text)


def _check(rule: str, match: re.Match[str] | None, ok: str, bad: str) -> Check:
    if match is None:
        return Check(rule, True, ok)
    return Check(rule, False, bad.format(word=match.group(0)), match.start(), match.end())


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_COMMITMENT = re.compile(
    r"\b(?:we|i)(?:'ll|’ll|\s+will|\s+can|\s+shall|\s+are\s+going\s+to)\b|\bwe\s+work\b",
    re.IGNORECASE,
)
_CAPS = re.compile(r"\b[A-Z][A-Z']+\b")
_WORDS = re.compile(r"\b[\w'’-]+\b")


# What makes capitals part of a code: "INV-2026", "INV-MM-1187", "INV 2026/0882".
_ID_NEIGHBOUR = re.compile(r"[-_/#.]?(?:[A-Z]{1,4}[-_/#.])?\d|\s\d{3,}")


def _shouting(text: str, acronyms: frozenset[str]) -> re.Match[str] | None:
    for match in _CAPS.finditer(text):
        word = match.group(0)
        is_id = _ID_NEIGHBOUR.match(text, match.end()) or re.search(
            r"\d[-_/#]?$", text[max(0, match.start() - 2) : match.start()]
        )
        if not is_abbreviation(word, acronyms) and not is_id:
            return match
    return None


def _insult_echo(text: str, client_text: str | None) -> re.Match[str] | None:
    words = load_words()
    match = words.insult_pattern.search(text)
    if match:
        return match
    if not client_text:
        return None
    client_insults = {m.group(0).lower() for m in words.insult_pattern.finditer(client_text)}
    if not client_insults:
        return None
    return _phrases(tuple(re.escape(w) for w in client_insults)).search(text)


def _profile_promise(
    text: str, profile: CompanyProfile, rules: GuardRules
) -> tuple[re.Match[str] | None, str]:
    if profile.refund_policy == "none":
        match = _phrases(rules.refund_promise).search(text)
        if match:
            return match, f'"{match.group(0)}" promises a refund; the refund policy is none'
    match = _phrases(rules.unlimited).search(text)
    if match:
        return match, (
            f'"{match.group(0)}" promises more than the {profile.revision_rounds} '
            "revision rounds included"
        )
    if not profile.works_weekends:
        for sentence in _SENTENCE.finditer(text):
            if not _COMMITMENT.search(sentence.group(0)):
                continue
            match = _phrases(rules.off_hours).search(text, sentence.start(), sentence.end())
            if match:
                return match, (
                    f'"{match.group(0)}" commits to work outside working hours '
                    f"({profile.hours_text})"
                )
    return None, ""


def check_reply(
    text: str,
    *,
    profile: CompanyProfile | None = None,
    client_text: str | None = None,
    reader: Reader | None = None,
    rules: GuardRules | None = None,
    min_words: int = 60,
    max_words: int = 220,
) -> list[Check]:
    """Every rule of the guard on `text` (a reply), in a fixed order."""
    rules = rules or load_rules()
    profile = profile or CompanyProfile()
    words = load_words()
    checks = [
        _check(
            "no_apology",
            _phrases(rules.apology).search(text),
            "No apology or excuse.",
            '"{word}" apologises or makes an excuse; state the facts and the fix instead.',
        ),
        _check(
            "no_blame",
            _phrases(rules.blame).search(text),
            "No blame or defensive phrase.",
            '"{word}" sounds defensive or blames the client.',
        ),
        _check(
            "no_exclamation",
            re.search(r"!+", text),
            "No exclamation marks.",
            "An exclamation mark raises the temperature.",
        ),
        _check(
            "no_shouting",
            _shouting(text, words.acronyms),
            "No words in capitals.",
            '"{word}" is in capitals and reads as shouting.',
        ),
        _check(
            "no_insult_echo",
            _insult_echo(text, client_text),
            "No insult or profanity.",
            '"{word}" is an insult or profanity; leave it out.',
        ),
    ]
    match, detail = _profile_promise(text, profile, rules)
    checks.append(
        Check("profile_promises", True, "Promises stay within the company profile.")
        if match is None
        else Check("profile_promises", False, detail, match.start(), match.end())
    )
    step = _phrases(rules.next_step).search(text)
    checks.append(
        Check("next_step", True, "A concrete next step is given.")
        if step
        else Check(
            "next_step",
            False,
            "Give a concrete next step: a date, a time, a choice of options or a call to book.",
        )
    )
    count = len(_WORDS.findall(text))
    checks.append(
        Check(
            "length",
            min_words <= count <= max_words,
            f"{count} words (between {min_words} and {max_words})."
            if min_words <= count <= max_words
            else f"{count} words; keep it between {min_words} and {max_words}.",
        )
    )
    if reader is not None:
        tone, hostility = reader(text)
        calm = tone == "calm" and hostility < MAX_HOSTILITY
        checks.append(
            Check(
                "calm_reading",
                calm,
                f"The classifier reads the reply as {tone} (hostility {hostility:.2f})."
                + ("" if calm else f" It must read calm with hostility below {MAX_HOSTILITY}."),
            )
        )
    return checks
