"""The student chat's behaviour as plain functions, testable without a server.

Scope: one question → a stream of chat states (``respond``), the thumbs up / down
and the optional comment on an answer (``rate``, ``comment``), the per-browser
session (``new_session``) and the JSON answer of the ``/ask`` API (``ask_api``).
Gradio only wires these to components (``kalan.ui.app``).

Sessions: each browser tab gets its own session dict held in a ``gr.State``
(server-side, never sent to the browser): an unguessable id from
``secrets.token_urlsafe`` (stored with every logged answer; feedback is only
accepted for answers logged under the same id), the conversation turns used as
history for follow-up questions, and the log id of every answer shown.

Errors never reach the student as a traceback: ``QuestionError`` and store
errors carry a French message shown in the chat; anything else is logged and
replaced by a polite French message.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kalan.rag import messages as msg
from kalan.rag.guards import QuestionError, check_history
from kalan.ui import render

log_ = logging.getLogger(__name__)

MAX_TURNS = 12  # turns kept per session as history (the chain itself uses the last few)


@dataclass
class Step:
    """One state of the chat while an answer is produced.

    ``messages``: the whole chat (Gradio messages format); ``done`` on the last step, which
    also carries the ``answer`` dict (None on error), its ``log_id`` (None if not logged)
    and ``answer_index``, the position of the answer message in ``messages``.
    """

    messages: list[dict]
    done: bool = False
    answer: dict | None = None
    log_id: str | None = None
    answer_index: int | None = None
    error: str | None = None
    extra: dict = field(default_factory=dict)


def new_session() -> dict:
    """A fresh session: unguessable id, no turns, no rated answer."""
    return {"id": secrets.token_urlsafe(32), "turns": [], "answers": {}, "rated": None}


def ensure_session(session: dict | None) -> dict:
    if not isinstance(session, dict) or not session.get("id"):
        return new_session()
    return session


def store_errors() -> tuple[type[BaseException], ...]:
    """The store errors a handler answers in French (empty store, server away) instead of failing."""
    try:
        from kalan.rag.store import StoreEmpty, StoreUnavailable

        return (StoreEmpty, StoreUnavailable)
    except Exception:  # pragma: no cover - the store module always imports in practice
        return ()


def _safe_titles(service, titles: Sequence[str] | None) -> list[str]:
    if titles is not None:
        return list(titles)
    try:
        return list(service.titles())
    except Exception:  # a hint is never worth an error
        return []


def respond(service, log, question: str, history_messages: list | None, session_id: str,
            turns: list | None = None, titles: Sequence[str] | None = None,
            article: str | None = None) -> Iterator[Step]:
    """Answer ``question``, yielding the chat as it grows, and log the answer at the end; ``article``: the id of
    the article the student chose to study (the answer reads it only), None for every article.

    ``history_messages`` is the chat so far (shown, never sent to the chain); ``turns`` the
    (question, answer) pairs of this session, the history the chain condenses follow-ups with.
    The assistant message grows with each delta (markers arrive whole: the chain holds them
    back); the last step replaces it by the final rendering and adds the collapsed sources.
    """
    messages = list(history_messages or [])
    if question is not None and str(question).strip():
        messages.append({"role": "user", "content": render.user_html(question)})
    answer_index = len(messages)
    messages.append({"role": "assistant", "content": render.thinking_html()})
    yield Step(list(messages))

    answer: dict | None = None
    text = ""
    try:
        for event in service.chain.stream(question, list(turns or []), article):
            if event.get("type") == "delta" and event.get("text"):
                text += event["text"]
                messages[answer_index] = {"role": "assistant", "content": render.answer_html(text, streaming=True)}
                yield Step(list(messages))
            elif event.get("type") == "final":
                answer = event["answer"]
    except QuestionError as exc:
        yield _error_step(messages, answer_index, str(exc))
        return
    except store_errors() as exc:
        log_.warning("base de passages indisponible : %s", exc)
        yield _error_step(messages, answer_index, str(exc))
        return
    except Exception:
        log_.exception("erreur pendant la réponse à une question")
        yield _error_step(messages, answer_index, msg.UI_ERROR)
        return
    if answer is None:  # a stream without a final event: treat as an internal error
        log_.error("flux de réponse terminé sans réponse finale")
        yield _error_step(messages, answer_index, msg.UI_ERROR)
        return

    log_id = None
    if log is not None:
        try:
            log_id = log.record(answer, session_id, [list(t) for t in (turns or [])], source="ui", article=article)
        except Exception:  # logging must never cost the student an answer
            log_.exception("réponse non journalisée")
    final = messages[:answer_index] + render.assistant_messages(answer, _safe_titles(service, titles))
    yield Step(final, done=True, answer=answer, log_id=log_id, answer_index=answer_index)


def _error_step(messages: list[dict], index: int, message: str) -> Step:
    out = list(messages)
    out[index] = {"role": "assistant", "content": render.error_html(message)}
    return Step(out, done=True, error=message, answer_index=index)


def remember(session: dict, question: str, step: Step) -> dict:
    """Record a finished step in the session: the turn (for follow-ups) and the answer's log id."""
    if step.answer is not None:
        session["turns"] = (session.get("turns") or [])[-(MAX_TURNS - 1):] + [
            [str(question), str(step.answer.get("answer") or "")]
        ]
        session.setdefault("answers", {})[str(step.answer_index)] = {
            "log_id": step.log_id, "feedback": None, "comment": None,
        }
    return session


def _entry_for(session: dict, index) -> tuple[str | None, dict | None]:
    """The logged answer a chat message belongs to (the answer itself or its sources message)."""
    answers = session.get("answers") or {}
    try:
        i = int(index[0] if isinstance(index, (list, tuple)) else index)
    except (TypeError, ValueError, IndexError):
        return None, None
    candidates = [int(k) for k in answers if int(k) <= i]
    if not candidates:
        return None, None
    key = str(max(candidates))
    if i - int(key) > 1:  # index of a later message that is not this answer's sources
        return None, None
    return key, answers[key]


def _feedback_value(liked) -> str | None:
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    if isinstance(liked, str) and liked.lower() in ("like", "up"):
        return "up"
    if isinstance(liked, str) and liked.lower() in ("dislike", "down"):
        return "down"
    return None  # "" / None: the student removed the thumb


def rate(log, session: dict, index, liked) -> str:
    """A thumb on the answer at chat ``index`` (``liked``: True, False, or ""/None to remove it).

    Returns the French line shown to the student.
    """
    key, entry = _entry_for(session or {}, index)
    if entry is None or not entry.get("log_id") or log is None:
        return msg.UI_FEEDBACK_UNKNOWN
    value = _feedback_value(liked)
    try:
        log.set_feedback(entry["log_id"], value, entry.get("comment"), session_id=session["id"])
    except (KeyError, PermissionError) as exc:
        return exc.args[0] if exc.args and isinstance(exc.args[0], str) else msg.UI_FEEDBACK_UNKNOWN
    except Exception as exc:
        log_.exception("avis non enregistré")
        return msg.UI_FEEDBACK_FAILED.format(error=type(exc).__name__)
    entry["feedback"] = value
    session["rated"] = key
    return {"up": msg.UI_FEEDBACK_UP, "down": msg.UI_FEEDBACK_DOWN}.get(value, msg.UI_FEEDBACK_CLEARED)


def comment(log, session: dict, text: str | None) -> str:
    """An optional comment on the last answer the student rated (the thumb is kept)."""
    if not (text or "").strip():
        return msg.REVIEW_EMPTY_COMMENT
    key = (session or {}).get("rated")
    entry = (session.get("answers") or {}).get(key) if key is not None else None
    if entry is None or not entry.get("log_id") or log is None:
        return msg.UI_COMMENT_NOTHING
    try:
        log.set_feedback(entry["log_id"], entry.get("feedback"), text.strip(), session_id=session["id"])
    except (KeyError, PermissionError) as exc:
        return exc.args[0] if exc.args and isinstance(exc.args[0], str) else msg.UI_FEEDBACK_UNKNOWN
    except Exception as exc:
        log_.exception("commentaire non enregistré")
        return msg.UI_FEEDBACK_FAILED.format(error=type(exc).__name__)
    entry["comment"] = text.strip()
    return msg.UI_COMMENT_SAVED


def parse_history(history) -> list[list[str]]:
    """``/ask`` history: a list (or JSON string) of [question, answer] pairs or {question, answer} dicts."""
    import json

    if history is None or history == "":
        return []
    if isinstance(history, str):
        try:
            history = json.loads(history)
        except ValueError as exc:
            raise QuestionError(msg.UI_BAD_HISTORY.format(error=exc)) from exc
    out: list[list[str]] = []
    for turn in history if isinstance(history, list) else []:
        if isinstance(turn, (list, tuple)) and len(turn) >= 2:
            out.append([str(turn[0] or ""), str(turn[1] or "")])
        elif isinstance(turn, dict) and turn.get("question"):
            out.append([str(turn["question"]), str(turn.get("answer") or "")])
    return out


def ask_api(service, log, question: str, history=None, limits=None, suggester=None, article=None) -> dict:
    """The ``/ask`` endpoint: the answer dict (logged with ``source="api"``). ``article``: an article id or exact
    title the answer reads only (``KalanService.article_id``); None or empty: every article.

    Raises ``QuestionError`` (French message) for an empty / over-long question or a bad
    history, or one of more turns or longer turns than ``limits`` (``settings.answer``:
    ``max_history_turns``, ``max_history_chars``) allow; ``suggester`` (``kalan.study.suggest``) adds the
    ``suggestions`` (from the same article); store errors propagate with their
    French message (the app turns both into ``gr.Error``).
    """
    turns = parse_history(history)
    if limits is not None:
        check_history(turns, limits.max_history_turns, limits.max_history_chars)
    article = service.article_id(article)
    answer = service.ask(question, turns, article)
    if log is not None:
        try:
            answer["log_id"] = log.record(answer, "api-" + secrets.token_urlsafe(16), turns, source="api",
                                          article=article)
        except Exception:
            log_.exception("réponse de l'API non journalisée")
    if suggester is not None:
        suggester.add_to(answer, article)
    return answer
