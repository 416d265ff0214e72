"""Sender history: the tone and hostility of a sender's earlier messages.

Senders are found by a hash of their normalised address, which the retention purge
keeps (the address itself is cleared), so the history outlives the message bodies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.pipeline.strategy import HOSTILE
from app.pipeline.types import SenderHistory
from app.storage.models import APPROVED, Review

RECENT = 10


def normalise_address(sender: str | None) -> str | None:
    """'Mark Lee <Mark@X.io>' -> 'mark@x.io'; None when there is no address."""
    if not sender:
        return None
    address = parseaddr(sender)[1] or sender
    address = address.strip().strip("<>").strip().lower()
    return address or None


def sender_hash(sender: str | None) -> str | None:
    """The stable key of a sender (SHA-256 of the normalised address)."""
    address = normalise_address(sender)
    if address is None:
        return None
    return hashlib.sha256(address.encode("utf-8")).hexdigest()


def _hostile():
    return (Review.hostility >= HOSTILE) | (Review.tone == "abusive")


def history_for_hash(session: Session, key: str, *, before_id: int | None = None) -> SenderHistory:
    """The history of the sender with hash `key` (messages before `before_id` only, if given)."""
    query = select(
        func.count(Review.id),
        func.sum(case((_hostile(), 1), else_=0)),
        func.avg(Review.hostility),
        func.sum(case((Review.tone == "abusive", 1), else_=0)),
        func.sum(case(((Review.status == APPROVED) & (Review.strategy == "boundary"), 1), else_=0)),
    ).where(Review.sender_hash == key)
    if before_id is not None:
        query = query.where(Review.id < before_id)
    count, hostile, mean, abusive, boundary = session.execute(query).one()
    return SenderHistory(
        message_count=int(count or 0),
        hostile_count=int(hostile or 0),
        mean_hostility=round(float(mean or 0.0), 4),
        abusive_count=int(abusive or 0),
        boundary_replies=int(boundary or 0),
    )


def sender_history(
    session: Session, sender: str | None, *, before_id: int | None = None
) -> SenderHistory | None:
    """The pipeline's view of a sender's earlier messages (None without an address)."""
    key = sender_hash(sender)
    if key is None:
        return None
    return history_for_hash(session, key, before_id=before_id)


@dataclass
class RecentMessage:
    id: int
    received_at: datetime
    tone: str
    hostility: float
    status: str
    strategy: str


@dataclass
class SenderSummary:
    """`SenderHistory` plus counts by tone, strategy and status, and the latest messages."""

    address: str
    history: SenderHistory
    tones: dict[str, int] = field(default_factory=dict)
    strategies: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    recent: list[RecentMessage] = field(default_factory=list)


def _counts(session: Session, key: str, column) -> dict[str, int]:
    rows = session.execute(
        select(column, func.count()).where(Review.sender_hash == key).group_by(column)
    )
    return {str(value): int(n) for value, n in rows}


def sender_summary(session: Session, sender: str) -> SenderSummary | None:
    """Everything known of a sender, or None when they never wrote."""
    key = sender_hash(sender)
    history = sender_history(session, sender)
    if key is None or history is None or history.message_count == 0:
        return None
    first, last = session.execute(
        select(func.min(Review.created_at), func.max(Review.created_at)).where(
            Review.sender_hash == key
        )
    ).one()
    recent = session.scalars(
        select(Review).where(Review.sender_hash == key).order_by(Review.id.desc()).limit(RECENT)
    )
    col = Review.__table__.c
    return SenderSummary(
        address=normalise_address(sender) or sender,
        history=history,
        tones=_counts(session, key, col.tone),
        strategies=_counts(session, key, col.strategy),
        statuses=_counts(session, key, col.status),
        first_seen=first,
        last_seen=last,
        recent=[
            RecentMessage(r.id, r.created_at, r.tone, r.hostility, r.status, r.strategy)
            for r in recent
        ],
    )
