"""Engine, migrations and the database-level guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.storage.db import Database
from app.storage.models import Base, ReviewEvent
from app.storage.reviews import Actor
from tests.storage.helpers import add_review


def test_migrations_create_the_schema_and_match_the_models(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables
    database.migrate()  # a second run is a no-op
    with database.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
        assert diff == []
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0001"


def test_concurrent_migrations_do_not_clash(db_url: str) -> None:
    databases = [Database(db_url) for _ in range(3)]
    errors: list[BaseException] = []

    def run(db: Database) -> None:
        try:
            db.migrate()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(db,)) for db in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for db in databases:
        db.dispose()
    assert errors == []


def test_sqlite_file_uses_wal_and_foreign_keys(tmp_path) -> None:
    path = tmp_path / "nested" / "dir" / "tactful.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
    assert path.exists()


def test_datetimes_come_back_aware_utc(database: Database, drafted) -> None:
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC) + timedelta(microseconds=5)
    review_id = add_review(database, drafted(), now=moment.astimezone())
    with database.read() as session:
        event = session.scalars(select(ReviewEvent).where(ReviewEvent.review_id == review_id)).one()
    assert event.at == moment and event.at.tzinfo is not None


def test_audit_trail_is_append_only_in_the_database(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text("UPDATE review_events SET kind = 'approved'"))
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text("UPDATE review_events SET after_text = 'rewritten'"))
    with pytest.raises(DBAPIError, match="append-only"), database.write() as session:
        session.execute(text("DELETE FROM review_events"))
    # the retention purge may clear the text, nothing else
    with database.write() as session:
        session.execute(text("UPDATE review_events SET before_text = NULL, after_text = NULL"))
    with database.read() as session:
        event = session.scalars(select(ReviewEvent).where(ReviewEvent.review_id == review_id)).one()
    assert event.kind == "created" and event.after_text is None


def test_orm_refuses_to_change_an_event(database: Database, drafted) -> None:
    from app.storage.models import AppendOnlyError

    add_review(database, drafted())
    with pytest.raises(AppendOnlyError), database.write() as session:
        event = session.scalars(select(ReviewEvent)).one()
        event.actor = "someone else"
        session.flush()
    with pytest.raises(AppendOnlyError), database.write() as session:
        session.delete(session.scalars(select(ReviewEvent)).one())
        session.flush()


def test_a_second_decision_event_is_impossible(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    actor = Actor("x")
    with database.write() as session:
        session.add(ReviewEvent(review_id=review_id, kind="approved", actor=actor.name, detail={}))
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(ReviewEvent(review_id=review_id, kind="rejected", actor=actor.name, detail={}))
        session.flush()
    with database.write() as session:  # other kinds are unlimited
        for _ in range(2):
            session.add(ReviewEvent(review_id=review_id, kind="edited", actor="y", detail={}))


def test_write_transactions_queue_instead_of_failing(database: Database, drafted) -> None:
    """Two writers that read then write: the second waits for the first (no lost update)."""
    review_id = add_review(database, drafted())
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            barrier.wait(10)
            with database.write() as session:
                from app.storage.reviews import get_review

                review = get_review(session, review_id, lock=True)
                review.edited_by = f"{review.edited_by or ''}x"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with database.read() as session:
        from app.storage.reviews import get_review

        review = get_review(session, review_id)
        assert review.edited_by == "xxxx"
        assert review.version == 5


def test_sqlite_migration_retries_a_locked_file(tmp_path, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    database = Database(f"sqlite:///{tmp_path / 'tactful.db'}")
    calls: list[int] = []
    upgrade = database._upgrade

    def flaky() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("PRAGMA journal_mode=WAL", {}, Exception("database is locked"))
        upgrade()

    monkeypatch.setattr(database, "_upgrade", flaky)
    database.migrate()
    assert len(calls) == 3
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    database.dispose()


def test_other_migration_errors_are_not_retried(tmp_path, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    database = Database(f"sqlite:///{tmp_path / 'tactful.db'}")
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise OperationalError("CREATE TABLE", {}, Exception("disk I/O error"))

    monkeypatch.setattr(database, "_upgrade", broken)
    with pytest.raises(OperationalError):
        database.migrate()
    assert calls == [1]
    database.dispose()
