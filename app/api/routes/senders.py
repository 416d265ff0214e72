"""GET /v1/senders/{address}: what is known of a sender's earlier messages."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from app.deps import ReviewKey, SessionDep
from app.schemas import ErrorOut
from app.storage.senders import sender_summary

router = APIRouter(prefix="/v1", tags=["senders"])


class RecentOut(BaseModel):
    id: int
    received_at: datetime
    tone: str
    hostility: float
    status: str
    strategy: str


class SenderOut(BaseModel):
    """A sender's history: the numbers the strategy uses, and a breakdown."""

    address: str
    message_count: int
    hostile_count: int
    mean_hostility: float
    abusive_count: int
    boundary_replies: int
    tones: dict[str, int]
    strategies: dict[str, int]
    statuses: dict[str, int]
    first_seen: datetime | None
    last_seen: datetime | None
    recent: list[RecentOut]


@router.get("/senders/{address}", response_model=SenderOut, responses={404: {"model": ErrorOut}})
def get_sender(address: str, session: SessionDep, principal: ReviewKey) -> SenderOut:
    """Counts of a sender's messages by tone, hostility, strategy and status (newest 10 too)."""
    summary = sender_summary(session, address)
    if summary is None:
        raise HTTPException(404, detail="no messages from this sender")
    history = summary.history
    return SenderOut(
        address=summary.address,
        message_count=history.message_count,
        hostile_count=history.hostile_count,
        mean_hostility=history.mean_hostility,
        abusive_count=history.abusive_count,
        boundary_replies=history.boundary_replies,
        tones=summary.tones,
        strategies=summary.strategies,
        statuses=summary.statuses,
        first_seen=summary.first_seen,
        last_seen=summary.last_seen,
        recent=[
            RecentOut(
                id=r.id,
                received_at=r.received_at,
                tone=r.tone,
                hostility=round(r.hostility, 4),
                status=r.status,
                strategy=r.strategy,
            )
            for r in summary.recent
        ],
    )
