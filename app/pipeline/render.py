"""Render: the reply from Jinja partials, one per step, for each complaint type and strategy.

Templates get a small explicit context of plain strings and lists. Client text only
ever enters as data, so `{{ ... }}` or `<script>` written by a client comes out literally.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.pipeline.detach import can_be_noted, restate_topic
from app.pipeline.neutral import LIST_ITEM, lower_first
from app.pipeline.parse import COUPLE
from app.pipeline.profile import DAYS, CompanyProfile
from app.pipeline.types import (
    STRATEGIES,
    Alternative,
    Analysis,
    Detached,
    Draft,
    Message,
    Strategy,
)
from app.pipeline.words import load_words

LANGUAGE = "en"
MAX_REQUESTS = 3
MAX_PARAGRAPHS = 2
MAX_WORDS = 215
MIN_FACT_WORDS = 5
"""Shorter facts are fragments ("Third email.") that read badly when acknowledged."""
# Order in which complaint paragraphs are combined: the concrete grievance first.
PRIORITY = (
    "refund",
    "billing",
    "quality",
    "delay",
    "unresponsive",
    "payment",
    "no_contract",
    "scope_creep",
    "never_satisfied",
    "indecisive",
    "know_it_all",
    "off_hours",
)
_REF = re.compile(
    r"\b(?:order|invoice|inv|ticket|ref(?:erence)?|booking|case|po)\b[\s.:#-]*"
    r"(?:no\.?\s*|number\s*)?#?([A-Z]{0,4}-?\d[\w/-]{2,})",
    re.IGNORECASE,
)
_HASH_REF = re.compile(r"#(\d{3,})")


@lru_cache(maxsize=8)
def environment(templates_dir: Path) -> Environment:
    """One Jinja environment per templates folder (plain text, strict)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
    )
    env.filters["lower_first"] = lower_first
    env.filters["trim_period"] = lambda s: s.rstrip(". ")
    return env


def _zone(profile: CompanyProfile) -> ZoneInfo | type[UTC]:
    try:
        return ZoneInfo(profile.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def working_day(start: date, profile: CompanyProfile, days_ahead: int) -> date:
    """The `days_ahead`-th working day after `start` (per the profile's working days)."""
    day, counted = start, 0
    while counted < days_ahead:
        day += timedelta(days=1)
        if DAYS[day.weekday()] in profile.working_days:
            counted += 1
    return day


def _fmt(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def dates_for(profile: CompanyProfile, now: datetime) -> dict[str, str]:
    """The dates a reply may promise, all on working days."""
    local = now.astimezone(_zone(profile))
    today = local.date()
    start = working_day(today, profile, 1)
    opening = profile.working_hours_start
    noon = max(opening, min(time(12, 0), profile.working_hours_end))
    call_time = time(min(opening.hour + 1, 23), 0)
    return {
        "start": _fmt(start),
        "start_noon": f"{noon:%H:%M} on {_fmt(start)}",
        "fix": _fmt(working_day(today, profile, 3)),
        "review": _fmt(working_day(today, profile, 2)),
        "handover": _fmt(working_day(today, profile, 5)),
        "call": f"{_fmt(working_day(today, profile, 2))} at {call_time:%H:%M}",
    }


def _calm_case(reference: str) -> str:
    """'ORDER NUMBER 40213' -> 'order number 40213'; codes such as INV-2026 stay."""
    return re.sub(r"\b[A-Z]{4,}\b(?!-?\d)", lambda m: m.group(0).lower(), reference)


def references(text: str) -> list[str]:
    """Order, invoice and ticket numbers the client mentioned, as written."""
    found: list[str] = []
    keys: list[str] = []
    for m in _REF.finditer(text):
        ref = _calm_case(m.group(0).strip(" .:"))
        if re.match(r"[A-Z][a-z]+\b", ref):
            ref = ref[0].lower() + ref[1:]  # "Invoice 21047" in the middle of a sentence
        key = re.sub(r"[\W_]", "", ref).lower()
        # "invoice INV-3318" and a later bare "INV-3318" name one invoice
        if not any(k.endswith(key) or key.endswith(k) for k in keys):
            found.append(ref)
            keys.append(key)
    found += [
        m.group(0) for m in _HASH_REF.finditer(text) if not any(m.group(0) in f for f in found)
    ]
    return found[:3]


_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})


def _first_name(name: str | None) -> str | None:
    if not name:
        return None
    couple = COUPLE.match(name)
    if couple:  # "Tom & Priya Adeyemi": greeted "Tom and Priya"
        return f"{_first_name(couple.group(1))} and {_first_name(couple.group(2))}"
    cleaned = re.sub(r"[^\w\s'.-]", "", name).strip()
    if not cleaned or "@" in name:
        return None
    words = cleaned.split()
    if words[0].rstrip(".").lower() in _HONORIFICS:
        if len(words) == 1:
            return None
        if len(words) == 2:  # "Mr Patel": greeted "Mr Patel"
            return f"{words[0].rstrip('.')} {words[1]}"
        words = words[1:]  # "Dr. Eleanor Whitfield": greeted "Eleanor"
    first = words[0]
    if first.isupper() or first.islower():  # "DEBBIE", "jason": greeted "Debbie", "Jason"
        first = "-".join(part.capitalize() for part in first.split("-"))
    return first


_FORMAL_OPENING = re.compile(r"^\s*(?:dear\b|to\s+whom\s+it\s+may\s+concern\b)", re.I)


def _formal_name(name: str | None) -> str | None:
    """'Dr Helen Marsh' -> 'Dr Marsh' for a letter that opened "Dear ..."; else the first name."""
    words = re.sub(r"[^\w\s'.-]", "", name or "").split()
    if (
        len(words) >= 3
        and words[0].rstrip(".").lower() in _HONORIFICS
        and not COUPLE.match(name or "")
    ):
        return f"{words[0].rstrip('.')} {words[-1]}"
    return _first_name(name)


def context(
    message: Message,
    analysis: Analysis,
    detached: Detached,
    strategy: str,
    profile: CompanyProfile,
    now: datetime,
    complaints: list[str] | None = None,
) -> dict:
    """The small, explicit context every reply template receives."""
    refs = references(analysis.text) or references(message.subject or "")
    if complaints is None:
        complaints = sorted(
            analysis.complaints,
            key=lambda c: PRIORITY.index(c) if c in PRIORITY else len(PRIORITY),
        )
    topic = refs[0] if refs else restate_topic(message.subject)
    rate = (
        f"{profile.money(profile.change_rate)} per hour"
        if profile.change_rate
        else ("our standard rate")
    )
    response_days = profile.response_time.removeprefix("within ").strip()
    # "Mum was especially touched that it arrived five hours late": praise in a sarcastic
    # message means the opposite, and noting it would agree with the sarcasm
    sarcastic = analysis.tone == "sarcastic"
    # A client who wrote "Dear Ms Whitlock" is answered "Dear Andrew," rather than "Hi".
    formal = _FORMAL_OPENING.match(message.new_text) is not None
    return {
        "name": (_formal_name if formal else _first_name)(message.sender_name),
        "formal": formal,
        "company": profile.company,
        "signer": profile.signer_name,
        "signer_title": profile.signer_title,
        "topic": topic,
        "refs": refs,
        "facts": [
            f.text
            for f in detached.facts
            if len(f.text.split()) >= MIN_FACT_WORDS
            and can_be_noted(f.text)
            and not LIST_ITEM.match(f.source)  # a list's item is no sentence to note
            and not (sarcastic and load_words().praise_pattern.search(f.text))
        ][:1],
        "requests": [r.text for r in detached.requests][:MAX_REQUESTS],
        "complaints": complaints,
        "strategy": strategy,
        "dates": dates_for(profile, now),
        "hours": profile.hours_text,
        "rate": rate,
        "response_time": profile.response_time,
        "response_days": response_days,
        "payment_terms_days": profile.payment_terms_days,
        "late_fee": profile.late_fee,
        "refund_policy": profile.refund_policy,
        "refund_days": profile.refund_days,
        "refund_partial_note": profile.refund_partial_note or "part of the fee",
        "revision_rounds": profile.revision_rounds,
        "terms_url": profile.terms_url,
        "proposal_name": profile.proposal_name,
    }


def _paragraphs(strategy: str, complaints: list[str], replies_dir: Path) -> list[str]:
    chosen = [c for c in complaints if (replies_dir / strategy / f"{c}.j2").exists()]
    names = [f"{strategy}/{c}.j2" for c in chosen[:MAX_PARAGRAPHS]] or [f"{strategy}/none.j2"]
    if strategy == "exit" and chosen:
        names.insert(0, "exit/_opening.j2")
    return names


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def _words(text: str) -> int:
    return len(re.findall(r"\b[\w'’-]+\b", text))


def _render(ctx: dict, strategy: str, templates_dir: Path, one_line: bool) -> tuple[str, str]:
    replies_dir = templates_dir / "replies" / LANGUAGE
    env = environment(replies_dir)
    if one_line:
        return _tidy(env.get_template("one_line.j2").render(ctx)), "one_line"
    ctx = dict(ctx)
    complaints = list(ctx["complaints"])
    while True:
        ctx["paragraphs"] = _paragraphs(strategy, complaints, replies_dir)
        body = _tidy(env.get_template("reply.j2").render(ctx))
        if _words(body) <= MAX_WORDS:
            break
        if len(ctx["requests"]) > 1:
            ctx["requests"] = ctx["requests"][:-1]
        elif len(complaints) > 1:
            complaints = complaints[:1]
        else:
            break
    name = "+".join(complaints[:MAX_PARAGRAPHS]) or "none"
    return body, f"{strategy}/{name}"


def _subject(message: Message) -> str:
    subject = (message.subject or "").strip()
    if not subject:
        return "Re: your message"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def render_draft(
    message: Message,
    analysis: Analysis,
    detached: Detached,
    strategy: Strategy,
    profile: CompanyProfile,
    *,
    send_not_before: datetime,
    templates_dir: Path,
    now: datetime | None = None,
    plain: bool = False,
    quote_request: bool = True,
) -> Draft:
    """The reply for the chosen strategy (the guard's checks are added by the caller).

    `plain` gives the sparest version: no client wording beyond the first request (none
    without `quote_request`), one complaint paragraph. It is the fallback when the full
    draft fails the guard.
    """
    ctx = context(message, analysis, detached, strategy.label, profile, now or datetime.now(UTC))
    if plain:
        kept = ctx["requests"][:1] if quote_request else []
        ctx.update(facts=[], requests=kept, complaints=ctx["complaints"][:1])
    body, template = _render(ctx, strategy.label, Path(templates_dir), not detached.needs_reply)
    return Draft(
        subject=_subject(message),
        body=body,
        strategy=strategy.label,
        template=template,
        send_not_before=send_not_before,
    )


def render_alternatives(
    message: Message,
    analysis: Analysis,
    detached: Detached,
    strategy: Strategy,
    profile: CompanyProfile,
    *,
    send_not_before: datetime,
    templates_dir: Path,
    now: datetime | None = None,
) -> list[Alternative]:
    """Two or three other drafts: the other strategies, and the one-line acknowledgement."""
    now = now or datetime.now(UTC)
    out = []
    for other in STRATEGIES:
        if other == strategy.label:
            continue
        ctx = context(message, analysis, detached, other, profile, now)
        body, template = _render(ctx, other, Path(templates_dir), False)
        out.append(Alternative(strategy=other, body=body, template=template))
    if detached.needs_reply is False:
        return out
    ctx = context(message, analysis, detached, strategy.label, profile, now)
    if len(analysis.complaints) > 1:
        swapped = list(reversed(ctx["complaints"]))
        body, template = _render(
            {**ctx, "complaints": swapped}, strategy.label, Path(templates_dir), False
        )
        out.append(Alternative(strategy=strategy.label, body=body, template=template))
    return out[:3]
