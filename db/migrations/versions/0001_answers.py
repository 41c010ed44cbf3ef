"""The answer log as schema 1 had it: meta, answers, review_events.

Idempotent: a SQLite file written before Alembic (schema 1 or 2, made by raw SQL) already has these
tables; they are left as they are and only what is missing is created.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "meta" not in have:
        op.create_table("meta", sa.Column("key", sa.Text, primary_key=True), sa.Column("value", sa.Text, nullable=False))
    if "answers" not in have:
        op.create_table(
            "answers",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("id", sa.Text, nullable=False, unique=True),
            sa.Column("time", sa.Text, nullable=False),
            sa.Column("session_id", sa.Text, nullable=False),
            sa.Column("source", sa.Text, nullable=False, server_default="ui"),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("standalone_question", sa.Text),
            sa.Column("answer", sa.Text, nullable=False),
            sa.Column("mode", sa.Text),
            sa.Column("refused", sa.Integer, nullable=False, server_default="0"),
            sa.Column("refusal_reason", sa.Text),
            sa.Column("notice", sa.Text),
            sa.Column("latency_ms", sa.Float),
            sa.Column("min_support", sa.Float),
            sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
            sa.Column("sentences", sa.Text, nullable=False, server_default="[]"),
            sa.Column("passages", sa.Text, nullable=False, server_default="[]"),
            sa.Column("history", sa.Text, nullable=False, server_default="[]"),
            sa.Column("feedback", sa.Text),
            sa.Column("feedback_comment", sa.Text),
            sa.Column("feedback_time", sa.Text),
            sa.Column("status", sa.Text, nullable=False, server_default="unreviewed"),
            sa.Column("reviewer", sa.Text),
            sa.Column("review_comment", sa.Text),
            sa.Column("review_time", sa.Text),
            sa.Column("corrected_answer", sa.Text),
            sa.Column("corrected_chunk_ids", sa.Text),
            sa.CheckConstraint("refused IN (0, 1)", name="answers_refused_bool"),
            sa.CheckConstraint("feedback IN ('up', 'down')", name="answers_feedback"),
            sa.CheckConstraint("status IN ('unreviewed', 'approved', 'rejected', 'corrected')", name="answers_status"),
            sqlite_autoincrement=True,
        )
        op.create_index("answers_status_seq", "answers", ["status", "seq"])
        op.create_index("answers_feedback_seq", "answers", ["feedback", "seq"])
        op.create_index("answers_session_seq", "answers", ["session_id", "seq"])
        op.create_index("answers_min_support", "answers", ["min_support"])
    if "review_events" not in have:
        op.create_table(
            "review_events",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("answer_id", sa.Text, sa.ForeignKey("answers.id", ondelete="CASCADE"), nullable=False),
            sa.Column("time", sa.Text, nullable=False),
            sa.Column("action", sa.Text, nullable=False),
            sa.Column("reviewer", sa.Text),
            sa.Column("comment", sa.Text),
            sa.Column("data", sa.Text),
            sqlite_autoincrement=True,
        )
        op.create_index("review_events_answer", "review_events", ["answer_id", "seq"])
    meta = sa.table("meta", sa.column("key"), sa.column("value"))
    bind = op.get_bind()
    if bind.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first() is None:
        op.bulk_insert(meta, [{"key": "schema_version", "value": "1"}])
