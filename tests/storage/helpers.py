"""Messages and helpers shared by the storage and API tests of the review queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.pipeline.service import DraftResult
from app.schemas import DraftOut
from app.storage import reviews
from app.storage.db import Database
from app.storage.reviews import Actor

LONG_AGO = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
"""A `sent_at` far enough back that every cool-down is over."""

CALM = (
    "Hi Sam,\n\nThe invoice for order #4821 charged me twice. Could you refund the second "
    "charge by Friday?\n\nThanks,\nAnn"
)
ANGRY = (
    "Hi Sam,\n\nThe website was due LAST FRIDAY and the contact form still doesn't send "
    "anything!! Fix it by tomorrow or I'm calling my lawyer. This is a joke.\n\nMark"
)
ABUSIVE = (
    "You useless idiots. Third time I write and nobody answers. Refund me NOW or I'll "
    "post everywhere what amateurs you are."
)
ANN = "Ann Lee <ann@example.com>"
MARK = "Mark Stone <mark@example.org>"
INGEST = Actor("helpdesk", "key-ingest")
ALICE = Actor("alice", "key-alice")
BOB = Actor("bob", "key-bob")


def add_review(
    db: Database,
    result: DraftResult,
    *,
    body: str = CALM,
    sender: str | None = ANN,
    external_id: str | None = None,
    now: datetime | None = None,
    actor: Actor = INGEST,
) -> int:
    """Store a review for `result` straight through the repository; its id."""
    with db.write() as session:
        review = reviews.create_review(
            session,
            reviews.ReviewInput(body=body, sender=sender, external_id=external_id),
            result,
            DraftOut.of(result).model_dump(mode="json"),
            actor,
            now=now,
        )
        return review.id


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)
