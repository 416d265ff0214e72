"""Pause: how long a draft waits before it may be sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.pipeline.strategy import HOSTILE
from app.pipeline.types import Analysis

HOSTILE_TONES = ("angry", "abusive")

DEFAULT_MINUTES: dict[str, int] = {
    "calm": 0,
    "frustrated": 10,
    "sarcastic": 15,
    "angry": 25,
    "abusive": 32,
}


@dataclass
class PausePolicy:
    """Cool-down minutes per tone, plus a little more for hostility and threats.

    Hostile mail (an angry or abusive tone, another tone but calm with hostility of
    `HOSTILE` or more, or a threat) always waits within `hostile_range`, whatever its
    tone's own minutes. A tone set to 0 minutes (calm, by default) waits 0 unless the
    message carries a threat.
    """

    minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MINUTES))
    hostility_extra: int = 5
    threat_extra: int = 3
    hostile_range: tuple[int, int] = (20, 40)


def is_hostile(analysis: Analysis) -> bool:
    """Whether the message counts as hostile mail for the cool-down."""
    if analysis.tone in HOSTILE_TONES or analysis.threat_present:
        return True
    return analysis.tone != "calm" and analysis.hostility >= HOSTILE


def cooldown_minutes(analysis: Analysis, policy: PausePolicy | None = None) -> int:
    """Minutes to wait: 0 for calm mail without a threat, 20-40 for hostile mail."""
    policy = policy or PausePolicy()
    base = policy.minutes.get(analysis.tone, 0)
    if base == 0 and not analysis.threat_present:
        return 0
    minutes = base + round(policy.hostility_extra * analysis.hostility)
    minutes += policy.threat_extra if analysis.threat_present else 0
    if is_hostile(analysis):
        low, high = policy.hostile_range
        minutes = min(max(minutes, low), high)
    return int(minutes)


def send_not_before(
    minutes: int, sent_at: datetime | None, now: datetime | None = None
) -> datetime:
    """The earliest time to send: from when the message was sent (or now), in UTC."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    start = now
    if sent_at is not None:
        sent = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
        start = min(sent.astimezone(UTC), now)
    return start + timedelta(minutes=minutes)
