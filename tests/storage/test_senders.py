"""Sender history: what the strategy reads, and the summary."""

from __future__ import annotations

from app.pipeline.types import SenderHistory
from app.storage import reviews
from app.storage.db import Database
from app.storage.senders import normalise_address, sender_history, sender_summary
from tests.storage.helpers import ABUSIVE, ALICE, ANN, MARK, add_review


def test_normalise_address() -> None:
    assert normalise_address("Mark Stone <Mark@Example.ORG>") == "mark@example.org"
    assert normalise_address(" ann@example.com ") == "ann@example.com"
    assert normalise_address("") is None and normalise_address(None) is None


def test_history_counts_hostile_and_boundary(database: Database, drafted) -> None:
    with database.read() as session:
        assert sender_history(session, MARK) == SenderHistory()
    abusive = drafted(ABUSIVE, sender=MARK)
    assert abusive.analysis.tone == "abusive"
    first = add_review(database, abusive, sender=MARK)
    add_review(database, drafted(), sender=ANN)
    second = add_review(database, abusive, sender=MARK)
    with database.write() as session:
        session.get(reviews.Review, first).strategy = "boundary"
        reviews.approve(session, first, ALICE, override_reason="test")
    with database.read() as session:
        history = sender_history(session, "MARK@example.org")
        assert history.message_count == 2
        assert history.hostile_count == 2 and history.abusive_count == 2
        assert history.boundary_replies == 1
        assert history.mean_hostility == round(abusive.analysis.hostility, 4)
        earlier = sender_history(session, MARK, before_id=second)
        assert earlier.message_count == 1
        summary = sender_summary(session, MARK)
        assert summary is not None
        assert summary.address == "mark@example.org"
        assert summary.tones == {"abusive": 2}
        assert summary.statuses == {"approved": 1, "pending": 1}
        assert [r.id for r in summary.recent] == [second, first]
        assert sender_summary(session, "nobody@example.com") is None


def test_history_feeds_the_strategy(database: Database, drafted, tactful) -> None:
    abusive = drafted(ABUSIVE, sender=MARK)
    for _ in range(2):
        add_review(database, abusive, sender=MARK)
    with database.read() as session:
        history = sender_history(session, MARK)
    message = tactful.parse(ABUSIVE, sender=MARK)
    assert tactful.draft(message).strategy.label != "exit"
    result = tactful.draft(message, history=history)
    assert result.strategy.label == "exit", result.strategy.reason
