"""The JSON contract of the API and the CLI (pydantic models built from pipeline data)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.pipeline.service import DraftResult, Reading
from app.pipeline.types import Alternative, Check, Detached, DetachedItem, Draft, Message

STRATEGY_PATTERN = "^(resolve|boundary|exit)$"


class MessageIn(BaseModel):
    """A message to read: plain text or a whole raw email in `body`."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(description="Plain text, or a raw RFC 822/MIME email with its headers.")
    subject: str | None = None
    sender: str | None = Field(default=None, description='"Name <address>" or an address.')
    sent_at: datetime | None = Field(default=None, description="ISO 8601; else the Date header.")
    lang: str | None = Field(
        default=None, description='Language tag ("en", "en-GB"), to skip detection.'
    )


class DraftIn(MessageIn):
    """A message to draft a reply for, optionally with a strategy chosen by the reviewer."""

    strategy: str | None = Field(default=None, pattern=STRATEGY_PATTERN)


class CheckIn(BaseModel):
    """Any reply text to run the calm guard on."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=256 * 1024)
    client_text: str | None = Field(
        default=None,
        max_length=256 * 1024,
        description="The client's message, so that none of its insults is echoed.",
    )


class LabelScores(BaseModel):
    label: str
    scores: dict[str, float]


class ThreatOut(BaseModel):
    present: bool
    kinds: list[str]
    score: float
    kind_scores: dict[str, float]


class ComplaintOut(BaseModel):
    label: str
    score: float
    threshold: float


class SentenceOut(BaseModel):
    text: str
    role: str
    start: int
    end: int
    role_scores: dict[str, float] = {}


class EvidenceOut(BaseModel):
    label: str
    text: str
    start: int
    end: int
    weight: float


class DetachedItemOut(BaseModel):
    text: str
    source: str
    start: int
    end: int

    @classmethod
    def of(cls, item: DetachedItem) -> DetachedItemOut:
        return cls(text=item.text, source=item.source, start=item.start, end=item.end)


class DetachedOut(BaseModel):
    requests: list[DetachedItemOut]
    facts: list[DetachedItemOut]
    threats: list[DetachedItemOut]
    needs_reply: bool

    @classmethod
    def of(cls, detached: Detached) -> DetachedOut:
        return cls(
            requests=[DetachedItemOut.of(i) for i in detached.requests],
            facts=[DetachedItemOut.of(i) for i in detached.facts],
            threats=[DetachedItemOut.of(i) for i in detached.threats],
            needs_reply=detached.needs_reply,
        )


class StrategyOut(BaseModel):
    label: str
    reason: str
    forced: bool = False


class MessagePartsOut(BaseModel):
    """How the email was split: the new text is what was classified."""

    subject: str | None
    sender_name: str | None
    sender_address: str | None
    sent_at: datetime | None
    new_text: str
    quoted: str
    signature: str

    @classmethod
    def of(cls, m: Message) -> MessagePartsOut:
        return cls(
            subject=m.subject,
            sender_name=m.sender_name,
            sender_address=m.sender_address,
            sent_at=m.sent_at,
            new_text=m.new_text,
            quoted=m.quoted,
            signature=m.signature,
        )


class AnalysisOut(BaseModel):
    """The analysis of one message."""

    language: str
    language_supported: bool
    tone: LabelScores
    hostility: float
    threat: ThreatOut
    complaints: list[ComplaintOut]
    complaint_scores: dict[str, float]
    sentences: list[SentenceOut]
    evidence: list[EvidenceOut]
    detached: DetachedOut
    strategy: StrategyOut
    cooldown_minutes: int
    message: MessagePartsOut

    @classmethod
    def of(cls, reading: Reading) -> AnalysisOut:
        a = reading.analysis
        return cls(
            language=a.language,
            language_supported=a.language_supported,
            tone=LabelScores(label=a.tone, scores=_rounded(a.tone_scores)),
            hostility=round(a.hostility, 4),
            threat=ThreatOut(
                present=a.threat_present,
                kinds=a.threat_kinds,
                score=round(a.threat_score, 4),
                kind_scores=_rounded(a.threat_kind_scores),
            ),
            complaints=[
                ComplaintOut(
                    label=label,
                    score=round(a.complaint_scores[label], 4),
                    threshold=a.complaint_thresholds[label],
                )
                for label in a.complaints
            ],
            complaint_scores=_rounded(a.complaint_scores),
            sentences=[
                SentenceOut(
                    text=s.text, role=s.role, start=s.start, end=s.end, role_scores=s.role_scores
                )
                for s in a.sentences
            ],
            evidence=[
                EvidenceOut(label=e.label, text=e.text, start=e.start, end=e.end, weight=e.weight)
                for e in a.evidence
            ],
            detached=DetachedOut.of(reading.detached),
            strategy=StrategyOut(
                label=reading.strategy.label,
                reason=reading.strategy.reason,
                forced=reading.strategy.forced,
            ),
            cooldown_minutes=reading.cooldown_minutes,
            message=MessagePartsOut.of(reading.message),
        )


class CheckOut(BaseModel):
    rule: str
    passed: bool
    detail: str
    start: int | None = None
    end: int | None = None

    @classmethod
    def of(cls, c: Check) -> CheckOut:
        return cls(rule=c.rule, passed=c.passed, detail=c.detail, start=c.start, end=c.end)


class ChecksOut(BaseModel):
    passed: bool
    checks: list[CheckOut]

    @classmethod
    def of(cls, checks: list[Check]) -> ChecksOut:
        return cls(passed=all(c.passed for c in checks), checks=[CheckOut.of(c) for c in checks])


class DraftBodyOut(BaseModel):
    subject: str
    body: str
    strategy: str
    template: str
    send_not_before: datetime
    checks: list[CheckOut]

    @classmethod
    def of(cls, d: Draft) -> DraftBodyOut:
        return cls(
            subject=d.subject,
            body=d.body,
            strategy=d.strategy,
            template=d.template,
            send_not_before=d.send_not_before,
            checks=[CheckOut.of(c) for c in d.checks],
        )


class AlternativeOut(BaseModel):
    strategy: str
    body: str
    template: str = ""
    checks: list[CheckOut] = []

    @classmethod
    def of(cls, a: Alternative) -> AlternativeOut:
        return cls(
            strategy=a.strategy,
            body=a.body,
            template=a.template,
            checks=[CheckOut.of(c) for c in a.checks],
        )


class DraftOut(BaseModel):
    """A drafted reply with the analysis it answers and its alternatives."""

    analysis: AnalysisOut
    draft: DraftBodyOut
    alternatives: list[AlternativeOut]

    @classmethod
    def of(cls, result: DraftResult) -> DraftOut:
        return cls(
            analysis=AnalysisOut.of(result.reading),
            draft=DraftBodyOut.of(result.draft),
            alternatives=[AlternativeOut.of(a) for a in result.alternatives],
        )


class FieldErrorOut(BaseModel):
    """One invalid field of a request (FastAPI's validation error)."""

    loc: list[str | int] = Field(description='Where: "body", "query" or "path", then the field.')
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error response: what was wrong, in a sentence or field by field."""

    detail: str | list[FieldErrorOut]


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in scores.items()}
