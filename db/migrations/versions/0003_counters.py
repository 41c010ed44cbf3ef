"""Schema 3: named counters shared by every Kalan instance (``corpus_version``: bumped by each ingest or
removal, watched by the services to refresh their lexical index).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "counters" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "counters",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("value", sa.BigInteger, nullable=False, server_default="0"),
        )
    op.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
