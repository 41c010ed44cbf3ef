"""Guided mode (« Guide-moi ») and suggested questions in the student chat, as plain functions.

Scope: a guided question (``guided_start``: the normal answer path, logged like any answer, shown as hint 1 or
as the same refusal), the second hint (``guided_hint``), the student's answer and the verdict with the quote
(``guided_answer``), and the HTML of these messages. The pending guided question lives in the session dict
(server side, ``session["guided"]``): the expected answer never reaches the browser before the verdict.
Hints, cloze and check come from ``kalan.study.guided``; Gradio wiring is in ``kalan.ui.app``.
"""

from __future__ import annotations

import logging

from kalan.rag import messages as msg
from kalan.study import messages as sm
from kalan.study.guided import check, hints, target_of
from kalan.ui import render

log_ = logging.getLogger(__name__)


def _hint_html(hint: dict, last: bool) -> str:
    if hint["level"] == 2:
        before, _, after = hint["cloze"].partition(sm.BLANK)
        cloze = f'{render.esc(before)}<span class="kalan-blank">{sm.BLANK}</span>{render.esc(after)}'
        body = f'{render.esc(sm.GUIDED_HINT2_LEAD)} « <span class="kalan-cloze">{cloze}</span> »'
    else:
        body = render.esc(hint["text"])
    prompt = f'<p class="kalan-guided-ask">{render.esc(sm.GUIDED_ASK_ANSWER if not last else sm.GUIDED_ASK_LAST)}</p>'
    return f'<div class="kalan-answer kalan-guided kalan-hint-{hint["level"]}"><p>{body}</p>{prompt}</div>'


def verdict_html(result: dict, target) -> str:
    """« Bravo, c'est juste » or « Ce n'est pas ça », then the whole quote with the expected part marked."""
    head = (sm.GUIDED_RIGHT if result["correct"] else sm.GUIDED_WRONG).format(expected=result["expected"])
    if not result["given"]:
        head = sm.GUIDED_EMPTY
    cls = "kalan-right" if result["correct"] else "kalan-wrong"
    c = result["citation"]
    where = " — ".join(x for x in (c.get("title"), c.get("section")) if x)
    return (f'<div class="kalan-answer kalan-verdict {cls}"><p>{render.esc(head)}</p>'
            f'<blockquote class="kalan-passage">{render.highlight(target.sentence, [(target.start, target.end)])}'
            f'</blockquote><p class="kalan-source-section">{render.esc(where)}</p></div>')


def guided_start(service, log, question: str, messages: list | None, session: dict,
                 titles=()) -> list[dict]:
    """Ask through the normal answer path; show hint 1 (and keep the answer pending) or the refusal."""
    out = list(messages or [])
    out.append({"role": "user", "content": render.user_html(question)})
    turns = list(session.get("turns") or [])
    article = session.get("article")
    answer = service.chain.ask(question, turns, article)
    log_id = None
    if log is not None:
        try:
            log_id = log.record(answer, session["id"], [list(t) for t in turns], source="ui", article=article)
        except Exception:  # logging must never cost the student an answer
            log_.exception("réponse guidée non journalisée")
    index = len(out)
    session.setdefault("answers", {})[str(index)] = {"log_id": log_id, "feedback": None, "comment": None}
    target = target_of(answer)
    if target is None:  # refused: exactly the normal refusal
        session["guided"] = None
        session["last_answer"] = answer
        return out + render.assistant_messages(answer, titles)
    session["guided"] = {"answer": answer, "shown": 1}
    out.append({"role": "assistant", "content": _hint_html(hints(answer, target)[0], last=False)})
    return out


def guided_hint(messages: list | None, session: dict) -> list[dict]:
    """Show hint 2 (the cloze) of the pending guided question; nothing changes when none is pending."""
    out = list(messages or [])
    pending = session.get("guided")
    if not pending or pending.get("shown", 1) >= 2:
        return out
    answer = pending["answer"]
    pending["shown"] = 2
    out.append({"role": "assistant", "content": _hint_html(hints(answer, target_of(answer))[1], last=True)})
    return out


def guided_answer(messages: list | None, session: dict, given: str) -> tuple[list[dict], dict | None]:
    """The student's answer to the pending question: the verdict with the quote. Returns (messages, answer)."""
    out = list(messages or [])
    pending = session.get("guided")
    if not pending:
        return out, None
    given = (given or "").strip()
    answer = pending["answer"]
    target = target_of(answer)
    if not given:  # nothing typed: say so, keep the question pending
        out.append({"role": "assistant", "content": render.error_html(sm.GUIDED_EMPTY)})
        return out, None
    result = check(target, given)
    out.append({"role": "user", "content": render.user_html(given)})
    out.append({"role": "assistant", "content": verdict_html(result, target)})
    session["guided"] = None
    session["last_answer"] = answer
    session["turns"] = (session.get("turns") or [])[-11:] + [[str(answer.get("question") or ""),
                                                               str(answer.get("answer") or "")]]
    return out, answer


def pending(session: dict | None) -> bool:
    return bool(session and session.get("guided"))


def placeholder(session: dict | None) -> str:
    return sm.GUIDED_ANSWER_PLACEHOLDER if pending(session) else msg.UI_QUESTION_PLACEHOLDER
