"""Fixtures of the UI tests.

Fast tests: ``make_service`` builds a fake service (``.chain.stream`` yields deltas then the
final answer dict, ``.titles()``, ``.ask()``), ``make_answer`` an answer dict shaped like the
chain's, ``answer_log`` a real ``AnswerLog`` on tmp_path.

Slow tests: ``served`` (module scope) ingests the seed article with the real model into a temp
data dir, starts ``kalan serve`` on a free port as a subprocess (teacher credentials set) and
always stops it at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kalan.deploy.processes import stop_process, wait_port

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"
KALAN = ROOT / ".venv" / "bin" / "kalan"
TITLE = "Mali–Russie : 65 ans d’une alliance forgée dans la souveraineté et la confiance"
PASSAGE = (
    "En 2025, le Mali et la Russie entretiennent une relation « exemplaire ». "
    "Le ministre Abdoulaye Diop a adressé un message à Sergueï Lavrov. Fin du passage."
)


def _answer(question="Qui a écrit à Sergueï Lavrov ?", refused=False, text=None, passage=PASSAGE,
            quote="Le ministre Abdoulaye Diop a adressé un message à Sergueï Lavrov.", title=TITLE,
            section="Une coopération renouvelée", notice=None) -> dict:
    if refused:
        return {
            "question": question, "standalone_question": question,
            "answer": text or "Je ne trouve pas la réponse dans les articles du corpus.",
            "refused": True, "refusal_reason": "recherche_faible", "citations": [], "sentences": [],
            "passages": [], "mode": "extractive", "latency_ms": 3.0, "notice": notice,
        }
    start = passage.find(quote)
    spans = [[start, start + len(quote)]] if start >= 0 else []
    text = text or f"{quote} [1]"
    return {
        "question": question, "standalone_question": question, "answer": text, "refused": False,
        "refusal_reason": None,
        "citations": [{"n": 1, "chunk_id": "c1", "article_id": "mali-russie", "title": title, "section": section,
                       "quote": quote, "quote_spans": spans, "text": passage}],
        "sentences": [{"text": text, "citations": [1], "support": 0.9}],
        "passages": [{"chunk_id": "c1", "title": title, "section": section, "text": passage, "score": 0.9}],
        "mode": "extractive", "latency_ms": 5.0, "notice": notice,
    }


@dataclass
class FakeChain:
    answer: dict
    pieces: list[str] | None = None
    error: BaseException | None = None
    calls: list = field(default_factory=list)

    def stream(self, question, history=None, article=None):
        from kalan.rag.guards import clean_question

        self.calls.append((question, list(history or [])) + ((article,) if article else ()))
        clean_question(question, 1000)  # QuestionError, as the real chain
        if self.error is not None:
            raise self.error
        text = self.answer["answer"]
        pieces = self.pieces if self.pieces is not None else [text[i:i + 12] for i in range(0, len(text), 12)]
        for piece in pieces:
            yield {"type": "delta", "text": piece}
        yield {"type": "final", "answer": dict(self.answer, question=question)}

    def ask(self, question, history=None, article=None):
        *_, final = self.stream(question, history, article)
        return final["answer"]


class FakeService:
    def __init__(self, answer=None, pieces=None, error=None, titles=(TITLE,)):
        self.chain = FakeChain(answer or _answer(), pieces, error)
        self._titles = list(titles)

    def titles(self):
        return list(self._titles)

    def articles(self):
        return {"mali-russie-65-ans" if n == 0 else f"article-{n}": t for n, t in enumerate(self._titles)}

    def ask(self, question, history=None, article=None):
        return self.chain.ask(question, history, article)

    def article_id(self, wanted):
        return wanted or None


@pytest.fixture
def make_answer():
    return _answer


@pytest.fixture
def make_service():
    return FakeService


@pytest.fixture
def answer_log(tmp_path):
    from kalan.db.answer_log import AnswerLog

    log = AnswerLog(str(tmp_path / "log.sqlite3"))
    yield log
    log.close()


# -- a real server -------------------------------------------------------------------------------

@dataclass
class Served:
    url: str
    port: int
    data_dir: Path
    env: dict
    teacher: tuple[str, str]
    log_file: Path
    proc: subprocess.Popen

    def output(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file.exists() else ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kalan_env(data_dir: Path, model_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALAN_")}
    env.update(
        KALAN_DATA_DIR=str(data_dir), KALAN_EMBEDDING__MODE="sentence_transformers",
        KALAN_EMBEDDING__PATH=str(model_path), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False", TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory, model_path):
    """``kalan serve`` on the seed article (real model), teacher login prof / <random>."""
    if not KALAN.exists():
        pytest.skip(f"{KALAN} absent : lancez `make setup`")
    base = tmp_path_factory.mktemp("served")
    corpus, data_dir = base / "corpus", base / "data"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    shutil.copy(SEED.with_name("mali-russie-65-ans.meta.yaml"), corpus / "mali-russie-65-ans.meta.yaml")
    teacher = ("prof", secrets.token_urlsafe(12))
    env = kalan_env(data_dir, model_path, KALAN_REVIEW__TEACHER_USER=teacher[0],
                    KALAN_REVIEW__TEACHER_PASSWORD=teacher[1])
    done = subprocess.run([str(KALAN), "ingest", "--corpus", str(corpus), "--no-progress"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    port = free_port()
    log_file = base / "serve.log"
    with open(log_file, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(KALAN), "serve", "--port", str(port)], env=env, stdout=out,
                                stderr=subprocess.STDOUT, cwd=str(base))
    served = Served(f"http://127.0.0.1:{port}", port, data_dir, env, teacher, log_file, proc)
    try:
        if not wait_port(port, proc, timeout=240):
            pytest.fail(f"kalan serve n'a pas démarré (code {proc.poll()}) :\n{served.output()}")
        yield served
    finally:
        stop_process(proc)
        sys.stdout.write(f"\n--- kalan serve ---\n{served.output()[-3000:]}\n")


@pytest.fixture
def run_kalan(model_path):
    """``run_kalan(args, data_dir, timeout=…, **env)``: the kalan CLI as a subprocess (real model)."""
    if not KALAN.exists():
        pytest.skip(f"{KALAN} absent : lancez `make setup`")

    def run(args, data_dir, timeout=240, **extra):
        env = kalan_env(Path(data_dir), model_path, **extra)
        return subprocess.run([str(KALAN), *map(str, args)], env=env, capture_output=True, text=True,
                              timeout=timeout)

    return run


@pytest.fixture
def app_in_thread():
    """``with app_in_thread(app) as base_url:`` serves a FastAPI app with uvicorn in a thread on a free loopback
    port, and stops it on exit."""
    import contextlib
    import threading

    import uvicorn

    @contextlib.contextmanager
    def run(app):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(10)

    return run
