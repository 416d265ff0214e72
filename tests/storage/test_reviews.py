"""The review workflow in the repository: states, rules, audit trail, concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.storage import reviews
from app.storage.db import Database
from app.storage.models import ReviewEvent, utcnow
from app.storage.reviews import Actor, ReviewConflict
from tests.storage.helpers import ALICE, ANGRY, BOB, CALM, MARK, add_review


def _events(db: Database, review_id: int) -> list[tuple[str, str]]:
    with db.read() as session:
        return [(e.kind, e.actor) for e in reviews.events(session, review_id)]


def test_create_stores_the_review_and_a_created_event(database: Database, drafted) -> None:
    result = drafted()
    review_id = add_review(database, result, external_id="hd-1")
    with database.read() as session:
        review = reviews.get_review(session, review_id)
        assert review.status == "pending" and review.version == 1
        assert review.sender_address == "ann@example.com" and review.sender_name == "Ann Lee"
        assert review.tone == result.analysis.tone
        assert review.complaint_labels == result.analysis.complaints
        assert review.reply_body == result.draft.body and review.reply_passed
        assert review.result["draft"]["body"] == result.draft.body
        assert review.raw_message() == CALM
        [event] = reviews.events(session, review_id)
    assert (event.kind, event.actor, event.before_text, event.after_text) == (
        "created",
        "helpdesk",
        None,
        result.draft.body,
    )


def test_raw_bytes_are_kept_without_loss(database: Database, drafted) -> None:
    raw = b"Subject: caf\xe9\r\nContent-Type: text/plain; charset=latin-1\r\n\r\nCaf\xe9 \x00!"
    with database.write() as session:
        review = reviews.create_review(
            session,
            reviews.ReviewInput(body=raw),
            drafted(),
            {"draft": {}},
            Actor("t"),
        )
        review_id = review.id
    with database.read() as session:
        assert reviews.get_review(session, review_id).raw_message() == raw


def test_approve_rules_and_override(database: Database, drafted) -> None:
    # an angry message without sent_at: the cool-down runs from now
    review_id = add_review(database, drafted(ANGRY, sender=MARK, sent_at=None))
    with database.write() as session:
        reviews.edit_reply(
            session,
            review_id,
            ALICE,
            body="Sorry!!! We are SO sorry.",
            subject=None,
            checks=[reviews.Check("no_apology", False, "apology")],
        )
    with pytest.raises(ReviewConflict) as refused, database.write() as session:
        reviews.approve(session, review_id, BOB)
    assert {r.code for r in refused.value.reasons} == {"guard_failed", "too_early"}
    assert all(r.overridable for r in refused.value.reasons)
    with database.write() as session:
        review = reviews.approve(session, review_id, BOB, override_reason="the client called")
        assert review.status == "approved" and review.override_reason == "the client called"
    kinds = [k for k, _ in _events(database, review_id)]
    assert kinds == ["created", "edited", "override", "approved"]
    with database.read() as session:
        override = reviews.events(session, review_id)[2]
    assert override.detail == {
        "reason": "the client called",
        "overridden": ["guard_failed", "too_early"],
    }
    with pytest.raises(ReviewConflict) as again, database.write() as session:
        reviews.approve(session, review_id, BOB, override_reason="again")
    assert [r.code for r in again.value.reasons] == ["not_pending"]


def test_second_pair_of_eyes(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    with database.write() as session:
        reviews.edit_reply(
            session, review_id, ALICE, body="Edited by Alice.", subject=None, checks=[]
        )
    with pytest.raises(ReviewConflict) as refused, database.write() as session:
        reviews.approve(session, review_id, ALICE, second_approver=True, override_reason="me")
    assert [r.code for r in refused.value.reasons] == ["second_approver_required"]
    assert not refused.value.reasons[0].overridable
    # the same key under another name is still the same person
    with pytest.raises(ReviewConflict), database.write() as session:
        reviews.approve(session, review_id, Actor("alice2", ALICE.key_id), second_approver=True)
    with database.write() as session:
        assert reviews.approve(session, review_id, BOB, second_approver=True).status == "approved"


def test_without_the_setting_the_editor_may_approve(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    with database.write() as session:
        reviews.edit_reply(session, review_id, ALICE, body="Fine.", subject=None, checks=[])
        assert reviews.approve(session, review_id, ALICE).decided_by == "alice"


def test_reject_and_stale_versions(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    with pytest.raises(ReviewConflict) as stale, database.write() as session:
        reviews.reject(session, review_id, ALICE, reason="no", expected_version=7)
    assert stale.value.reasons[0].code == "stale_version"
    with database.write() as session:
        review = reviews.reject(session, review_id, ALICE, reason="wrong customer")
        assert (review.status, review.decision_reason) == ("rejected", "wrong customer")
    with pytest.raises(ReviewConflict), database.write() as session:
        reviews.edit_reply(session, review_id, ALICE, body="late", subject=None, checks=[])
    with pytest.raises(ReviewConflict), database.write() as session:
        reviews.approve(session, review_id, BOB)
    assert [k for k, _ in _events(database, review_id)] == ["created", "rejected"]


def test_change_strategy_keeps_the_cooldown(database: Database, drafted) -> None:
    first = drafted(ANGRY, sender=MARK, sent_at=None)
    review_id = add_review(database, first, body=ANGRY, sender=MARK)
    other = drafted(ANGRY, sender=MARK, sent_at=None, strategy="exit")
    with database.read() as session:
        before = reviews.get_review(session, review_id)
    with database.write() as session:
        review = reviews.change_strategy(
            session, review_id, ALICE, result=other, result_json={"draft": {"body": "x"}}
        )
        assert review.strategy == "exit" and review.reply_body == other.draft.body
        assert review.send_not_before == before.send_not_before
        assert review.recommended_strategy == before.recommended_strategy
    with database.read() as session:
        event = reviews.events(session, review_id)[-1]
    assert event.kind == "strategy_changed"
    assert event.detail["from"] == before.strategy and event.detail["to"] == "exit"
    assert (event.before_text, event.after_text) == (before.reply_body, other.draft.body)


def test_concurrent_approvals_yield_one_approval(database: Database, drafted) -> None:
    review_id = add_review(database, drafted())
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def approve(n: int) -> None:
        barrier.wait(10)
        try:
            with database.write() as session:
                reviews.approve(session, review_id, Actor(f"approver-{n}", f"k{n}"))
            outcomes.append("approved")
        except ReviewConflict as exc:
            outcomes.append(exc.reasons[0].code)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["approved"] + ["not_pending"] * 5
    with database.read() as session:
        count = session.scalar(
            select(func.count())
            .select_from(ReviewEvent)
            .where(ReviewEvent.review_id == review_id, ReviewEvent.kind == "approved")
        )
    assert count == 1


def test_list_filters_and_pages_newest_first(database: Database, drafted) -> None:
    calm, angry = drafted(), drafted(ANGRY, sender=MARK)
    ids = [add_review(database, calm if i % 2 else angry) for i in range(7)]
    with database.write() as session:
        reviews.reject(session, ids[0], ALICE, reason="r")
    with database.read() as session:
        seen, before = [], None
        while True:
            rows, before = reviews.list_reviews(session, limit=3, before_id=before)
            seen += [r.id for r in rows]
            if before is None:
                break
        assert seen == sorted(ids, reverse=True)
        pending, _ = reviews.list_reviews(session, status="pending")
        assert ids[0] not in [r.id for r in pending] and len(pending) == 6
        marks, _ = reviews.list_reviews(session, sender="MARK@example.org")
        assert {r.id for r in marks} == set(ids[0::2])
        tone = calm.analysis.tone
        toned, _ = reviews.list_reviews(session, tone=tone)
        assert {r.tone for r in toned} == {tone}
        label = calm.analysis.complaints[0]
        with_label, _ = reviews.list_reviews(session, complaint=label)
        assert {r.id for r in with_label} >= set(ids[1::2])
        assert all(label in r.complaint_labels for r in with_label)
        none, more = reviews.list_reviews(session, complaint="no_such_label")
        assert none == [] and more is None


def test_approval_blockers_report_time_left(database: Database, drafted) -> None:
    review_id = add_review(database, drafted(ANGRY, sender=MARK, sent_at=None))
    with database.read() as session:
        review = reviews.get_review(session, review_id)
    now = utcnow()
    codes = [r.code for r in reviews.approval_blockers(review, BOB, now=now, second_approver=True)]
    assert "too_early" in codes
    later = review.send_not_before + timedelta(seconds=1)
    assert "too_early" not in [
        r.code for r in reviews.approval_blockers(review, BOB, now=later, second_approver=True)
    ]
