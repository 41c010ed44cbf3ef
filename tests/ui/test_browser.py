"""The student page in headless Chromium (Playwright) against ``kalan serve`` on the seed article.

One scenario, in order: the page loads (nothing fetched outside loopback), a question is
streamed with a [1] marker, the sources open on the highlighted quote, a thumbs down and a
comment land in the answer log under the page's session, a question full of markup is shown
as text and runs nothing, a refusal is shown without sources, « Nouvelle conversation »
empties the chat, a whole-article request is answered, a date question's direct answer stands in
bold above its quotes. Screenshots and timings go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kalan.rag import messages as msg
from kalan.rag.citations import AnswerSentence, render

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
XSS = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> Qui a écrit à Lavrov ?'

LAST_ANSWER_READY = """() => {
  const a = [...document.querySelectorAll('#kalan-chat .kalan-answer, #kalan-chat .kalan-refusal, #kalan-chat .kalan-error')];
  return a.length >= %d && !a[a.length - 1].classList.contains('kalan-thinking');
}"""


@contextmanager
def chromium():
    """Headless Chromium through Playwright; skips the test when either is missing."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium absent : installez-le (make browser ou apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(served):
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 1000})
        pg = context.new_page()
        pg.requests_seen = []
        pg.on("request", lambda r: pg.requests_seen.append(r.url))
        pg.set_default_timeout(60_000)
        yield pg


def _ask(pg, question: str, n_answers: int) -> dict:
    """Type and send; returns timings (s) to the placeholder, the first text, the final answer."""
    box = pg.locator("#kalan-question textarea")
    box.fill(question)
    t0 = time.perf_counter()
    box.press("Enter")
    pg.wait_for_function(
        "n => document.querySelectorAll('#kalan-chat .kalan-answer, #kalan-chat .kalan-refusal, "
        "#kalan-chat .kalan-error').length >= n", arg=n_answers)
    shown = time.perf_counter() - t0
    pg.wait_for_function(LAST_ANSWER_READY % n_answers)
    first = time.perf_counter() - t0
    pg.wait_for_function("() => !document.querySelector('#kalan-chat .kalan-cursor')")
    return {"shown_s": round(shown, 3), "first_text_s": round(first, 3),
            "final_s": round(time.perf_counter() - t0, 3)}


def test_student_page(page, served):
    from kalan.db.answer_log import AnswerLog

    pg = page
    pg.goto(served.url + "/", wait_until="load")
    pg.wait_for_selector("#kalan-question textarea")
    assert "Le corpus couvre" in pg.inner_text("#kalan-header") and "Mali–Russie" in pg.inner_text("#kalan-header")
    pg.screenshot(path=str(ARTIFACTS / "01-accueil.png"), full_page=True)

    # 1. a streamed answer with its marker, then the sources one click away
    timings = {"lavrov": _ask(pg, "Qui a écrit à Sergueï Lavrov ?", 1)}
    bot = pg.locator("#kalan-chat .kalan-answer").last
    assert "[1]" in bot.inner_text() and "Diop" in bot.inner_text()
    sources = pg.get_by_text("Sources (", exact=False).last
    sources.wait_for()
    assert pg.locator("#kalan-chat .kalan-passage mark").count() == 0  # closed until clicked
    sources.click()
    mark = pg.locator("#kalan-chat .kalan-passage mark").first
    mark.wait_for(state="visible")
    assert "Lavrov" in mark.inner_text()
    pg.screenshot(path=str(ARTIFACTS / "02-reponse-sources.png"), full_page=True)

    # 2. thumbs down + comment, stored for this page's session
    dislike = pg.locator("#kalan-chat .message-buttons-left").last.locator(
        "button[aria-label=\"Je n'aime pas\"], button[aria-label='Dislike']")
    dislike.first.click()
    pg.get_by_text(msg.UI_FEEDBACK_DOWN).wait_for()
    pg.locator("#kalan-comment-text textarea").fill("Il manque la date du message.")
    pg.locator("#kalan-comment-send").click()
    pg.get_by_text(msg.UI_COMMENT_SAVED).wait_for()
    pg.screenshot(path=str(ARTIFACTS / "03-avis.png"), full_page=True)
    log = AnswerLog(str(served.data_dir / "kalan.sqlite3"))
    try:
        ui = [r for r in log.list(limit=None) if r["source"] == "ui"]
        rated = [r for r in ui if r["feedback"] == "down"]
        assert len(rated) == 1 and rated[0]["question"] == "Qui a écrit à Sergueï Lavrov ?"
        assert rated[0]["feedback_comment"] == "Il manque la date du message."
        session_id = rated[0]["session_id"]
        assert len(session_id) >= 40  # secrets.token_urlsafe(32), not Gradio's short session hash
    finally:
        log.close()

    # 3. markup in a question is shown as text and runs nothing
    timings["xss"] = _ask(pg, XSS, 2)
    assert pg.evaluate("() => typeof window.__xss") == "undefined"
    user = pg.locator("#kalan-chat [data-testid='user']").last.inner_text()
    assert '<img src=x onerror="window.__xss=1">' in user and "<script>window.__xss=2</script>" in user
    assert pg.locator("#kalan-chat img[src='x']").count() == 0
    assert pg.locator("#kalan-chat script").count() == 0
    pg.screenshot(path=str(ARTIFACTS / "04-balises-en-texte.png"), full_page=True)

    # 4. a refusal: its own style, no sources
    timings["refus"] = _ask(pg, "Quelle est la capitale de l'Australie ?", 3)
    refusal = pg.locator("#kalan-chat .kalan-refusal").last
    assert "Je ne trouve pas" in refusal.inner_text()
    assert pg.get_by_text("Sources (", exact=False).count() == 2  # only the two answers before
    pg.screenshot(path=str(ARTIFACTS / "05-refus.png"), full_page=True)

    # the same session answered all three, and nothing was fetched outside loopback
    log = AnswerLog(str(served.data_dir / "kalan.sqlite3"))
    try:
        assert len([r for r in log.list(limit=None) if r["session_id"] == session_id]) == 3
    finally:
        log.close()
    outside = [u for u in pg.requests_seen
               if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in ("127.0.0.1", "localhost")]
    assert not outside, outside

    # 5. a new conversation empties the chat
    pg.get_by_role("button", name=msg.UI_NEW_CONVERSATION).click()
    pg.wait_for_function("() => !document.querySelector('#kalan-chat .kalan-answer')")

    # 6. a whole-article request: section openings, each with its own source
    timings["resume"] = _ask(pg, "Résume l'article", 1)
    summary = pg.locator("#kalan-chat .kalan-answer").last.inner_text()
    assert {"[1]", "[2]", "[3]"} <= set(re.findall(r"\[\d+\]", summary)) and "1960" in summary
    pg.get_by_text("Sources (", exact=False).last.click()
    assert pg.locator("#kalan-chat .kalan-passage mark").count() >= 3
    pg.screenshot(path=str(ARTIFACTS / "06-resume.png"), full_page=True)

    # 7. a date question: its direct answer in bold, apart from the quotes that prove it (the logged answer's own
    # first sentence, with its marker, as the chain rendered it)
    pg.get_by_role("button", name=msg.UI_NEW_CONVERSATION).click()
    pg.wait_for_function("() => !document.querySelector('#kalan-chat .kalan-answer')")
    question = "Depuis quand le Mali et la Russie ont-ils des relations diplomatiques ?"
    timings["date"] = _ask(pg, question, 1)
    log = AnswerLog(str(served.data_dir / "kalan.sqlite3"))
    try:  # the answer is logged once shown: under load the row may land a moment after the page has it
        deadline = time.monotonic() + 60
        while not (logged := [r for r in log.list(limit=None) if r["question"] == question]) \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        assert logged, "réponse non journalisée"
        sentences = log.get(logged[0]["id"])["sentences"]
    finally:
        log.close()
    assert sentences[0]["role"] == "direct" and {s["role"] for s in sentences[1:]} == {"quote"}
    first, *quotes = [render([AnswerSentence(s["text"], s["citations"])]) for s in sentences]
    answer = pg.locator("#kalan-chat .kalan-answer").last
    assert answer.locator(".kalan-direct").inner_text().strip() == first
    weight = answer.locator(".kalan-direct strong").evaluate("e => getComputedStyle(e).fontWeight")
    assert int(weight) >= 700  # bold as the student sees it, not only in the markup
    shown = answer.locator("blockquote.kalan-quotes").inner_text()
    assert all(q in shown for q in quotes) and first not in shown
    pg.screenshot(path=str(ARTIFACTS / "07-reponse-directe.png"), full_page=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")
    print("\nTemps mesurés dans le navigateur (s) :", json.dumps(timings))


def test_study_tabs_and_quiz_review(page, served):
    """« Quiz » answered right with its quote shown, « Chronologie » opening a passage, « Lexique » asking the chat;
    then the teacher approves the item and exports it (issue #14)."""
    from kalan.study import messages as smsg
    from kalan.study.quiz_store import QuizStore

    pg = page
    pg.goto(served.url + "/", wait_until="load")
    pg.get_by_role("tab", name=smsg.UI_TAB_QUIZ).click()
    pg.locator("#kalan-quiz-new").click()
    pg.wait_for_selector("#kalan-quiz-prompt .kalan-quiz-prompt")
    shown = " ".join(pg.inner_text("#kalan-quiz-prompt").split())
    store = QuizStore(served.data_dir / "quiz.sqlite3")
    item = next(it for it in store.list() if " ".join(it["prompt"].split()) == shown)
    if item["kind"] == "cloze":
        pg.locator("#kalan-quiz-typed textarea, #kalan-quiz-typed input").first.fill(item["answer"].upper())
    else:
        pg.locator("#kalan-quiz-choices").get_by_label(item["answer"], exact=True).check()
    pg.locator("#kalan-quiz-check").click()
    pg.wait_for_selector("#kalan-quiz-feedback .kalan-right")
    assert " ".join(item["citation"]["quote"].split()) in " ".join(pg.inner_text("#kalan-quiz-feedback mark").split())
    assert "Score : 1 / 1" in pg.inner_text("#kalan-quiz-score")
    pg.screenshot(path=str(ARTIFACTS / "07-quiz.png"), full_page=True)

    pg.get_by_role("tab", name=smsg.UI_TAB_TIMELINE).click()
    pg.locator("#kalan-timeline .kalan-event summary").first.click()
    mark = pg.locator("#kalan-timeline .kalan-event[open] mark").first
    mark.wait_for(state="visible")
    assert re.search(r"\b(1[0-9]{3}|20[0-9]{2})\b", pg.locator("#kalan-timeline .kalan-event summary").first.inner_text())
    pg.screenshot(path=str(ARTIFACTS / "08-chronologie.png"), full_page=True)

    pg.get_by_role("tab", name=smsg.UI_TAB_GLOSSARY).click()
    pg.wait_for_selector("#kalan-glossary .kalan-term", timeout=120_000)
    asked = pg.locator("#kalan-glossary-questions button").first
    question = asked.inner_text().strip()
    assert question.startswith(("Qui est ", "Qu'est-ce ")) and question.endswith("?")
    asked.click()
    pg.wait_for_function(LAST_ANSWER_READY % 1)
    assert question in pg.locator("#kalan-chat [data-testid='user']").last.inner_text()
    pg.screenshot(path=str(ARTIFACTS / "09-lexique.png"), full_page=True)

    pg.goto(served.url + "/review/", wait_until="load")
    pg.locator("input[type=text]").fill(served.teacher[0])
    pg.locator("input[type=password]").fill(served.teacher[1])
    pg.locator("input[type=password]").press("Enter")
    pg.get_by_text(smsg.REVIEW_QUIZ_TITLE).first.click()
    pg.locator("#kalan-quiz-id textarea, #kalan-quiz-id input").first.fill(item["id"])
    pg.locator("#kalan-quiz-approve").click()
    status = "#kalan-quiz-status textarea"
    pg.wait_for_function(f"() => document.querySelector('{status}').value.includes('approuvée')")
    pg.get_by_role("button", name="Exporter GIFT (Moodle)").click()
    pg.wait_for_function(f"() => document.querySelector('{status}').value.includes('exportée')")
    assert store.get(item["id"])["status"] == "approved"
    pg.screenshot(path=str(ARTIFACTS / "10-quiz-relecture.png"), full_page=True)


def test_article_chosen_in_the_chat(page, served):
    """« Article étudié » lists « Tous les articles » and the seed article by its title; chosen, the next question
    is answered from it, and its quote is that article's."""
    pg = page
    pg.goto(served.url + "/", wait_until="load")
    pg.wait_for_selector("#kalan-article input")
    assert pg.input_value("#kalan-article input") == msg.UI_ALL_ARTICLES
    pg.click("#kalan-article input")
    options = [" ".join(t.split()) for t in pg.locator("ul[role=listbox] li").all_inner_texts()]
    assert any(msg.UI_ALL_ARTICLES in o for o in options) and any(o.startswith("Mali–Russie") for o in options)
    pg.locator("ul[role=listbox] li", has_text="Mali–Russie").first.click()
    pg.wait_for_function("() => document.querySelector('#kalan-article input').value.startsWith('Mali–Russie')")
    _ask(pg, "Qui a écrit à Sergueï Lavrov ?", 1)
    bot = pg.locator("#kalan-chat .kalan-answer").last
    assert "[1]" in bot.inner_text() and "Diop" in bot.inner_text()
    pg.screenshot(path=str(ARTIFACTS / "11-article-etudie.png"), full_page=True)
