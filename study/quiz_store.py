"""Teachers' decisions on generated quiz items, in SQLite next to the answer log (``<data_dir>/quiz.sqlite3``).

Every item shown (by ``kalan quiz`` or the « Quiz » tab) is recorded with status ``generated``; a teacher
then ``approve``s or ``remove``s it by id. An approved or removed item keeps the text it had when it was
decided (a later generation with another seed never rewrites it); removed items are never drawn again
(``removed_ids``). Export reads the approved ones (``kalan.study.quiz_export``).

One short connection per call (WAL journal, 30 s busy timeout): a teacher's click and a student's quiz
never lose each other's writes. Unknown ids raise ``KeyError`` with a French message.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from kalan.study import messages as msg

STATUSES = ("generated", "approved", "removed")
_SCHEMA = """CREATE TABLE IF NOT EXISTS quiz_items (
    id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'generated', item TEXT NOT NULL,
    article_id TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, decided TEXT, reviewer TEXT)"""


def quiz_db_path(settings) -> Path:
    return Path(settings.data_dir) / "quiz.sqlite3"


class QuizStore:
    def __init__(self, path: Path | str):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        return conn

    def record(self, items: list[dict]) -> None:
        """Remember generated items; an item already decided keeps its decided text."""
        now = _now()
        with closing(self._connect()) as conn, conn:
            for it in items:
                conn.execute(
                    "INSERT INTO quiz_items (id, item, article_id, created) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET item = excluded.item WHERE quiz_items.status = 'generated'",
                    (it["id"], json.dumps(it, ensure_ascii=False), it["citation"]["article_id"], now))

    def _decide(self, item_id: str, status: str, reviewer: str | None) -> dict:
        with closing(self._connect()) as conn, conn:
            cur = conn.execute("UPDATE quiz_items SET status = ?, decided = ?, reviewer = ? WHERE id = ?",
                               (status, _now(), reviewer, item_id))
            if cur.rowcount == 0:
                raise KeyError(msg.QUIZ_UNKNOWN_ID.format(id=item_id))
        return self.get(item_id)

    def approve(self, item_id: str, reviewer: str | None = None) -> dict:
        return self._decide(item_id, "approved", reviewer)

    def remove(self, item_id: str, reviewer: str | None = None) -> dict:
        return self._decide(item_id, "removed", reviewer)

    def get(self, item_id: str) -> dict | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM quiz_items WHERE id = ?", (item_id,)).fetchone()
        return _row(row) if row else None

    def list(self, status: str | None = None, limit: int = 500) -> list[dict]:
        """Items with their ``status``, most recently created first."""
        if status is not None and status not in STATUSES:
            raise ValueError(msg.QUIZ_BAD_STATUS.format(value=status, allowed=", ".join(STATUSES)))
        query = "SELECT * FROM quiz_items" + (" WHERE status = ?" if status else "") + " ORDER BY created DESC, id LIMIT ?"
        with closing(self._connect()) as conn:
            rows = conn.execute(query, ((status,) if status else ()) + (limit,)).fetchall()
        return [_row(r) for r in rows]

    def approved(self) -> list[dict]:
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT * FROM quiz_items WHERE status = 'approved' ORDER BY decided, id").fetchall()
        return [_row(r) for r in rows]

    def removed_ids(self) -> set[str]:
        with closing(self._connect()) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM quiz_items WHERE status = 'removed'")}


def _row(row: sqlite3.Row) -> dict:
    item = json.loads(row["item"])
    item["status"] = row["status"]
    return item


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_quiz_store(settings) -> QuizStore:
    return QuizStore(quiz_db_path(settings))
