"""API keys and scopes.

A key is `tk_` + 43 random URL-safe characters, shown once when created; only its
SHA-256 is stored (a fast hash is enough for 256 random bits). Clients send it as
`Authorization: Bearer <key>` or `X-API-Key: <key>`.

Scopes: `ingest` (POST /v1/messages), `review` (read the queue, edit, reject, senders),
`approve` (approve), `admin` (everything, and key management). The reading endpoints of
the pipeline (/v1/analyze, /v1/drafts, /v1/check) accept a key of any scope.

Auth is off only when `auth_disabled` is set *and* the server is bound to a loopback
address; otherwise the setting is ignored (with a warning at start-up).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.storage.db import Database
from app.storage.models import ApiKey, utcnow
from app.storage.reviews import Actor

log = logging.getLogger("tactful.auth")

SCOPES: tuple[str, ...] = ("ingest", "review", "approve", "admin")
KEY_PREFIX = "tk_"
ACTOR_HEADER = "x-tactful-actor"
"""Names the person acting when auth is off (loopback only); ignored otherwise."""
LOCAL_ACTOR = "local"
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """The caller: a key (id, name, scopes), or the local user when auth is off."""

    key_id: str | None
    name: str
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.key_id)


# ------------------------------------------------------------------------------ keys


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_scopes(values: Sequence[str]) -> list[str]:
    """['ingest,review', 'approve'] -> ['ingest', 'review', 'approve'] (ValueError if unknown)."""
    scopes: list[str] = []
    for value in values:
        for scope in value.replace(",", " ").split():
            if scope not in SCOPES:
                raise ValueError(f"unknown scope {scope!r}; use {', '.join(SCOPES)}")
            if scope not in scopes:
                scopes.append(scope)
    if not scopes:
        raise ValueError(f"give at least one scope: {', '.join(SCOPES)}")
    return scopes


def create_key(session: Session, name: str, scopes: Sequence[str]) -> tuple[ApiKey, str]:
    """A new key: the stored row and the key itself (not stored, shown once)."""
    name = name.strip()
    if not name:
        raise ValueError("a key needs a name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id=secrets.token_hex(8),
        name=name[:200],
        prefix=key[:10],
        key_hash=hash_key(key),
        scopes=" ".join(parse_scopes(scopes)),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, key


def list_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_key(session: Session, key_id: str) -> ApiKey | None:
    """Revoke a key by id (or by its displayed prefix); None if there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is None:
        row = session.scalars(select(ApiKey).where(ApiKey.prefix == key_id)).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def find_key(session: Session, key: str) -> ApiKey | None:
    """The active key row for a presented key."""
    if not key.startswith(KEY_PREFIX):
        return None
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def key_is_valid(app: FastAPI, key: str) -> bool:
    """Whether `key` is an active key of any scope (the web sign-in uses this)."""
    db: Database | None = getattr(app.state, "db", None)
    if db is None or not key:
        return False
    with db.read() as session:
        return find_key(session, key) is not None


# ------------------------------------------------------------------------------ auth off


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or 'localhost'."""
    if not host:
        return False
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_off(settings: Settings) -> bool:
    """Auth is off only when switched off *and* the configured bind address is loopback."""
    return bool(settings.auth_disabled) and is_loopback(settings.host)


def _local_request(request: Request) -> bool:
    """The connection reached a loopback address of the server (or is in-process)."""
    server = request.scope.get("server")
    if not server:
        return True
    host = str(server[0])
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True  # not a socket address (in-process test transport)
    return is_loopback(host)


def warn_if_ignored(settings: Settings) -> None:
    if settings.auth_disabled and not is_loopback(settings.host):
        log.warning(
            "auth_disabled is ignored: the server is bound to %s, not a loopback address",
            settings.host,
        )


# ------------------------------------------------------------------------------ dependency


def presented_key(request: Request) -> str | None:
    """The key from `Authorization: Bearer` or `X-API-Key`."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    key = request.headers.get("x-api-key", "").strip()
    return key or None


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _touch(db: Database, row: ApiKey, now: datetime) -> None:
    """Record when a key was last used (at most every few minutes; never fails a request)."""
    if row.last_used_at is not None and now - row.last_used_at < TOUCH_EVERY:
        return
    try:
        with db.write() as session:
            stored = session.get(ApiKey, row.id)
            if stored is not None:
                stored.last_used_at = now
    except Exception as exc:  # contention or a read-only replica: not worth a failed request
        log.debug("could not record the use of key %s: %s", row.id, type(exc).__name__)


def authenticate(request: Request) -> Principal:
    """The caller of a request (401 without a valid key, unless auth is off)."""
    settings: Settings = request.app.state.settings
    if auth_off(settings) and _local_request(request):
        name = request.headers.get(ACTOR_HEADER, "").strip()[:200] or LOCAL_ACTOR
        return Principal(None, name, frozenset(SCOPES))
    key = presented_key(request)
    if not key:
        raise _unauthorized(
            "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
        )
    db: Database = request.app.state.db
    with db.read() as session:
        row = find_key(session, key)
    if row is None:
        raise _unauthorized("the API key is not valid or was revoked")
    _touch(db, row, utcnow())
    return Principal(row.id, row.name, frozenset(row.scope_list))


def require(scope: str | None) -> Callable[[Request], Principal]:
    """A dependency: the caller, who must hold `scope` (403 otherwise); None: any scope."""
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if scope is not None and not principal.allows(scope):
            raise HTTPException(
                403, detail=f"this API key lacks the '{scope}' scope for {request.url.path}"
            )
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{scope or 'any'}_scope"
    return dependency


def key_json(row: ApiKey) -> dict[str, Any]:
    """A key as listed (never the key itself)."""
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": row.scope_list,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


def v1_dependencies(router: Any) -> list[Any]:
    """For routers of other modules: every `/v1` route needs a key (of any scope)."""
    from fastapi import Depends

    return [Depends(require(None))] if str(router.prefix).startswith("/v1") else []
