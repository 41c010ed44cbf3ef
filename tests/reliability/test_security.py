"""Security: the teacher review needs a login, sessions are unguessable, secrets stay out of logs,
and ``kalan serve`` listens on loopback unless told otherwise.
"""

from __future__ import annotations

import http.server
import json
import re
import secrets
import threading
from pathlib import Path

import pytest
from pydantic import SecretStr

SECRET = "sk-secret-123"
TEACHER = ("prof", "mot-de-passe-très-long")


# -- the review needs a teacher login ----------------------------------------------------------------

@pytest.fixture
def review_client(settings, answer_log, helpers):
    from fastapi.testclient import TestClient

    from kalan.ui.app import create_app

    settings.review.teacher_user = TEACHER[0]
    settings.review.teacher_password = SecretStr(TEACHER[1])
    answer_log.record({"question": "Question privée d'un élève", "answer": "Réponse [1]", "refused": False}, "élève-1")
    lines: list[str] = []
    app = create_app(helpers.FakeService(), answer_log, settings, echo=lines.append)
    assert any("/review/" in line for line in lines), lines  # the real review view is mounted
    with TestClient(app) as client:
        yield client


ANONYMOUS_DENIED = [
    ("GET", "/review/config"),
    ("GET", "/review/gradio_api/info"),
    ("GET", "/review/gradio_api/file=/etc/passwd"),
    ("POST", "/review/gradio_api/queue/join"),
    ("POST", "/review/gradio_api/run/predict"),
]


def test_review_endpoints_need_the_teacher_login(review_client):
    http = review_client
    for method, path in ANONYMOUS_DENIED:
        r = http.request(method, path, json={"data": [], "fn_index": 0, "session_hash": "x"} if method == "POST" else None)
        assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
        assert "Question privée" not in r.text
    page = http.get("/review/")
    assert page.status_code in (200, 401) and "Question privée" not in page.text
    if page.status_code == 200:
        assert re.search(r'"auth_required":\s*true', page.text)
    assert http.get("/review", follow_redirects=False).status_code in (301, 302, 307, 308)

    # wrong password, wrong user, empty: still refused
    for user, password in ((TEACHER[0], "faux"), ("admin", TEACHER[1]), ("", "")):
        assert http.post("/review/login", data={"username": user, "password": password}).status_code >= 400
        assert http.get("/review/config").status_code == 401

    assert http.post("/review/login", data={"username": TEACHER[0], "password": TEACHER[1]}).status_code == 200
    assert http.get("/review/config").status_code == 200
    info = http.get("/review/gradio_api/info")
    assert info.status_code == 200

    review_api = set(info.json().get("named_endpoints", {}))
    assert review_api  # the review's actions (approve, export…) are API endpoints: all behind the login

    # the student chat stays open, and its API does not reach the review
    http.cookies.clear()
    assert http.get("/review/config").status_code == 401
    for name in sorted(review_api):
        r = http.post(f"/review/gradio_api/call{name}", json={"data": []})
        assert r.status_code == 401, (name, r.status_code)
    assert http.get("/").status_code == 200
    student_api = set(http.get("/gradio_api/info").json().get("named_endpoints", {}))
    assert "/ask" in student_api and not (review_api - {"/ask"}) & student_api


@pytest.mark.slow
def test_review_on_a_running_server_needs_the_login(served):
    import httpx

    with httpx.Client(base_url=served.url, timeout=30) as http:
        for method, path in ANONYMOUS_DENIED:
            r = http.request(method, path, json={"data": []} if method == "POST" else None)
            assert r.status_code == 401, (method, path, r.status_code)
        user, password = served.teacher
        assert http.post("/review/login", data={"username": user, "password": password[:-1]}).status_code >= 400
        assert http.get("/review/config").status_code == 401
        assert http.post("/review/login", data={"username": user, "password": password}).status_code == 200
        assert http.get("/review/config").status_code == 200
    assert password not in served.output()  # the teacher's password is never printed


# -- sessions ----------------------------------------------------------------------------------------

def test_session_ids_come_from_secrets_with_at_least_128_bits(monkeypatch):
    from kalan.ui import handlers

    calls: list[int | None] = []
    real = secrets.token_urlsafe

    def spy(nbytes=None):
        calls.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(handlers.secrets, "token_urlsafe", spy)
    ids = {handlers.new_session()["id"] for _ in range(500)}
    assert len(ids) == 500 and len(calls) == 500
    assert all(n is not None and n >= 16 for n in calls), calls[:3]  # bytes of randomness: >= 128 bits
    assert all(len(i) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    for broken in (None, {}, {"id": ""}, "forged-id"):  # a missing or forged session gets a fresh one
        fresh = handlers.ensure_session(broken)["id"]
        assert fresh not in ids and fresh != "forged-id" and calls[-1] >= 16


def test_session_id_not_guessable_from_another():
    from kalan.ui import handlers

    a, b = handlers.new_session()["id"], handlers.new_session()["id"]
    assert a != b
    shared = max(k for k in range(min(len(a), len(b)) + 1) if a[:k] == b[:k])
    assert shared < 8  # no common prefix, no counter


def test_api_sessions_and_log_ids_are_random(answer_log, monkeypatch):
    from kalan.db import answer_log as answer_log_module
    from kalan.ui import handlers

    url_calls, hex_calls = [], []
    real_url, real_hex = secrets.token_urlsafe, secrets.token_hex
    monkeypatch.setattr(handlers.secrets, "token_urlsafe", lambda n=None: url_calls.append(n) or real_url(n))
    monkeypatch.setattr(answer_log_module.secrets, "token_hex", lambda n=None: hex_calls.append(n) or real_hex(n))

    class Svc:
        def ask(self, question, history=None, article=None):
            return {"question": question, "answer": "R [1]", "refused": False}

        def article_id(self, wanted):
            return wanted or None

    a = handlers.ask_api(Svc(), answer_log, "Q ?")
    b = handlers.ask_api(Svc(), answer_log, "Q ?")
    ra, rb = answer_log.get(a["log_id"]), answer_log.get(b["log_id"])
    assert ra["session_id"] != rb["session_id"] and ra["session_id"].startswith("api-")
    assert url_calls and all(n >= 16 for n in url_calls)
    assert hex_calls and all(n >= 16 for n in hex_calls) and len(a["log_id"]) >= 32


def test_feedback_needs_the_owning_session(answer_log):
    from kalan.ui import handlers

    owner, other = handlers.new_session(), handlers.new_session()
    log_id = answer_log.record({"question": "Q", "answer": "R", "refused": False}, owner["id"])
    other["answers"] = {"1": {"log_id": log_id, "feedback": None, "comment": None}}
    text = handlers.rate(answer_log, other, 1, False)
    assert answer_log.get(log_id)["feedback"] is None and "propres réponses" in text


# -- secrets never printed or stored ---------------------------------------------------------------

def files_containing(root: Path, needle: str) -> list[str]:
    raw = needle.encode()
    return [str(p) for p in Path(root).rglob("*") if p.is_file() and raw in p.read_bytes()]


def test_doctor_never_shows_the_api_key(cli, monkeypatch, seed_corpus, tmp_path):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    monkeypatch.setenv("KALAN_LLM__API_KEY", SECRET)
    monkeypatch.setenv("KALAN_REVIEW__TEACHER_PASSWORD", "mdp-" + SECRET)
    cli("ingest", "--corpus", seed_corpus)
    for argv in (["doctor", "--json"], ["doctor"], ["-v", "doctor", "--json"]):
        code, out, err = cli(*argv)
        assert code == 0 and SECRET not in out + err
    monkeypatch.setenv("KALAN_LLM__MODE", "openai")
    code, out, err = cli("doctor", "--json")
    assert code == 0 and SECRET not in out + err and json.loads(out)["llm_mode"] == "openai"
    from kalan.rag.settings import load_settings

    settings = load_settings()
    assert settings.llm.api_key.get_secret_value() == SECRET  # it is set, and still never shown
    assert SECRET not in repr(settings) and SECRET not in str(settings) and SECRET not in settings.model_dump_json()
    assert files_containing(tmp_path / "data", SECRET) == []


class FakeOpenAI:
    """A loopback OpenAI-compatible server that fails every request (records the keys it received)."""

    def __init__(self, status: int, echo_key: bool):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                key = (self.headers.get("Authorization") or "")[len("Bearer "):]
                seen.append(key)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message = f"Incorrect API key provided: {key}" if echo_key else "service indisponible"
                body = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _ask_with_key(run_kalan, seed_corpus, tmp_path, status: int, echo_key: bool):
    data = tmp_path / "data-secret"
    done = run_kalan(["ingest", "--corpus", seed_corpus, "--no-progress"], data, KALAN_LLM__API_KEY=SECRET)
    assert done.returncode == 0, done.stderr
    with FakeOpenAI(status, echo_key) as llm:
        env = dict(KALAN_LLM__API_KEY=SECRET, KALAN_LLM__MODE="openai", KALAN_LLM__BASE_URL=llm.url,
                   KALAN_LLM__TIMEOUT_S="20")
        asked = run_kalan(["-v", "ask", "Qui a écrit à Sergueï Lavrov ?", "--json"], data, **env)
        doctor = run_kalan(["-v", "doctor", "--json"], data, **env)
    assert asked.returncode == 0, asked.stderr
    assert llm.seen and all(k == SECRET for k in llm.seen)  # the key was really in use
    answer = json.loads(asked.stdout)
    assert "Diop" in answer["answer"] and answer["notice"]  # extractive fallback, announced
    return data, asked, doctor


@pytest.mark.slow
def test_api_key_never_in_output_or_data_dir(run_kalan, seed_corpus, tmp_path):
    data, asked, doctor = _ask_with_key(run_kalan, seed_corpus, tmp_path, status=503, echo_key=False)
    for proc in (asked, doctor):
        assert SECRET not in proc.stdout and SECRET not in proc.stderr
    assert (data / "kalan.sqlite3").exists()  # the answer was logged for review…
    assert files_containing(data, SECRET) == []  # …and no file of the data dir holds the key


@pytest.mark.slow
def test_api_key_echoed_by_the_llm_server_is_not_logged(run_kalan, seed_corpus, tmp_path):
    data, asked, doctor = _ask_with_key(run_kalan, seed_corpus, tmp_path, status=401, echo_key=True)
    assert files_containing(data, SECRET) == []
    assert SECRET not in asked.stdout
    assert SECRET not in asked.stderr


# -- loopback by default ------------------------------------------------------------------------------

def test_serve_defaults_to_loopback(cli, monkeypatch, seed_corpus, helpers):
    from kalan.rag.settings import Settings

    assert Settings.model_fields["ui"].default.host == "127.0.0.1"
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    assert cli("ingest", "--corpus", seed_corpus)[0] == 0
    seen = {}

    def fake_serve(settings, service, log, sock=None, echo=None):
        seen.update(host=settings.ui.host, sockname=sock.getsockname())

    import kalan.ui.app

    monkeypatch.setattr(kalan.ui.app, "serve", fake_serve)
    port = helpers.free_port()
    code, out, err = cli("serve", "--port", port)
    assert code == 0, err
    assert seen == {"host": "127.0.0.1", "sockname": ("127.0.0.1", port)}


def _listening_addresses(port: int) -> list[str]:
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                out.append(addr)
    return out


@pytest.mark.slow
def test_running_server_listens_on_loopback_only(served):
    assert f"Kalan est prêt sur http://127.0.0.1:{served.port}" in served.output()
    addrs = _listening_addresses(served.port)
    if not addrs and not Path("/proc/net/tcp").exists():
        pytest.skip("/proc/net/tcp absent")
    assert addrs and all(a == "0100007F" for a in addrs), addrs  # 127.0.0.1 only, never 0.0.0.0 / ::
