"""Schema 2: a teacher may withdraw a verification (``withdrawn_time``); an answer served from a verified
one says which (``verified_from``). Columns already there (a schema-2 SQLite file made before Alembic) stay.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("answers")}
    for column in ("withdrawn_time", "verified_from"):
        if column not in have:
            op.add_column("answers", sa.Column(column, sa.Text))
    if "answers_verified_from" not in {i["name"] for i in inspector.get_indexes("answers")}:
        op.create_index("answers_verified_from", "answers", ["verified_from"])
    op.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
