"""The review queue: API keys, reviews, events, idempotency, webhook outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
DECISIONS = "kind IN ('approved', 'rejected')"

# The audit trail is append-only: no DELETE, and an UPDATE may only clear the text
# (what the retention purge does).
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER review_events_no_delete BEFORE DELETE ON review_events
    BEGIN SELECT RAISE(ABORT, 'review_events is append-only'); END
    """,
    """
    CREATE TRIGGER review_events_no_update BEFORE UPDATE ON review_events
    WHEN NEW.id IS NOT OLD.id OR NEW.review_id IS NOT OLD.review_id
      OR NEW.kind IS NOT OLD.kind OR NEW.actor IS NOT OLD.actor
      OR NEW.actor_key_id IS NOT OLD.actor_key_id OR NEW.at IS NOT OLD.at
      OR NEW.detail IS NOT OLD.detail
      OR (NEW.before_text IS NOT NULL AND NEW.before_text IS NOT OLD.before_text)
      OR (NEW.after_text IS NOT NULL AND NEW.after_text IS NOT OLD.after_text)
    BEGIN SELECT RAISE(ABORT, 'review_events is append-only'); END
    """,
]
POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION review_events_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'review_events is append-only';
      END IF;
      IF NEW.id IS DISTINCT FROM OLD.id OR NEW.review_id IS DISTINCT FROM OLD.review_id
         OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.actor IS DISTINCT FROM OLD.actor
         OR NEW.actor_key_id IS DISTINCT FROM OLD.actor_key_id OR NEW.at IS DISTINCT FROM OLD.at
         OR NEW.detail::text IS DISTINCT FROM OLD.detail::text
         OR (NEW.before_text IS NOT NULL AND NEW.before_text IS DISTINCT FROM OLD.before_text)
         OR (NEW.after_text IS NOT NULL AND NEW.after_text IS DISTINCT FROM OLD.after_text) THEN
        RAISE EXCEPTION 'review_events is append-only';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER review_events_append_only BEFORE UPDATE OR DELETE ON review_events
    FOR EACH ROW EXECUTE FUNCTION review_events_append_only()
    """,
]


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_used_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=True),
        sa.Column("sender_address", sa.String(320), nullable=True),
        sa.Column("sender_name", sa.String(200), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("lang_hint", sa.String(16), nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("tone", sa.String(16), nullable=False),
        sa.Column("hostility", sa.Float(), nullable=False),
        sa.Column("threat", sa.Boolean(), nullable=False),
        sa.Column("threat_kinds", sa.JSON(), nullable=False),
        sa.Column("recommended_strategy", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(16), nullable=False),
        sa.Column("send_not_before", WHEN, nullable=False),
        sa.Column("reply_passed", sa.Boolean(), nullable=False),
        sa.Column("message_body", sa.Text(), nullable=True),
        sa.Column("message_encoding", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("reply_subject", sa.Text(), nullable=True),
        sa.Column("reply_body", sa.Text(), nullable=True),
        sa.Column("reply_checks", sa.JSON(), nullable=True),
        sa.Column("edited_by", sa.String(200), nullable=True),
        sa.Column("edited_by_key", sa.String(32), nullable=True),
        sa.Column("edited_at", WHEN, nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_by_key", sa.String(32), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("purged_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("external_id", name=op.f("uq_reviews_external_id")),
    )
    for column in ("created_at", "sender_hash", "status", "tone"):
        op.create_index(op.f(f"ix_reviews_{column}"), "reviews", [column])

    op.create_table(
        "review_complaints",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_complaints_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "label", name=op.f("pk_review_complaints")),
    )
    op.create_index(op.f("ix_review_complaints_label"), "review_complaints", ["label"])

    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_key_id", sa.String(32), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("before_text", sa.Text(), nullable=True),
        sa.Column("after_text", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_events_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
    )
    op.create_index(op.f("ix_review_events_review_id"), "review_events", ["review_id"])
    op.create_index(
        "uq_review_events_one_decision",
        "review_events",
        ["review_id"],
        unique=True,
        sqlite_where=sa.text(DECISIONS),
        postgresql_where=sa.text(DECISIONS),
    )

    op.create_table(
        "idempotency_records",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_idempotency_records_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_records")),
    )
    op.create_index(op.f("ix_idempotency_records_review_id"), "idempotency_records", ["review_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("locked_until", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_webhook_deliveries_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    for column in ("next_attempt_at", "review_id", "status"):
        op.create_index(op.f(f"ix_webhook_deliveries_{column}"), "webhook_deliveries", [column])

    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"])

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS review_events_append_only ON review_events")
        op.execute("DROP FUNCTION IF EXISTS review_events_append_only()")
    for table in (
        "webhook_attempts",
        "webhook_deliveries",
        "idempotency_records",
        "review_events",
        "review_complaints",
        "reviews",
        "api_keys",
    ):
        op.drop_table(table)
