"""The review queue inside the service: open the database, migrate, run the workers.

`install` at app creation (the engine; no connection yet), `start` in the lifespan
(migrations, webhook worker, retention schedule), `stop` at shutdown.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI

from app import auth, webhooks
from app.config import Settings
from app.retention import RetentionSchedule
from app.storage.db import Database

log = logging.getLogger("tactful.storage")


def install(app: FastAPI) -> None:
    """Attach the database (from `app.state.settings`) to the app."""
    settings: Settings = app.state.settings
    app.state.db = Database(settings.database_url)
    app.state.webhook_worker = None
    app.state.retention = None


async def start(app: FastAPI) -> None:
    """Migrate the schema to head, then start the webhook worker and the retention schedule."""
    settings: Settings = app.state.settings
    db: Database = app.state.db
    auth.warn_if_ignored(settings)
    webhooks.check_settings(settings)
    await asyncio.to_thread(db.migrate)
    if settings.webhook_urls:
        worker = webhooks.WebhookWorker(db, settings)
        await worker.start()
        app.state.webhook_worker = worker
    retention = RetentionSchedule(db, settings)
    await retention.start()
    app.state.retention = retention


async def stop(app: FastAPI) -> None:
    """Stop the workers and close the database connections."""
    for name in ("webhook_worker", "retention"):
        worker = getattr(app.state, name, None)
        if worker is not None:
            await worker.stop()
            setattr(app.state, name, None)
    db: Database | None = getattr(app.state, "db", None)
    if db is not None:
        db.dispose()
