"""In Chromium, the review page (no model, a temp log): the queue's « article » column names each question's article,
and the « Article » filter, filled with the log's articles when the page opens, narrows the queue to one of them."""

from __future__ import annotations

import pytest

from kalan.db.answer_log import AnswerLog
from kalan.db.local_postgres import free_port
from kalan.rag import messages as msg
from kalan.ui.review_app import build_review_app
from tests.ui.test_browser import ARTIFACTS, chromium  # noqa: E402  (same browser, same switches)

pytestmark = pytest.mark.slow

QUESTIONS = "#kalan-review-queue [role=gridcell][data-col='1']"  # the question cell of each shown row
SHOWN = f"() => [...document.querySelectorAll(\"{QUESTIONS}\")].map(c => c.innerText.trim()).join('|')"


def _wait_for_queue(pg, questions: list[str]) -> None:
    pg.wait_for_function(f"({SHOWN})() === {'|'.join(questions)!r}")


def test_the_queue_is_named_and_filtered_by_article(settings, tmp_path):
    with AnswerLog(str(tmp_path / "review.sqlite3")) as log:
        log.record({"question": "Qui a signé l'accord ?", "answer": "R.", "refused": True}, "s", article="mali-russie")
        log.record({"question": "Que cultive-t-on ?", "answer": "R.", "refused": True}, "s", article="coton")
        log.record({"question": "Quoi de neuf ?", "answer": "R.", "refused": True}, "s")
        demo = build_review_app(log, settings, promoted_set=tmp_path / "p.jsonl",
                                articles=lambda: {"mali-russie": "Mali <i>et</i> Russie", "coton": "Le coton"})
        port = free_port()
        demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
        try:
            with chromium() as browser:
                pg = browser.new_page(viewport={"width": 1400, "height": 1000})
                pg.set_default_timeout(60_000)
                pg.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                _wait_for_queue(pg, ["Quoi de neuf ?", "Que cultive-t-on ?", "Qui a signé l'accord ?"])
                queue = pg.locator("#kalan-review-queue").inner_text()
                assert "article" in queue and "Mali <i>et</i> Russie" in queue and msg.UI_ALL_ARTICLES in queue
                assert pg.locator("#kalan-review-queue i").count() == 0  # a title is text, never markup

                pg.click("#kalan-review-article input")
                options = [" ".join(t.replace("✓", "").split())  # the chosen one is ticked
                           for t in pg.locator("ul[role=listbox] li").all_inner_texts()]
                assert options == [msg.UI_ALL_ARTICLES, msg.REVIEW_UI_ARTICLE_WHOLE_CORPUS, "Le coton",
                                   "Mali <i>et</i> Russie"]
                pg.locator("ul[role=listbox] li", has_text="Le coton").first.click()
                _wait_for_queue(pg, ["Que cultive-t-on ?"])
                pg.screenshot(path=str(ARTIFACTS / "review-article-filter.png"), full_page=True)

                pg.click("#kalan-review-article input")
                pg.locator("ul[role=listbox] li", has_text=msg.REVIEW_UI_ARTICLE_WHOLE_CORPUS).first.click()
                _wait_for_queue(pg, ["Quoi de neuf ?"])
        finally:
            demo.close()
