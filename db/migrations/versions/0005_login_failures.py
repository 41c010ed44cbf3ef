"""Schema 5: teachers' failed logins per client address, shared by every instance (``kalan.db.login_throttle``).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "login_failures" not in tables:
        op.create_table(
            "login_failures",
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("address", sa.Text, nullable=False),
            sa.Column("time", sa.Float, nullable=False),  # seconds since the epoch: comparable across machines
            sqlite_autoincrement=True,
        )
        op.create_index("login_failures_address_time", "login_failures", ["address", "time"])
    if "meta" in tables:
        op.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
