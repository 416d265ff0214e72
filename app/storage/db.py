"""Engine and sessions: SQLite (WAL, immediate write transactions) or PostgreSQL.

`Database.write()` opens a transaction that takes the write lock at once on SQLite
(`BEGIN IMMEDIATE`), so two writers queue instead of failing on a stale snapshot;
on PostgreSQL rows are locked with `SELECT ... FOR UPDATE` where it matters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("tactful.storage")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
MIGRATE_ATTEMPTS = 5
_PG_MIGRATION_LOCK = 0x7AC7F11  # pg_advisory_xact_lock key: one migrator at a time


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL journal, foreign keys, full sync; transactions are begun by us (see `_begin`)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for write transactions, a plain (deferred) BEGIN for reads."""
    mode = "IMMEDIATE" if connection.get_execution_options().get("tactful_write") else ""
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def create_db_engine(url: str | URL) -> Engine:
    """An engine for `url`; SQLite files get their directory created and WAL mode."""
    url = make_url(url)
    options: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": True}
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, **options)


class Database:
    """One engine and its session factories."""

    def __init__(self, url: str | URL):
        self.url = make_url(url)
        self.engine = create_db_engine(self.url)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(tactful_write=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a write transaction: committed on success, rolled back on error."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (nothing is committed)."""
        with self._reader() as session:
            yield session

    def session(self) -> Session:
        """A plain read session the caller closes (for request dependencies)."""
        return self._reader()

    def migrate(self) -> None:
        """Apply the Alembic migrations up to head (safe with several processes at once).

        SQLite can answer "database is locked" at once, without waiting out the busy
        timeout, when several connections switch a new file to WAL together; those tries
        are repeated.
        """
        for attempt in range(MIGRATE_ATTEMPTS):
            try:
                self._upgrade()
                break
            except OperationalError as exc:
                last = attempt == MIGRATE_ATTEMPTS - 1
                if last or not self.is_sqlite or "locked" not in str(exc):
                    raise
                time.sleep(0.1 * (attempt + 1))

    def _upgrade(self) -> None:
        from alembic import command

        config = alembic_config()
        engine = self.engine.execution_options(tactful_write=True)
        with engine.begin() as connection:
            if self.is_postgres:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        log.info("database schema up to date (%s)", self.url.get_backend_name())

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str | None = None):
    """Alembic configuration built in code, so it works from any working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
