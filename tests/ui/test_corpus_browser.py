"""In Chromium, a teacher uploads a web page in the « Corpus » tab, checks its preview, fixes the author,
confirms; a student then gets an answer from it at once; the teacher removes it (real model, served app)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from tests.ui.test_browser import chromium  # noqa: E402  (same browser, same switches)

pytestmark = pytest.mark.slow

TEACHER = ("prof", "mot-de-passe-très-long")


def _corpus_tab(browser, base: str):
    """A teacher's page, logged in, on the « Corpus » tab."""
    pg = browser.new_page()
    pg.set_default_timeout(120_000)
    pg.goto(f"{base}/review/", wait_until="load")
    pg.locator("input[type=text]").fill(TEACHER[0])
    pg.locator("input[type=password]").fill(TEACHER[1])
    pg.locator("input[type=password]").press("Enter")
    pg.get_by_role("tab", name="Corpus").click()
    return pg


def _text(pg, selector: str) -> str:
    return pg.locator(f"{selector} textarea, {selector} input").first.input_value()


def test_upload_preview_confirm_ask_remove(real_settings, real_embedder, seed_corpus, article_files, answer_log,
                                          app_in_thread):
    sync_api = pytest.importorskip("playwright.sync_api")
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService
    from kalan.ui.app import create_app

    settings = real_settings.model_copy(update={"corpus_dir": seed_corpus})
    settings.review.teacher_user, settings.review.teacher_password = TEACHER[0], SecretStr(TEACHER[1])
    service = KalanService(settings, embedder=real_embedder)
    ingest_corpus(settings, seed_corpus, service.store, service.embedder, progress=False)
    with app_in_thread(create_app(service, answer_log, settings, echo=lambda line: None)) as base:
        with chromium() as browser:
            pg = _corpus_tab(browser, base)
            pg.wait_for_function("() => document.querySelector('#kalan-corpus-table')?.innerText.includes('mali-russie')")
            pg.locator("#kalan-corpus-upload input[type=file]").set_input_files(str(article_files[0]))
            pg.wait_for_function("() => document.querySelector('#kalan-corpus-upload')?.innerText.includes('crue-du-niger')")
            pg.locator("#kalan-corpus-preview").click()
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-title input, #kalan-corpus-title "
                                 "textarea')].some(e => e.value.includes('fleuve Niger'))")
            assert _text(pg, "#kalan-corpus-author") == "Awa Traoré"
            body = _text(pg, "#kalan-corpus-body")
            assert "7,2 mètres" in body and "code-de-suivi" not in body and "Lire aussi" not in body
            author = pg.locator("#kalan-corpus-author textarea, #kalan-corpus-author input").first
            author.fill("Awa Traoré (Mopti)")
            author.blur()
            pg.locator("#kalan-corpus-confirm").click()
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-status textarea')]"
                                 ".some(e => e.value.includes('Les élèves peuvent'))")
            pg.wait_for_function("() => document.querySelector('#kalan-corpus-table')?.innerText.includes('crue-du-niger')")
            pg.wait_for_function("() => document.querySelector('#kalan-corpus-table')?.innerText.includes('Awa Traoré (Mopti)')",
                                 timeout=30_000)  # the edited author, not the one read from the file
            assert "Awa Traoré (Mopti)" in pg.inner_text("#kalan-corpus-table")

            student = browser.new_page()
            student.set_default_timeout(120_000)
            student.goto(f"{base}/", wait_until="load")
            box = student.locator("#kalan-question textarea")
            box.fill("Quel niveau la crue du fleuve Niger a-t-elle atteint à Mopti ?")
            box.press("Enter")
            student.wait_for_function("() => document.querySelector('#kalan-chat .kalan-answer')")
            try:  # the answer streams in
                student.wait_for_function("() => document.querySelector('#kalan-chat').innerText.includes('7,2 m')",
                                          timeout=60_000)
            except sync_api.TimeoutError:
                pass
            assert "7,2 mètres" in student.inner_text("#kalan-chat")

            pg.locator("text=Retirer un article").click()
            dd = pg.locator("#kalan-corpus-remove-id input")
            dd.click()
            dd.fill("crue-du-niger")
            pg.locator("ul[role=listbox] li", has_text="crue-du-niger").first.click()
            pg.locator("#kalan-corpus-remove-ok input").check()
            pg.locator("#kalan-corpus-remove").click()
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-status textarea')]"
                                 ".some(e => e.value.includes('retiré'))")
        assert "crue-du-niger" not in service.store.article_chunk_ids()
        assert "mali-russie-65-ans" in service.store.article_chunk_ids()


def test_two_files_each_keep_their_fixes_while_the_teacher_switches(real_settings, real_embedder, seed_corpus,
                                                                  article_files, answer_log, app_in_thread):
    """The preview shows the first file; picking the second shows its own fields; a fix typed at once after the
    preview is not overwritten, and each file keeps its fix when the teacher switches back and forth."""
    from kalan.rag.service import KalanService
    from kalan.ui.app import create_app

    settings = real_settings.model_copy(update={"corpus_dir": seed_corpus})
    settings.review.teacher_user, settings.review.teacher_password = TEACHER[0], SecretStr(TEACHER[1])
    service = KalanService(settings, embedder=real_embedder)
    html_file, _, docx_file = article_files
    with app_in_thread(create_app(service, answer_log, settings, echo=lambda line: None)) as base:
        with chromium() as browser:
            pg = _corpus_tab(browser, base)
            pg.locator("#kalan-corpus-upload input[type=file]").set_input_files([str(html_file), str(docx_file)])
            pg.wait_for_function("() => document.querySelector('#kalan-corpus-upload')?.innerText.includes('marches-de-dakar')")
            pg.locator("#kalan-corpus-preview").click()
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-title input, #kalan-corpus-title "
                                 "textarea')].some(e => e.value.includes('fleuve Niger'))")
            author = pg.locator("#kalan-corpus-author textarea, #kalan-corpus-author input").first
            author.fill("Awa Traoré (Mopti)")  # at once: nothing may fill the form again behind the teacher's back
            pg.wait_for_timeout(1500)
            assert _text(pg, "#kalan-corpus-author") == "Awa Traoré (Mopti)"

            def show(name: str) -> None:
                dd = pg.locator("#kalan-corpus-file input")
                dd.click()
                pg.locator("ul[role=listbox] li", has_text=name).first.click()

            show("marches-de-dakar")
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-title input, #kalan-corpus-title "
                                 "textarea')].some(e => e.value.includes('marchés de Dakar'))")
            assert _text(pg, "#kalan-corpus-author") == "Fatou Diallo"
            author.fill("Fatou Diallo (Dakar)")
            show("crue-du-niger")
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-title input, #kalan-corpus-title "
                                 "textarea')].some(e => e.value.includes('fleuve Niger'))")
            assert _text(pg, "#kalan-corpus-author") == "Awa Traoré (Mopti)"
            show("marches-de-dakar")
            pg.wait_for_function("() => [...document.querySelectorAll('#kalan-corpus-title input, #kalan-corpus-title "
                                 "textarea')].some(e => e.value.includes('marchés de Dakar'))")
            assert _text(pg, "#kalan-corpus-author") == "Fatou Diallo (Dakar)"
