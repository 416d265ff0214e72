"""Plain data passed between the pipeline steps.

raw email -> Message -> Analysis -> Detached -> Strategy -> Draft (with Checks)
Each step is a function of plain data in and plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TONES: tuple[str, ...] = ("calm", "frustrated", "angry", "abusive", "sarcastic")
THREAT_KINDS: tuple[str, ...] = ("legal", "public", "payment", "escalation", "leave")
COMPLAINTS: tuple[str, ...] = (
    "payment",
    "scope_creep",
    "never_satisfied",
    "know_it_all",
    "off_hours",
    "no_contract",
    "indecisive",
    "delay",
    "quality",
    "refund",
    "billing",
    "unresponsive",
)
ROLES: tuple[str, ...] = ("request", "fact", "threat", "emotion", "other")
TONE_HOSTILITY: dict[str, float] = {
    "calm": 0.03,
    "frustrated": 0.35,
    "sarcastic": 0.5,
    "angry": 0.72,
    "abusive": 0.92,
}
"""The hostility each tone stands for: the training target of an email of that tone."""
THREAT_HOSTILITY = 0.08
"""Added to the target of an email that announces a threat."""
STRATEGIES: tuple[str, ...] = ("resolve", "boundary", "exit")


@dataclass
class Message:
    """An incoming email, split into the parts the pipeline reads."""

    raw: str
    """The input as given (decoded to text)."""
    body: str
    """The whole readable body (HTML turned to text), quoted history included."""
    new_text: str
    """What the sender wrote this time: no quoted history, signature or disclaimer."""
    quoted: str = ""
    signature: str = ""
    subject: str | None = None
    sender_name: str | None = None
    sender_address: str | None = None
    sent_at: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Sentence:
    """A sentence of `Message.new_text`, with its span and role."""

    text: str
    start: int
    end: int
    role: str = "other"
    role_scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Evidence:
    """A span of the message that drove a label, with how much it mattered."""

    label: str
    text: str
    start: int
    end: int
    weight: float


@dataclass
class Analysis:
    """What the classifier read in a message (scores plus decided labels)."""

    text: str
    language: str
    language_supported: bool
    tone: str
    tone_scores: dict[str, float]
    hostility: float
    threat_present: bool
    threat_score: float
    threat_kinds: list[str]
    threat_kind_scores: dict[str, float]
    complaint_scores: dict[str, float]
    complaint_thresholds: dict[str, float]
    sentences: list[Sentence]
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def complaints(self) -> list[str]:
        """Complaint labels over their threshold, highest score first."""
        over = [
            label
            for label, score in self.complaint_scores.items()
            if score >= self.complaint_thresholds.get(label, 0.5)
        ]
        return sorted(over, key=lambda label: -self.complaint_scores[label])


@dataclass
class DetachedItem:
    """A request, fact or threat restated in neutral words, with the span it came from."""

    text: str
    source: str
    start: int
    end: int


@dataclass
class Detached:
    """The message reduced to what can be answered."""

    requests: list[DetachedItem]
    facts: list[DetachedItem]
    threats: list[DetachedItem]
    needs_reply: bool


@dataclass
class SenderHistory:
    """What is known of the sender's earlier messages (fed by storage)."""

    message_count: int = 0
    hostile_count: int = 0
    mean_hostility: float = 0.0
    abusive_count: int = 0
    boundary_replies: int = 0
    """How many replies with the `boundary` strategy were approved for this sender."""


@dataclass
class Strategy:
    """The recommended way to answer, and why."""

    label: str
    reason: str
    forced: bool = False


@dataclass
class Check:
    """One rule of the calm guard applied to a reply."""

    rule: str
    passed: bool
    detail: str
    start: int | None = None
    end: int | None = None


@dataclass
class Draft:
    """A reply ready for review."""

    subject: str
    body: str
    strategy: str
    template: str
    send_not_before: datetime
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(check.passed for check in self.checks)


@dataclass
class Alternative:
    """Another draft with a different strategy or set of options."""

    strategy: str
    body: str
    template: str = ""
    checks: list[Check] = field(default_factory=list)
