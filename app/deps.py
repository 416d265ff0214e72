"""Dependencies of the routes, as Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.auth import Principal, require
from app.config import Settings
from app.errors import ModelNotReady
from app.pipeline.service import Tactful
from app.serving import Serving
from app.storage.db import Database


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_tactful(request: Request) -> Tactful:
    """The pipeline loaded in the lifespan."""
    tactful = getattr(request.app.state, "tactful", None)
    if tactful is None:
        raise ModelNotReady("the model is still loading")
    return tactful


def get_serving(request: Request) -> Serving:
    """The async pipeline with its micro-batcher."""
    serving = getattr(request.app.state, "serving", None)
    if serving is None:
        raise ModelNotReady("the model is still loading")
    return serving


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TactfulDep = Annotated[Tactful, Depends(get_tactful)]
ServingDep = Annotated[Serving, Depends(get_serving)]


# ---- review queue: database and API keys (app/storage, app/auth.py)


def get_database(request: Request) -> Database:
    """The database opened by the app (migrated in the lifespan)."""
    return request.app.state.db


def get_session(request: Request) -> Iterator[Session]:
    """A read session for one request."""
    with get_database(request).read() as session:
        yield session


DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[Session, Depends(get_session)]
AnyKey = Annotated[Principal, Depends(require(None))]
IngestKey = Annotated[Principal, Depends(require("ingest"))]
ReviewKey = Annotated[Principal, Depends(require("review"))]
ApproveKey = Annotated[Principal, Depends(require("approve"))]
AdminKey = Annotated[Principal, Depends(require("admin"))]
