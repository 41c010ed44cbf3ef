"""The teacher-review actions as plain functions over an ``AnswerLog`` (no Gradio, no server).

``kalan.ui.review_app`` wires these to buttons; tests call them directly. Every
function here returns a value and never lets an exception out: the log's errors
(unknown id, answer not reviewed yet, empty correction, busy or unreadable
database…) become an ``Outcome`` with ``ok=False`` and the log's French message,
so the page shows a sentence, never a traceback. Behaviour matches the
``kalan review`` command line (``kalan.cli_review``): same filters, same
defaults (export = reviewed answers unless asked otherwise), same messages.

Not here: HTML (``kalan.ui.review_render``) and authentication (the server mounting
the view puts the teacher's login in ``gr.Request.username``; ``reviewer_name``
reads it).
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from kalan.rag import messages as msg
from kalan.db.answer_log import REVIEWED, WHOLE_CORPUS, AnswerLog
from kalan.ui.review_render import FEEDBACK_FR, STATUS_FR, article_cell, format_support, format_time, render_record

log = logging.getLogger(__name__)

# Filter choices, as shown in the page -> the value given to AnswerLog.list.
STATUS_FILTERS: dict[str, str | None] = {
    "tous": None,
    "non relus": "unreviewed",
    "approuvés": "approved",
    "corrigés": "corrected",
    "rejetés": "rejected",
}
FEEDBACK_ALL = "tous"
FEEDBACK_DOWN_FIRST = "pouce bas d'abord"
FEEDBACK_DOWN_ONLY = "pouce bas seulement"
FEEDBACK_FILTERS = (FEEDBACK_ALL, FEEDBACK_DOWN_FIRST, FEEDBACK_DOWN_ONLY)
# The « Article » filter's values: every answer (as the chat's « Tous les articles »), the answers asked over the
# whole corpus (a label: article ids are lower-case slugs, never this), else an article id.
ARTICLE_ALL = ""
ARTICLE_WHOLE_CORPUS = msg.REVIEW_UI_ARTICLE_WHOLE_CORPUS
ARTICLE_FIXED_CHOICES = ((msg.UI_ALL_ARTICLES, ARTICLE_ALL),
                         (msg.REVIEW_UI_ARTICLE_WHOLE_CORPUS, ARTICLE_WHOLE_CORPUS))

QUEUE_HEADERS = ["date (UTC)", "question", "statut", "avis", "appui min", "refus", "resservie", "article",
                 "identifiant"]
ID_COLUMN = len(QUEUE_HEADERS) - 1
QUEUE_LIMIT = 500
QUESTION_WIDTH = 140
MAX_ID_CHARS = 128
NO_SUPPORT_FILTER = 1.0  # the slider's top: every answer, including refusals (which have no support)

DEFAULT_PROMOTED_SET = Path("evals") / "sets" / "promoted.jsonl"


@dataclass
class QueueView:
    """The queue table: ``rows`` (``QUEUE_HEADERS`` columns, id last), the ids in row order."""

    rows: list[list[str]]
    ids: list[str]
    message: str
    ok: bool = True


@dataclass
class Outcome:
    """The result of one action: ``ok``, a French ``message`` and what the page needs next."""

    ok: bool
    message: str
    record: dict | None = None
    html: str = ""
    path: str | None = None
    case: dict | None = None
    extra: dict = field(default_factory=dict)


# -- helpers -------------------------------------------------------------------------------------------

def error_message(exc: BaseException, log_obj: AnswerLog | None = None) -> str:
    """The French sentence for an error raised by the log (its own messages are already French)."""
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else msg.REVIEW_UNKNOWN_ID.format(id="?")
    if isinstance(exc, (ValueError, PermissionError, NotImplementedError)):
        return str(exc)
    if isinstance(exc, sqlite3.DatabaseError) or type(exc).__module__.startswith("sqlalchemy"):
        path = getattr(log_obj, "path", "?")
        text = str(exc)
        return text if text.startswith("Journal de relecture") else msg.REVIEW_DB_ERROR.format(path=path, error=exc)
    if isinstance(exc, RuntimeError):  # AnswerLogBusy, schema too new: French already
        return str(exc)
    if isinstance(exc, OSError):
        return msg.REVIEW_UI_UNEXPECTED.format(error=f"{exc.strerror or exc}")
    return msg.REVIEW_UI_UNEXPECTED.format(error=type(exc).__name__)


def _guard(log_obj: AnswerLog, fn: Callable[[], Outcome]) -> Outcome:
    try:
        return fn()
    except Exception as exc:  # the page must show a sentence, never a traceback
        if not isinstance(exc, (KeyError, ValueError, PermissionError)):
            log.exception("relecture : action en échec")
        return Outcome(False, error_message(exc, log_obj))


def clean_id(id: Any) -> str:
    """The id as typed or selected, stripped; '' when absent."""
    return "" if id is None else str(id).strip()


def _check_id(id: Any) -> str:
    """A usable id or a KeyError/ValueError with the French message."""
    s = clean_id(id)
    if not s:
        raise ValueError(msg.REVIEW_UI_NO_SELECTION)
    if len(s) > MAX_ID_CHARS:
        raise KeyError(msg.REVIEW_UNKNOWN_ID.format(id=s[:32] + "…"))
    return s


def _blank(text: Any) -> str | None:
    """None for an empty text box, the stripped text otherwise."""
    if text is None:
        return None
    s = str(text).strip()
    return s or None


def reviewer_name(request: Any, settings: Any) -> str | None:
    """The logged-in teacher (``gr.Request.username``) when known, else the settings' teacher user."""
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return str(user)
    review = getattr(settings, "review", None)
    return getattr(review, "teacher_user", None) or None


def min_support_threshold(settings: Any) -> float | None:
    """The support threshold the chain uses (to colour weak sentences), if the settings have one."""
    try:
        return float(settings.answer.min_support)
    except (AttributeError, TypeError, ValueError):
        return None


def _one_line(text: Any, width: int) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= width else s[: width - 1] + "…"


# -- the queue -----------------------------------------------------------------------------------------

def queue_rows(log_obj: AnswerLog, status: str | None = "tous", feedback: str | None = FEEDBACK_ALL,
               max_support: float | None = None, refused_only: bool = False,
               limit: int = QUEUE_LIMIT, article: str | None = ARTICLE_ALL,
               titles: dict[str, str] | None = None) -> QueueView:
    """The filtered queue, newest first (thumbs-down first with ``pouce bas d'abord``).

    ``status``: a ``STATUS_FILTERS`` label (or a raw status); ``feedback``: one of
    ``FEEDBACK_FILTERS``; ``max_support``: keep answers whose weakest sentence support is
    <= this (``None`` or >= 1: no filter; the filter drops refusals, which have no support);
    ``refused_only``: only refusals; ``article``: an ``article_filter_choices`` value (``ARTICLE_ALL``,
    ``ARTICLE_WHOLE_CORPUS`` or an article id). ``titles`` (article id -> title, the store's) names the
    articles of the « article » column. Cells are plain text (the Dataframe shows them as text).
    """
    try:
        status_key = "tous" if status in (None, "") else status
        if status_key in STATUS_FILTERS:
            wanted = STATUS_FILTERS[status_key]
        elif status_key in STATUS_FR:
            wanted = status_key
        else:
            raise ValueError(msg.REVIEW_UI_BAD_FILTER.format(
                value=status, allowed=", ".join(f"« {k} »" for k in STATUS_FILTERS)))
        fb = FEEDBACK_ALL if feedback in (None, "") else feedback
        if fb not in FEEDBACK_FILTERS:
            raise ValueError(msg.REVIEW_UI_BAD_FILTER.format(
                value=feedback, allowed=", ".join(f"« {k} »" for k in FEEDBACK_FILTERS)))
        ms = None
        if max_support not in (None, ""):
            ms = float(max_support)
            if ms >= NO_SUPPORT_FILTER:
                ms = None
        records = log_obj.list(
            status=wanted,
            feedback="down" if fb == FEEDBACK_DOWN_ONLY else None,
            refused=True if refused_only else None,
            max_support=ms,
            limit=limit + 1,
            thumbs_down_first=fb == FEEDBACK_DOWN_FIRST,
            article=_article_filter(article),
        )
    except Exception as exc:
        if not isinstance(exc, ValueError):
            log.exception("relecture : file illisible")
        return QueueView([], [], error_message(exc, log_obj), ok=False)
    truncated = len(records) > limit
    records = records[:limit]
    try:  # how often each verified answer was served again to students since
        served = log_obj.served_counts(r["id"] for r in records)
    except Exception:
        served = {}
    rows = [
        [
            format_time(r.get("time")),
            _one_line(r.get("question"), QUESTION_WIDTH),
            STATUS_FR.get(r.get("status"), str(r.get("status"))),
            FEEDBACK_FR.get(r.get("feedback"), "") if r.get("feedback") else "",
            format_support(r.get("min_support")) if r.get("min_support") is not None else "—",
            "oui" if r.get("refused") else "non",
            _served_cell(r, served),
            article_cell(r, titles),
            str(r.get("id")),
        ]
        for r in records
    ]
    template = msg.REVIEW_UI_QUEUE_COUNT_DOWN_FIRST if fb == FEEDBACK_DOWN_FIRST else msg.REVIEW_UI_QUEUE_COUNT
    message = template.format(n=len(rows))
    if truncated:
        message += msg.REVIEW_UI_QUEUE_TRUNCATED.format(limit=limit)
    return QueueView(rows, [row[ID_COLUMN] for row in rows], message)


def _article_filter(choice: str | None) -> str | None:
    """The ``AnswerLog.list`` article filter for a choice of the « Article » dropdown (None: no filter)."""
    value = "" if choice is None else str(choice).strip()
    if value in (ARTICLE_ALL, msg.UI_ALL_ARTICLES):
        return None
    return WHOLE_CORPUS if value == ARTICLE_WHOLE_CORPUS else value


def article_filter_choices(log_obj: AnswerLog, titles: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The « Article » dropdown: (label, value) for every answer, the whole corpus, then each article present in
    the log by its title (``titles``, else its id; « title » (id) when two share a title), sorted by title."""
    try:
        ids = log_obj.articles()
    except Exception:  # the filter is a help: the queue says what is wrong with the log
        log.exception("relecture : articles du journal illisibles")
        ids = []
    titles = titles or {}
    named = sorted(((titles.get(a) or a, a) for a in ids), key=lambda c: (c[0].casefold(), c[1]))
    uses = Counter(label for label, _ in named)
    return [*ARTICLE_FIXED_CHOICES, *(
        (msg.REVIEW_ARTICLE_TITLED.format(title=label, article=a) if uses[label] > 1 else label, a)
        for label, a in named)]


def _served_cell(record: dict, served: dict[str, int]) -> str:
    """« 3 » times served again; « retirée » once the verification was withdrawn; empty if never reviewed."""
    if record.get("withdrawn_time"):
        return msg.REVIEW_UI_WITHDRAWN_CELL
    if record.get("status") == "unreviewed":
        return ""
    return str(served.get(record.get("id"), 0))


def id_from_selection(index: Any, row_value: Any = None, ids: list[str] | None = None) -> str:
    """The id of a selected queue cell: from the row's id column, else from the row index."""
    if isinstance(row_value, (list, tuple)) and len(row_value) > ID_COLUMN and row_value[ID_COLUMN]:
        return clean_id(row_value[ID_COLUMN])
    row = index[0] if isinstance(index, (list, tuple)) and index else index
    try:
        row = int(row)
    except (TypeError, ValueError):
        return ""
    if ids and 0 <= row < len(ids):
        return ids[row]
    return ""


# -- one answer ----------------------------------------------------------------------------------------

def passage_choices(record: dict | None) -> list[tuple[str, str]]:
    """(label, chunk_id) for each retrieved (or cited) passage: the choices of the correction box."""
    if not record:
        return []
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    items = [(i, p) for i, p in enumerate(record.get("passages") or [], start=1)]
    items += [(c.get("n"), c) for c in record.get("citations") or [] if isinstance(c, dict)]
    for n, p in items:
        if not isinstance(p, dict) or not p.get("chunk_id"):
            continue
        chunk = str(p["chunk_id"])
        if chunk in seen:
            continue
        seen.add(chunk)
        title = " — ".join(str(x) for x in (p.get("title"), p.get("section")) if x)
        label = f"[{n}] {title} ({chunk})" if title else f"[{n}] {chunk}"
        out.append((_one_line(label, 120), chunk))
    return out


def correction_defaults(record: dict | None) -> tuple[str, list[str]]:
    """The correction box prefill: (answer text, selected chunk ids).

    An answer already corrected starts from its correction; otherwise from the served
    answer and the passages it cites.
    """
    if not record:
        return "", []
    available = {c for _, c in passage_choices(record)}
    if record.get("corrected_answer"):
        chunks = [str(c) for c in record.get("corrected_chunk_ids") or []]
        return record["corrected_answer"], [c for c in chunks if c in available]
    cited = []
    for c in record.get("citations") or []:
        if isinstance(c, dict) and c.get("chunk_id") and str(c["chunk_id"]) not in cited:
            cited.append(str(c["chunk_id"]))
    return record.get("answer") or "", [c for c in cited if c in available]


def _shown(record: dict, message: str, min_support: float | None) -> Outcome:
    return Outcome(True, message, record=record, html=render_record(record, min_support))


def show(log_obj: AnswerLog, id: Any, min_support: float | None = None) -> Outcome:
    """One answer rendered as escaped HTML (``Outcome.html``), with its record."""
    def run() -> Outcome:
        key = _check_id(id)
        rec = log_obj.get(key)
        if rec is None:
            raise KeyError(msg.REVIEW_UNKNOWN_ID.format(id=key))
        return _shown(rec, msg.REVIEW_UI_SHOWN.format(id=rec["id"]), min_support)

    return _guard(log_obj, run)


def _after(log_obj: AnswerLog, rec: dict, message: str, min_support: float | None) -> Outcome:
    full = log_obj.get(rec["id"]) or rec  # with the review events
    return _shown(full, message, min_support)


def approve(log_obj: AnswerLog, id: Any, comment: Any = None, reviewer: str | None = None,
            min_support: float | None = None) -> Outcome:
    """Mark the answer right (status ``approved``); an optional comment is kept."""
    def run():
        rec = log_obj.approve(_check_id(id), comment=_blank(comment), reviewer=reviewer)
        return _after(log_obj, rec, msg.REVIEW_APPROVED.format(id=rec["id"]), min_support)

    return _guard(log_obj, run)


def reject(log_obj: AnswerLog, id: Any, comment: Any = None, reviewer: str | None = None,
           min_support: float | None = None) -> Outcome:
    """Mark the answer wrong (status ``rejected``)."""
    def run():
        rec = log_obj.reject(_check_id(id), comment=_blank(comment), reviewer=reviewer)
        return _after(log_obj, rec, msg.REVIEW_REJECTED.format(id=rec["id"]), min_support)

    return _guard(log_obj, run)


def withdraw(log_obj: AnswerLog, id: Any, comment: Any = None, reviewer: str | None = None,
             min_support: float | None = None) -> Outcome:
    """Withdraw the verification: the answer is no longer served again to students."""
    def run():
        rec = log_obj.withdraw(_check_id(id), comment=_blank(comment), reviewer=reviewer)
        return _after(log_obj, rec, msg.REVIEW_WITHDRAWN.format(id=rec["id"]), min_support)

    return _guard(log_obj, run)


def correct(log_obj: AnswerLog, id: Any, answer: Any, chunk_ids: Any = None, comment: Any = None,
            reviewer: str | None = None, min_support: float | None = None,
            proves: Callable[[dict], bool] | None = None) -> Outcome:
    """Store the expected answer and the passages that justify it (status ``corrected``). ``proves`` (the
    service's ``rag.verified.servable``): when it says the chosen passages do not prove the correction, the
    message warns that students will not be served it."""
    def run():
        if isinstance(chunk_ids, str):
            chunks = [c.strip() for c in chunk_ids.split(",") if c.strip()]
        else:
            chunks = [str(c) for c in (chunk_ids or []) if str(c).strip()]
        rec = log_obj.correct(_check_id(id), "" if answer is None else str(answer), chunk_ids=chunks,
                              comment=_blank(comment), reviewer=reviewer)
        message = msg.REVIEW_CORRECTED.format(id=rec["id"])
        if proves is not None and not _proven(proves, rec):
            message += " " + msg.REVIEW_CORRECTION_UNPROVEN
        return _after(log_obj, rec, message, min_support)

    return _guard(log_obj, run)


def _proven(proves: Callable[[dict], bool], rec: dict) -> bool:
    """The check itself failing (store down) says nothing against the correction."""
    try:
        return bool(proves(rec))
    except Exception:
        log.warning("correction %s non vérifiée contre ses passages", rec.get("id"), exc_info=True)
        return True


def comment(log_obj: AnswerLog, id: Any, text: Any, reviewer: str | None = None,
            min_support: float | None = None) -> Outcome:
    """Add a teacher comment without changing the status."""
    def run():
        rec = log_obj.comment(_check_id(id), "" if text is None else str(text), reviewer=reviewer)
        return _after(log_obj, rec, msg.REVIEW_COMMENTED.format(id=rec["id"]), min_support)

    return _guard(log_obj, run)


def export(log_obj: AnswerLog, fmt: str, include_unreviewed: bool = False,
           out_dir: str | Path | None = None) -> Outcome:
    """Write the reviewed answers (all with ``include_unreviewed``) to a new file; ``Outcome.path``.

    The file goes to ``out_dir`` or a fresh directory under the system temp dir (where
    Gradio may serve it from), named ``kalan-relecture-<UTC time>.<fmt>``.
    """
    def run():
        if fmt not in ("csv", "jsonl"):
            raise ValueError(msg.REVIEW_BAD_FORMAT.format(value=fmt))
        folder = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="kalan-relecture-"))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        target = folder / f"kalan-relecture-{stamp}.{fmt}"
        n = log_obj.export(fmt, target, statuses=None if include_unreviewed else REVIEWED)
        message = msg.REVIEW_EXPORTED.format(n=n, path=target.name)
        if n == 0:
            message = msg.REVIEW_UI_EXPORT_EMPTY.format(fmt=fmt.upper())
        return Outcome(True, message, path=str(target), extra={"count": n})

    return _guard(log_obj, run)


def promote(log_obj: AnswerLog, id: Any, set_path: str | Path) -> Outcome:
    """Append (or replace) the reviewed answer's evaluation case in ``set_path``; ``Outcome.case``."""
    def run():
        target = Path(set_path)
        case = log_obj.promote(_check_id(id), target)
        return Outcome(True, msg.REVIEW_PROMOTED.format(case_id=case["id"], path=target), case=case)

    return _guard(log_obj, run)
