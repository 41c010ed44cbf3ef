"""Teachers' decisions on generated quiz items, in the deployment's database.

Every item shown (by ``kalan quiz`` or the « Quiz » tab) is recorded with status ``generated``; a teacher
then ``approve``s or ``remove``s it by id. An approved or removed item keeps the text it had when it was
decided (a later generation with another seed never rewrites it); removed items are never drawn again
(``removed_ids``). Export reads the approved ones (``kalan.study.quiz_export``).

Where: ``<data_dir>/quiz.sqlite3`` by default; with a shared database (``KALAN_DATABASE_URL``) its
``quiz_items`` table, so that every instance sees the same decisions; a ``quiz.sqlite3`` left in the data
dir is then imported once (items already in the database win) and renamed ``quiz.sqlite3.imported``. One
code path for both (SQLAlchemy, schema by Alembic: ``kalan.db.migrate``); a short transaction per call, so a
teacher's click and a student's quiz never lose each other's writes. Unknown ids raise ``KeyError`` with a
French message.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from kalan.db.engine import WRITE, make_engine, resolve
from kalan.db.migrate import upgrade
from kalan.study import messages as msg

log = logging.getLogger(__name__)

STATUSES = ("generated", "approved", "removed")
_COLUMNS = ("id", "status", "item", "article_id", "created", "decided", "reviewer")


def quiz_db_path(settings) -> Path:
    return Path(settings.data_dir) / "quiz.sqlite3"


class QuizStore:
    def __init__(self, path_or_url: Path | str):
        target = resolve(str(path_or_url))
        self.path = target.label
        self.engine = make_engine(target, busy_timeout_s=30)
        upgrade(self.engine, target.label)

    def _write(self):
        return self.engine.connect().execution_options(**{WRITE: True})

    def record(self, items: list[dict]) -> None:
        """Remember generated items; an item already decided keeps its decided text."""
        now = _now()
        with self._write() as conn, conn.begin():
            for it in items:
                conn.execute(text(
                    "INSERT INTO quiz_items (id, item, article_id, created) VALUES (:id, :item, :article, :now) "
                    "ON CONFLICT (id) DO UPDATE SET item = excluded.item WHERE quiz_items.status = 'generated'"),
                    {"id": it["id"], "item": json.dumps(it, ensure_ascii=False),
                     "article": it["citation"]["article_id"], "now": now})

    def _decide(self, item_id: str, status: str, reviewer: str | None) -> dict:
        with self._write() as conn, conn.begin():
            cur = conn.execute(text("UPDATE quiz_items SET status = :s, decided = :t, reviewer = :r WHERE id = :id"),
                               {"s": status, "t": _now(), "r": reviewer, "id": item_id})
            if cur.rowcount == 0:
                raise KeyError(msg.QUIZ_UNKNOWN_ID.format(id=item_id))
        return self.get(item_id)

    def approve(self, item_id: str, reviewer: str | None = None) -> dict:
        return self._decide(item_id, "approved", reviewer)

    def remove(self, item_id: str, reviewer: str | None = None) -> dict:
        return self._decide(item_id, "removed", reviewer)

    def _rows(self, sql: str, params: dict | None = None) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params or {}).mappings().all()

    def get(self, item_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM quiz_items WHERE id = :id", {"id": item_id})
        return _row(rows[0]) if rows else None

    def list(self, status: str | None = None, limit: int = 500) -> list[dict]:
        """Items with their ``status``, most recently created first."""
        if status is not None and status not in STATUSES:
            raise ValueError(msg.QUIZ_BAD_STATUS.format(value=status, allowed=", ".join(STATUSES)))
        where = " WHERE status = :status" if status else ""
        return [_row(r) for r in self._rows(f"SELECT * FROM quiz_items{where} ORDER BY created DESC, id LIMIT :limit",
                                            {"status": status, "limit": int(limit)})]

    def approved(self) -> list[dict]:
        return [_row(r) for r in self._rows("SELECT * FROM quiz_items WHERE status = 'approved' ORDER BY decided, id")]

    def removed_ids(self) -> set[str]:
        return {r["id"] for r in self._rows("SELECT id FROM quiz_items WHERE status = 'removed'")}

    def import_file(self, path: Path) -> int:
        """Copy the items of another quiz database (a ``quiz.sqlite3``) that this one lacks; returns how many."""
        source = QuizStore(path)
        try:
            rows = [dict(r) for r in source._rows("SELECT * FROM quiz_items")]
        finally:
            source.engine.dispose()
        added = 0
        with self._write() as conn, conn.begin():
            for r in rows:
                added += conn.execute(text(
                    f"INSERT INTO quiz_items ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)}) "
                    "ON CONFLICT (id) DO NOTHING"), {c: r.get(c) for c in _COLUMNS}).rowcount
        return added

    def close(self) -> None:
        self.engine.dispose()


def _row(row) -> dict:
    item = json.loads(row["item"])
    item["status"] = row["status"]
    return item


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_quiz_store(settings) -> QuizStore:
    """The quiz decisions of ``settings``: the shared database if there is one (importing a local
    ``quiz.sqlite3`` once), else ``<data_dir>/quiz.sqlite3``."""
    legacy = quiz_db_path(settings)
    if not settings.database_url:
        return QuizStore(legacy)
    store = QuizStore(settings.database_url)
    if legacy.exists():
        added = store.import_file(legacy)
        os.replace(legacy, legacy.with_name(legacy.name + ".imported"))
        log.info("%d question(s) de quiz importée(s) de %s", added, legacy)
    return store
