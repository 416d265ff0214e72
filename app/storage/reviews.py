"""Review items and their audit trail: create, list, edit, change strategy, approve, reject.

Every change is made in one write transaction that locks the review row (`FOR UPDATE`
on PostgreSQL; SQLite write transactions are `BEGIN IMMEDIATE`), checks the state and
the optimistic `version`, changes the row and appends its event(s). A unique index on
(review_id) for `approved`/`rejected` events makes a second decision impossible even
if those checks were bypassed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.pipeline.service import DraftResult
from app.pipeline.types import Check
from app.storage.models import (
    APPROVED,
    PENDING,
    REJECTED,
    Review,
    ReviewComplaint,
    ReviewEvent,
    utcnow,
)
from app.storage.senders import normalise_address, sender_hash


@dataclass(frozen=True)
class Actor:
    """Who does something: the name of their API key (or a local name) and the key's id."""

    name: str
    key_id: str | None = None

    def same_as(self, name: str | None, key_id: str | None) -> bool:
        """Whether this is the person recorded as (name, key_id)."""
        if self.key_id or key_id:
            return self.key_id == key_id
        return self.name == name


@dataclass(frozen=True)
class Reason:
    """Why a change is refused; `overridable` ones give way to an override with a reason."""

    code: str
    message: str
    overridable: bool = False


class ReviewNotFound(LookupError):
    """No review with that id."""


class ReviewConflict(Exception):
    """The change is refused in the review's current state (HTTP 409)."""

    def __init__(self, message: str, reasons: Sequence[Reason] = ()):
        super().__init__(message)
        self.reasons = list(reasons)


@dataclass
class ReviewInput:
    """What the helpdesk sent, as stored next to the pipeline's result."""

    body: str | bytes
    subject: str | None = None
    sender: str | None = None
    sent_at: datetime | None = None
    lang: str | None = None
    external_id: str | None = None


def checks_json(checks: Sequence[Check]) -> list[dict[str, Any]]:
    """The guard's checks as stored (the `CheckOut` shape)."""
    return [
        {"rule": c.rule, "passed": c.passed, "detail": c.detail, "start": c.start, "end": c.end}
        for c in checks
    ]


def _event(
    session: Session,
    review: Review,
    kind: str,
    actor: Actor,
    now: datetime,
    *,
    before: str | None = None,
    after: str | None = None,
    **detail: Any,
) -> ReviewEvent:
    event = ReviewEvent(
        review_id=review.id,
        kind=kind,
        actor=actor.name,
        actor_key_id=actor.key_id,
        at=now,
        before_text=before,
        after_text=after,
        detail=detail,
    )
    session.add(event)
    return event


def create_review(
    session: Session,
    given: ReviewInput,
    result: DraftResult,
    result_json: dict[str, Any],
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Review:
    """Store a new pending review with its `created` event (flushed: it has an id)."""
    now = now or utcnow()
    message, analysis, draft = result.reading.message, result.analysis, result.draft
    address = message.sender_address or normalise_address(given.sender)
    stored_body, encoding = Review.stored_message(given.body)
    review = Review(
        external_id=given.external_id,
        status=PENDING,
        created_at=now,
        updated_at=now,
        sender_hash=sender_hash(address),
        sender_address=normalise_address(address),
        sender_name=message.sender_name,
        subject=message.subject if message.subject is not None else given.subject,
        sent_at=message.sent_at or given.sent_at,
        lang_hint=given.lang,
        language=analysis.language,
        tone=analysis.tone,
        hostility=float(analysis.hostility),
        threat=bool(analysis.threat_present),
        threat_kinds=list(analysis.threat_kinds),
        recommended_strategy=result.strategy.label,
        strategy=draft.strategy,
        send_not_before=draft.send_not_before,
        reply_passed=draft.passed,
        message_body=stored_body,
        message_encoding=encoding,
        result=result_json,
        reply_subject=draft.subject,
        reply_body=draft.body,
        reply_checks=checks_json(draft.checks),
    )
    review.complaints = [
        ReviewComplaint(label=label, rank=rank) for rank, label in enumerate(analysis.complaints)
    ]
    session.add(review)
    session.flush()
    _event(
        session,
        review,
        "created",
        actor,
        now,
        after=draft.body,
        strategy=draft.strategy,
        passed=draft.passed,
        external_id=given.external_id,
    )
    session.flush()
    return review


def get_review(session: Session, review_id: int, *, lock: bool = False) -> Review:
    """The review, locked for update when `lock` (ReviewNotFound if there is none)."""
    query = select(Review).where(Review.id == review_id)
    if lock:
        query = query.with_for_update()
    review = session.scalars(query).one_or_none()
    if review is None:
        raise ReviewNotFound(f"no review {review_id}")
    return review


def list_reviews(
    session: Session,
    *,
    status: str | None = None,
    sender: str | None = None,
    tone: str | None = None,
    complaint: str | None = None,
    strategy: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> tuple[list[Review], int | None]:
    """Reviews newest first, and the id to continue below (None on the last page)."""
    query = select(Review)
    if status:
        query = query.where(Review.status == status)
    if sender:
        query = query.where(Review.sender_hash == sender_hash(sender))
    if tone:
        query = query.where(Review.tone == tone)
    if strategy:
        query = query.where(Review.strategy == strategy)
    if complaint:
        query = query.where(
            exists().where(
                ReviewComplaint.review_id == Review.id, ReviewComplaint.label == complaint
            )
        )
    if before_id is not None:
        query = query.where(Review.id < before_id)
    rows = list(session.scalars(query.order_by(Review.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def events(session: Session, review_id: int) -> list[ReviewEvent]:
    """The audit trail of a review, oldest first."""
    get_review(session, review_id)
    return list(
        session.scalars(
            select(ReviewEvent).where(ReviewEvent.review_id == review_id).order_by(ReviewEvent.id)
        )
    )


def _check_version(review: Review, expected: int | None) -> None:
    if expected is not None and review.version != expected:
        raise ReviewConflict(
            f"review {review.id} changed meanwhile (version {review.version}, not {expected}); "
            "reload it",
            [Reason("stale_version", "The review was changed by someone else.")],
        )


def _require_pending(review: Review, doing: str) -> None:
    if review.status != PENDING:
        raise ReviewConflict(
            f"review {review.id} is already {review.status}; it cannot be {doing}",
            [Reason("not_pending", f"The review is {review.status}.")],
        )
    if review.purged_at is not None or review.reply_body is None:
        raise ReviewConflict(
            f"review {review.id} was purged by the retention policy",
            [Reason("purged", "The message and the draft were deleted.")],
        )


def _save(session: Session, review: Review) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ReviewConflict(
            f"review {review.id} changed meanwhile; reload it",
            [Reason("stale_version", "The review was changed by someone else.")],
        ) from exc


def edit_reply(
    session: Session,
    review_id: int,
    actor: Actor,
    *,
    body: str | None,
    subject: str | None,
    checks: Sequence[Check] | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Save an edited reply and the guard's fresh result (`edited` event)."""
    now = now or utcnow()
    review = get_review(session, review_id, lock=True)
    _check_version(review, expected_version)
    _require_pending(review, "edited")
    before = review.reply_body
    changes: dict[str, Any] = {}
    if body is not None and body != review.reply_body:
        review.reply_body = body
        changes["body"] = True
    if checks is not None:
        review.reply_checks = checks_json(checks)
        review.reply_passed = all(c.passed for c in checks)
    if subject is not None and subject != review.reply_subject:
        changes["subject"] = {"before": review.reply_subject, "after": subject}
        review.reply_subject = subject
    if not changes:
        return review
    review.edited_by, review.edited_by_key, review.edited_at = actor.name, actor.key_id, now
    review.updated_at = now
    _save(session, review)
    failed = [c["rule"] for c in review.reply_checks or [] if not c["passed"]]
    _event(
        session,
        review,
        "edited",
        actor,
        now,
        before=before,
        after=review.reply_body,
        passed=review.reply_passed,
        failed_rules=failed,
        subject_changed="subject" in changes,
    )
    session.flush()
    return review


def change_strategy(
    session: Session,
    review_id: int,
    actor: Actor,
    *,
    result: DraftResult,
    result_json: dict[str, Any],
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Replace the draft with one for another strategy (`strategy_changed` event).

    The cool-down (`send_not_before`) stays what it was when the message came in.
    """
    now = now or utcnow()
    review = get_review(session, review_id, lock=True)
    _check_version(review, expected_version)
    _require_pending(review, "changed")
    before_text, before_strategy = review.reply_body, review.strategy
    draft = result.draft
    review.result = result_json
    review.strategy = draft.strategy
    review.reply_body = draft.body
    review.reply_subject = draft.subject
    review.reply_checks = checks_json(draft.checks)
    review.reply_passed = draft.passed
    review.edited_by, review.edited_by_key, review.edited_at = actor.name, actor.key_id, now
    review.updated_at = now
    _save(session, review)
    _event(
        session,
        review,
        "strategy_changed",
        actor,
        now,
        before=before_text,
        after=draft.body,
        **{"from": before_strategy, "to": draft.strategy, "passed": draft.passed},
    )
    session.flush()
    return review


def approval_blockers(
    review: Review, actor: Actor, *, now: datetime, second_approver: bool
) -> list[Reason]:
    """Why `actor` may not approve now (overridable reasons give way to an override)."""
    reasons: list[Reason] = []
    if review.status != PENDING:
        reasons.append(Reason("not_pending", f"The review is already {review.status}."))
        return reasons
    if review.purged_at is not None or review.reply_body is None:
        reasons.append(Reason("purged", "The message and the draft were deleted."))
        return reasons
    if (
        second_approver
        and review.edited_by
        and actor.same_as(review.edited_by, review.edited_by_key)
    ):
        reasons.append(
            Reason(
                "second_approver_required",
                f"The reply was edited by {review.edited_by}; someone else must approve it.",
            )
        )
    if not review.reply_passed:
        failed = [c["rule"] for c in review.reply_checks or [] if not c["passed"]]
        reasons.append(
            Reason(
                "guard_failed",
                f"The reply fails the calm guard ({', '.join(failed) or 'checks missing'}).",
                overridable=True,
            )
        )
    if now < review.send_not_before:
        minutes = max(1, int((review.send_not_before - now).total_seconds() // 60) + 1)
        reasons.append(
            Reason(
                "too_early",
                f"The cool-down runs until {review.send_not_before.isoformat()} "
                f"(about {minutes} min).",
                overridable=True,
            )
        )
    return reasons


def approve(
    session: Session,
    review_id: int,
    actor: Actor,
    *,
    override_reason: str | None = None,
    second_approver: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
    on_approved: Callable[[Session, Review, datetime], Any] | None = None,
) -> Review:
    """Approve the reply, or raise ReviewConflict with every reason it is refused.

    Overridable reasons (guard failed, cool-down running) give way when
    `override_reason` is given; the override is recorded as its own event.
    `on_approved` runs in the same transaction (the webhook outbox rows).
    """
    now = now or utcnow()
    review = get_review(session, review_id, lock=True)
    _check_version(review, expected_version)
    reasons = approval_blockers(review, actor, now=now, second_approver=second_approver)
    blocking = [r for r in reasons if not (r.overridable and override_reason)]
    if blocking:
        raise ReviewConflict("approval refused: " + " ".join(r.message for r in blocking), blocking)
    overridden = [r.code for r in reasons]
    review.status = APPROVED
    review.decided_by, review.decided_by_key, review.decided_at = actor.name, actor.key_id, now
    review.override_reason = override_reason if overridden else None
    review.updated_at = now
    _save(session, review)
    if overridden:
        _event(
            session,
            review,
            "override",
            actor,
            now,
            reason=override_reason,
            overridden=overridden,
        )
    _event(
        session, review, "approved", actor, now, after=review.reply_body, override=bool(overridden)
    )
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent decision got there first
        raise ReviewConflict(
            f"review {review.id} was already decided",
            [Reason("not_pending", "The review was decided by someone else.")],
        ) from exc
    if on_approved is not None:
        on_approved(session, review, now)
    return review


def reject(
    session: Session,
    review_id: int,
    actor: Actor,
    *,
    reason: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Reject the reply with a reason (`rejected` event)."""
    now = now or utcnow()
    review = get_review(session, review_id, lock=True)
    _check_version(review, expected_version)
    if review.status != PENDING:
        raise ReviewConflict(
            f"review {review.id} is already {review.status}",
            [Reason("not_pending", f"The review is already {review.status}.")],
        )
    review.status = REJECTED
    review.decided_by, review.decided_by_key, review.decided_at = actor.name, actor.key_id, now
    review.decision_reason = reason
    review.updated_at = now
    _save(session, review)
    _event(session, review, "rejected", actor, now, before=review.reply_body, reason=reason)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ReviewConflict(
            f"review {review.id} was already decided",
            [Reason("not_pending", "The review was decided by someone else.")],
        ) from exc
    return review
