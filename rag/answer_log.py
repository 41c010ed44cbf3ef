"""The teacher-review log: every answer Kalan serves, stored in SQLite for review.

Scope: persistence only. ``AnswerLog`` records served answers (question, answer,
citations, sentences with their support, retrieved passages, history), the
students' thumbs up / down on their own answers, and the teachers' review
(approve, reject = marked wrong, correct, comment). It lists and filters them,
exports the reviewed ones (CSV / JSONL), and turns a reviewed answer into an
evaluation case appended to a JSONL set (``promote``).

Not here: authentication of teachers (the UI / CLI do it), the answer chain
itself, and running evaluations.

Storage: one SQLite file (WAL journal, ``busy_timeout``, one connection per
thread, write transactions taken with ``BEGIN IMMEDIATE`` and retried with
exponential backoff while the database is locked by another process, so a busy
database delays a write but never loses it). The schema is created on open,
idempotently, and its version kept in the ``meta`` table (``schema_version``).
PostgreSQL URLs are refused with a French message (SQLite only for now).

Ids are 128-bit random hex strings (``secrets.token_hex``): unguessable, and
never starting with ``-`` (safe as a command-line argument).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import random
import re
import secrets
import sqlite3
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kalan.rag import messages as msg
from kalan.rag.text import FRENCH_STOPWORDS, fold, normalize

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: withdrawn_time (a teacher withdrew the verification), verified_from (served from)
STATUSES = ("unreviewed", "approved", "rejected", "corrected")
REVIEWED = ("approved", "corrected", "rejected")
FEEDBACKS = ("up", "down")

_JSON_FIELDS = ("citations", "sentences", "passages", "history", "corrected_chunk_ids")

# Columns of the ``answers`` table, in CSV order (``seq`` is internal).
COLUMNS = (
    "id", "time", "session_id", "source", "question", "standalone_question", "answer", "mode",
    "refused", "refusal_reason", "notice", "latency_ms", "min_support",
    "feedback", "feedback_comment", "feedback_time",
    "status", "reviewer", "review_comment", "review_time", "corrected_answer", "corrected_chunk_ids",
    "citations", "sentences", "passages", "history", "withdrawn_time", "verified_from",
)
# Free-text columns that may hold student input: neutralised against spreadsheet formulas in CSV.
_CSV_TEXT = {
    "session_id", "source", "question", "standalone_question", "answer", "refusal_reason", "notice",
    "feedback_comment", "reviewer", "review_comment", "corrected_answer", "mode",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    time                TEXT NOT NULL,
    session_id          TEXT NOT NULL,
    source              TEXT NOT NULL DEFAULT 'ui',
    question            TEXT NOT NULL,
    standalone_question TEXT,
    answer              TEXT NOT NULL,
    mode                TEXT,
    refused             INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
    refusal_reason      TEXT,
    notice              TEXT,
    latency_ms          REAL,
    min_support         REAL,
    citations           TEXT NOT NULL DEFAULT '[]',
    sentences           TEXT NOT NULL DEFAULT '[]',
    passages            TEXT NOT NULL DEFAULT '[]',
    history             TEXT NOT NULL DEFAULT '[]',
    feedback            TEXT CHECK (feedback IN ('up', 'down')),
    feedback_comment    TEXT,
    feedback_time       TEXT,
    status              TEXT NOT NULL DEFAULT 'unreviewed'
                        CHECK (status IN ('unreviewed', 'approved', 'rejected', 'corrected')),
    reviewer            TEXT,
    review_comment      TEXT,
    review_time         TEXT,
    corrected_answer    TEXT,
    corrected_chunk_ids TEXT,
    withdrawn_time      TEXT,
    verified_from       TEXT
);
CREATE INDEX IF NOT EXISTS answers_status_seq ON answers (status, seq);
CREATE INDEX IF NOT EXISTS answers_feedback_seq ON answers (feedback, seq);
CREATE INDEX IF NOT EXISTS answers_session_seq ON answers (session_id, seq);
CREATE INDEX IF NOT EXISTS answers_min_support ON answers (min_support);
CREATE TABLE IF NOT EXISTS review_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    time      TEXT NOT NULL,
    action    TEXT NOT NULL,
    reviewer  TEXT,
    comment   TEXT,
    data      TEXT
);
CREATE INDEX IF NOT EXISTS review_events_answer ON review_events (answer_id, seq);
"""


class AnswerLogBusy(RuntimeError):
    """The database stayed locked longer than the retry budget; ``str()`` is French."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _json_default(obj: Any):
    """numpy scalars / arrays, paths, sets: whatever a pipeline may leave in an answer dict."""
    if hasattr(obj, "item") and callable(obj.item):
        try:
            return obj.item()
        except (TypeError, ValueError):
            pass
    if hasattr(obj, "tolist") and callable(obj.tolist):
        return obj.tolist()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    return str(obj)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _sqlite_path(path_or_url: str) -> str:
    s = str(path_or_url).strip()
    if s.startswith(("postgresql://", "postgres://", "postgresql+")):
        raise NotImplementedError(msg.REVIEW_POSTGRES_UNSUPPORTED)
    if s.startswith("sqlite:///"):
        s = s[len("sqlite:///"):]
        # sqlite:////abs/path -> /abs/path ; sqlite:///rel/path -> rel/path
    elif s.startswith("sqlite://"):
        s = s[len("sqlite://"):] or ":memory:"
    return s or ":memory:"


# -- evaluation-case helpers -------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:-[^\W\d_]+)*")
_CITE_MARK = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")
_SENT_END = re.compile(r"[.!?…:;]\s*$")


def _salient_tokens(text: str) -> list[str]:
    """Distinctive tokens of ``text`` in order of preference: numbers, capitalised names, long words.

    Each token is returned once (accent/case-insensitive), in its surface form.
    """
    text = normalize(text)
    ranked: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for i, m in enumerate(_TOKEN.finditer(text)):
        tok = m.group(0)
        key = fold(tok)
        if key in seen or key in FRENCH_STOPWORDS:
            continue
        sentence_start = not text[: m.start()].strip() or bool(_SENT_END.search(text[: m.start()]))
        if tok[0].isdigit():
            if len(tok) < 2:
                continue
            rank = 0
        elif tok[0].isupper() and len(tok) >= 2 and not sentence_start:
            rank = 1
        elif len(tok) >= 7:
            rank = 2
        else:
            continue
        seen.add(key)
        ranked.append((rank, i, tok))
    ranked.sort()
    return [t for _, _, t in ranked]


def _in_text(token: str, folded_text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(fold(token)) + r"(?!\w)", folded_text) is not None


def _facts(answer: str, evidence: list[str], per_evidence: int = 2, fallback: int = 3) -> list[list[str]]:
    """For each evidence text, up to ``per_evidence`` distinctive tokens also in the answer; each a fact."""
    folded_answer = fold(_CITE_MARK.sub(" ", answer or ""))
    facts: list[list[str]] = []
    used: set[str] = set()
    for ev in evidence:
        picked = 0
        for tok in _salient_tokens(ev):
            if picked >= per_evidence:
                break
            if fold(tok) in used or not _in_text(tok, folded_answer):
                continue
            used.add(fold(tok))
            facts.append([tok])
            picked += 1
    if not facts:  # the answer shares no distinctive word with its evidence: use the answer alone
        for tok in _salient_tokens(_CITE_MARK.sub(" ", answer or ""))[:fallback]:
            facts.append([tok])
    return facts


def _dedupe(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        t = (t or "").strip()
        if t and t not in out:
            out.append(t)
    return out


# -- the log -------------------------------------------------------------------------------------------

class AnswerLog:
    """SQLite log of served answers and their review. Thread-safe; safe across processes."""

    def __init__(self, path_or_url: str, busy_timeout_s: float = 5.0, retry_s: float = 120.0,
                 max_history_turns: int = 12, max_history_chars: int = 4000):
        self.path = _sqlite_path(path_or_url)
        self.max_history_turns = max_history_turns  # what ``record`` stores of a history, at most
        self.max_history_chars = max_history_chars
        self._memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        self._busy_ms = int(busy_timeout_s * 1000)
        self._retry_s = retry_s
        self._lock = threading.RLock()  # serialises this process's writes (and everything in memory mode)
        self._local = threading.local()
        self._generation = 0
        self._conns: list[tuple[weakref.ref, sqlite3.Connection]] = []
        self._conns_lock = threading.Lock()
        if not self._memory:
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._init_schema()

    # connections ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_ms / 1000, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise sqlite3.DatabaseError(msg.REVIEW_DB_ERROR.format(path=self.path, error=exc)) from exc
        conn.row_factory = sqlite3.Row
        return conn

    def _conn(self) -> sqlite3.Connection:
        if self._memory:
            with self._conns_lock:
                if not self._conns:
                    self._conns.append((weakref.ref(threading.current_thread()), self._connect()))
                return self._conns[0][1]
        cached = getattr(self._local, "conn", None)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        conn = self._connect()
        with self._conns_lock:
            alive = []
            for ref, c in self._conns:  # close the connections of finished threads
                th = ref()
                if th is None or not th.is_alive():
                    c.close()
                else:
                    alive.append((ref, c))
            alive.append((weakref.ref(threading.current_thread()), conn))
            self._conns = alive
        self._local.conn = (self._generation, conn)
        return conn

    def close(self) -> None:
        """Close every connection; the log reopens lazily if used again."""
        with self._conns_lock:
            for _, c in self._conns:
                try:
                    c.close()
                except sqlite3.Error:  # pragma: no cover
                    pass
            self._conns = []
            self._generation += 1

    def __enter__(self) -> "AnswerLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # transactions with retry ---------------------------------------------------------------------

    def _run(self, fn: Callable[[sqlite3.Connection], Any], write: bool = False) -> Any:
        """Run ``fn(conn)``; writes in one ``BEGIN IMMEDIATE`` transaction; retry while locked."""
        deadline = time.monotonic() + self._retry_s
        delay = 0.01
        while True:
            try:
                if write or self._memory:
                    with self._lock:
                        return self._attempt(fn, write)
                return self._attempt(fn, write)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() + delay > deadline:
                    raise AnswerLogBusy(msg.REVIEW_DB_BUSY.format(path=self.path)) from exc
                log.info("journal de relecture verrouillé, nouvel essai dans %.2fs", delay)
                time.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 1.0)

    def _attempt(self, fn, write: bool):
        conn = self._conn()
        if not write:
            return fn(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
            return result
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _init_schema(self) -> None:
        if not self._memory:
            def wal(conn):
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":  # pragma: no cover - e.g. some network filesystems
                    log.warning("journal WAL indisponible pour %s (mode %s)", self.path, mode)

            try:
                self._run(wal)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                    raise
                raise sqlite3.DatabaseError(msg.REVIEW_DB_ERROR.format(path=self.path, error=exc)) from exc

        def create(conn):
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            found = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
            if found > SCHEMA_VERSION:
                raise RuntimeError(
                    msg.REVIEW_SCHEMA_TOO_NEW.format(path=self.path, found=found, known=SCHEMA_VERSION)
                )
            if found < 2:  # version 1 had no verification columns
                have = {r[1] for r in conn.execute("PRAGMA table_info(answers)")}
                for column in ("withdrawn_time", "verified_from"):
                    if column not in have:
                        conn.execute(f"ALTER TABLE answers ADD COLUMN {column} TEXT")
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            conn.execute("CREATE INDEX IF NOT EXISTS answers_verified_from ON answers (verified_from)")

        try:
            self._run(create, write=True)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise
            raise sqlite3.DatabaseError(msg.REVIEW_DB_ERROR.format(path=self.path, error=exc)) from exc

    @property
    def schema_version(self) -> int:
        row = self._run(lambda c: c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone())
        return int(row[0])

    # rows ----------------------------------------------------------------------------------------

    @staticmethod
    def _decode(row: sqlite3.Row) -> dict:
        d = {k: row[k] for k in row.keys() if k != "seq"}
        d["refused"] = bool(d["refused"])
        for k in _JSON_FIELDS:
            raw = d.get(k)
            if raw is None:
                d[k] = None if k == "corrected_chunk_ids" else []
            else:
                try:
                    d[k] = json.loads(raw)
                except ValueError:  # pragma: no cover - hand-edited database
                    d[k] = raw
        return d

    @staticmethod
    def _require(conn: sqlite3.Connection, id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM answers WHERE id = ?", (str(id),)).fetchone()
        if row is None:
            raise KeyError(msg.REVIEW_UNKNOWN_ID.format(id=id))
        return row

    @staticmethod
    def _event(conn, id: str, action: str, reviewer=None, comment=None, data=None) -> None:
        conn.execute(
            "INSERT INTO review_events (answer_id, time, action, reviewer, comment, data) VALUES (?, ?, ?, ?, ?, ?)",
            (id, _now(), action, reviewer, comment, None if data is None else _dumps(data)),
        )

    # recording -----------------------------------------------------------------------------------

    def record(self, answer: dict, session_id: str, history: list | None = None, source: str = "ui") -> str:
        """Store a served answer (status ``unreviewed``); returns its new unguessable id."""
        if not isinstance(answer, dict):
            raise TypeError("answer doit être un dict (réponse servie par Kalan)")
        sentences = list(answer.get("sentences") or [])
        supports = []
        for s in sentences:
            v = s.get("support") if isinstance(s, dict) else None
            try:
                if v is not None:
                    supports.append(float(v))
            except (TypeError, ValueError):
                pass
        latency = answer.get("latency_ms")
        verified = answer.get("verified") if isinstance(answer.get("verified"), dict) else None
        id_ = secrets.token_hex(16)
        row = (
            id_, _now(), str(session_id or ""), str(source or "ui"),
            str(answer.get("question") or ""),
            answer.get("standalone_question"),
            str(answer.get("answer") or ""),
            answer.get("mode"),
            1 if answer.get("refused") else 0,
            answer.get("refusal_reason"),
            answer.get("notice"),
            None if latency is None else float(latency),
            min(supports) if supports else None,
            _dumps(list(answer.get("citations") or [])),
            _dumps(sentences),
            _dumps(list(answer.get("passages") or [])),
            _dumps(_bounded_history(history, self.max_history_turns, self.max_history_chars)),
            None if verified is None else str(verified.get("answer_id") or "") or None,
        )
        self._run(
            lambda c: c.execute(
                "INSERT INTO answers (id, time, session_id, source, question, standalone_question, answer, mode, "
                "refused, refusal_reason, notice, latency_ms, min_support, citations, sentences, passages, history, "
                "verified_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            ),
            write=True,
        )
        return id_

    def set_feedback(self, id: str, value: str | None, comment: str | None = None,
                     session_id: str | None = None) -> dict:
        """A student's thumbs up / down (``None`` clears it); ``session_id`` must own the answer."""
        if value is not None and value not in FEEDBACKS:
            raise ValueError(msg.REVIEW_BAD_FEEDBACK.format(value=value))

        def tx(conn):
            row = self._require(conn, id)
            if session_id is not None and not secrets.compare_digest(
                str(row["session_id"]).encode(), str(session_id).encode()
            ):
                raise PermissionError(msg.REVIEW_FEEDBACK_FORBIDDEN)
            conn.execute(
                "UPDATE answers SET feedback = ?, feedback_comment = ?, feedback_time = ? WHERE id = ?",
                (value, comment, _now(), row["id"]),
            )
            self._event(conn, row["id"], "feedback", None, comment, {"value": value})
            return self._decode(self._require(conn, id))

        return self._run(tx, write=True)

    # reading -------------------------------------------------------------------------------------

    def get(self, id: str) -> dict | None:
        """The full record (JSON fields decoded, plus ``events``: the review history), or None."""
        def tx(conn):
            row = conn.execute("SELECT * FROM answers WHERE id = ?", (str(id),)).fetchone()
            if row is None:
                return None
            d = self._decode(row)
            d["events"] = [
                {"time": e["time"], "action": e["action"], "reviewer": e["reviewer"], "comment": e["comment"],
                 "data": json.loads(e["data"]) if e["data"] else None}
                for e in conn.execute(
                    "SELECT * FROM review_events WHERE answer_id = ? ORDER BY seq", (row["id"],)
                )
            ]
            return d

        return self._run(tx)

    @staticmethod
    def _where(status=None, feedback=None, refused=None, max_support=None, session_id=None):
        clauses: list[str] = []
        params: list[Any] = []
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            for s in wanted:
                if s not in STATUSES:
                    raise ValueError(msg.REVIEW_BAD_STATUS.format(value=s, allowed=", ".join(STATUSES)))
            clauses.append(f"status IN ({', '.join('?' * len(wanted))})" if wanted else "0")
            params.extend(wanted)
        if feedback is not None:
            if feedback == "none":
                clauses.append("feedback IS NULL")
            elif feedback in FEEDBACKS:
                clauses.append("feedback = ?")
                params.append(feedback)
            else:
                raise ValueError(msg.REVIEW_BAD_FEEDBACK.format(value=feedback))
        if refused is not None:
            clauses.append("refused = ?")
            params.append(1 if refused else 0)
        if max_support is not None:
            clauses.append("min_support IS NOT NULL AND min_support <= ?")
            params.append(float(max_support))
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(str(session_id))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list(self, status: str | Iterable[str] | None = None, feedback: str | None = None,
             refused: bool | None = None, max_support: float | None = None, session_id: str | None = None,
             limit: int | None = 200, offset: int = 0, thumbs_down_first: bool = False) -> list[dict]:
        """Records newest first (thumbs-down first if asked), filtered.

        ``status``: one status or several; ``feedback``: "up", "down" or "none" (no feedback);
        ``max_support``: answers whose weakest sentence support is <= this (answers without
        sentences, e.g. refusals, are excluded by this filter).
        """
        where, params = self._where(status, feedback, refused, max_support, session_id)
        order = "COALESCE(feedback = 'down', 0) DESC, seq DESC" if thumbs_down_first else "seq DESC"
        sql = f"SELECT * FROM answers{where} ORDER BY {order} LIMIT ? OFFSET ?"
        params += [-1 if limit is None else max(0, int(limit)), max(0, int(offset))]
        return self._run(lambda c: [self._decode(r) for r in c.execute(sql, params)])

    def count(self, status=None, feedback=None, refused=None, max_support=None, session_id=None) -> int:
        where, params = self._where(status, feedback, refused, max_support, session_id)
        return self._run(lambda c: c.execute(f"SELECT COUNT(*) FROM answers{where}", params).fetchone()[0])

    # review --------------------------------------------------------------------------------------

    def _review(self, id: str, action: str, status: str | None, comment=None, reviewer=None,
                corrected_answer=None, chunk_ids=None) -> dict:
        def tx(conn):
            row = self._require(conn, id)
            now = _now()
            if status is None:  # comment only
                conn.execute(
                    "UPDATE answers SET review_comment = ?, reviewer = COALESCE(?, reviewer), review_time = ? "
                    "WHERE id = ?",
                    (comment, reviewer, now, row["id"]),
                )
                data = None
            else:
                # a correction is data: approving or rejecting later keeps it (COALESCE), a new correction
                # replaces its text, and its passages unless it names none
                # a new verdict is a new verification: a withdrawal before it no longer holds
                conn.execute(
                    "UPDATE answers SET status = ?, reviewer = ?, review_time = ?, withdrawn_time = NULL, "
                    "review_comment = COALESCE(?, review_comment), corrected_answer = COALESCE(?, corrected_answer), "
                    "corrected_chunk_ids = COALESCE(?, corrected_chunk_ids) WHERE id = ?",
                    (status, reviewer, now, comment, corrected_answer,
                     None if chunk_ids is None else _dumps(chunk_ids), row["id"]),
                )
                data = {"status": status, "previous": row["status"]}
                if status == "corrected":
                    data.update(answer=corrected_answer, chunk_ids=chunk_ids)
            self._event(conn, row["id"], action, reviewer, comment, data)
            return self._decode(self._require(conn, row["id"]))

        return self._run(tx, write=True)

    def approve(self, id: str, comment: str | None = None, reviewer: str | None = None) -> dict:
        """Mark the answer right (status ``approved``); returns the updated record."""
        return self._review(id, "approve", "approved", comment, reviewer)

    def reject(self, id: str, comment: str | None = None, reviewer: str | None = None) -> dict:
        """Mark the answer wrong (status ``rejected``); returns the updated record."""
        return self._review(id, "reject", "rejected", comment, reviewer)

    def correct(self, id: str, answer: str, chunk_ids: list[str] | None = None, comment: str | None = None,
                reviewer: str | None = None) -> dict:
        """Store the expected answer (status ``corrected``); the original answer is kept."""
        if not isinstance(answer, str) or not answer.strip():
            raise ValueError(msg.REVIEW_EMPTY_ANSWER)
        ids = None if chunk_ids is None else [str(c).strip() for c in chunk_ids if str(c).strip()]
        return self._review(id, "correct", "corrected", comment, reviewer, answer.strip(), ids)

    def comment(self, id: str, text: str, reviewer: str | None = None) -> dict:
        """Add a teacher comment without changing the status."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(msg.REVIEW_EMPTY_COMMENT)
        return self._review(id, "comment", None, text.strip(), reviewer)

    def withdraw(self, id: str, comment: str | None = None, reviewer: str | None = None) -> dict:
        """Withdraw a teacher's verification: the answer keeps its status and correction (they are history) but
        is no longer served again to students, nor its rejection applied. A later verdict verifies it anew."""
        def tx(conn):
            row = self._require(conn, id)
            if row["status"] not in REVIEWED:
                raise ValueError(msg.REVIEW_NOT_REVIEWED.format(id=id))
            conn.execute("UPDATE answers SET withdrawn_time = ? WHERE id = ?", (_now(), row["id"]))
            self._event(conn, row["id"], "withdraw", reviewer, comment, {"status": row["status"]})
            return self._decode(self._require(conn, row["id"]))

        return self._run(tx, write=True)

    # verified answers ----------------------------------------------------------------------------

    def review_version(self) -> int:
        """A number that grows with every review action (approve, correct, withdraw…): readers of the
        verified answers reload when it moves, in this process or another one sharing the database."""
        return int(self._run(lambda c: c.execute("SELECT COALESCE(MAX(seq), 0) FROM review_events").fetchone()[0]))

    def verified(self) -> list[dict]:
        """Reviewed answers whose verification stands (not withdrawn): approved answers, corrections and
        rejections, oldest first, with the fields reuse needs."""
        sql = ("SELECT id, status, review_time, question, standalone_question, answer, refused, citations, "
               "sentences, passages, corrected_answer, corrected_chunk_ids FROM answers "
               "WHERE status IN ('approved', 'corrected', 'rejected') AND withdrawn_time IS NULL ORDER BY seq")

        def decode(row: sqlite3.Row) -> dict:
            d = {k: row[k] for k in row.keys()}
            d["refused"] = bool(d["refused"])
            for k in ("citations", "sentences", "passages", "corrected_chunk_ids"):
                d[k] = json.loads(d[k]) if d[k] else ([] if k != "corrected_chunk_ids" else None)
            return d

        return self._run(lambda c: [decode(r) for r in c.execute(sql)])

    def served_counts(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """How many logged answers were served from each verified answer (id -> count)."""
        ids = None if ids is None else [str(i) for i in ids]
        if ids == []:
            return {}
        where = "verified_from IS NOT NULL" if ids is None else f"verified_from IN ({', '.join('?' * len(ids))})"
        sql = f"SELECT verified_from, COUNT(*) FROM answers WHERE {where} GROUP BY verified_from"
        return self._run(lambda c: {r[0]: int(r[1]) for r in c.execute(sql, ids or [])})

    # export --------------------------------------------------------------------------------------

    def export(self, fmt: str, path: str | os.PathLike,
               statuses: Iterable[str] | None = REVIEWED) -> int:
        """Write the records (reviewed ones by default, all with ``statuses=None``); returns the count.

        CSV: one flat column per field (``COLUMNS``), JSON fields as JSON strings, UTF-8;
        free-text cells starting with ``= + - @`` get a leading ``'`` (spreadsheet formula
        injection). JSONL: one full record per line, JSON fields as JSON. Oldest first.
        In both, a ``<`` that opens a tag is written ``&lt;``: no live markup reaches a tool
        that shows the export as HTML (titles, questions, passages alike).
        """
        if fmt not in ("csv", "jsonl"):
            raise ValueError(msg.REVIEW_BAD_FORMAT.format(value=fmt))
        statuses = None if statuses is None else list(statuses)
        where, params = self._where(status=statuses)
        rows = self._run(lambda c: c.execute(f"SELECT * FROM answers{where} ORDER BY seq", params).fetchall())
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                if fmt == "jsonl":
                    for r in rows:
                        fh.write(_dumps(_inert(self._decode(r))) + "\n")
                else:
                    w = csv.writer(fh)
                    w.writerow(COLUMNS)
                    for r in rows:
                        w.writerow([_csv_cell(k, _inert(r[k])) for k in COLUMNS])
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return len(rows)

    # evaluation cases ----------------------------------------------------------------------------

    def to_eval_case(self, id: str) -> dict:
        """The evaluation case a reviewed answer stands for (see ``promote``)."""
        rec = self.get(id)
        if rec is None:
            raise KeyError(msg.REVIEW_UNKNOWN_ID.format(id=id))
        status = rec["status"]
        if status not in REVIEWED:
            raise ValueError(msg.REVIEW_NOT_REVIEWED.format(id=id))
        quotes = _dedupe((c.get("quote") or c.get("text") or "") for c in rec["citations"] if isinstance(c, dict))
        if rec.get("corrected_answer"):  # corrected, or approved / rejected after a correction: the correction
            wanted = rec.get("corrected_chunk_ids") or []
            by_chunk: dict[str, str] = {}
            for p in list(rec["passages"]) + list(rec["citations"]):
                if isinstance(p, dict) and p.get("chunk_id") and p.get("text"):
                    by_chunk.setdefault(str(p["chunk_id"]), p["text"])
            evidence = _dedupe(by_chunk[c] for c in wanted if c in by_chunk) or quotes
            answerable, facts = True, _facts(rec["corrected_answer"] or "", evidence)
        elif rec["refused"]:
            # approved refusal: the corpus is silent; rejected refusal: Kalan should have answered
            answerable, facts, evidence = status == "rejected", [], []
        elif status == "approved":
            evidence = quotes
            answerable, facts = True, _facts(rec["answer"], evidence)
        else:
            raise ValueError(msg.REVIEW_REJECTED_NEEDS_CORRECTION.format(id=id))
        case: dict[str, Any] = {"id": f"promoted-{rec['id']}", "question": rec["question"]}
        if rec["history"]:
            case["history"] = rec["history"]
        case.update(answerable=answerable, expected_facts=facts, evidence=evidence, tags=["promoted", status])
        return case

    def promote(self, id: str, set_path: str | os.PathLike) -> dict:
        """Append the evaluation case to the JSONL ``set_path`` (created if missing) and return it.

        A case already promoted (same id) is replaced in place, so a set never holds duplicates.
        """
        case = self.to_eval_case(id)
        target = Path(set_path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        line = _dumps(case) + "\n"
        with self._lock:
            existing = target.read_text(encoding="utf-8").splitlines(keepends=True) if target.exists() else []
            replaced = False
            for i, old in enumerate(existing):
                try:
                    if json.loads(old).get("id") == case["id"]:
                        existing[i], replaced = line, True
                except (ValueError, AttributeError):
                    continue
            if replaced:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.writelines(existing)
                os.replace(tmp, target)
            else:
                prefix = ""
                if existing and not existing[-1].endswith("\n"):
                    prefix = "\n"
                with open(target, "a", encoding="utf-8") as fh:
                    fh.write(prefix + line)
        self._run(lambda c: self._event(c, case["id"][len("promoted-"):], "promote", None, None,
                                        {"set": str(target)}), write=True)
        return case


def open_answer_log(settings) -> AnswerLog:
    """The log of ``settings`` (``review_db`` in the data dir), storing histories within ``settings.answer``'s
    bounds."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return AnswerLog(settings.review_db, max_history_turns=settings.answer.max_history_turns,
                     max_history_chars=settings.answer.max_history_chars)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _bounded_history(history: Iterable | None, turns: int, chars: int) -> list:
    """The last ``turns`` turns of a history, each cut to ``chars`` characters (split between its texts):
    whatever a client sends, the log never stores more."""
    out: list = []
    for turn in list(history or [])[-turns:] if turns > 0 else []:
        if isinstance(turn, dict):
            out.append({str(k)[:64]: _cut(str(v), chars // max(1, len(turn))) for k, v in list(turn.items())[:8]})
        elif isinstance(turn, (list, tuple)):
            out.append([_cut(str(v), chars // max(1, len(turn))) for v in list(turn)[:8]])
        else:
            out.append(_cut(str(turn), chars))
    return out


_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def _inert(value: Any) -> Any:
    """``value`` with every tag opener ``<x`` written ``&lt;x`` in its strings (nested ones too)."""
    if isinstance(value, str):
        return _TAG_OPEN.sub("&lt;", value)
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_inert(v) for v in value]
    return value


def _csv_cell(column: str, value: Any) -> Any:
    if value is None:
        return ""
    if column == "refused":
        return "true" if value else "false"
    if column in _CSV_TEXT and isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
