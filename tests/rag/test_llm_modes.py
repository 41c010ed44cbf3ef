"""Generative mode against a real OpenAI-compatible HTTP server on loopback (a small stub the test starts).

The stub answers like a careless model: one sentence copied from passage [1] with its marker, one
invented sentence with a marker, and (for follow-ups) a condensed question. Kalan must keep the
supported sentence, drop the invented one, and fall back to extractive when the server is slow or down.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag.service import KalanService
from kalan.rag.settings import load_settings

INVENTED = "Le Mali a vendu la tour Eiffel à la Russie en 1999"


class StubOpenAI(BaseHTTPRequestHandler):
    delay = 0.0
    calls: list = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StubOpenAI.calls.append(body)
        time.sleep(StubOpenAI.delay)
        prompt = body["messages"][-1]["content"]
        if "Question autonome" in prompt:
            text = "À qui le ministre malien des Affaires étrangères a-t-il écrit ?"
        else:
            # copy the passage line sharing most words with the question, as a model quoting its source would
            question = set(re.findall(r"\w{4,}", prompt.split("Question :")[-1].lower()))
            best = (-1, "", 1)
            for n, passage in re.findall(r'<passage numero="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S):
                for line in passage.splitlines():
                    score = len(question & set(re.findall(r"\w{4,}", line.lower())))
                    if score > best[0]:
                        best = (score, line.strip(" •").rstrip("."), int(n))
            text = f"{best[1]} [{best[2]}]. {INVENTED} [{best[2]}]."
        if not body.get("stream"):
            payload = {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(text), 7):
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": {"content": text[i:i + 7]}, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def stub_server():
    StubOpenAI.delay = 0.0
    StubOpenAI.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubOpenAI)
    server.handle_error = lambda request, address: None  # a client that timed out on purpose is not an error
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _service(tmp_path, seed_corpus, base_url, timeout=10.0):
    settings = load_settings(
        data_dir=tmp_path / "data", embedding={"mode": "fake"},
        llm={"mode": "openai", "base_url": base_url, "model": "stub", "timeout_s": timeout},
        answer={"min_retrieval_score": -1.0},
    )
    svc = KalanService(settings)
    ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    return svc


def test_openai_mode_keeps_supported_and_drops_invented(tmp_path, seed_corpus, stub_server):
    svc = _service(tmp_path, seed_corpus, stub_server)
    r = svc.ask("Quelle société russe explore des projets dans le lithium au Mali ?")
    assert r["mode"] == "openai" and not r["refused"]
    assert INVENTED not in r["answer"] and "tour Eiffel" not in r["answer"]
    assert r["citations"] and all(c["n"] <= len(r["passages"]) for c in r["citations"])
    assert re.search(r"\[\d\]", r["answer"]) and "Rosatom" in r["answer"]
    assert all(s["support"] >= svc.settings.answer.min_support for s in r["sentences"])
    assert StubOpenAI.calls and StubOpenAI.calls[-1]["model"] == "stub"


def test_openai_stream_never_shows_invented_or_partial_marker(tmp_path, seed_corpus, stub_server):
    svc = _service(tmp_path, seed_corpus, stub_server)
    shown = ""
    final = None
    for event in svc.chain.stream("Quelle société russe explore des projets dans le lithium au Mali ?"):
        if event["type"] == "delta":
            shown += event["text"]
            assert not re.search(r"\[\d*$", shown), shown  # never a half-written marker
        else:
            final = event["answer"]
    assert final is not None and INVENTED not in shown
    assert shown.strip() == final["answer"].strip()


def test_follow_up_condensed_by_the_model(tmp_path, seed_corpus, stub_server):
    svc = _service(tmp_path, seed_corpus, stub_server)
    r = svc.ask("Et à qui a-t-il écrit ?", [["Qui est le ministre malien des Affaires étrangères ?", "Abdoulaye Diop [1]."]])
    assert r["standalone_question"] == "À qui le ministre malien des Affaires étrangères a-t-il écrit ?"


def test_slow_server_falls_back_to_extractive(tmp_path, seed_corpus, stub_server):
    StubOpenAI.delay = 3.0
    svc = _service(tmp_path, seed_corpus, stub_server, timeout=0.5)
    r = svc.ask("Quelle société russe explore des projets dans le lithium au Mali ?")
    assert r["mode"] == "extractive" and r["notice"] and "extractive" in r["notice"]
    assert "Rosatom" in r["answer"]


def test_server_down_falls_back_to_extractive(tmp_path, seed_corpus):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    svc = _service(tmp_path, seed_corpus, f"http://127.0.0.1:{port}/v1", timeout=2.0)
    r = svc.ask("Quelle société russe explore des projets dans le lithium au Mali ?")
    assert r["mode"] == "extractive" and r["notice"]
    assert "Rosatom" in r["answer"] and r["citations"]
