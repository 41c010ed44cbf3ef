"""Schema 6: the article a student asked within (« Article étudié »: its id; NULL for the whole corpus, and for
every answer logged before this schema). A column already there is left as it is.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    if "answers" in tables and "article" not in {c["name"] for c in inspector.get_columns("answers")}:
        op.add_column("answers", sa.Column("article", sa.Text))
    if "meta" in tables:
        op.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
