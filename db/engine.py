"""From the database setting to a SQLAlchemy engine, and which errors are worth a retry.

Scope: URL resolution (a bare path or ``sqlite:///…`` is a SQLite file, ``postgresql://…`` goes through
psycopg 3), the per-backend connection set-up (SQLite: WAL journal, ``busy_timeout``, foreign keys, write
transactions opened with ``BEGIN IMMEDIATE``; PostgreSQL: a pool that checks a connection before handing
it out, so a restarted server is reconnected to by itself), and ``is_transient``: a locked SQLite file or a
lost PostgreSQL connection, the errors a caller retries rather than reports.

Not here: the schema (``kalan.db.migrate``) and what is stored (``kalan.db.answer_log`` …).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

WRITE = "kalan_write"  # execution option: this connection's transaction writes (SQLite: BEGIN IMMEDIATE)
_PG_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


@dataclass(frozen=True)
class Target:
    """Where the data lives: ``url`` for SQLAlchemy, ``label`` for messages (never a password)."""

    url: str
    label: str
    backend: str  # "sqlite" | "postgresql"
    memory: bool = False
    path: str | None = None  # the SQLite file


def resolve(path_or_url: str) -> Target:
    """A SQLite path / URL or a PostgreSQL URL -> ``Target``."""
    s = str(path_or_url).strip()
    if s.startswith(_PG_PREFIXES):
        rest = s.split("://", 1)[1]
        url = "postgresql+psycopg://" + rest
        label = "postgresql://" + (rest.split("@", 1)[1] if "@" in rest else rest)
        return Target(url, label, "postgresql")
    if s.startswith("sqlite:///"):
        s = s[len("sqlite:///"):]  # sqlite:////abs/path -> /abs/path ; sqlite:///rel/path -> rel/path
    elif s.startswith("sqlite://"):
        s = s[len("sqlite://"):] or ":memory:"
    s = s or ":memory:"
    if s == ":memory:" or s.startswith("file::memory:"):
        return Target("sqlite://", s, "sqlite", memory=True, path=s)
    path = str(Path(s).expanduser())
    return Target(f"sqlite:///{path}", path, "sqlite", path=path)


_SHARED: dict[tuple[str, int], Engine] = {}
_SHARED_LOCK = threading.Lock()


def make_engine(target: Target, busy_timeout_s: float = 5.0, connect_timeout_s: float = 5.0) -> Engine:
    """The engine of ``target``, its connections set up for Kalan (see the module docstring).

    PostgreSQL: one engine, so one pool of at most 15 connections, per server URL and process, shared by the answer
    log, the quiz store, the corpus version and the login throttle (each had its own pool: up to 75 connections
    per instance, against the server's default ``max_connections`` of 100). ``dispose()`` by one of them only
    closes the idle connections; the engine stays usable."""
    if target.backend == "postgresql":
        key = (target.url, max(1, int(connect_timeout_s)))
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = create_engine(
                    target.url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800,
                    connect_args={"connect_timeout": key[1]},
                )
            return _SHARED[key]
    if target.memory:  # one connection shared by every thread (callers serialise)
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(target.path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(target.url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
    busy_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _setup(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not target.memory:
            mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
                log.warning("journal WAL indisponible pour %s (mode %s)", target.label, mode)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another writer holds the file for now."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, sa_exc.OperationalError) and ("locked" in text or "busy" in text)


def is_disconnect(exc: BaseException) -> bool:
    """The server went away or is not reachable (restart, network): reconnecting later may work."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        orig = getattr(exc, "orig", None)
        return type(orig).__module__.startswith("psycopg")
    return False


def is_transient(exc: BaseException) -> bool:
    return is_busy(exc) or is_disconnect(exc)
