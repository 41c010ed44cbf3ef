"""The teacher-review log: every answer Kalan serves, stored in SQLite for review.

Scope: persistence only. ``AnswerLog`` records served answers (question, answer,
citations, sentences with their support, retrieved passages, history, the article the
student asked within: ``article``, NULL for the whole corpus), the
students' thumbs up / down on their own answers, and the teachers' review
(approve, reject = marked wrong, correct, comment). It lists and filters them (by the article
asked within too; ``articles`` lists those present), exports the reviewed ones (CSV / JSONL), and
turns a reviewed answer into an evaluation case appended to a JSONL set (``promote``).

Not here: authentication of teachers (the UI / CLI do it), the answer chain
itself, and running evaluations.

Storage: one code path (SQLAlchemy 2) for a SQLite file (the embedded default: WAL journal,
``busy_timeout``, write transactions taken with ``BEGIN IMMEDIATE``) and a PostgreSQL database shared by
several Kalan instances (``KALAN_DATABASE_URL``). A write is retried with exponential backoff while SQLite
is locked by another process or PostgreSQL is unreachable, so a busy database delays a write but never
loses it; a served answer whose ``record`` meets an unreachable server is queued in memory and written by a
background thread once the server is back (the student is not kept waiting). The schema is migrated on
open by Alembic (``kalan.db.migrate``); its version is also kept in ``meta.schema_version``.

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
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy import exc as sa_exc

from kalan.db.engine import WRITE, is_busy, is_disconnect, is_transient, resolve
from kalan.db.engine import make_engine
from kalan.db.migrate import SCHEMA_VERSION, SchemaTooNew  # noqa: F401 - SCHEMA_VERSION re-exported
from kalan.db.migrate import upgrade as upgrade_schema
from kalan.rag import messages as msg
from kalan.rag.text import FRENCH_STOPWORDS, fold, normalize

log = logging.getLogger(__name__)

STATUSES = ("unreviewed", "approved", "rejected", "corrected")
REVIEWED = ("approved", "corrected", "rejected")
FEEDBACKS = ("up", "down")
# ``list(article=WHOLE_CORPUS)``: the answers asked over the whole corpus (article NULL). No article id is empty:
# ``record`` stores an empty article as NULL.
WHOLE_CORPUS = ""

_JSON_FIELDS = ("citations", "sentences", "passages", "history", "corrected_chunk_ids")

# Columns of the ``answers`` table, in CSV order (``seq`` is internal).
COLUMNS = (
    "id", "time", "session_id", "source", "question", "standalone_question", "answer", "mode",
    "refused", "refusal_reason", "notice", "latency_ms", "min_support",
    "feedback", "feedback_comment", "feedback_time",
    "status", "reviewer", "review_comment", "review_time", "corrected_answer", "corrected_chunk_ids",
    "citations", "sentences", "passages", "history", "withdrawn_time", "verified_from", "article",
)
# Free-text columns that may hold student input: neutralised against spreadsheet formulas in CSV.
_CSV_TEXT = {
    "session_id", "source", "question", "standalone_question", "answer", "refusal_reason", "notice",
    "feedback_comment", "reviewer", "review_comment", "corrected_answer", "mode", "article",
}

class AnswerLogBusy(RuntimeError):
    """The database stayed locked (or unreachable) longer than the retry budget; ``str()`` is French."""


class AnswerLogError(RuntimeError):
    """The database cannot be opened or read; ``str()`` is French."""


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


def _reason(exc: BaseException) -> str:
    """The driver's own words for a database error (not SQLAlchemy's wrapper text with the SQL)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


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
    """Log of served answers and their review, in SQLite or PostgreSQL. Thread-safe; safe across processes."""

    def __init__(self, path_or_url: str, busy_timeout_s: float = 5.0, retry_s: float = 120.0,
                 max_history_turns: int = 12, max_history_chars: int = 4000, tolerate_outage: bool = False):
        """``tolerate_outage``: a database server out of reach now is not an error (a server starting while
        PostgreSQL restarts): the schema is checked at the first call that reaches it, answers are queued."""
        self.target = resolve(path_or_url)
        self.path = self.target.label  # for messages: the file, or the server without its password
        self.max_history_turns = max_history_turns  # what ``record`` stores of a history, at most
        self.max_history_chars = max_history_chars
        self._memory = self.target.memory
        self._sqlite = self.target.backend == "sqlite"
        self._retry_s = retry_s
        self._lock = threading.RLock()  # serialises this process's SQLite writes (and everything in memory mode)
        self._pending: deque[dict] = deque()  # answers recorded while the server was unreachable
        self._pending_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._schema_ready = False
        try:
            self.engine = make_engine(self.target, busy_timeout_s)
            self._retrying(self._ensure_schema, lock=True, retry_on_disconnect=False)
        except sa_exc.DBAPIError as exc:
            if not (tolerate_outage and is_disconnect(exc)):
                raise AnswerLogError(msg.REVIEW_DB_ERROR.format(path=self.path, error=_reason(exc))) from exc
            log.warning("journal de relecture injoignable au démarrage (%s) : il sera ouvert à son retour",
                        _reason(exc))
        except SchemaTooNew:
            raise
        except AnswerLogBusy:
            raise
        except (sa_exc.SQLAlchemyError, OSError) as exc:
            raise AnswerLogError(msg.REVIEW_DB_ERROR.format(path=self.path, error=_reason(exc))) from exc

    def close(self) -> None:
        """Write what is queued (waiting for the server 10 s at most: a stopping instance with its database
        down loses the answers still queued, and says how many), close every connection; the log reopens
        lazily if used again."""
        if self._pending and not self.flush(min(self._retry_s, 10.0)):
            log.error("%d réponse(s) servie(s) non journalisée(s) : base injoignable à l'arrêt", len(self._pending))
        self.engine.dispose()

    def __enter__(self) -> "AnswerLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # transactions with retry ---------------------------------------------------------------------

    def _run(self, fn: Callable[[Connection], Any], write: bool = False, retry_on_disconnect: bool = True) -> Any:
        """Run ``fn(conn)`` in one transaction (``BEGIN IMMEDIATE`` for SQLite writes); retry while the
        database is locked or (if asked) unreachable, with exponential backoff, at most ``retry_s``."""
        return self._retrying(lambda: self._attempt(fn, write), write or self._memory, retry_on_disconnect)

    def _retrying(self, thunk: Callable[[], Any], lock: bool, retry_on_disconnect: bool = True) -> Any:
        deadline = time.monotonic() + self._retry_s
        delay = 0.01
        while True:
            try:
                if self._sqlite and lock:
                    with self._lock:
                        return thunk()
                return thunk()
            except sa_exc.DBAPIError as exc:
                if not (is_busy(exc) or (retry_on_disconnect and is_disconnect(exc))):
                    raise
                if time.monotonic() + delay > deadline:
                    raise AnswerLogBusy(msg.REVIEW_DB_BUSY.format(path=self.path)) from exc
                log.info("journal de relecture indisponible (%s), nouvel essai dans %.2fs", _reason(exc), delay)
                time.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 1.0)

    def _ensure_schema(self) -> None:
        if not self._schema_ready:
            upgrade_schema(self.engine, self.path)
            self._schema_ready = True

    def _attempt(self, fn, write: bool):
        self._ensure_schema()
        with self.engine.connect().execution_options(**{WRITE: write}) as conn:
            with conn.begin():
                return fn(conn)

    @property
    def schema_version(self) -> int:
        row = self._run(lambda c: c.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first())
        return int(row[0])

    # rows ----------------------------------------------------------------------------------------

    @staticmethod
    def _decode(row) -> dict:
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
    def _require(conn: Connection, id: str):
        row = conn.execute(text("SELECT * FROM answers WHERE id = :id"), {"id": str(id)}).mappings().first()
        if row is None:
            raise KeyError(msg.REVIEW_UNKNOWN_ID.format(id=id))
        return row

    @staticmethod
    def _event(conn, id: str, action: str, reviewer=None, comment=None, data=None) -> None:
        conn.execute(
            text("INSERT INTO review_events (answer_id, time, action, reviewer, comment, data) "
                 "VALUES (:id, :time, :action, :reviewer, :comment, :data)"),
            {"id": id, "time": _now(), "action": action, "reviewer": reviewer, "comment": comment,
             "data": None if data is None else _dumps(data)},
        )

    # recording -----------------------------------------------------------------------------------

    def record(self, answer: dict, session_id: str, history: list | None = None, source: str = "ui",
               article: str | None = None) -> str:
        """Store a served answer (status ``unreviewed``); returns its new unguessable id. ``article``: the id of
        the article the student asked within (« Article étudié »), None for the whole corpus.

        If the database server is unreachable the answer is queued and written as soon as it is back
        (``pending``, ``flush``): the id is valid from now on."""
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
        row = {
            "id": secrets.token_hex(16), "time": _now(), "session_id": str(session_id or ""),
            "source": str(source or "ui"),
            "question": str(answer.get("question") or ""),
            "standalone_question": answer.get("standalone_question"),
            "answer": str(answer.get("answer") or ""),
            "mode": answer.get("mode"),
            "refused": 1 if answer.get("refused") else 0,
            "refusal_reason": answer.get("refusal_reason"),
            "notice": answer.get("notice"),
            "latency_ms": None if latency is None else float(latency),
            "min_support": min(supports) if supports else None,
            "citations": _dumps(list(answer.get("citations") or [])),
            "sentences": _dumps(sentences),
            "passages": _dumps(list(answer.get("passages") or [])),
            "history": _dumps(_bounded_history(history, self.max_history_turns, self.max_history_chars)),
            "verified_from": None if verified is None else str(verified.get("answer_id") or "") or None,
            "article": str(article) if article else None,
        }
        if self._pending:  # keep the order: behind what is already queued
            self._enqueue(row)
            return row["id"]
        try:
            self._run(lambda c: self._insert(c, row), write=True, retry_on_disconnect=False)
        except sa_exc.DBAPIError as exc:
            if not is_disconnect(exc):
                raise
            log.warning("journal de relecture injoignable (%s) : réponse mise en attente", _reason(exc))
            self._enqueue(row)
        return row["id"]

    @staticmethod
    def _insert(conn: Connection, row: dict) -> None:
        conn.execute(text(f"INSERT INTO answers ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)

    def _enqueue(self, row: dict) -> None:
        with self._pending_lock:
            self._pending.append(row)
            if self._flusher is None or not self._flusher.is_alive():
                self._flusher = threading.Thread(target=self._flush_loop, name="kalan-log-flush", daemon=True)
                self._flusher.start()

    def _flush_loop(self) -> None:
        delay = 0.1
        while True:
            with self._pending_lock:
                if not self._pending:
                    self._flusher = None
                    return
                row = self._pending[0]
            try:
                self._run(lambda c: self._write_once(c, row), write=True, retry_on_disconnect=False)
            except sa_exc.DBAPIError as exc:
                if not is_transient(exc):  # pragma: no cover - a row the database refuses: keep it in the log
                    log.error("réponse %s impossible à journaliser : %s", row["id"], _reason(exc))
                else:
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    continue
            with self._pending_lock:
                self._pending.popleft()
            delay = 0.1

    def _write_once(self, conn: Connection, row: dict) -> None:
        """Insert ``row`` unless a previous attempt did (its commit reached the server, not its answer)."""
        if conn.execute(text("SELECT 1 FROM answers WHERE id = :id"), {"id": row["id"]}).first() is None:
            self._insert(conn, row)

    @property
    def pending(self) -> int:
        """How many served answers wait for the database server to come back."""
        return len(self._pending)

    def flush(self, timeout_s: float = 30.0) -> bool:
        """Wait until the queued answers are written (True) or ``timeout_s`` passed (False)."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self._pending

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
                text("UPDATE answers SET feedback = :v, feedback_comment = :c, feedback_time = :t WHERE id = :id"),
                {"v": value, "c": comment, "t": _now(), "id": row["id"]},
            )
            self._event(conn, row["id"], "feedback", None, comment, {"value": value})
            return self._decode(self._require(conn, id))

        return self._run(tx, write=True)

    # reading -------------------------------------------------------------------------------------

    def get(self, id: str) -> dict | None:
        """The full record (JSON fields decoded, plus ``events``: the review history), or None."""
        def tx(conn):
            row = conn.execute(text("SELECT * FROM answers WHERE id = :id"), {"id": str(id)}).mappings().first()
            if row is None:
                return None
            d = self._decode(row)
            d["events"] = [
                {"time": e["time"], "action": e["action"], "reviewer": e["reviewer"], "comment": e["comment"],
                 "data": json.loads(e["data"]) if e["data"] else None}
                for e in conn.execute(
                    text("SELECT * FROM review_events WHERE answer_id = :id ORDER BY seq"), {"id": row["id"]}
                ).mappings()
            ]
            return d

        return self._run(tx)

    @staticmethod
    def _where(status=None, feedback=None, refused=None, max_support=None, session_id=None, article=None):
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            for s in wanted:
                if s not in STATUSES:
                    raise ValueError(msg.REVIEW_BAD_STATUS.format(value=s, allowed=", ".join(STATUSES)))
            names = [f"st{i}" for i in range(len(wanted))]
            clauses.append(f"status IN ({', '.join(':' + n for n in names)})" if wanted else "1 = 0")
            params.update(zip(names, wanted))
        if feedback is not None:
            if feedback == "none":
                clauses.append("feedback IS NULL")
            elif feedback in FEEDBACKS:
                clauses.append("feedback = :feedback")
                params["feedback"] = feedback
            else:
                raise ValueError(msg.REVIEW_BAD_FEEDBACK.format(value=feedback))
        if refused is not None:
            clauses.append("refused = :refused")
            params["refused"] = 1 if refused else 0
        if max_support is not None:
            clauses.append("min_support IS NOT NULL AND min_support <= :max_support")
            params["max_support"] = float(max_support)
        if session_id is not None:
            clauses.append("session_id = :session_id")
            params["session_id"] = str(session_id)
        if article == WHOLE_CORPUS:
            clauses.append("article IS NULL")
        elif article is not None:
            clauses.append("article = :article")
            params["article"] = str(article)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def list(self, status: str | Iterable[str] | None = None, feedback: str | None = None,
             refused: bool | None = None, max_support: float | None = None, session_id: str | None = None,
             limit: int | None = 200, offset: int = 0, thumbs_down_first: bool = False,
             article: str | None = None) -> list[dict]:
        """Records newest first (thumbs-down first if asked), filtered.

        ``status``: one status or several; ``feedback``: "up", "down" or "none" (no feedback);
        ``max_support``: answers whose weakest sentence support is <= this (answers without
        sentences, e.g. refusals, are excluded by this filter); ``article``: the answers asked within
        this article (its id), ``WHOLE_CORPUS`` for those asked over the whole corpus, None for all.
        """
        where, params = self._where(status, feedback, refused, max_support, session_id, article)
        order = ("CASE WHEN feedback = 'down' THEN 1 ELSE 0 END DESC, seq DESC" if thumbs_down_first
                 else "seq DESC")
        sql = f"SELECT * FROM answers{where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = max(0, int(limit))
        if offset:
            sql += " LIMIT -1 OFFSET :offset" if limit is None and self._sqlite else " OFFSET :offset"
            params["offset"] = max(0, int(offset))
        return self._run(lambda c: [self._decode(r) for r in c.execute(text(sql), params).mappings()])

    def count(self, status=None, feedback=None, refused=None, max_support=None, session_id=None,
              article=None) -> int:
        where, params = self._where(status, feedback, refused, max_support, session_id, article)
        return int(self._run(lambda c: c.execute(text(f"SELECT COUNT(*) FROM answers{where}"), params).scalar_one()))

    def articles(self) -> list[str]:
        """The ids of the articles logged answers were asked within, sorted (the whole corpus, NULL, left out)."""
        sql = "SELECT DISTINCT article FROM answers WHERE article IS NOT NULL ORDER BY article"
        return self._run(lambda c: [str(r[0]) for r in c.execute(text(sql))])

    # review --------------------------------------------------------------------------------------

    def _review(self, id: str, action: str, status: str | None, comment=None, reviewer=None,
                corrected_answer=None, chunk_ids=None) -> dict:
        def tx(conn):
            row = self._require(conn, id)
            now = _now()
            if status is None:  # comment only
                conn.execute(
                    text("UPDATE answers SET review_comment = :c, reviewer = COALESCE(:r, reviewer), "
                         "review_time = :t WHERE id = :id"),
                    {"c": comment, "r": reviewer, "t": now, "id": row["id"]},
                )
                data = None
            else:
                # a correction is data: approving or rejecting later keeps it (COALESCE), a new correction
                # replaces its text, and its passages unless it names none
                # a new verdict is a new verification: a withdrawal before it no longer holds
                conn.execute(
                    text("UPDATE answers SET status = :s, reviewer = :r, review_time = :t, withdrawn_time = NULL, "
                         "review_comment = COALESCE(:c, review_comment), "
                         "corrected_answer = COALESCE(:a, corrected_answer), "
                         "corrected_chunk_ids = COALESCE(:ids, corrected_chunk_ids) WHERE id = :id"),
                    {"s": status, "r": reviewer, "t": now, "c": comment, "a": corrected_answer,
                     "ids": None if chunk_ids is None else _dumps(chunk_ids), "id": row["id"]},
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
            conn.execute(text("UPDATE answers SET withdrawn_time = :t WHERE id = :id"), {"t": _now(), "id": row["id"]})
            self._event(conn, row["id"], "withdraw", reviewer, comment, {"status": row["status"]})
            return self._decode(self._require(conn, row["id"]))

        return self._run(tx, write=True)

    # verified answers ----------------------------------------------------------------------------

    def review_version(self) -> int:
        """A number that grows with every review action (approve, correct, withdraw…): readers of the
        verified answers reload when it moves, in this process or another one sharing the database."""
        # never waits for an unreachable server: the caller keeps what it knew (answers go on being served)
        return int(self._run(lambda c: c.execute(text("SELECT COALESCE(MAX(seq), 0) FROM review_events")).scalar_one(),
                             retry_on_disconnect=False))

    def verified(self) -> list[dict]:
        """Reviewed answers whose verification stands (not withdrawn): approved answers, corrections and
        rejections, oldest first, with the fields reuse needs."""
        sql = ("SELECT id, status, review_time, question, standalone_question, answer, refused, citations, "
               "sentences, passages, corrected_answer, corrected_chunk_ids FROM answers "
               "WHERE status IN ('approved', 'corrected', 'rejected') AND withdrawn_time IS NULL ORDER BY seq")

        def decode(row) -> dict:
            d = {k: row[k] for k in row.keys()}
            d["refused"] = bool(d["refused"])
            for k in ("citations", "sentences", "passages", "corrected_chunk_ids"):
                d[k] = json.loads(d[k]) if d[k] else ([] if k != "corrected_chunk_ids" else None)
            return d

        return self._run(lambda c: [decode(r) for r in c.execute(text(sql)).mappings()])

    def served_counts(self, ids: Iterable[str] | None = None) -> dict[str, int]:
        """How many logged answers were served from each verified answer (id -> count)."""
        ids = None if ids is None else [str(i) for i in ids]
        if ids == []:
            return {}
        params = {f"v{i}": v for i, v in enumerate(ids or [])}
        where = "verified_from IS NOT NULL" if ids is None else f"verified_from IN ({', '.join(':' + k for k in params)})"
        sql = f"SELECT verified_from, COUNT(*) FROM answers WHERE {where} GROUP BY verified_from"
        return self._run(lambda c: {r[0]: int(r[1]) for r in c.execute(text(sql), params)})

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
        rows = self._run(lambda c: c.execute(text(f"SELECT * FROM answers{where} ORDER BY seq"), params).mappings().all())
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
        if rec.get("article"):  # asked within one article: the case names it, as the news cases do (``article``)
            case["article"] = rec["article"]
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


def open_answer_log(settings, tolerate_outage: bool = False) -> AnswerLog:
    """The log of ``settings`` (``review_db``: ``KALAN_DATABASE_URL``, else ``review.db_url``, else the SQLite
    file in the data dir), storing histories within ``settings.answer``'s bounds."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return AnswerLog(settings.review_db, max_history_turns=settings.answer.max_history_turns,
                     max_history_chars=settings.answer.max_history_chars, tolerate_outage=tolerate_outage)


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
