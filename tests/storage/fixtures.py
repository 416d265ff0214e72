"""Database fixtures: every storage and API test runs on SQLite and on PostgreSQL.

SQLite: a fresh file per test. PostgreSQL: the local server (127.0.0.1:5432, user
postgres, or TACTFUL_TEST_POSTGRES_URL); one fresh database `tactful_test_<random>` per
test session, migrated once, emptied after each test and dropped at the end. When the
server cannot be reached the PostgreSQL tests skip, except under CI=true, where they fail.

Test modules outside tests/storage import these fixtures by name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.pipeline.service import DraftResult
from tests.conftest import IN_CI
from tests.storage.helpers import ANN, CALM, LONG_AGO

POSTGRES_ADMIN_URL = os.environ.get(
    "TACTFUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = (
    "webhook_attempts",
    "webhook_deliveries",
    "idempotency_records",
    "review_events",
    "review_complaints",
    "reviews",
    "api_keys",
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped afterwards)."""
    admin = create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    name = f"tactful_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {type(exc).__name__}"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        from app.storage.db import Database

        database = Database(url)
        database.migrate()
        database.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '20s'"))
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty database: SQLite (a new file) or PostgreSQL (emptied after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'queue' / 'tactful.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    try:
        yield url
    finally:
        _empty_postgres(url)


@pytest.fixture()
def database(db_url: str) -> Iterator[Any]:
    """A migrated `Database` on `db_url`."""
    from app.storage.db import Database

    db = Database(db_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture()
def make_client(db_url: str, settings, tactful) -> Iterator[Callable[..., Any]]:
    """Build TestClients (lifespan running) on `db_url`; settings overrides as kwargs.

    Auth is off (loopback) unless `auth_disabled=False` is given.
    """
    from fastapi.testclient import TestClient

    from app.main import create_app

    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values = {"database_url": db_url, "auth_disabled": True, **overrides}
        client = TestClient(create_app(settings.model_copy(update=values), tactful=tactful))
        client.__enter__()
        opened.append(client)
        return client

    try:
        yield make
    finally:
        for client in reversed(opened):
            client.__exit__(None, None, None)


@pytest.fixture()
def api(make_client) -> Any:
    """A TestClient on the parametrised database, auth off (loopback)."""
    return make_client()


@pytest.fixture(scope="session")
def drafted(tactful) -> Callable[..., DraftResult]:
    """`drafted(text, sender=..., sent_at=..., strategy=...)`: a real DraftResult (cached)."""
    cache: dict[tuple[Any, ...], DraftResult] = {}

    def make(
        text: str = CALM,
        *,
        sender: str | None = ANN,
        sent_at: datetime | None = LONG_AGO,
        strategy: str | None = None,
    ) -> DraftResult:
        key = (text, sender, sent_at, strategy)
        if key not in cache:
            message = tactful.parse(text, sender=sender, sent_at=sent_at)
            cache[key] = tactful.draft(message, strategy=strategy)
        return cache[key]

    return make
