"""The server: /review behind the teachers' login, and ``kalan serve`` end to end.

Fast tests mount the app in-process (fake service, fake review view) and check the routing
and the login. Slow tests (``served`` fixture: real model, seed article, ``kalan serve``
subprocess) go through ``gradio_client`` ``/ask``, the review login, the page's assets and
the French errors of ``kalan serve``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import types
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from pydantic import SecretStr

from kalan.rag import messages as msg

LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


# -- in-process: routing and login -----------------------------------------------------------------

@pytest.fixture
def fake_review(monkeypatch):
    import gradio as gr

    def build_review_app(log, settings, **optional):  # planted, proves, articles…
        with gr.Blocks(title="Relecture") as blocks:
            gr.Markdown("Relecture secrète des réponses")
        return blocks

    module = types.ModuleType("kalan.ui.review_app")
    module.build_review_app = build_review_app
    monkeypatch.setitem(sys.modules, "kalan.ui.review_app", module)
    return module


def _client(make_service, answer_log, settings, lines):
    from fastapi.testclient import TestClient

    from kalan.ui.app import create_app

    return TestClient(create_app(make_service(), answer_log, settings, echo=lines.append))


def test_review_behind_login(make_service, answer_log, settings, fake_review):
    settings.review.teacher_user = "prof"
    settings.review.teacher_password = SecretStr("mot-de-passe-long")
    lines: list[str] = []
    with _client(make_service, answer_log, settings, lines) as client:
        assert any("/review/" in line and "prof" in line for line in lines)
        r = client.get("/review", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == "/review/"
        r = client.get("/review/")
        assert r.status_code in (200, 401) and "Relecture secrète" not in r.text
        if r.status_code == 200:
            assert re.search(r'"auth_required":\s*true', r.text)  # Gradio's login form, nothing else
        assert client.get("/review/config").status_code == 401
        assert client.post("/review/login", data={"username": "prof", "password": "faux"}).status_code >= 400
        assert client.get("/review/config").status_code == 401
        assert client.post("/review/login", data={"username": "prof", "password": "mot-de-passe-long"}).status_code == 200
        assert "Relecture secrète" in client.get("/review/config").text
        # the student chat stays open to all, without login
        page = client.get("/")
        assert page.status_code == 200 and "auth_required" not in page.text.replace('"auth_required":false', "")
        assert "kalan-chat" in client.get("/config").text


def test_review_not_mounted_without_credentials(make_service, answer_log, settings, fake_review):
    lines: list[str] = []
    with _client(make_service, answer_log, settings, lines) as client:
        assert lines == [msg.SERVE_REVIEW_DISABLED]
        assert "KALAN_REVIEW__TEACHER_USER" in lines[0] and "KALAN_REVIEW__TEACHER_PASSWORD" in lines[0]
        for path in ("/review", "/review/", "/review/config"):
            r = client.get(path)
            assert r.status_code == 404 and r.text == msg.SERVE_REVIEW_OFF_PAGE
        assert client.get("/").status_code == 200


def test_broken_review_view_keeps_the_chat(make_service, answer_log, settings, monkeypatch):
    def boom(log, settings, **optional):
        raise RuntimeError("vue cassée")

    monkeypatch.setitem(sys.modules, "kalan.ui.review_app", types.SimpleNamespace(build_review_app=boom))
    settings.review.teacher_user, settings.review.teacher_password = "prof", SecretStr("x" * 12)
    lines: list[str] = []
    with _client(make_service, answer_log, settings, lines) as client:
        assert "vue cassée" in lines[0]
        assert client.get("/review/").status_code == 404 and client.get("/").status_code == 200


# -- a real server -----------------------------------------------------------------------------------

@pytest.mark.slow
def test_ask_endpoint_answers_follows_up_and_refuses(served):
    from gradio_client import Client

    from kalan.db.answer_log import AnswerLog

    client = Client(served.url, verbose=False, httpx_kwargs={"timeout": 120})
    first = client.predict("Qui a écrit à Sergueï Lavrov ?", api_name="/ask")
    assert not first["refused"] and "Diop" in first["answer"]
    assert any("Lavrov" in c["text"] for c in first["citations"])
    assert re.search(r"\[\d+\]", first["answer"])
    # the direct answer comes first, cut from a cited quote: « Abdoulaye Diop [1]. … »
    assert first["short_answer"] and "Diop" in first["short_answer"]
    assert first["answer"].startswith(first["short_answer"])
    assert any(first["short_answer"] in c["quote"] for c in first["citations"])

    history = [[first["question"], first["answer"]]]
    follow = client.predict("Et que saluait-il ?", history=history, api_name="/ask")
    assert follow["standalone_question"] != "Et que saluait-il ?"  # condensed with the history
    assert not follow["refused"] and "confiance" in follow["answer"]

    off = client.predict("Quelle est la capitale de l'Australie ?", api_name="/ask")
    assert off["refused"] and off["citations"] == []

    with pytest.raises(Exception, match="Votre question est vide"):
        client.predict("   ", api_name="/ask")

    # within one article (the one a student studies), by its id; an unknown one is refused in French
    within = client.predict("Qui a écrit à Sergueï Lavrov ?", "mali-russie-65-ans", api_name="/ask_in_article")
    assert "Diop" in within["short_answer"] and {p["article_id"] for p in within["passages"]} == {"mali-russie-65-ans"}
    with pytest.raises(Exception, match="Article inconnu"):
        client.predict("Qui a écrit à Sergueï Lavrov ?", "le-tram-de-dakar", api_name="/ask_in_article")

    log = AnswerLog(str(served.data_dir / "kalan.sqlite3"))
    try:
        api = [r for r in log.list(limit=None) if r["source"] == "api"]
        assert {r["id"] for r in api} >= {first["log_id"], follow["log_id"], off["log_id"]}
        assert log.get(follow["log_id"])["history"] == history
        # the teacher reads which article a question was asked within (none: the whole corpus)
        assert log.get(within["log_id"])["article"] == "mali-russie-65-ans" and log.get(first["log_id"])["article"] is None
    finally:
        log.close()


@pytest.mark.slow
def test_review_refused_without_credentials(served):
    if msg.SERVE_REVIEW_READY.split("{")[0] not in served.output():
        pytest.skip(f"/review non monté par ce serveur :\n{served.output()[-800:]}")
    with httpx.Client(base_url=served.url, timeout=30) as http:
        r = http.get("/review/", follow_redirects=False)
        if r.status_code == 200:
            assert re.search(r'"auth_required":\s*true', r.text)
        else:
            assert r.status_code in (401, 302, 303, 307)
        assert http.get("/review/config").status_code == 401
        assert http.get("/review", follow_redirects=False).status_code in (301, 302, 307, 308)
        user, password = served.teacher
        assert http.post("/review/login", data={"username": user, "password": password + "x"}).status_code >= 400
        assert http.post("/review/login", data={"username": user, "password": password}).status_code == 200
        assert http.get("/review/config").status_code == 200


class _Assets(HTMLParser):
    """URLs a page needs: scripts, stylesheets / preloads / icons, and inline <style>."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel", "") not in ("canonical",):
            self.urls.append(a["href"])
        elif tag in ("img", "iframe", "source") and a.get("src"):
            self.urls.append(a["src"])
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag):
        self._in_style = False


def _css_urls(css: str) -> list[str]:
    return re.findall(r"@import\s+(?:url\()?['\"]?([^'\")\s;]+)", css) + re.findall(
        r"url\(\s*['\"]?([^'\")]+)", css
    )


def _external(url: str, base: str) -> bool:
    full = urljoin(base, url)
    parsed = urlparse(full)
    return parsed.scheme in ("http", "https") and parsed.hostname not in LOOPBACK


@pytest.mark.slow
def test_page_needs_nothing_external(served):
    with httpx.Client(base_url=served.url, timeout=30) as http:
        page = http.get("/")
        assert page.status_code == 200 and "Kalan" in page.text
        parser = _Assets()
        parser.feed(page.text)
        needed = list(parser.urls) + [u for s in parser.styles for u in _css_urls(s)]
        bad = [u for u in needed if _external(u, served.url + "/")]
        assert not bad, bad
        # stylesheets served locally, theme included, import nothing from elsewhere
        css_urls = [u for u in parser.urls if ".css" in u] + ["/theme.css"]
        for u in css_urls:
            r = http.get(urljoin(served.url + "/", u))
            assert r.status_code == 200, u
            bad = [x for x in _css_urls(r.text) if _external(x, served.url + "/")]
            assert not bad, (u, bad)
        config = http.get("/config").json()
        assert "kalan-chat" in str(config)


@pytest.mark.slow
def test_serve_reports_a_busy_port_in_french(served, run_kalan, tmp_path):
    done = run_kalan(["serve", "--port", served.port], served.data_dir, timeout=120)
    assert done.returncode == 1
    assert f"le port {served.port} est déjà utilisé" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.slow
def test_serve_refuses_an_empty_store(run_kalan, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = run_kalan(["serve", "--port", port], tmp_path / "vide", timeout=240)
    assert done.returncode == 1, done.stdout
    assert "lancez d'abord `kalan ingest`" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.slow
def test_cli_ask_opens_with_the_direct_answer(served, run_kalan):
    """`kalan ask --json` (real model, the served data dir): short_answer is a span of a cited quote and the
    answer's first sentence; an open question has none."""
    import json

    done = run_kalan(["ask", "En quelle année commence la coopération entre le Mali et Moscou ?", "--json", "--no-log"],
                     served.data_dir, timeout=240)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["short_answer"] == "1960"
    assert answer["answer"].startswith("En 1960")
    # the year is in a cited quote, or inferred from one (« 65ᵉ anniversaire » in a text dated 2025)
    assert any("1960" in c["quote"] or "anniversaire" in c["quote"] for c in answer["citations"])
    done = run_kalan(["ask", "Pourquoi le Mali s'est-il tourné vers Moscou ?", "--json", "--no-log"],
                     served.data_dir, timeout=240)
    answer = json.loads(done.stdout)
    assert answer["short_answer"] is None and not answer["refused"]
