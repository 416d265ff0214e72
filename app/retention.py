"""Retention: delete message bodies and drafts older than N days, keep the statistics.

What goes: the message as received, the analysis JSON (it quotes the message), the
draft and its alternatives, the reply and its checks, the subject, the sender's name
and address, the before/after text of audit events, the stored first responses of
idempotent requests and the bodies of webhook deliveries. What stays: tone, hostility,
threat, complaints, language, strategies, status, who decided and when, the audit
events themselves (without text), and the sender's hash (so sender history still works).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.config import Settings
from app.storage.db import Database
from app.storage.models import (
    IdempotencyRecord,
    Review,
    ReviewEvent,
    WebhookDelivery,
    utcnow,
)

log = logging.getLogger("tactful.retention")

CHUNK = 500
PURGE_ACTOR = "retention"


@dataclass
class PurgeReport:
    """How many rows had their text removed."""

    cutoff: datetime
    reviews: int = 0
    events: int = 0
    idempotency: int = 0
    deliveries: int = 0

    def __str__(self) -> str:
        return (
            f"purged {self.reviews} reviews, {self.events} events, "
            f"{self.idempotency} idempotency records, {self.deliveries} webhook deliveries "
            f"older than {self.cutoff.isoformat()}"
        )


def _purge_chunk(db: Database, cutoff: datetime, now: datetime, report: PurgeReport) -> bool:
    """Purge up to CHUNK reviews in one transaction; False when none was left."""
    with db.write() as session:
        ids = list(
            session.scalars(
                select(Review.id)
                .where(Review.created_at < cutoff, Review.purged_at.is_(None))
                .order_by(Review.id)
                .limit(CHUNK)
            )
        )
        if not ids:
            return False
        session.execute(
            update(Review)
            .where(Review.id.in_(ids))
            .values(
                message_body=None,
                result=None,
                reply_subject=None,
                reply_body=None,
                reply_checks=None,
                subject=None,
                sender_name=None,
                sender_address=None,
                purged_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        # the one change the append-only trail allows: its text is cleared
        events = session.execute(
            update(ReviewEvent)
            .where(
                ReviewEvent.review_id.in_(ids),
                (ReviewEvent.before_text.is_not(None)) | (ReviewEvent.after_text.is_not(None)),
            )
            .values(before_text=None, after_text=None)
            .execution_options(synchronize_session=False)
        )
        records = session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.review_id.in_(ids), IdempotencyRecord.response.is_not(None))
            .values(response=None)
            .execution_options(synchronize_session=False)
        )
        deliveries = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.review_id.in_(ids), WebhookDelivery.payload.is_not(None))
            .values(payload=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.review_id.in_(ids), WebhookDelivery.status == "pending")
            .values(status="failed", last_error="purged by the retention policy")
            .execution_options(synchronize_session=False)
        )
        session.add_all(
            ReviewEvent(
                review_id=review_id,
                kind="purged",
                actor=PURGE_ACTOR,
                at=now,
                detail={"cutoff": cutoff.isoformat()},
            )
            for review_id in ids
        )
        report.reviews += len(ids)
        report.events += events.rowcount or 0
        report.idempotency += records.rowcount or 0
        report.deliveries += deliveries.rowcount or 0
    return len(ids) == CHUNK


def purge(db: Database, days: int, *, now: datetime | None = None) -> PurgeReport:
    """Remove the text of everything received more than `days` days ago."""
    if days < 1:
        raise ValueError("retention needs at least 1 day")
    now = now or utcnow()
    report = PurgeReport(cutoff=now - timedelta(days=days))
    while _purge_chunk(db, report.cutoff, now, report):
        pass
    return report


class RetentionSchedule:
    """Runs `purge` every `retention_interval_hours` inside the service (when enabled)."""

    def __init__(self, db: Database, settings: Settings):
        self.db = db
        self.settings = settings
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.settings.retention_days > 0:
            self._task = asyncio.create_task(self._run(), name="tactful-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                report = await asyncio.to_thread(purge, self.db, self.settings.retention_days)
                if report.reviews:
                    log.info("%s", report)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention purge failed")
            await asyncio.sleep(self.settings.retention_interval_hours * 3600)
