"""kalan.ui.handlers with a fake service and a real AnswerLog: streaming, logging, feedback, errors."""

from __future__ import annotations

import json

import pytest

from kalan.rag import messages as msg
from kalan.rag.guards import QuestionError
from kalan.ui import handlers


def run(service, log, question, session, history_messages=None):
    steps = list(handlers.respond(service, log, question, history_messages or [], session["id"],
                                  session["turns"], service.titles()))
    handlers.remember(session, question, steps[-1])
    return steps


def test_session_ids_are_unguessable_and_distinct():
    a, b = handlers.new_session(), handlers.new_session()
    assert a["id"] != b["id"] and len(a["id"]) >= 40
    assert handlers.ensure_session(None)["id"] and handlers.ensure_session(a) is a


def test_the_chosen_article_goes_to_the_chain(make_service, answer_log):
    """The article a student picked (its id in the session) scopes the answer; none: the chain is asked as before."""
    service = make_service()
    session = handlers.new_session()
    list(handlers.respond(service, answer_log, "Combien ça coûte ?", [], session["id"], [], (), "rail-dakar-bamako"))
    list(handlers.respond(service, answer_log, "Combien ça coûte ?", [], session["id"], [], ()))
    assert service.chain.calls == [("Combien ça coûte ?", [], "rail-dakar-bamako"), ("Combien ça coûte ?", [])]


def test_the_chosen_article_is_logged_with_the_answer(make_service, answer_log):
    """The teacher reads which article the student asked within, from the chat and from the API; none: NULL (the
    whole corpus)."""
    service = make_service()
    session = handlers.new_session()
    scoped = list(handlers.respond(service, answer_log, "Combien ?", [], session["id"], [], (), "mali-russie-65-ans"))
    whole = list(handlers.respond(service, answer_log, "Combien ?", [], session["id"], [], ()))
    assert answer_log.get(scoped[-1].log_id)["article"] == "mali-russie-65-ans"
    assert answer_log.get(whole[-1].log_id)["article"] is None
    api = handlers.ask_api(service, answer_log, "Combien ?", None, None, None, "mali-russie-65-ans")
    assert answer_log.get(api["log_id"])["article"] == "mali-russie-65-ans"
    assert answer_log.get(handlers.ask_api(service, answer_log, "Combien ?", None, None, None, "")["log_id"])[
        "article"] is None


def test_streaming_grows_then_ends_with_sources(make_service, answer_log):
    service = make_service()
    session = handlers.new_session()
    steps = run(service, answer_log, "Qui a écrit à Sergueï Lavrov ?", session)

    assert steps[0].messages[0] == {"role": "user", "content": "Qui a écrit à Sergueï Lavrov ?"}
    assert msg.UI_THINKING in steps[0].messages[1]["content"]
    streamed = [s.messages[1]["content"] for s in steps[1:-1]]
    assert len(streamed) >= 3
    lengths = [len(c) for c in streamed]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]  # the text grows
    assert all("kalan-cursor" in c for c in streamed)

    last = steps[-1]
    assert last.done and last.answer_index == 1 and last.log_id
    assert len(last.messages) == 3
    assert "[1]" in last.messages[1]["content"] and "kalan-cursor" not in last.messages[1]["content"]
    sources = last.messages[2]
    assert sources["metadata"]["title"].startswith("Sources (1)") and sources["metadata"]["status"] == "done"
    assert "<mark>Le ministre Abdoulaye Diop a adressé un message à Sergueï Lavrov.</mark>" in sources["content"]

    rec = answer_log.get(last.log_id)
    assert rec["session_id"] == session["id"] and rec["source"] == "ui"
    assert rec["question"] == "Qui a écrit à Sergueï Lavrov ?"
    assert session["turns"] == [["Qui a écrit à Sergueï Lavrov ?", last.answer["answer"]]]


def test_follow_up_gets_history_and_previous_messages_are_kept(make_service, answer_log):
    service = make_service()
    session = handlers.new_session()
    first = run(service, answer_log, "Qui a écrit à Sergueï Lavrov ?", session)[-1]
    second = run(service, answer_log, "Et que saluait-il ?", session, first.messages)[-1]
    assert service.chain.calls[-1] == ("Et que saluait-il ?", [["Qui a écrit à Sergueï Lavrov ?", first.answer["answer"]]])
    assert second.messages[:3] == first.messages and second.answer_index == 4
    assert answer_log.get(second.log_id)["history"] == [["Qui a écrit à Sergueï Lavrov ?", first.answer["answer"]]]


def test_question_with_markup_is_shown_as_text(make_service, answer_log):
    q = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> <style>*{}</style> Lavrov ?'
    steps = run(make_service(), answer_log, q, handlers.new_session())
    user = steps[-1].messages[0]["content"]
    assert "<img" not in user and "<script" not in user and "<style" not in user
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in user
    assert answer_log.get(steps[-1].log_id)["question"] == q  # the log keeps what was typed


def test_answer_and_passage_markup_escaped(make_service, make_answer, answer_log):
    passage = "<script>alert(1)</script> Diop a écrit à Lavrov. <img src=x onerror=alert(1)>"
    answer = make_answer(passage=passage, quote="Diop a écrit à Lavrov.", text="<style>x</style> Diop [1]")
    last = run(make_service(answer=answer), answer_log, "Qui ?", handlers.new_session())[-1]
    html = "".join(m["content"] for m in last.messages)
    for raw in ("<script", "<img", "<style"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_refusal_has_no_sources(make_service, make_answer, answer_log):
    service = make_service(answer=make_answer(refused=True))
    last = run(service, answer_log, "Quelle est la capitale de l'Australie ?", handlers.new_session())[-1]
    assert len(last.messages) == 2
    assert "kalan-refusal" in last.messages[1]["content"] and "Sources" not in json.dumps(last.messages)
    assert answer_log.get(last.log_id)["refused"] is True


@pytest.mark.parametrize("question,expected", [("   ", msg.QUESTION_EMPTY), ("x" * 1001, "trop longue")])
def test_question_error_is_a_french_message(make_service, answer_log, question, expected):
    steps = run(make_service(), answer_log, question, handlers.new_session())
    last = steps[-1]
    assert last.done and last.error and expected in last.error
    assert "kalan-error" in last.messages[-1]["content"] and "Traceback" not in last.messages[-1]["content"]
    assert last.log_id is None and answer_log.count() == 0


def test_store_error_and_bug_are_polite(make_service, answer_log):
    from kalan.rag.store import StoreEmpty

    last = run(make_service(error=StoreEmpty(msg.STORE_EMPTY)), answer_log, "Qui ?", handlers.new_session())[-1]
    assert msg.STORE_EMPTY in last.error
    last = run(make_service(error=RuntimeError("boom /secret/path")), answer_log, "Qui ?", handlers.new_session())[-1]
    assert last.error == msg.UI_ERROR and "boom" not in json.dumps(last.messages)


def test_log_failure_still_answers(make_service):
    class BrokenLog:
        def record(self, *a, **k):
            raise RuntimeError("disque plein")

    last = run(make_service(), BrokenLog(), "Qui ?", handlers.new_session())[-1]
    assert last.answer and last.log_id is None and len(last.messages) == 3
    assert handlers.rate(BrokenLog(), {"id": "s", "answers": {"1": {"log_id": None}}}, 1, False) == msg.UI_FEEDBACK_UNKNOWN


def test_feedback_and_comment_stored_for_the_right_session(make_service, answer_log):
    service = make_service()
    session = handlers.new_session()
    last = run(service, answer_log, "Qui a écrit à Sergueï Lavrov ?", session)[-1]

    assert handlers.comment(answer_log, session, "rien noté") == msg.UI_COMMENT_NOTHING
    assert handlers.rate(answer_log, session, last.answer_index, False) == msg.UI_FEEDBACK_DOWN
    rec = answer_log.get(last.log_id)
    assert rec["feedback"] == "down" and rec["session_id"] == session["id"]

    assert handlers.comment(answer_log, session, "  La date manque.  ") == msg.UI_COMMENT_SAVED
    rec = answer_log.get(last.log_id)
    assert rec["feedback"] == "down" and rec["feedback_comment"] == "La date manque."

    # a thumb on the sources message (grouped with its answer) rates the same answer, comment kept
    assert handlers.rate(answer_log, session, last.answer_index + 1, True) == msg.UI_FEEDBACK_UP
    rec = answer_log.get(last.log_id)
    assert rec["feedback"] == "up" and rec["feedback_comment"] == "La date manque."
    assert handlers.rate(answer_log, session, last.answer_index, "") == msg.UI_FEEDBACK_CLEARED
    assert answer_log.get(last.log_id)["feedback"] is None
    assert handlers.comment(answer_log, session, "   ") == msg.REVIEW_EMPTY_COMMENT


def test_feedback_refused_for_another_session(make_service, answer_log):
    owner = handlers.new_session()
    last = run(make_service(), answer_log, "Qui ?", owner)[-1]
    intruder = handlers.new_session()
    intruder["answers"] = {str(last.answer_index): {"log_id": last.log_id, "feedback": None, "comment": None}}
    assert handlers.rate(answer_log, intruder, last.answer_index, False) == msg.REVIEW_FEEDBACK_FORBIDDEN
    assert answer_log.get(last.log_id)["feedback"] is None


def test_feedback_on_unknown_message(make_service, answer_log):
    session = handlers.new_session()
    assert handlers.rate(answer_log, session, 0, True) == msg.UI_FEEDBACK_UNKNOWN
    run(make_service(), answer_log, "Qui ?", session)
    assert handlers.rate(answer_log, session, 0, True) == msg.UI_FEEDBACK_UNKNOWN  # the user's message
    assert handlers.rate(answer_log, session, 7, True) == msg.UI_FEEDBACK_UNKNOWN


def test_ask_api_parses_history_and_logs(make_service, answer_log):
    service = make_service()
    history = [["Qui a écrit à Lavrov ?", "Diop [1]"]]
    for h in (history, json.dumps(history), [{"question": "Qui a écrit à Lavrov ?", "answer": "Diop [1]"}]):
        out = handlers.ask_api(service, answer_log, "Et quand ?", h)
        assert service.chain.calls[-1][1] == history
        rec = answer_log.get(out["log_id"])
        assert rec["source"] == "api" and rec["history"] == history and rec["session_id"].startswith("api-")
    assert handlers.ask_api(service, None, "Qui ?", None)["answer"]
    assert handlers.ask_api(service, None, "Qui ?", "")["answer"]
    with pytest.raises(QuestionError, match="Historique illisible"):
        handlers.ask_api(service, None, "Qui ?", "[pas du json")
    with pytest.raises(QuestionError):
        handlers.ask_api(service, answer_log, "  ", None)


def test_ask_api_refuses_a_history_over_the_limits_and_names_them(make_service, answer_log, settings):
    """Issue 18: 12 turns of 1 MB were accepted and stored; the message spoke of the question's length."""
    service = make_service()
    limits = settings.answer
    turn = ["Qui a écrit à Lavrov ?", "Diop [1]"]
    handlers.ask_api(service, answer_log, "Et quand ?", [turn] * limits.max_history_turns, limits)  # at the limit
    too_many = [turn] * (limits.max_history_turns + 1)
    huge = [turn, ["Et après ?", "x" * 1_000_000]]
    with pytest.raises(QuestionError) as many:
        handlers.ask_api(service, answer_log, "Et quand ?", too_many, limits)
    with pytest.raises(QuestionError) as long:
        handlers.ask_api(service, answer_log, "Et quand ?", json.dumps(huge), limits)
    assert f"maximum {limits.max_history_turns}" in str(many.value) and "13 échanges" in str(many.value)
    assert f"maximum {limits.max_history_chars}" in str(long.value) and "n° 2" in str(long.value)
    for exc in (many, long):
        assert "historique" in str(exc.value) and "question est trop longue" not in str(exc.value)
    assert len(service.chain.calls) == 1 and answer_log.count() == 1  # refused before answering or logging


def test_the_log_stores_a_bounded_history(tmp_path, make_answer):
    from kalan.db.answer_log import AnswerLog

    with AnswerLog(str(tmp_path / "b.sqlite3"), max_history_turns=3, max_history_chars=100) as log:
        history = [[f"question {i}", "r" * 1_000_000] for i in range(12)] + [{"role": "user", "content": "c" * 500}]
        rec = log.get(log.record(make_answer(), "s", history))
    assert len(rec["history"]) == 3 and rec["history"][0][0] == "question 10"
    assert all(len(json.dumps(t, ensure_ascii=False)) < 200 for t in rec["history"])
    assert rec["history"][-1]["content"].startswith("ccc") and rec["history"][-1]["content"].endswith("…")


def test_build_app_wires_the_page(make_service, answer_log, settings):
    from kalan.ui.app import build_app

    demo = build_app(make_service(), answer_log, settings)
    config = demo.get_config_file()
    api_names = [d.get("api_name") for d in config["dependencies"] if d.get("api_visibility", "public") == "public"]
    assert api_names == ["ask", "ask_in_article"]
    pick = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "kalan-article")
    assert [c[1] for c in pick["props"]["choices"]] == ["", "mali-russie-65-ans"]  # « Tous les articles », then each
    chat = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "kalan-chat")
    assert chat["props"]["render_markdown"] is False and chat["props"]["sanitize_html"] is True
    assert demo.title == "Kalan"
    assert demo._queue.max_size == settings.ui.max_queue
    assert demo._queue.default_concurrency_limit == settings.ui.concurrency_limit


def test_a_question_sent_while_suggestions_are_computed_is_not_dropped(make_service, answer_log, settings):
    """The answer event keeps running while it computes the answer's suggestions; a question sent meanwhile must
    wait for it (« always_last »), not be dropped (Gradio's default « once »)."""
    from kalan.ui.app import build_app

    demo = build_app(make_service(), answer_log, settings)
    config = demo.get_config_file()
    ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    asking = [d for d in config["dependencies"]
              if any(ids.get(t[0]) in ("kalan-question", "kalan-send") and t[1] in ("submit", "click")
                     for t in d["targets"])]
    assert {ids[t[0]] for d in asking for t in d["targets"]} >= {"kalan-question"}
    assert asking and all(d["trigger_mode"] == "always_last" for d in asking)


def test_choosing_an_article_shows_its_own_examples(make_service, settings, monkeypatch):
    """« Article étudié » changed: the example buttons show questions from that article (checked within it), and
    questions over every article again for « Tous les articles »; the session is set first, without the queue."""
    from types import SimpleNamespace

    from kalan.ui import app

    class Suggest:
        def examples(self, n, article=None):
            return [f"Exemple {article or 'tous'} {i} ?" for i in range(n)]

    monkeypatch.setattr(app, "_suggester", lambda service, settings: Suggest())
    service = make_service()
    service.store = SimpleNamespace(count=lambda: 1)
    demo = app.build_app(service, None, settings)
    fns = {getattr(f.fn, "__name__", ""): f for f in demo.fns.values()}
    pick, follow = fns["on_article"], fns["on_article_examples"]
    assert follow.trigger_after == next(k for k, f in demo.fns.items() if f is pick) and not pick.queue
    assert [c.elem_id for c in follow.inputs] == ["kalan-article"]
    assert [c.elem_id for c in follow.outputs] == ["kalan-examples"] + [f"kalan-example-{i}" for i in range(4)]

    shown = follow.fn("article-1")
    assert shown[0]["visible"] is True
    assert [u["value"] for u in shown[1:]] == [f"Exemple article-1 {i} ?" for i in range(4)]
    assert [u["value"] for u in follow.fn("")[1:]] == [f"Exemple tous {i} ?" for i in range(4)]
    assert follow.fn("") == fns["on_load"].fn()
