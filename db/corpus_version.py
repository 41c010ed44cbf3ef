"""The corpus version: one counter in the shared database that every ingest or removal moves.

Scope: ``CorpusVersion(url).bump()`` after the store changed; ``CorpusWatch`` asks it, at most once per
``every_s`` seconds, whether it moved since the last look, so a Kalan instance refreshes its lexical (BM25)
index and cached corpus data when another instance changed the shared Chroma store. A database that cannot
be reached is no reason to stop answering: the watch then says "not moved" and looks again later.

Only active when a shared database is configured (``KALAN_DATABASE_URL``): a lone instance knows its own
ingests (``KalanService.invalidate``) and needs no database round trip.

Not here: what is refreshed (``kalan.rag.service``), the store (``kalan.rag.store``).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import text

from kalan.db.engine import WRITE, make_engine, resolve
from kalan.db.migrate import upgrade

log = logging.getLogger(__name__)

NAME = "corpus_version"


class CorpusVersion:
    """The counter; the schema is checked at the first call that reaches the database (not at creation:
    an instance starting while the database restarts still watches it once it is back)."""

    def __init__(self, url: str):
        self.target = resolve(url)
        self.engine = make_engine(self.target)
        self._ready = False

    def _ensure_schema(self) -> None:
        if not self._ready:
            upgrade(self.engine, self.target.label)
            self._ready = True

    def current(self) -> int:
        self._ensure_schema()
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT value FROM counters WHERE name = :n"), {"n": NAME}).first()
        return int(row[0]) if row else 0

    def bump(self) -> int:
        """Move the version by one (atomically, whatever the number of writers); returns the new value."""
        self._ensure_schema()
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            moved = conn.execute(text("UPDATE counters SET value = value + 1 WHERE name = :n"), {"n": NAME})
            if moved.rowcount == 0:
                conn.execute(text("INSERT INTO counters (name, value) VALUES (:n, 1)"), {"n": NAME})
            return int(conn.execute(text("SELECT value FROM counters WHERE name = :n"), {"n": NAME}).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


class CorpusWatch:
    """Has the corpus version moved since the last call? Asks the database at most once per ``every_s``."""

    def __init__(self, version: CorpusVersion, every_s: float = 1.0, clock=time.monotonic):
        self.version = version
        self.every_s = every_s
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._next = 0.0

    def moved(self) -> bool:
        with self._lock:
            now = self._clock()
            if now < self._next:
                return False
            self._next = now + self.every_s
            try:
                value = self.version.current()
            except Exception as exc:  # the database is away: keep answering with what we have
                log.warning("version du corpus illisible : %s", exc)
                return False
            moved = self._seen is not None and value != self._seen
            self._seen = value
            return moved


def bump_corpus_version(settings) -> int | None:
    """After an ingest or a removal: tell the other instances (only with a shared database). The store is
    already written: a database out of reach costs a warning, not the ingest (the others then refresh at the
    next ingest, or on restart)."""
    if not settings.database_url:
        return None
    try:
        version = CorpusVersion(settings.database_url)
        try:
            return version.bump()
        finally:
            version.close()
    except Exception as exc:
        log.warning("version du corpus non avancée (les autres instances ne verront l'ajout qu'au prochain "
                    "ajout ou à leur redémarrage) : %s", exc)
        return None
