"""The review queue: list, show, edit, approve, reject; the audit trail and deliveries."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app import webhooks
from app.auth import Principal
from app.config import Settings
from app.deps import ApproveKey, DatabaseDep, ReviewKey, ServingDep, SessionDep, SettingsDep
from app.pipeline.parse import format_sender
from app.pipeline.types import COMPLAINTS, STRATEGIES, TONES
from app.schemas import (
    STRATEGY_PATTERN,
    AlternativeOut,
    AnalysisOut,
    CheckOut,
    DetachedOut,
    DraftBodyOut,
    DraftOut,
    ErrorOut,
)
from app.storage import reviews
from app.storage.db import Database
from app.storage.models import MAX_ID, STATUSES, Review, ReviewEvent, utcnow
from app.storage.senders import history_for_hash

router = APIRouter(prefix="/v1", tags=["reviews"])

MAX_REPLY_CHARS = 256 * 1024
ReviewId = Annotated[int, Path(ge=1, le=MAX_ID, description="The review's id.")]


# ------------------------------------------------------------------------------ JSON


class ReasonOut(BaseModel):
    code: str
    message: str
    overridable: bool = False


class ConflictOut(BaseModel):
    """Why the change was refused (HTTP 409)."""

    detail: str
    reasons: list[ReasonOut]


class SenderRef(BaseModel):
    name: str | None
    address: str | None


class ReplyOut(BaseModel):
    """The reply under review: the draft as generated or as a person edited it."""

    subject: str | None
    body: str | None
    strategy: str
    checks: list[CheckOut]
    passed: bool
    edited_by: str | None
    edited_at: datetime | None


class DecisionOut(BaseModel):
    status: str
    by: str | None
    at: datetime | None
    reason: str | None = None
    override_reason: str | None = None


class EventOut(BaseModel):
    """One entry of the append-only audit trail."""

    id: int
    kind: str
    actor: str
    at: datetime
    before: str | None
    after: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, e: ReviewEvent) -> EventOut:
        return cls(
            id=e.id,
            kind=e.kind,
            actor=e.actor,
            at=e.at,
            before=e.before_text,
            after=e.after_text,
            detail=e.detail or {},
        )


class SenderHistoryOut(BaseModel):
    """The sender's earlier messages, as the strategy saw them."""

    message_count: int
    hostile_count: int
    mean_hostility: float
    abusive_count: int
    boundary_replies: int


class ReviewSummaryOut(BaseModel):
    """A review as listed in the queue."""

    id: int
    external_id: str | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    sender: SenderRef
    subject: str | None
    sent_at: datetime | None
    language: str
    tone: str
    hostility: float
    threat: bool
    threat_kinds: list[str]
    complaints: list[str]
    recommended_strategy: str
    strategy: str
    send_not_before: datetime
    passed: bool
    purged: bool

    @classmethod
    def fields_of(cls, r: Review) -> dict[str, Any]:
        return {
            "id": r.id,
            "external_id": r.external_id,
            "status": r.status,
            "version": r.version,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "sender": SenderRef(name=r.sender_name, address=r.sender_address),
            "subject": r.subject,
            "sent_at": r.sent_at,
            "language": r.language,
            "tone": r.tone,
            "hostility": round(r.hostility, 4),
            "threat": r.threat,
            "threat_kinds": list(r.threat_kinds or []),
            "complaints": r.complaint_labels,
            "recommended_strategy": r.recommended_strategy,
            "strategy": r.strategy,
            "send_not_before": r.send_not_before,
            "passed": r.reply_passed,
            "purged": r.purged_at is not None,
        }

    @classmethod
    def of(cls, r: Review) -> ReviewSummaryOut:
        return cls(**cls.fields_of(r))


class ReviewOut(ReviewSummaryOut):
    """One review: analysis, detached view, draft, alternatives, reply, decision, history."""

    analysis: AnalysisOut | None
    detached: DetachedOut | None
    draft: DraftBodyOut | None
    alternatives: list[AlternativeOut]
    reply: ReplyOut
    decision: DecisionOut | None
    approval_blockers: list[ReasonOut] = Field(
        description="Why the caller could not approve right now (empty: approval would pass)."
    )
    sender_history: SenderHistoryOut | None = Field(
        description="The sender's messages before this one."
    )
    events: list[EventOut]


class ReviewPage(BaseModel):
    items: list[ReviewSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page.")


class ReviewEditIn(BaseModel):
    """An edited reply, another strategy, or both (the guard runs again)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"anyOf": [{"required": [f]} for f in ("body", "subject", "strategy")]},
    )

    body: str | None = Field(default=None, min_length=1, max_length=MAX_REPLY_CHARS)
    subject: str | None = Field(default=None, min_length=1, max_length=998)
    strategy: str | None = Field(
        default=None, pattern=STRATEGY_PATTERN, description="Redraft with this strategy."
    )
    version: int | None = Field(
        default=None, description="The version you edited; 409 if the review changed since."
    )

    @model_validator(mode="after")
    def _something(self) -> ReviewEditIn:
        if self.body is None and self.subject is None and self.strategy is None:
            raise ValueError("give body, subject or strategy")
        return self


class ApproveIn(BaseModel):
    """Approve; `override` with a `reason` approves despite a failed guard or the cool-down."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"override": {"const": True}}, "required": ["override"]},
            "then": {"required": ["reason"], "properties": {"reason": {"type": "string"}}},
        },
    )

    override: bool = False
    reason: str | None = Field(default=None, min_length=1, max_length=2000)
    version: int | None = None

    @model_validator(mode="after")
    def _reason_for_override(self) -> ApproveIn:
        if self.override and not (self.reason and self.reason.strip()):
            raise ValueError("an override needs a reason")
        return self


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = None


class AttemptOut(BaseModel):
    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    """A webhook delivery of the approved reply to one URL, with each attempt."""

    id: str
    url: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    tries: list[AttemptOut]


# ------------------------------------------------------------------------------ helpers


def review_out(
    session: Session,
    review: Review,
    principal: Principal,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> ReviewOut:
    """The full JSON of a review for `principal`."""
    stored = DraftOut.model_validate(review.result) if review.result else None
    history = (
        history_for_hash(session, review.sender_hash, before_id=review.id)
        if review.sender_hash
        else None
    )
    blockers = reviews.approval_blockers(
        review,
        principal.actor,
        now=now or utcnow(),
        second_approver=settings.review_second_approver,
    )
    decision = None
    if review.decided_at is not None:
        decision = DecisionOut(
            status=review.status,
            by=review.decided_by,
            at=review.decided_at,
            reason=review.decision_reason,
            override_reason=review.override_reason,
        )
    return ReviewOut(
        **ReviewSummaryOut.fields_of(review),
        analysis=stored.analysis if stored else None,
        detached=stored.analysis.detached if stored else None,
        draft=stored.draft if stored else None,
        alternatives=stored.alternatives if stored else [],
        reply=ReplyOut(
            subject=review.reply_subject,
            body=review.reply_body,
            strategy=review.strategy,
            checks=[CheckOut.model_validate(c) for c in review.reply_checks or []],
            passed=review.reply_passed,
            edited_by=review.edited_by,
            edited_at=review.edited_at,
        ),
        decision=decision,
        approval_blockers=[ReasonOut(**vars(b)) for b in blockers],
        sender_history=SenderHistoryOut(**vars(history)) if history else None,
        events=[EventOut.of(e) for e in reviews.events(session, review.id)],
    )


def encode_cursor(before_id: int | None) -> str | None:
    """An opaque cursor for the page below `before_id`."""
    if before_id is None:
        return None
    return base64.urlsafe_b64encode(f"r:{before_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a cursor continues below (422 if it is not one of ours)."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        before = int(value)
        if kind != "r" or not 1 <= before <= MAX_ID:
            raise ValueError(text)
        return before
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise HTTPException(422, detail="cursor is not valid; use next_cursor as given") from exc


def conflict(exc: reviews.ReviewConflict) -> JSONResponse:
    """409 with every reason."""
    body = ConflictOut(detail=str(exc), reasons=[ReasonOut(**vars(r)) for r in exc.reasons])
    return JSONResponse(body.model_dump(mode="json"), status_code=409)


def not_found(exc: reviews.ReviewNotFound) -> HTTPException:
    return HTTPException(404, detail=str(exc.args[0] if exc.args else exc))


def show(db: Database, review_id: int, principal: Principal, settings: Settings) -> ReviewOut:
    """Read a review and render it (404 if missing)."""
    with db.read() as session:
        try:
            review = reviews.get_review(session, review_id)
        except reviews.ReviewNotFound as exc:
            raise not_found(exc) from exc
        return review_out(session, review, principal, settings)


REVIEW_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut},
    409: {"model": ConflictOut, "description": "Refused in the review's current state."},
}


# ------------------------------------------------------------------------------ routes


@router.get("/reviews", response_model=ReviewPage)
def list_reviews(
    session: SessionDep,
    principal: ReviewKey,
    settings: SettingsDep,
    status: Annotated[str | None, Query(json_schema_extra={"enum": list(STATUSES)})] = None,
    sender: Annotated[str | None, Query(description="An address (any case).")] = None,
    tone: Annotated[str | None, Query(json_schema_extra={"enum": list(TONES)})] = None,
    complaint: Annotated[
        str | None, Query(pattern=r"^\w+$", description="A complaint label.")
    ] = None,
    strategy: Annotated[str | None, Query(json_schema_extra={"enum": list(STRATEGIES)})] = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> ReviewPage:
    """The queue, newest first; filter by status, sender, tone, complaint or strategy."""
    for name, value, allowed in (
        ("status", status, STATUSES),
        ("tone", tone, TONES),
        ("strategy", strategy, STRATEGIES),
    ):
        if value is not None and value not in allowed:
            raise HTTPException(422, detail=f"{name} must be one of {', '.join(allowed)}")
    if complaint is not None and not complaint.replace("_", "").isalnum():
        raise HTTPException(
            422, detail=f"not a complaint label: {complaint!r} ({COMPLAINTS[0]}...)"
        )
    rows, more = reviews.list_reviews(
        session,
        status=status,
        sender=sender,
        tone=tone,
        complaint=complaint,
        strategy=strategy,
        before_id=decode_cursor(cursor),
        limit=limit or settings.review_page_size,
    )
    return ReviewPage(items=[ReviewSummaryOut.of(r) for r in rows], next_cursor=encode_cursor(more))


@router.get("/reviews/{review_id}", response_model=ReviewOut, responses=REVIEW_ERRORS)
def get_review(
    review_id: ReviewId, db: DatabaseDep, principal: ReviewKey, settings: SettingsDep
) -> ReviewOut:
    """One review with its analysis, detached view, draft, alternatives, reply and history."""
    return show(db, review_id, principal, settings)


@router.get("/reviews/{review_id}/events", response_model=list[EventOut], responses=REVIEW_ERRORS)
def review_events(review_id: ReviewId, session: SessionDep, principal: ReviewKey) -> list[EventOut]:
    """The audit trail: every change with its actor, time and the text before and after."""
    try:
        return [EventOut.of(e) for e in reviews.events(session, review_id)]
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc


@router.get(
    "/reviews/{review_id}/deliveries", response_model=list[DeliveryOut], responses=REVIEW_ERRORS
)
def review_deliveries(
    review_id: ReviewId, session: SessionDep, principal: ReviewKey
) -> list[DeliveryOut]:
    """The webhook deliveries of an approved reply, with every attempt."""
    try:
        reviews.get_review(session, review_id)
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc
    return [
        DeliveryOut.model_validate(webhooks.delivery_json(session, row))
        for row in webhooks.deliveries_for(session, review_id)
    ]


@router.patch("/reviews/{review_id}", response_model=ReviewOut, responses=REVIEW_ERRORS)
async def edit_review(
    review_id: ReviewId,
    payload: ReviewEditIn,
    db: DatabaseDep,
    principal: ReviewKey,
    settings: SettingsDep,
    serving: ServingDep,
) -> Any:
    """Save an edited reply (the guard runs again) and/or redraft with another strategy."""
    try:
        snapshot = await run_in_threadpool(_snapshot, db, review_id)
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc
    except reviews.ReviewConflict as exc:
        return conflict(exc)
    expected = payload.version if payload.version is not None else snapshot["version"]

    redraft = None
    if payload.strategy is not None and payload.strategy != snapshot["strategy"]:
        message = await serving.parse(
            snapshot["body"],
            subject=snapshot["subject"],
            sender=snapshot["sender"],
            sent_at=snapshot["sent_at"],
        )
        redraft = await serving.draft(
            message,
            language=snapshot["lang"],
            history=snapshot["history"],
            strategy=payload.strategy,
            now=snapshot["created_at"],
        )
    checks = None
    if payload.body is not None:
        client_text = redraft.reading.message.new_text if redraft else snapshot["client_text"]
        checks = await serving.check(payload.body, client_text=client_text)

    def write() -> None:
        with db.write() as session:
            version = expected
            if redraft is not None:
                reviews.change_strategy(
                    session,
                    review_id,
                    principal.actor,
                    result=redraft,
                    result_json=DraftOut.of(redraft).model_dump(mode="json"),
                    expected_version=version,
                )
                version = None
            if payload.body is not None or payload.subject is not None:
                reviews.edit_reply(
                    session,
                    review_id,
                    principal.actor,
                    body=payload.body,
                    subject=payload.subject,
                    checks=checks,
                    expected_version=version,
                )

    try:
        await run_in_threadpool(write)
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc
    except reviews.ReviewConflict as exc:
        return conflict(exc)
    return await run_in_threadpool(show, db, review_id, principal, settings)


def _snapshot(db: Database, review_id: int) -> dict[str, Any]:
    """What an edit needs from the stored review (ReviewConflict if it cannot be edited)."""
    with db.read() as session:
        review = reviews.get_review(session, review_id)
        if review.status != "pending":
            raise reviews.ReviewConflict(
                f"review {review_id} is already {review.status}; it cannot be edited",
                [reviews.Reason("not_pending", f"The review is {review.status}.")],
            )
        if review.purged_at is not None or review.message_body is None:
            raise reviews.ReviewConflict(
                f"review {review_id} was purged by the retention policy",
                [reviews.Reason("purged", "The message and the draft were deleted.")],
            )
        stored = review.result or {}
        sender = (
            format_sender(review.sender_name, review.sender_address)
            if review.sender_address
            else None
        )
        return {
            "version": review.version,
            "strategy": review.strategy,
            "body": review.raw_message(),
            "subject": review.subject,
            "sender": sender,
            "sent_at": review.sent_at,
            "lang": review.lang_hint,
            "created_at": review.created_at,
            "client_text": stored.get("analysis", {}).get("message", {}).get("new_text"),
            "history": (
                history_for_hash(session, review.sender_hash, before_id=review.id)
                if review.sender_hash
                else None
            ),
        }


@router.post("/reviews/{review_id}/approve", response_model=ReviewOut, responses=REVIEW_ERRORS)
def approve_review(
    review_id: ReviewId,
    request: Request,
    db: DatabaseDep,
    principal: ApproveKey,
    settings: SettingsDep,
    payload: ApproveIn | None = None,
) -> Any:
    """Approve the reply: refused (409) while the guard fails or before `send_not_before`,
    unless `override` is true with a `reason` (recorded as an `override` event)."""
    payload = payload or ApproveIn()
    urls = list(settings.webhook_urls)
    try:
        with db.write() as session:
            reviews.approve(
                session,
                review_id,
                principal.actor,
                override_reason=payload.reason.strip()
                if payload.override and payload.reason
                else None,
                second_approver=settings.review_second_approver,
                expected_version=payload.version,
                on_approved=(lambda s, r, now: webhooks.enqueue(s, r, urls, now)) if urls else None,
            )
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc
    except reviews.ReviewConflict as exc:
        return conflict(exc)
    worker = getattr(request.app.state, "webhook_worker", None)
    if worker is not None and urls:
        worker.notify()
    return show(db, review_id, principal, settings)


@router.post("/reviews/{review_id}/reject", response_model=ReviewOut, responses=REVIEW_ERRORS)
def reject_review(
    review_id: ReviewId,
    payload: RejectIn,
    db: DatabaseDep,
    principal: ReviewKey,
    settings: SettingsDep,
) -> Any:
    """Reject the reply, with a reason."""
    try:
        with db.write() as session:
            reviews.reject(
                session,
                review_id,
                principal.actor,
                reason=payload.reason.strip(),
                expected_version=payload.version,
            )
    except reviews.ReviewNotFound as exc:
        raise not_found(exc) from exc
    except reviews.ReviewConflict as exc:
        return conflict(exc)
    return show(db, review_id, principal, settings)
