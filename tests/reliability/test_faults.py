"""Faults: an ingest killed midway, a Chroma server that goes away and comes back, a busy review DB.

- ``kill -9`` during ``kalan ingest`` (≈600 passages, real model): the store stays readable, and
  the next run adds exactly what is missing — no duplicate, nothing missing.
- Chroma server (``chroma run``) stopped under a live ``KalanService``: searches raise
  ``StoreUnavailable`` with a French message; once restarted (same port, same path) the same
  service object searches again, without a restart.
- ``kalan search`` against a closed port: a French error, exit 1, no traceback.
- The review log (SQLite) locked by another connection (``BEGIN EXCLUSIVE``): writes wait and
  succeed once the lock is released; nothing is lost.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kalan.rag.documents import CARD_SECTION

ROOT = Path(__file__).resolve().parents[2]
KALAN = ROOT / ".venv" / "bin" / "kalan"
CHROMA = ROOT / ".venv" / "bin" / "chroma"

VILLES = ["Bamako", "Ségou", "Mopti", "Kayes", "Sikasso", "Tombouctou", "Gao", "Koulikoro", "Kidal", "Tessalit"]
SUJETS = ["l’irrigation", "les écoles rurales", "la santé maternelle", "l’énergie solaire", "les routes",
          "le coton", "la pêche", "l’artisanat", "les bibliothèques", "la météo"]


def many_articles(corpus: Path, n_articles: int = 60, n_paras: int = 10) -> Path:
    """``n_articles`` small Markdown articles of ``n_paras`` one-chunk paragraphs each (all distinct)."""
    corpus.mkdir(parents=True, exist_ok=True)
    for a in range(n_articles):
        ville = VILLES[a % len(VILLES)]
        lines = ["---", f'title: "Chronique {a:03d} : nouvelles de {ville}"',
                 f"date: 2025-{a % 12 + 1:02d}-{a % 28 + 1:02d}", "---", ""]
        for p in range(n_paras):
            if p % 5 == 0:
                lines += [f"## Partie {p // 5 + 1}", ""]
            sujet = SUJETS[(a + p) % len(SUJETS)]
            lines += [f"Dans la chronique {a} (paragraphe {p}), les habitants de {ville} décrivent les progrès de "
                      f"{sujet} : {a * 7 + p} familles ont participé au projet numéro {a * 100 + p}, selon le "
                      f"rapport communal. Les responsables prévoient d’étendre l’expérience à {p + 2} villages "
                      f"voisins d’ici {2026 + p % 4}.", ""]
        (corpus / f"chronique-{a:03d}.md").write_text("\n".join(lines), encoding="utf-8")
    return corpus


_STATE = """
import json, sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.get_collection("kalan")
ids = col.get(include=[])["ids"]
print(json.dumps({"count": col.count(), "ids": ids}))
"""


def store_state(chroma_dir: Path) -> dict:
    """Count and ids of the embedded store, read by a fresh process (no client cache of this one)."""
    done = subprocess.run([sys.executable, "-c", _STATE, str(chroma_dir)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


class StderrWatch:
    """Reads a process's stderr in a thread (tqdm writes ``\\r`` lines) and keeps all of it."""

    def __init__(self, proc: subprocess.Popen):
        self.buf = bytearray()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, args=(proc.stderr,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        while True:
            chunk = stream.read1(4096)
            if not chunk:
                return
            with self.lock:
                self.buf.extend(chunk)

    def text(self) -> str:
        with self.lock:
            return self.buf.decode("utf-8", errors="replace")

    def progress(self) -> tuple[int, int] | None:
        found = re.findall(r"(\d+)/(\d+) \[", self.text())
        return (int(found[-1][0]), int(found[-1][1])) if found else None


# -- kill -9 during ingest ---------------------------------------------------------------------------

@pytest.mark.slow
def test_ingest_killed_midway_resumes_without_duplicates(tmp_path, model_path, settings, helpers):
    from kalan.ingest.pipeline import plan_corpus

    if not KALAN.exists():
        pytest.skip(f"{KALAN} absent : lancez `make setup`")
    corpus = many_articles(tmp_path / "chroniques")
    per_article, errors, _, _ = plan_corpus(corpus, settings)
    expected = {c.chunk_id for chunks in per_article.values() for c in chunks}
    texts = [c for chunks in per_article.values() for c in chunks if c.section != CARD_SECTION]  # cards aside
    assert not errors and 550 <= len(texts) <= 650

    data = tmp_path / "donnees"
    env = helpers.kalan_env(data, model_path)
    proc = subprocess.Popen([str(KALAN), "ingest", "--corpus", str(corpus), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watch = StderrWatch(proc)
    try:
        deadline = time.monotonic() + 600
        seen = None
        while time.monotonic() < deadline and proc.poll() is None:
            seen = watch.progress()
            if seen and seen[0] >= 64:  # at least one batch embedded and written
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"l'indexation s'est terminée avant d'être tuée :\n{watch.text()[-2000:]}"
        assert seen and seen[0] < seen[1] == len(expected), seen
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # the store is readable after the crash, and holds only whole, known chunks
    state = store_state(data / "chroma")
    before = state["count"]
    assert 0 < before < len(expected), before
    assert len(state["ids"]) == before and set(state["ids"]) <= expected

    # the second run adds exactly what is missing
    done = subprocess.run([str(KALAN), "ingest", "--corpus", str(corpus), "--json", "--no-progress"], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["chunks"] == len(expected) and not report["errors"]
    assert report["added"] + before == report["chunks"]
    assert report["unchanged"] == before and report["removed"] == 0

    final = store_state(data / "chroma")
    assert final["count"] == len(expected)  # no duplicate
    assert len(final["ids"]) == len(set(final["ids"])) and set(final["ids"]) == expected  # nothing missing

    # the recovered store answers (dense and BM25), and a third run has nothing to do
    found = subprocess.run([str(KALAN), "search", "projet numéro 4203", "--json", "--k", "3"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stderr
    assert any("4203" in r["text"] for r in json.loads(found.stdout))
    again = subprocess.run([str(KALAN), "ingest", "--corpus", str(corpus), "--json", "--no-progress"], env=env,
                           capture_output=True, text=True, timeout=600)
    assert json.loads(again.stdout)["added"] == 0


# -- Chroma server down, then back -------------------------------------------------------------------

class ChromaServer:
    def __init__(self, path: Path, port: int, log: Path, helpers):
        self.path, self.port, self.log, self.h = path, port, log, helpers
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with open(self.log, "a", encoding="utf-8") as out:
            self.proc = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=env,
            )
        if not self.h.wait_port(self.port, self.proc, timeout=60):
            pytest.fail(f"chroma run n'a pas démarré :\n{self.log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            self.h.stop_process(self.proc)
            self.proc = None


@pytest.fixture
def chroma_server(tmp_path, helpers):
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} absent")
    server = ChromaServer(tmp_path / "chroma-server", helpers.free_port(), tmp_path / "chroma.log", helpers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_chroma_server_down_then_back_same_service(chroma_server, seed_corpus, model_path, real_embedder,
                                                    monkeypatch):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings
    from kalan.rag.store import StoreUnavailable
    from kalan.ui import handlers

    monkeypatch.setenv("KALAN_CHROMA_URL", chroma_server.url)
    settings = load_settings(embedding={"mode": "sentence_transformers", "path": str(model_path)})
    assert settings.store.url == chroma_server.url
    svc = KalanService(settings, embedder=real_embedder)
    report = ingest_corpus(settings, seed_corpus, svc.store, svc.embedder, progress=False)
    assert report.added == report.chunks > 0
    assert not (settings.chroma_dir).exists()  # written to the server, not to the embedded store
    first = [p.chunk_id for p in svc.search("Rosatom lithium", k=3)]
    assert len(first) == 3
    answer = svc.ask("Qui a écrit à Sergueï Lavrov ?")
    assert "Diop" in answer["answer"]

    chroma_server.stop()
    for _ in range(2):  # each call fails cleanly, none hangs the service
        with pytest.raises(StoreUnavailable) as e:
            svc.search("Rosatom lithium", k=3)
        assert "inaccessible" in str(e.value) and chroma_server.url in str(e.value)
    with pytest.raises(StoreUnavailable):
        svc.ask("Qui a écrit à Sergueï Lavrov ?")
    last = list(handlers.respond(svc, None, "Qui a écrit à Sergueï Lavrov ?", [], "s1"))[-1]
    assert last.done and last.answer is None and "inaccessible" in last.error
    late = KalanService(settings, embedder=real_embedder)  # a service born while the server is down
    with pytest.raises(StoreUnavailable):
        late.search("Rosatom lithium", k=3)

    chroma_server.start()  # same port, same path
    assert [p.chunk_id for p in svc.search("Rosatom lithium", k=3)] == first
    assert svc.ask("Qui a écrit à Sergueï Lavrov ?")["answer"] == answer["answer"]
    assert [p.chunk_id for p in late.search("Rosatom lithium", k=3)] == first
    assert svc.store.count() == report.chunks


def test_search_against_closed_port_french_error(cli, monkeypatch, helpers):
    monkeypatch.setenv("KALAN_EMBEDDING__MODE", "fake")
    monkeypatch.setenv("KALAN_CHROMA_URL", f"http://127.0.0.1:{helpers.free_port()}")  # nobody listens there
    for argv in (["search", "Rosatom"], ["search", "Rosatom", "--json"], ["ask", "Qui a écrit à Lavrov ?"],
                 ["ingest", "--corpus", Path(__file__).parent]):
        code, out, err = cli(*argv)
        assert code == 1 and out == "", (argv, out, err)
        assert err.startswith("kalan : La base de passages est inaccessible (http://127.0.0.1:"), err
        assert "Réessayez" in err and "Traceback" not in err
    code, out, _ = cli("doctor", "--json")
    assert code == 0 and "inaccessible" in json.loads(out)["passages"]


@pytest.mark.slow
def test_search_against_closed_port_subprocess(tmp_path, helpers):
    if not KALAN.exists():
        pytest.skip(f"{KALAN} absent : lancez `make setup`")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALAN_")}
    env.update(KALAN_DATA_DIR=str(tmp_path / "d"), KALAN_EMBEDDING__MODE="fake",
               KALAN_CHROMA_URL=f"http://127.0.0.1:{helpers.free_port()}")
    done = subprocess.run([str(KALAN), "search", "Rosatom"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    assert "inaccessible" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0  # one French line, nothing else


# -- the review database is busy ---------------------------------------------------------------------

def _answer(question: str) -> dict:
    return {"question": question, "answer": f"Réponse à {question} [1]", "refused": False, "mode": "extractive",
            "citations": [], "sentences": [{"text": "x", "citations": [1], "support": 0.9}], "passages": [],
            "latency_ms": 1.0}


@pytest.mark.parametrize("busy_timeout_s", [5.0, 0.05])  # sqlite waits itself / AnswerLog retries
def test_review_db_locked_then_released_nothing_lost(tmp_path, busy_timeout_s):
    from kalan.db.answer_log import AnswerLog

    path = tmp_path / "kalan.sqlite3"
    log = AnswerLog(str(path), busy_timeout_s=busy_timeout_s, retry_s=60)
    try:
        kept = log.record(_answer("avant le verrou"), "s0")
        locked, releasing = threading.Event(), threading.Event()

        def hold_lock():
            other = sqlite3.connect(str(path), isolation_level=None, timeout=10)
            try:
                other.execute("BEGIN EXCLUSIVE")
                other.execute("INSERT INTO meta (key, value) VALUES ('verrou', 'tenu')")
                locked.set()
                time.sleep(1.0)
                releasing.set()  # before COMMIT: no write of the log can have finished earlier
                other.execute("COMMIT")
            finally:
                other.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        assert locked.wait(30)
        results: dict[int, str] = {}
        failures: list[BaseException] = []

        def write(i: int):
            try:
                results[i] = log.record(_answer(f"question {i}"), f"s{i}")
            except BaseException as exc:  # noqa: BLE001 - reported below
                failures.append(exc)

        writers = [threading.Thread(target=write, args=(i,)) for i in range(1, 6)]
        for t in writers:
            t.start()
        main_id = log.record(_answer("question principale"), "s-main")  # this thread waits too
        assert releasing.is_set()  # it could only succeed once the lock was being released
        for t in writers:
            t.join(timeout=120)
        holder.join(timeout=30)
        assert not failures, failures
        assert not holder.is_alive() and not any(t.is_alive() for t in writers)
        assert sorted(results) == [1, 2, 3, 4, 5]
        ids = [kept, main_id, *results.values()]
        assert len(set(ids)) == 7 and log.count() == 7
        for i, id_ in results.items():
            assert log.get(id_)["question"] == f"question {i}" and log.get(id_)["session_id"] == f"s{i}"
        assert log.get(kept)["question"] == "avant le verrou"
        with sqlite3.connect(str(path)) as check:  # the other process's write is there too
            assert check.execute("SELECT value FROM meta WHERE key = 'verrou'").fetchone() == ("tenu",)
    finally:
        log.close()


def test_review_db_feedback_waits_for_the_lock(tmp_path):
    from kalan.db.answer_log import AnswerLog

    path = tmp_path / "kalan.sqlite3"
    log = AnswerLog(str(path), busy_timeout_s=0.05, retry_s=60)
    try:
        id_ = log.record(_answer("q"), "élève")
        other = sqlite3.connect(str(path), isolation_level=None, timeout=10, check_same_thread=False)
        other.execute("BEGIN EXCLUSIVE")
        released = threading.Event()

        def release():
            time.sleep(1.0)
            released.set()
            other.execute("COMMIT")

        t = threading.Thread(target=release)
        t.start()
        rec = log.set_feedback(id_, "down", "faux", session_id="élève")
        assert released.is_set() and rec["feedback"] == "down"
        t.join(timeout=30)
        other.close()
        assert log.get(id_)["feedback_comment"] == "faux"
    finally:
        log.close()
