"""Create the FastAPI app; the lifespan loads the model once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app import __version__
from app.api import openapi
from app.api.routes import analyze, check, drafts, health, keys, messages, reviews, senders
from app.auth import v1_dependencies
from app.batching import Overloaded
from app.config import Settings, get_settings
from app.errors import InputError, ModelNotReady, PayloadTooLarge
from app.pipeline.service import Tactful
from app.serving import Serving
from app.storage import lifecycle as review_queue
from app.web import install as install_web

log = logging.getLogger("tactful")


def create_app(settings: Settings | None = None, tactful: Tactful | None = None) -> FastAPI:
    """The service. Pass `tactful` to share an already loaded pipeline (tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = tactful or Tactful.load(settings)
        serving = Serving(loaded, settings)
        await serving.start()
        app.state.tactful, app.state.serving = loaded, serving
        log.info("model loaded (%s runtime)", loaded.classifier.encoder.name)
        await review_queue.start(app)  # migrations, webhook worker, retention schedule
        try:
            yield
        finally:
            await review_queue.stop(app)
            await serving.stop()

    app = FastAPI(
        title="Tactful",
        version=__version__,
        summary="Calm, non-apologetic replies to hostile email.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.tactful = None
    app.state.serving = None

    @app.exception_handler(PayloadTooLarge)
    async def too_large(_: Request, exc: PayloadTooLarge) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=413)

    @app.exception_handler(InputError)
    async def bad_input(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(ModelNotReady)
    async def not_ready(_: Request, exc: ModelNotReady) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Overloaded)
    async def overloaded(_: Request, exc: Overloaded) -> JSONResponse:
        return JSONResponse(
            {"detail": f"busy: {exc}"}, status_code=503, headers={"Retry-After": "1"}
        )

    review_queue.install(app)  # the database (migrated when the lifespan starts)
    for module in (health, analyze, drafts, check):
        app.include_router(module.router, dependencies=v1_dependencies(module.router))
    for module in (messages, reviews, senders, keys):
        app.include_router(module.router)
    install_web(app)  # web pages, /static, security headers + CSP, session cookie and CSRF
    openapi.install(app)  # the schema lists the loaded model's labels
    return app
