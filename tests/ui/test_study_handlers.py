"""Guided mode in the chat, without a server: hint 1, hint 2, the student's answer, the verdict with the quote."""

from __future__ import annotations

from kalan.study import messages as sm
from kalan.ui import render, study_handlers as sh
from kalan.ui.handlers import new_session


def _service(make_service, make_answer, **kw):
    return make_service(answer=dict(make_answer(**kw), short_answer="Abdoulaye Diop"))


def test_guided_round_right_answer(make_service, make_answer, answer_log):
    svc = _service(make_service, make_answer)
    session = new_session()
    shown = sh.guided_start(svc, answer_log, "Qui a écrit à Sergueï Lavrov ?", [], session)
    assert sh.pending(session) and sh.placeholder(session) == sm.GUIDED_ANSWER_PLACEHOLDER
    assert "kalan-hint-1" in shown[-1]["content"] and "Diop" not in shown[-1]["content"]
    assert "Une coopération renouvelée" in shown[-1]["content"]  # the section
    assert answer_log.get(session["answers"]["1"]["log_id"]) is not None  # logged like any answer
    shown = sh.guided_hint(shown, session)
    assert "kalan-hint-2" in shown[-1]["content"] and sm.BLANK in shown[-1]["content"]
    assert "Diop" not in shown[-1]["content"]
    assert sh.guided_hint(shown, session) == shown  # no third hint
    shown, answer = sh.guided_answer(shown, session, "abdoulaye diop")
    assert answer is not None and not sh.pending(session)
    verdict = shown[-1]["content"]
    assert "kalan-right" in verdict and "<mark>Abdoulaye Diop</mark>" in verdict and "Lavrov" in verdict
    assert session["turns"][-1][0] == "Qui a écrit à Sergueï Lavrov ?"


def test_a_guided_question_is_logged_with_the_chosen_article(make_service, make_answer, answer_log):
    svc = _service(make_service, make_answer)
    session = dict(new_session(), article="mali-russie-65-ans")
    sh.guided_start(svc, answer_log, "Qui a écrit à Sergueï Lavrov ?", [], session)
    assert svc.chain.calls[-1][-1] == "mali-russie-65-ans"
    assert answer_log.get(session["answers"]["1"]["log_id"])["article"] == "mali-russie-65-ans"


def test_guided_wrong_and_empty_answers(make_service, make_answer, answer_log):
    svc = _service(make_service, make_answer)
    session = new_session()
    shown = sh.guided_start(svc, answer_log, "Qui a écrit à Sergueï Lavrov ?", [], session)
    shown, answer = sh.guided_answer(shown, session, "   ")
    assert answer is None and sh.pending(session) and render.esc(sm.GUIDED_EMPTY) in shown[-1]["content"]
    shown, answer = sh.guided_answer(shown, session, "Lavrov")
    assert "kalan-wrong" in shown[-1]["content"] and "Abdoulaye Diop" in shown[-1]["content"]


def test_guided_refusal_is_the_normal_refusal(make_service, make_answer, answer_log):
    refused = make_answer(question="Quelle est la capitale de l'Australie ?", refused=True)
    svc = make_service(answer=refused)
    session = new_session()
    shown = sh.guided_start(svc, answer_log, refused["question"], [], session, titles=["Un titre"])
    assert not sh.pending(session) and "kalan-refusal" in shown[-1]["content"]
    assert refused["answer"] in shown[-1]["content"].replace("&#x27;", "'")


def test_markup_in_the_student_answer_is_text(make_service, make_answer, answer_log):
    svc = _service(make_service, make_answer)
    session = new_session()
    shown = sh.guided_start(svc, answer_log, "Qui a écrit à Sergueï Lavrov ?", [], session)
    shown, _ = sh.guided_answer(shown, session, "<img src=x onerror=alert(1)>")
    assert "<img" not in shown[-2]["content"] and "&lt;img" in shown[-2]["content"]


def test_api_answers_carry_suggestions(make_service, answer_log):
    from kalan.ui.handlers import ask_api

    class Suggest:
        def add_to(self, answer, article=None):
            answer["suggestions"] = ["Qui est Mariam Touré ?"] if article is None else [f"Dans {article} ?"]
            return answer

    answer = ask_api(make_service(), answer_log, "Qui a écrit à Sergueï Lavrov ?", None, None, Suggest())
    assert answer["suggestions"] == ["Qui est Mariam Touré ?"] and answer["log_id"]
    scoped = ask_api(make_service(), answer_log, "Qui a écrit à Sergueï Lavrov ?", None, None, Suggest(), "mali")
    assert scoped["suggestions"] == ["Dans mali ?"]  # suggested from the article the question was asked within
    assert "suggestions" not in ask_api(make_service(), answer_log, "Qui a écrit à Sergueï Lavrov ?")


def test_landing_examples_are_computed_once_per_store_size():
    from kalan.ui.app import _Examples

    class Store:
        n = 1

        def count(self):
            return self.n

    class Service:
        store = Store()

    class Suggest:
        calls = 0

        def examples(self, n, article=None):
            self.calls += 1
            return [f"Question {article or ''}{i} ?" for i in range(n)]

    svc, sg = Service(), Suggest()
    ex = _Examples(sg, svc, 2)
    assert ex.get() == ["Question 0 ?", "Question 1 ?"] and ex.get() and sg.calls == 1
    svc.store.n = 2  # a new article was ingested
    assert ex.get() and sg.calls == 2
    # one article chosen: its own examples, computed once too; every article's are still cached
    assert ex.get("a") == ["Question a0 ?", "Question a1 ?"] and ex.get("a") and sg.calls == 3
    assert ex.get("") == ex.get(None) == ["Question 0 ?", "Question 1 ?"] and sg.calls == 3
    assert ex.get("b") == ["Question b0 ?", "Question b1 ?"] and sg.calls == 4
    svc.store.n = 3  # the corpus changed: each list is made anew when next asked
    assert ex.get("a") and ex.get() and sg.calls == 6
    assert _Examples(None, svc, 2).get() == [] and _Examples(sg, svc, 0).get() == []

    class Broken(Suggest):
        def examples(self, n, article=None):
            raise RuntimeError("store down")

    assert _Examples(Broken(), svc, 2).get() == []  # the page opens without examples
