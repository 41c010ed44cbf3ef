"""Load: 20 concurrent clients × 10 questions against ``kalan serve`` (extractive mode).

Each client (its own ``gradio_client.Client``, its own thread) asks 10 questions through the
``/ask`` endpoint. Every question sent is unique (the same base question with its own number
of trailing spaces, which the chain ignores), so an answer delivered to the wrong client, or
lost, shows. All 200 must come back, each with the question it answers and an answer whose
content matches that question; the review log holds exactly one record per answer. Latencies
(p50 / p95) are written to ``test-artifacts/load.json``, never asserted.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pytest

pytestmark = pytest.mark.slow

CLIENTS, QUESTIONS = 20, 10
GLOBAL_TIMEOUT_S = 1200
BASE = (  # question -> a word of its answer (None: refused)
    ("Qui a écrit à Sergueï Lavrov ?", "Diop"),
    ("Quelle entreprise russe explore des projets au Mali ?", "Rosatom"),
    ("Combien d'étudiants maliens ont été formés en Russie ?", "millier"),
    ("Dans quels secteurs la Russie coopère-t-elle avec le Mali ?", "Sécurité"),
    ("Quand les relations diplomatiques entre le Mali et la Russie ont-elles été établies ?", "anniversaire"),
    ("Quelle est la capitale de l'Australie ?", None),
)


def question_for(client: int, i: int) -> tuple[str, str | None]:
    base, word = BASE[(client + i) % len(BASE)]
    return base + " " * (1 + client * QUESTIONS + i), word  # unique per (client, i)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def test_twenty_clients_ten_questions_each(served, helpers):
    from gradio_client import Client

    from kalan.db.answer_log import AnswerLog

    start_gate = threading.Barrier(CLIENTS, timeout=300)

    def run_client(c: int) -> list[dict]:
        client = Client(served.url, verbose=False, httpx_kwargs={"timeout": 300})  # a busy 2-core box is slow, not broken
        out = []
        try:
            start_gate.wait()  # all clients fire together
            for i in range(QUESTIONS):
                question, word = question_for(c, i)
                t0 = time.perf_counter()
                answer = client.submit(question, api_name="/ask").result(timeout=600)
                out.append({"client": c, "i": i, "sent": question, "word": word, "answer": answer,
                            "seconds": time.perf_counter() - t0})
        finally:
            client.close()
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(run_client, c) for c in range(CLIENTS)]
        done, pending = wait(futures, timeout=GLOBAL_TIMEOUT_S)
        for f in pending:
            f.cancel()
        assert not pending, f"{len(pending)} client(s) encore en attente après {GLOBAL_TIMEOUT_S} s"
        results = [r for f in futures for r in f.result()]
    wall = time.perf_counter() - t0

    # all answered, none lost, each with its own question
    assert len(results) == CLIENTS * QUESTIONS
    assert len({r["sent"] for r in results}) == CLIENTS * QUESTIONS
    for r in results:
        a = r["answer"]
        assert a["question"] == r["sent"], (r["client"], r["i"], repr(a["question"]), repr(r["sent"]))
        assert a["standalone_question"] == r["sent"].strip()
        if r["word"] is None:
            assert a["refused"] and a["citations"] == []
        else:
            assert not a["refused"] and r["word"] in a["answer"], (r["sent"], a["answer"])
            assert a["citations"]
    # the same question gets the same answer whoever asks, whenever
    by_base: dict[str, set[str]] = {}
    for r in results:
        by_base.setdefault(r["sent"].strip(), set()).add(r["answer"]["answer"])
    assert all(len(answers) == 1 for answers in by_base.values()), by_base

    # one logged record per answer, under its own question and its own API session
    log_ids = [r["answer"]["log_id"] for r in results]
    assert len(set(log_ids)) == len(results)
    log = AnswerLog(str(served.data_dir / "kalan.sqlite3"))
    try:
        sessions = set()
        for r in results:
            rec = log.get(r["answer"]["log_id"])
            assert rec is not None and rec["question"] == r["sent"] and rec["source"] == "api"
            assert rec["answer"] == r["answer"]["answer"]
            sessions.add(rec["session_id"])
        assert len(sessions) == len(results)
    finally:
        log.close()

    seconds = [r["seconds"] for r in results]
    server_ms = [float(r["answer"]["latency_ms"]) for r in results]
    report = {
        "clients": CLIENTS, "questions_per_client": QUESTIONS, "answered": len(results),
        "wall_s": round(wall, 2), "throughput_per_s": round(len(results) / wall, 2),
        "latency_s": {"p50": round(percentile(seconds, 0.50), 3), "p95": round(percentile(seconds, 0.95), 3),
                      "max": round(max(seconds), 3), "mean": round(statistics.mean(seconds), 3)},
        "server_latency_ms": {"p50": round(percentile(server_ms, 0.50), 1),
                              "p95": round(percentile(server_ms, 0.95), 1)},
        "mode": "extractive", "concurrency_limit": "défaut (settings.ui.concurrency_limit)",
    }
    helpers.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (helpers.ARTIFACTS / "load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False))
