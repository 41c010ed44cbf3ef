"""The student page at 390 px wide (a phone) and guided mode, in headless Chromium against ``kalan serve``.

Nothing here names a fact of the served article: the questions are the landing page's examples (generated
from whatever corpus is loaded) and the answers expected are read from the page itself. Screenshots go to
test-artifacts/ (``telephone-*.png``, ``guide-*.png``).
"""

from __future__ import annotations

import pytest

from kalan.rag import messages as msg
from kalan.study import messages as sm

pytestmark = pytest.mark.slow

from tests.ui.test_browser import ARTIFACTS, chromium  # noqa: E402  (same browser, same switches)

PHONE = {"width": 390, "height": 844}
EXAMPLE = "#kalan-examples button.kalan-suggest"
ANSWERS = "#kalan-chat .kalan-answer, #kalan-chat .kalan-refusal, #kalan-chat .kalan-error"


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def _page(browser, served, viewport):
    pg = browser.new_context(locale="fr-FR", viewport=viewport).new_page()
    pg.set_default_timeout(90_000)
    pg.goto(served.url + "/", wait_until="load")
    pg.wait_for_selector("#kalan-question textarea")
    return pg


def _rect(pg, selector: str) -> dict:
    return pg.locator(selector).first.evaluate("e => { const r = e.getBoundingClientRect(); "
                                               "return {x: r.x, y: r.y, w: r.width, bottom: r.bottom}; }")


def _wait_answers(pg, n: int) -> None:
    pg.wait_for_function("([sel, n]) => { const a = [...document.querySelectorAll(sel)]; return a.length >= n && "
                         "!a[a.length - 1].classList.contains('kalan-thinking') && "
                         "!document.querySelector('#kalan-chat .kalan-cursor'); }", arg=[ANSWERS, n])


def test_phone_layout_feedback_and_suggestions(browser, served):
    pg = _page(browser, served, PHONE)
    # the question box spans the chat's width, and the box is on the first screen
    box, chat = _rect(pg, "#kalan-question textarea"), _rect(pg, "#kalan-chat")
    assert box["w"] >= 0.85 * chat["w"], (box, chat)
    assert _rect(pg, "#kalan-send")["bottom"] <= PHONE["height"]
    assert "·" not in pg.inner_text("footer")  # no divider left without its « Utiliser via API »
    examples = pg.locator(EXAMPLE)
    examples.first.wait_for(state="visible")  # generated from the loaded corpus when the page opens
    pg.screenshot(path=str(ARTIFACTS / "telephone-01-accueil.png"), full_page=True)

    first = examples.first.inner_text().strip()
    examples.first.click()  # an example is asked at once
    _wait_answers(pg, 1)
    assert pg.locator("#kalan-chat [data-testid='user']").first.inner_text().strip() == first
    assert not pg.locator("#kalan-chat .kalan-refusal").count()  # an example is a question Kalan answers
    buttons = pg.locator("#kalan-chat .message-buttons-left").last
    copy = buttons.locator("button[aria-label='Copier le message']")
    like = buttons.locator("button[aria-label=\"J'aime\"]")
    dislike = buttons.locator("button[aria-label=\"Je n'aime pas\"]")
    assert copy.count() == 1 and pg.locator("#kalan-chat button[aria-label='Copy message']").count() == 0
    assert _rect(pg, "#kalan-chat .message-buttons-left >> button[aria-label=\"J'aime\"]")["x"] < \
        _rect(pg, "#kalan-chat .message-buttons-left >> button[aria-label=\"Je n'aime pas\"]")["x"]
    assert like.count() == 1 and dislike.count() == 1

    # suggestions under the answer, each a question Kalan has answered; a click asks it
    suggestion = pg.locator("#kalan-suggest-0")
    suggestion.wait_for(state="visible")
    asked = suggestion.inner_text().strip()
    assert asked.endswith("?") and asked != first
    pg.screenshot(path=str(ARTIFACTS / "telephone-02-reponse.png"), full_page=True)
    suggestion.click()
    _wait_answers(pg, 2)
    users = pg.locator("#kalan-chat [data-testid='user']")
    assert users.last.inner_text().strip() == asked
    assert pg.locator("#kalan-chat .kalan-refusal").count() == 0


def test_guided_mode(browser, served):
    pg = _page(browser, served, PHONE)
    pg.check("#kalan-guided input")
    pg.locator(EXAMPLE).first.wait_for(state="visible")
    question = pg.locator(EXAMPLE).first.inner_text().strip()

    def ask_guided(n_hint1: int):
        pg.fill("#kalan-question textarea", question)
        pg.press("#kalan-question textarea", "Enter")
        pg.wait_for_function("n => document.querySelectorAll('#kalan-chat .kalan-hint-1').length >= n", arg=n_hint1)
        # the box switches to « your answer » in the same update; under load it can land a moment later, and a
        # student types once it has (an Enter before would send a new question, not an answer)
        pg.wait_for_function("p => document.querySelector('#kalan-question textarea').placeholder === p",
                             arg=sm.GUIDED_ANSWER_PLACEHOLDER)

    # hint 1: the section, no quote yet; the box now asks for the student's answer
    ask_guided(1)
    hint1 = pg.locator("#kalan-chat .kalan-hint-1").last.inner_text()
    assert "Indice 1" in hint1 and "section" in hint1
    assert pg.get_attribute("#kalan-question textarea", "placeholder") == sm.GUIDED_ANSWER_PLACEHOLDER
    assert pg.locator("#kalan-suggestions").is_hidden()
    # hint 2: the cloze
    pg.click("#kalan-hint")
    cloze = pg.locator("#kalan-chat .kalan-hint-2").last
    cloze.wait_for()
    assert sm.BLANK in cloze.inner_text()
    assert pg.locator("#kalan-hint").is_hidden()
    pg.screenshot(path=str(ARTIFACTS / "guide-01-indices.png"), full_page=True)
    # a wrong answer: the verdict says so and shows the whole quote, the expected part marked
    pg.fill("#kalan-question textarea", "zzzz")
    pg.press("#kalan-question textarea", "Enter")
    verdict = pg.locator("#kalan-chat .kalan-verdict").last
    verdict.wait_for()
    assert "kalan-wrong" in verdict.get_attribute("class") and "Ce n'est pas ça" in verdict.inner_text()
    expected = verdict.locator("mark").inner_text().strip()
    quote = verdict.locator(".kalan-passage").inner_text()
    assert expected and expected in quote and quote.replace(expected, sm.BLANK) in cloze.inner_text()
    assert pg.get_attribute("#kalan-question textarea", "placeholder") == msg.UI_QUESTION_PLACEHOLDER
    # the same question again, answered right in capitals: « Bravo »
    ask_guided(2)
    pg.fill("#kalan-question textarea", expected.upper())
    pg.press("#kalan-question textarea", "Enter")
    pg.wait_for_function("() => document.querySelectorAll('#kalan-chat .kalan-verdict').length >= 2")
    right = pg.locator("#kalan-chat .kalan-verdict").last
    assert "kalan-right" in right.get_attribute("class") and "Bravo" in right.inner_text()
    pg.locator("#kalan-suggest-0").wait_for(state="visible")  # suggestions come with the verdict
    pg.screenshot(path=str(ARTIFACTS / "guide-02-verdict.png"), full_page=True)
    # an unanswerable question is refused as in normal mode, with no hint
    pg.fill("#kalan-question textarea", "Quelle est la capitale de l'Australie ?")
    pg.press("#kalan-question textarea", "Enter")
    pg.locator("#kalan-chat .kalan-refusal").last.wait_for()
    assert "Je ne trouve pas" in pg.locator("#kalan-chat .kalan-refusal").last.inner_text()
    assert pg.locator("#kalan-chat .kalan-hint-1").count() == 2 and pg.locator("#kalan-hint").is_hidden()
