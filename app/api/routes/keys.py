"""API keys over HTTP (admin scope): list, create (the key is shown once), revoke."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from app import auth
from app.deps import AdminKey, DatabaseDep, SessionDep
from app.schemas import ErrorOut

router = APIRouter(prefix="/v1", tags=["keys"])


class KeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewKeyOut(KeyOut):
    key: str = Field(description="The API key. It is shown only this once.")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(
        min_length=1, json_schema_extra={"items": {"type": "string", "enum": list(auth.SCOPES)}}
    )


@router.get("/keys", response_model=list[KeyOut])
def list_keys(session: SessionDep, principal: AdminKey) -> list[KeyOut]:
    """Every key, revoked ones included (never the keys themselves)."""
    return [KeyOut(**auth.key_json(row)) for row in auth.list_keys(session)]


@router.post(
    "/keys", response_model=NewKeyOut, status_code=201, responses={422: {"model": ErrorOut}}
)
def create_key(payload: KeyIn, db: DatabaseDep, principal: AdminKey) -> NewKeyOut:
    """A new key with the given scopes."""
    try:
        with db.write() as session:
            row, key = auth.create_key(session, payload.name, payload.scopes)
            return NewKeyOut(**auth.key_json(row), key=key)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from exc


@router.delete("/keys/{key_id}", response_model=KeyOut, responses={404: {"model": ErrorOut}})
def revoke_key(key_id: str, db: DatabaseDep, principal: AdminKey) -> KeyOut:
    """Revoke a key (by id or displayed prefix); it stops working at once."""
    with db.write() as session:
        row = auth.revoke_key(session, key_id)
        if row is None:
            raise HTTPException(404, detail=f"no key {key_id}")
        return KeyOut(**auth.key_json(row))
