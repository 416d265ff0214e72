"""Webhooks out: each approved reply is POSTed, signed, to every configured URL.

The approval transaction writes one outbox row per URL (`webhook_deliveries`); a worker
in the service delivers them after the commit, retries with exponential backoff and
records every attempt (`webhook_attempts`). A delivery that fails never undoes the
approval, and one interrupted by a crash is picked up again (at-least-once: receivers
deduplicate by the `Tactful-Delivery` id).

Signature: `Tactful-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.config import Settings
from app.storage.db import Database
from app.storage.models import Review, WebhookAttempt, WebhookDelivery, utcnow

log = logging.getLogger("tactful.webhooks")

EVENT_APPROVED = "review.approved"
SIGNATURE_HEADER = "Tactful-Signature"
DELIVERY_HEADER = "Tactful-Delivery"
EVENT_HEADER = "Tactful-Event"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
BATCH = 20
ERROR_CHARS = 300


def sign(secret: str | bytes, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for `body` at `timestamp` (now by default)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(
    secret: str | bytes,
    body: bytes,
    header: str,
    *,
    tolerance_s: int = 300,
    now: float | None = None,
) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance_s` of now."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_s:
        return False
    expected = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def payload_for(review: Review, delivery_id: str, approved_at: datetime) -> str:
    """The JSON body sent for an approved review (exactly these bytes are signed)."""
    return json.dumps(
        {
            "event": EVENT_APPROVED,
            "delivery_id": delivery_id,
            "review_id": review.id,
            "external_id": review.external_id,
            "to": review.sender_address,
            "subject": review.reply_subject,
            "body": review.reply_body,
            "strategy": review.strategy,
            "approver": review.decided_by,
            "approved_at": approved_at.isoformat(),
            "override": (
                {"reason": review.override_reason} if review.override_reason is not None else None
            ),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def enqueue(
    session: Session, review: Review, urls: Sequence[str], now: datetime
) -> list[WebhookDelivery]:
    """Outbox rows for an approval, in the approval's transaction."""
    rows = []
    for url in dict.fromkeys(urls):
        delivery_id = secrets.token_hex(16)
        rows.append(
            WebhookDelivery(
                id=delivery_id,
                review_id=review.id,
                url=url,
                event=EVENT_APPROVED,
                payload=payload_for(review, delivery_id, now),
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def backoff(attempt: int, settings: Settings, *, jitter: bool = True) -> float:
    """Seconds before retry `attempt + 1`: base * 2^(attempt-1), capped, +-10% jitter."""
    delay = settings.webhook_backoff_seconds * 2 ** max(0, attempt - 1)
    delay = min(delay, settings.webhook_backoff_max_seconds)
    return delay * (random.uniform(0.9, 1.1) if jitter else 1.0)


def deliveries_for(session: Session, review_id: int) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.review_id == review_id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
    )


def attempts_for(session: Session, delivery_id: str) -> list[WebhookAttempt]:
    return list(
        session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.number)
        )
    )


def check_settings(settings: Settings) -> None:
    """Webhook URLs need a secret to sign with (ValueError otherwise)."""
    if settings.webhook_urls and not (
        settings.webhook_secret and settings.webhook_secret.get_secret_value()
    ):
        raise ValueError("TACTFUL_WEBHOOK_URLS is set but TACTFUL_WEBHOOK_SECRET is not")


class WebhookWorker:
    """Delivers due outbox rows: woken after each approval, and polling for leftovers."""

    def __init__(self, db: Database, settings: Settings, client: httpx.AsyncClient | None = None):
        self.db = db
        self.settings = settings
        self._client = client
        self._own_client = client is None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def secret(self) -> bytes:
        secret = self.settings.webhook_secret
        return secret.get_secret_value().encode("utf-8") if secret else b""

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.webhook_timeout_seconds * 2 + 5)

    async def start(self) -> None:
        check_settings(self.settings)
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.settings.webhook_timeout_seconds, follow_redirects=False
            )
        self._task = asyncio.create_task(self._run(), name="tactful-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def notify(self) -> None:
        """Wake the worker (safe from any thread)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook delivery round failed")
                busy = 0
            if busy >= BATCH:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_seconds)

    def _claim(self, now: datetime) -> list[WebhookDelivery]:
        """Lease due deliveries to this worker (a conditional update per row)."""
        with self.db.write() as session:
            due = list(
                session.scalars(
                    select(WebhookDelivery)
                    .where(
                        WebhookDelivery.status == PENDING,
                        WebhookDelivery.next_attempt_at <= now,
                        or_(
                            WebhookDelivery.locked_until.is_(None),
                            WebhookDelivery.locked_until < now,
                        ),
                    )
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(BATCH)
                )
            )
            claimed = []
            for row in due:
                result = session.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == row.id,
                        WebhookDelivery.status == PENDING,
                        or_(
                            WebhookDelivery.locked_until.is_(None),
                            WebhookDelivery.locked_until < now,
                        ),
                    )
                    .values(locked_until=now + self.lease)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    claimed.append(row)
            for row in claimed:
                session.expunge(row)
            return claimed

    def _record(
        self,
        delivery: WebhookDelivery,
        *,
        status_code: int | None,
        error: str | None,
        started: datetime,
        duration_ms: int,
    ) -> str:
        ok = status_code is not None and 200 <= status_code < 300
        with self.db.write() as session:
            row = session.get(WebhookDelivery, delivery.id)
            if row is None:
                return FAILED
            row.attempts += 1
            session.add(
                WebhookAttempt(
                    delivery_id=row.id,
                    number=row.attempts,
                    at=started,
                    status_code=status_code,
                    error=error,
                    duration_ms=duration_ms,
                )
            )
            row.locked_until = None
            now = utcnow()
            if ok:
                row.status, row.delivered_at, row.last_error = DELIVERED, now, None
            else:
                row.last_error = error or f"HTTP {status_code}"
                if row.attempts >= self.settings.webhook_max_attempts:
                    row.status = FAILED
                else:
                    row.next_attempt_at = now + timedelta(
                        seconds=backoff(row.attempts, self.settings)
                    )
            return row.status

    async def _deliver(self, delivery: WebhookDelivery) -> str:
        assert self._client is not None
        body = (delivery.payload or "").encode("utf-8")
        headers = {
            "content-type": "application/json",
            "user-agent": "Tactful-Webhooks/1",
            SIGNATURE_HEADER: sign(self.secret, body),
            DELIVERY_HEADER: delivery.id,
            EVENT_HEADER: delivery.event,
        }
        started = utcnow()
        clock = time.monotonic()
        status_code, error = None, None
        try:
            response = await self._client.post(delivery.url, content=body, headers=headers)
            status_code = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        duration_ms = int((time.monotonic() - clock) * 1000)
        status = await asyncio.to_thread(
            self._record,
            delivery,
            status_code=status_code,
            error=error,
            started=started,
            duration_ms=duration_ms,
        )
        log.info(
            "webhook %s for review %s to %s: %s (%s)",
            delivery.id,
            delivery.review_id,
            delivery.url,
            status_code or error,
            status,
        )
        return status

    async def run_once(self, now: datetime | None = None) -> int:
        """Deliver every due delivery once; the number attempted."""
        claimed = await asyncio.to_thread(self._claim, now or utcnow())
        if claimed:
            await asyncio.gather(*(self._deliver(d) for d in claimed))
        return len(claimed)


def delivery_json(session: Session, row: WebhookDelivery) -> dict[str, Any]:
    """A delivery with its attempts, as the API lists it (no payload)."""
    return {
        "id": row.id,
        "url": row.url,
        "event": row.event,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at if row.status == PENDING else None,
        "last_error": row.last_error,
        "created_at": row.created_at,
        "delivered_at": row.delivered_at,
        "tries": [
            {
                "number": a.number,
                "at": a.at,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts_for(session, row.id)
        ],
    }
