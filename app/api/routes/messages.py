"""POST /v1/messages: ingest a message from a helpdesk into the review queue (idempotent)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.api.routes.reviews import ReviewOut, review_out
from app.auth import Principal
from app.config import Settings
from app.deps import DatabaseDep, IngestKey, ServingDep, SettingsDep
from app.schemas import STRATEGY_PATTERN, DraftOut, ErrorOut, MessageIn
from app.storage import idempotency, reviews
from app.storage.db import Database
from app.storage.senders import sender_history

router = APIRouter(prefix="/v1", tags=["messages"])

RAW_TYPES = ("message/rfc822", "text/plain")
REPLAYED_HEADER = "Idempotent-Replayed"


class MessageIngestIn(MessageIn):
    """A message for the review queue: `body` is plain text or a whole raw email."""

    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The helpdesk's id of the message; a retry with the same id is not stored "
        "twice and gets the first response back.",
    )
    strategy: str | None = Field(
        default=None, pattern=STRATEGY_PATTERN, description="Draft with this strategy."
    )


_RAW_PARAMS = ("subject", "sender", "sent_at", "lang", "external_id", "strategy")
_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": MessageIngestIn.model_json_schema()},
            "message/rfc822": {
                "schema": {"type": "string", "format": "binary"},
                "description": "A raw email; the other fields go in the query string "
                "(subject, sender, sent_at, lang, external_id, strategy).",
            },
        },
    }
}


async def read_input(request: Request) -> tuple[MessageIngestIn, str | bytes]:
    """The fields and the body: from JSON, or a raw email body plus query parameters."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in RAW_TYPES:
            raw = await request.body()
            params = {k: request.query_params[k] for k in _RAW_PARAMS if k in request.query_params}
            return MessageIngestIn.model_validate({"body": "", **params}), raw
        try:
            payload = await request.json()
        except ValueError as exc:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "the body is not JSON"}]
            ) from exc
        given = MessageIngestIn.model_validate(payload)
        return given, given.body
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


def _fingerprint(given: MessageIngestIn, body: str | bytes) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return idempotency.fingerprint(
        {
            "body": hashlib.sha256(body).hexdigest(),
            "subject": given.subject,
            "sender": given.sender,
            "sent_at": given.sent_at.isoformat() if given.sent_at else None,
            "lang": given.lang,
            "external_id": given.external_id,
            "strategy": given.strategy,
        }
    )


def _replay(
    db: Database,
    keys: list[idempotency.IdemKey],
    request_hash: str,
    principal: Principal,
    settings: Settings,
) -> JSONResponse | None:
    """The first response of a request with one of these keys, if there was one."""
    if not keys:
        return None
    with db.read() as session:
        found = idempotency.find(session, keys)
        if found is None:
            return None
        key, record = found
        if key.kind == "header" and record.request_hash != request_hash:
            raise HTTPException(
                422, detail="this Idempotency-Key was already used for a different request"
            )
        content = record.response
        if content is None:  # purged: today's (text-free) view of the same review
            review = reviews.get_review(session, record.review_id)
            content = review_out(session, review, principal, settings).model_dump(mode="json")
        return JSONResponse(
            content,
            status_code=record.status_code,
            headers={
                REPLAYED_HEADER: "true",
                "Location": f"/v1/reviews/{record.review_id}",
            },
        )


def _store(
    db: Database,
    given: MessageIngestIn,
    body: str | bytes,
    result: Any,
    keys: list[idempotency.IdemKey],
    request_hash: str,
    principal: Principal,
    settings: Settings,
) -> tuple[int, dict[str, Any]]:
    """The review, its `created` event and its idempotency records, in one transaction."""
    with db.write() as session:
        review = reviews.create_review(
            session,
            reviews.ReviewInput(
                body=body,
                subject=given.subject,
                sender=given.sender,
                sent_at=given.sent_at,
                lang=given.lang,
                external_id=given.external_id,
            ),
            result,
            DraftOut.of(result).model_dump(mode="json"),
            principal.actor,
        )
        content = review_out(session, review, principal, settings).model_dump(mode="json")
        idempotency.remember(
            session,
            keys,
            request_hash=request_hash,
            review_id=review.id,
            status_code=201,
            response=content,
        )
        return review.id, content


def _history(db: Database, sender: str | None):
    with db.read() as session:
        return sender_history(session, sender)


@router.post(
    "/messages",
    status_code=201,
    response_model=ReviewOut,
    openapi_extra=_OPENAPI_BODY,
    responses={
        413: {"model": ErrorOut},
        422: {"model": ErrorOut},
        503: {"model": ErrorOut},
        201: {"description": "Stored as a pending review (or, for a retry, the first response)."},
    },
)
async def ingest_message(
    request: Request,
    principal: IngestKey,
    db: DatabaseDep,
    settings: SettingsDep,
    serving: ServingDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Retries with the same key get the first response back.",
        ),
    ] = None,
) -> Any:
    """Analyse a message, draft a reply and store both as a `pending` review.

    A retry with the same `external_id` or `Idempotency-Key` stores nothing and gets
    the first response (same status code, header `Idempotent-Replayed: true`).
    """
    given, body = await read_input(request)
    keys = idempotency.request_keys(given.external_id, idempotency_key, client=principal.key_id)
    request_hash = _fingerprint(given, body)
    replay = await run_in_threadpool(_replay, db, keys, request_hash, principal, settings)
    if replay is not None:
        return replay

    message = await serving.parse(
        body, subject=given.subject, sender=given.sender, sent_at=given.sent_at
    )
    history = await run_in_threadpool(_history, db, message.sender_address or given.sender)
    result = await serving.draft(
        message, language=given.lang, history=history, strategy=given.strategy
    )
    try:
        review_id, content = await run_in_threadpool(
            _store, db, given, body, result, keys, request_hash, principal, settings
        )
    except IntegrityError:  # a concurrent retry stored it first
        replay = await run_in_threadpool(_replay, db, keys, request_hash, principal, settings)
        if replay is None:
            raise
        return replay
    return JSONResponse(content, status_code=201, headers={"Location": f"/v1/reviews/{review_id}"})
