"""The web pages of Tactful: routes, static files and browser-facing security."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.web.routes import environment, router
from app.web.security import SecurityHeaders, SessionCsrf

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages, `/static`, and the security middleware to `app`."""
    app.state.web_templates = environment(Path(app.state.settings.templates_dir))
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SessionCsrf)
    app.add_middleware(SecurityHeaders)
