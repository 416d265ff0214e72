"""The tables of the review queue (SQLAlchemy 2 declarative models).

Message text lives only in `Review.message_body`, `Review.result`, the reply columns,
the before/after text of `ReviewEvent`, `IdempotencyRecord.response` and
`WebhookDelivery.payload`; the retention purge clears exactly these and keeps the
anonymous statistics (tone, hostility, threat, complaints, strategy, status, times).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    event,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MAX_ID = 2**31 - 1
"""The largest id an `Integer` column holds on every backend (PostgreSQL's INTEGER)."""

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
EVENT_KINDS = (
    "created",
    "edited",
    "strategy_changed",
    "override",
    "approved",
    "rejected",
    "purged",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class ApiKey(Base):
    """An API key; only the SHA-256 of the key is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class Review(Base):
    """One incoming message with its analysis, its draft and the reply under review."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=PENDING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # the sender: the hash stays after the purge so that sender history keeps working
    sender_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    sender_address: Mapped[str | None] = mapped_column(String(320))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    lang_hint: Mapped[str | None] = mapped_column(String(16))

    # anonymous statistics (kept by the purge)
    language: Mapped[str] = mapped_column(String(16))
    tone: Mapped[str] = mapped_column(String(16), index=True)
    hostility: Mapped[float] = mapped_column(Float)
    threat: Mapped[bool] = mapped_column(Boolean, default=False)
    threat_kinds: Mapped[list[Any]] = mapped_column(default=list)
    recommended_strategy: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(16))
    send_not_before: Mapped[datetime]
    reply_passed: Mapped[bool] = mapped_column(Boolean, default=False)

    # text (cleared by the purge)
    message_body: Mapped[str | None] = mapped_column(Text)
    message_encoding: Mapped[str] = mapped_column(String(16), default="text")
    """`text`, or `base64` for raw MIME bytes that are not UTF-8."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    """The `DraftOut` JSON of the pipeline: analysis, detached view, draft, alternatives."""
    reply_subject: Mapped[str | None] = mapped_column(Text)
    reply_body: Mapped[str | None] = mapped_column(Text)
    reply_checks: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))

    edited_by: Mapped[str | None] = mapped_column(String(200))
    edited_by_key: Mapped[str | None] = mapped_column(String(32))
    edited_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_by_key: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    purged_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (optimistic locking)

    complaints: Mapped[list[ReviewComplaint]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )

    def raw_message(self) -> str | bytes | None:
        """The message as it was received (None after the purge)."""
        if self.message_body is None:
            return None
        if self.message_encoding == "base64":
            return base64.b64decode(self.message_body)
        return self.message_body

    @staticmethod
    def stored_message(body: str | bytes) -> tuple[str, str]:
        """(text, encoding) to store `body` without loss."""
        if isinstance(body, str):
            if "\x00" not in body:  # PostgreSQL text cannot hold NUL
                return body, "text"
            body = body.encode("utf-8", "surrogatepass")
        try:
            text = body.decode("utf-8")
            if "\x00" not in text:
                return text, "text"
        except UnicodeDecodeError:
            pass
        return base64.b64encode(body).decode("ascii"), "base64"

    @property
    def complaint_labels(self) -> list[str]:
        return [c.label for c in sorted(self.complaints, key=lambda c: c.rank)]


class ReviewComplaint(Base):
    """A complaint label of a review (a table, so that filtering works on every backend)."""

    __tablename__ = "review_complaints"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer, default=0)

    review: Mapped[Review] = relationship(back_populates="complaints")


class ReviewEvent(Base):
    """One entry of the append-only audit trail of a review."""

    __tablename__ = "review_events"
    __table_args__ = (
        # one decision per review, whatever the races: the database says no to a second
        Index(
            "uq_review_events_one_decision",
            "review_id",
            unique=True,
            sqlite_where="kind IN ('approved', 'rejected')",
            postgresql_where="kind IN ('approved', 'rejected')",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    actor_key_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before_text: Mapped[str | None] = mapped_column(Text)
    after_text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class IdempotencyRecord(Base):
    """The first result of an ingest, found again by `external_id` or `Idempotency-Key`."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one approved reply to POST to one URL, until it is delivered."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    url: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One try at a delivery: when, the HTTP status or the error, how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class AppendOnlyError(RuntimeError):
    """The audit trail is append-only: events are never changed or deleted."""


@event.listens_for(ReviewEvent, "before_update")
@event.listens_for(ReviewEvent, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: ReviewEvent) -> None:
    raise AppendOnlyError(f"review event {target.id} cannot be changed: the trail is append-only")
