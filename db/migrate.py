"""Bring a database to the current schema with Alembic, safely when several processes open it at once.

Scope: ``upgrade(engine, label)`` runs the migrations of ``kalan/db/migrations`` in one write transaction
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so two Kalan instances starting together
migrate once. A SQLite file from before Alembic (schema 1 or 2, made by raw SQL) is upgraded in place: the
migrations only create what is missing. A database written by a newer Kalan (a schema or an Alembic
revision this version does not know) is refused with a French message, untouched.

Not here: what the tables hold (``kalan.db.answer_log``, ``kalan.db.corpus_version``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from kalan.db.engine import WRITE
from kalan.rag import messages as msg

SCHEMA_VERSION = 6  # mirrored in meta.schema_version by each migration (0001 -> 1, … 0006 -> 6)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK = 0x4B414C414E  # "KALAN": the advisory lock key taken while migrating


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Kalan; ``str()`` is French."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: Engine, label: str) -> None:
    cfg = _config()
    script = ScriptDirectory.from_config(cfg)
    known = {r.revision for r in script.walk_revisions()}
    with engine.connect().execution_options(**{WRITE: True}) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            tables = set(inspect(conn).get_table_names())
            if "meta" in tables:
                row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
                found = int(row[0]) if row else 0
                if found > SCHEMA_VERSION:
                    raise SchemaTooNew(msg.REVIEW_SCHEMA_TOO_NEW.format(path=label, found=found, known=SCHEMA_VERSION))
            if "alembic_version" in tables:
                current = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
                if current - known:
                    raise SchemaTooNew(msg.REVIEW_SCHEMA_TOO_NEW.format(
                        path=label, found=", ".join(sorted(current)), known=SCHEMA_VERSION))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
