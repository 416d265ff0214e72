"""Dependencies of the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.errors import ModelNotReady
from app.pipeline.service import Tactful
from app.serving import Serving


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
