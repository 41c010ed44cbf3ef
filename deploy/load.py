"""Students asking questions through HTTP, many at once: the load and fault tests' and benchmark's client.

Scope: ``ask(client, base, question)`` sends one question through Gradio's REST API (``POST
/gradio_api/call/ask`` then its event stream), as the Python or JavaScript clients do, with a cookie jar
so the proxy keeps a student on one instance. ``run_students`` runs N students × M questions, each student
in its own thread with its own HTTP client, all starting together; each result carries the question sent,
the answer or the error, and the seconds it took. A failed question does not stop its student.

Not here: what is asserted (tests) or reported (benchmarks).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


class AskFailed(RuntimeError):
    """The server answered with an error (its message), or the connection broke."""


@dataclass
class Result:
    student: int
    index: int
    question: str
    answer: dict | None
    error: str | None
    seconds: float
    started: float  # time.monotonic() when the question was sent


def ask(client, base: str, question: str, history=None) -> dict:
    r = client.post(f"{base}/gradio_api/call/ask", json={"data": [question, history]})
    if r.status_code != 200:
        raise AskFailed(f"HTTP {r.status_code} : {r.text[:200]}")
    event_id = r.json()["event_id"]
    event = None
    with client.stream("GET", f"{base}/gradio_api/call/ask/{event_id}") as stream:
        if stream.status_code != 200:
            raise AskFailed(f"HTTP {stream.status_code}")
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.split(":", 1)[1].strip()
                if event == "error":
                    raise AskFailed(json.loads(data).get("error") if data.startswith("{") else data)
                return json.loads(data)[0]
    raise AskFailed("flux interrompu sans réponse")


def run_students(base: str, students: int, questions: int, question_for: Callable[[int, int], str],
                 timeout_s: float = 600.0, on_result: Callable[[Result], None] | None = None) -> list[Result]:
    import httpx

    gate = threading.Barrier(students, timeout=300)

    def student(s: int) -> list[Result]:
        out = []
        with httpx.Client(timeout=timeout_s) as client:  # its cookie jar keeps it on one instance
            gate.wait()
            for i in range(questions):
                q = question_for(s, i)
                t0 = time.monotonic()
                try:
                    answer, error = ask(client, base, q), None
                except Exception as exc:  # noqa: BLE001 - a lost question is a result, not a crash
                    answer, error = None, f"{type(exc).__name__}: {exc}"
                res = Result(s, i, q, answer, error, time.monotonic() - t0, t0)
                out.append(res)
                if on_result is not None:
                    on_result(res)
        return out

    with ThreadPoolExecutor(max_workers=students) as pool:
        return [r for f in [pool.submit(student, s) for s in range(students)] for r in f.result()]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else float("nan")
