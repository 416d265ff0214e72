"""Retention: old message bodies and drafts go, the anonymous statistics stay."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.retention import purge
from app.storage import idempotency, reviews, senders
from app.storage.db import Database
from app.storage.models import IdempotencyRecord, Review, WebhookDelivery, utcnow
from app.webhooks import enqueue
from tests.storage.helpers import ALICE, ANN, add_review


def _old_and_new(database: Database, drafted) -> tuple[int, int]:
    result = drafted()
    old = add_review(database, result, external_id="old", now=utcnow() - timedelta(days=40))
    new = add_review(database, result, external_id="new")
    with database.write() as session:
        idempotency.remember(
            session,
            [idempotency.IdemKey("external_id", "old")],
            request_hash="h",
            review_id=old,
            status_code=201,
            response={"reply": {"body": result.draft.body}},
        )
        review = reviews.approve(session, old, ALICE, override_reason="test")
        enqueue(session, review, ["http://127.0.0.1:9/hook"], utcnow())
    return old, new


def test_purge_clears_text_and_keeps_statistics(database: Database, drafted) -> None:
    old, new = _old_and_new(database, drafted)
    with database.read() as session:
        kept = reviews.get_review(session, old)
        stats = (kept.tone, kept.hostility, kept.complaint_labels, kept.strategy, kept.status)
        history_before = senders.sender_history(session, ANN)

    report = purge(database, 30)
    assert report.reviews == 1 and report.idempotency == 1 and report.deliveries == 1
    assert report.events >= 2
    assert purge(database, 30).reviews == 0  # nothing left to do

    with database.read() as session:
        review = reviews.get_review(session, old)
        assert review.purged_at is not None
        for column in (
            "message_body",
            "result",
            "reply_body",
            "reply_subject",
            "reply_checks",
            "subject",
            "sender_name",
            "sender_address",
        ):
            assert getattr(review, column) is None, column
        assert (
            review.tone,
            review.hostility,
            review.complaint_labels,
            review.strategy,
            review.status,
        ) == stats
        assert review.sender_hash is not None
        trail = reviews.events(session, old)
        assert [e.kind for e in trail] == ["created", "approved", "purged"]
        assert all(e.before_text is None and e.after_text is None for e in trail)
        assert session.get(IdempotencyRecord, "external_id:old").response is None
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.payload is None and delivery.status == "failed"
        # the sender's history survives the purge
        assert senders.sender_history(session, ANN) == history_before
        fresh = reviews.get_review(session, new)
        assert fresh.purged_at is None and fresh.message_body and fresh.result


def test_purged_reviews_cannot_be_edited_or_approved(database: Database, drafted) -> None:
    review_id = add_review(database, drafted(), now=utcnow() - timedelta(days=10))
    purge(database, 5)
    with pytest.raises(reviews.ReviewConflict) as refused, database.write() as session:
        reviews.approve(session, review_id, ALICE, override_reason="x")
    assert refused.value.reasons[0].code == "purged"
    with pytest.raises(reviews.ReviewConflict), database.write() as session:
        reviews.edit_reply(session, review_id, ALICE, body="x", subject=None, checks=[])


def test_no_text_is_left_anywhere(database: Database, drafted) -> None:
    """A marker in the message appears nowhere in the database after the purge."""
    marker = "Zebulon-Quixote-7731"
    result = drafted(f"Hi, where is my order? Regards, {marker}", sender=f"{marker} <z@q.io>")
    add_review(
        database,
        result,
        body=f"Hi, where is my order? Regards, {marker}",
        sender=f"{marker} <z@q.io>",
        now=utcnow() - timedelta(days=3),
    )
    purge(database, 1)
    with database.read() as session:
        for table in ("reviews", "review_events", "idempotency_records", "webhook_deliveries"):
            rows = session.execute(select(Review.metadata.tables[table])).mappings().all()
            assert marker not in json.dumps([dict(r) for r in rows], default=str), table


def test_purge_needs_a_positive_number_of_days(database: Database) -> None:
    with pytest.raises(ValueError):
        purge(database, 0)


def _purged(database: Database, review_id: int) -> bool:
    with database.read() as session:
        return session.get(Review, review_id).purged_at is not None


def test_cli_purge(database: Database, db_url: str, drafted, monkeypatch) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli
    from app.config import get_settings

    old, new = _old_and_new(database, drafted)
    monkeypatch.setenv("TACTFUL_DATABASE_URL", db_url)
    monkeypatch.delenv("TACTFUL_RETENTION_DAYS", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        refused = runner.invoke(cli, ["purge"])
        assert refused.exit_code != 0 and "--days" in refused.output
        assert not _purged(database, old)
        done = runner.invoke(cli, ["purge", "--days", "30"])
        assert done.exit_code == 0, done.output
    finally:
        get_settings.cache_clear()
    assert _purged(database, old) and not _purged(database, new)


def test_the_service_purges_on_its_schedule(database: Database, drafted, make_client) -> None:
    old, new = _old_and_new(database, drafted)
    make_client(retention_days=30)  # the schedule's first run is at start-up
    deadline = time.monotonic() + 20
    while not _purged(database, old) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _purged(database, old) and not _purged(database, new)
