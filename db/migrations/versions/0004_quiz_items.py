"""Schema 4: the teachers' decisions on quiz items (``kalan.study.quiz_store``), so that a shared database
holds them too. A ``quiz.sqlite3`` file made before Alembic already has the table: it is kept as it is.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "quiz_items" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "quiz_items",
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("status", sa.Text, nullable=False, server_default="generated"),
            sa.Column("item", sa.Text, nullable=False),
            sa.Column("article_id", sa.Text, nullable=False, server_default=""),
            sa.Column("created", sa.Text, nullable=False),
            sa.Column("decided", sa.Text),
            sa.Column("reviewer", sa.Text),
        )
    if "meta" in set(sa.inspect(op.get_bind()).get_table_names()):
        op.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
