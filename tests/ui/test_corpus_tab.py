"""The teachers' « Corpus » tab: handlers over a real store (fake embedder), the page's wiring, and its HTTP
surface: only a logged-in teacher uploads or removes; logins are rate-limited."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr

from kalan.ingest.corpus_admin import list_articles
from kalan.rag.service import KalanService
from kalan.ui import corpus_handlers as ch

TEACHER = ("prof", "mot-de-passe-très-long")


@pytest.fixture
def svc(settings, tmp_path):
    settings = settings.model_copy(update={"corpus_dir": tmp_path / "corpus"})
    return KalanService(settings), settings


def test_preview_edit_confirm_replace_remove(svc, article_files):
    service, settings = svc
    html, pdf, docx = article_files
    shown = ch.preview([html, pdf], settings.corpus_dir, settings)
    assert shown.ok and [i["article_id"] for i in shown.items] == ["crue-du-niger", "coton"]
    crue = shown.items[0]
    assert crue["meta"]["author"] == "Awa Traoré" and crue["sections"] and "<script" not in crue["body"]
    assert not list(settings.corpus_dir.glob("*")) if settings.corpus_dir.exists() else True  # nothing written yet

    # the teacher fixes the PDF's date (it had none) and a word of its text
    fixed = ch.edit(shown.items[1], {"date": "2025-06-02", "author": "I. Ouédraogo"},
                    shown.items[1]["body"].replace("sept cent mille", "700 000"))
    steps = []
    done = ch.confirm([crue, fixed], settings.corpus_dir, settings, service, progress=lambda f, d: steps.append(f))
    assert done.ok, done.message
    assert steps and steps[-1] == 1.0
    arts = {a["article_id"]: a for a in list_articles(service.store)}
    assert arts["coton"]["date"] == "2025-06-02" and arts["coton"]["author"] == "I. Ouédraogo"
    assert "700 000" in (settings.corpus_dir / "coton.md").read_text(encoding="utf-8")
    rows, ids = ch.table(service.store, settings.corpus_dir)
    assert sorted(ids) == ["coton", "crue-du-niger"] and all(r[-1] for r in rows)  # date added shown

    # the same file again: « déjà présent »; a new version replacing « coton »: same id, new chunks
    again = ch.preview([html], settings.corpus_dir, settings)
    assert not again.ok and "déjà présent" in again.items[0]["error"]
    before = service.store.article_chunk_ids()
    replaced = ch.preview([docx], settings.corpus_dir, settings, replace_id="coton")
    assert replaced.items[0]["article_id"] == "coton"
    assert ch.confirm(replaced.items, settings.corpus_dir, settings, service).ok
    after = service.store.article_chunk_ids()
    assert set(after) == {"coton", "crue-du-niger"} and after["crue-du-niger"] == before["crue-du-niger"]
    assert after["coton"].isdisjoint(before["coton"])
    assert [p.name for p in settings.corpus_dir.iterdir() if p.stem == "coton"] == ["coton.md"]

    gone = ch.remove("coton", settings.corpus_dir, settings, service)
    assert gone.ok and "coton" in gone.message
    assert set(service.store.article_chunk_ids()) == {"crue-du-niger"}
    assert "Article inconnu" in ch.remove("coton", settings.corpus_dir, settings, service).message


def test_a_bad_date_typed_in_the_preview_is_refused_and_nothing_is_written(svc, article_files):
    service, settings = svc
    shown = ch.preview([article_files[1]], settings.corpus_dir, settings)
    bad = ch.edit(shown.items[0], {"date": "2025-13-45"}, None)
    out = ch.confirm([bad], settings.corpus_dir, settings, service)
    assert not out.ok and "date invalide" in out.message
    assert service.store.count() == 0


def test_the_teacher_page_has_both_tabs(svc, answer_log):
    from kalan.ui.corpus_tab import build_teacher_app

    service, settings = svc
    demo = build_teacher_app(answer_log, settings, service)
    config = demo.get_config_file()
    labels = {c.get("props", {}).get("label") for c in config["components"]}
    assert {"Relecture", "Corpus"} <= labels
    buttons = {c.get("props", {}).get("value") for c in config["components"] if c["type"] == "button"}
    assert {"Aperçu", "Confirmer et indexer", "Retirer l'article", "Approuver", "Exporter CSV"} <= buttons


@pytest.fixture
def client(svc, answer_log):
    from fastapi.testclient import TestClient

    from kalan.ui.app import create_app

    service, settings = svc
    settings.review.teacher_user, settings.review.teacher_password = TEACHER[0], SecretStr(TEACHER[1])
    app = create_app(service, answer_log, settings, echo=lambda line: None)
    with TestClient(app, raise_server_exceptions=False) as http:
        yield http


def test_only_a_logged_in_teacher_uploads(client):
    student = client.post("/gradio_api/upload", files={"files": ("a.html", b"<html></html>")})
    assert student.status_code == 403
    anonymous = client.post("/review/gradio_api/upload", files={"files": ("a.html", b"<html></html>")})
    assert anonymous.status_code in (401, 403)
    api = client.post("/review/gradio_api/info")
    assert api.status_code in (401, 403, 404, 405)
    assert client.post("/review/login", data={"username": TEACHER[0], "password": TEACHER[1]}).status_code == 200
    teacher = client.post("/review/gradio_api/upload", files={"files": ("a.html", b"<html></html>")})
    assert teacher.status_code == 200 and json.loads(teacher.text)


def test_the_student_page_has_no_corpus_endpoint(client):
    config = client.get("/config").json()
    names = {d.get("api_name") for d in config.get("dependencies", [])}
    assert not names & {"do_preview", "do_confirm", "do_remove", "refresh"}


def test_logins_are_rate_limited_and_logged(client, caplog):
    caplog.set_level("INFO", logger="kalan.ui.web_guard")
    for _ in range(5):
        assert client.post("/review/login", data={"username": "prof", "password": "faux"}).status_code != 200
    blocked = client.post("/review/login", data={"username": TEACHER[0], "password": TEACHER[1]})
    assert blocked.status_code == 429 and "réessayez dans" in blocked.json()["detail"]
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert sum("manquée" in r.message for r in caplog.records) == 5
    assert any("trop d'échecs" in r.message for r in caplog.records)


def test_throttle_window():
    from kalan.ui.web_guard import LoginThrottle

    now = [0.0]
    t = LoginThrottle(max_failures=5, window_s=60, clock=lambda: now[0])
    for i in range(4):
        t.failed("1.2.3.4")
        now[0] += 1
    assert t.wait_s("1.2.3.4") == 0
    t.failed("1.2.3.4")
    assert t.wait_s("1.2.3.4") == 56 and t.wait_s("5.6.7.8") == 0
    now[0] = 61.0
    assert t.wait_s("1.2.3.4") == 0  # the oldest failure left the window
    t.succeeded("1.2.3.4")
    assert t.wait_s("1.2.3.4") == 0
