"""Alembic environment: migrations run on the connection handed over by `Database.migrate`.

Run by hand (from any directory) with `alembic -c app/storage/alembic.ini upgrade head`;
the URL then comes from the settings (`TACTFUL_DATABASE_URL`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.storage.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from app.config import get_settings
    from app.storage.db import Database

    url = context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    database = Database(url)
    try:
        with database.engine.execution_options(tactful_write=True).begin() as connection:
            _run(connection)
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
