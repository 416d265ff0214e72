"""Idempotent ingest: the first result of a request, found again by its keys.

A helpdesk that retries sends the same `external_id` or the same `Idempotency-Key`
header; both are stored (in the same transaction as the review they created) with the
status code and the JSON of the first response, which every retry gets back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.models import IdempotencyRecord, utcnow


@dataclass(frozen=True)
class IdemKey:
    """One key of a request: `kind` is `external_id` or `header`."""

    kind: str
    value: str

    @property
    def stored(self) -> str:
        return f"{self.kind}:{self.value}"


def request_keys(
    external_id: str | None, header: str | None, *, client: str | None
) -> list[IdemKey]:
    """The keys of a request; a header key only counts for the API key that sent it."""
    keys = []
    if external_id:
        keys.append(IdemKey("external_id", external_id))
    if header:
        keys.append(IdemKey("header", f"{client or '-'}:{header}"))
    return keys


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable hash of what was asked, to spot a key reused for another request."""
    data = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def find(session: Session, keys: Sequence[IdemKey]) -> tuple[IdemKey, IdempotencyRecord] | None:
    """The first stored record among `keys` (in their order), if any."""
    for key in keys:
        record = session.get(IdempotencyRecord, key.stored)
        if record is not None:
            return key, record
    return None


def remember(
    session: Session,
    keys: Sequence[IdemKey],
    *,
    request_hash: str,
    review_id: int,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Store the result under every key (IntegrityError if a concurrent request won)."""
    now = utcnow()
    for key in keys:
        session.add(
            IdempotencyRecord(
                key=key.stored,
                request_hash=request_hash,
                review_id=review_id,
                status_code=status_code,
                response=response,
                created_at=now,
            )
        )
    session.flush()


def records_for(session: Session, review_id: int) -> list[IdempotencyRecord]:
    return list(
        session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.review_id == review_id))
    )
