"""Added latency of suggested questions (kalan.study.suggest) on the store of the data dir (default: the seed).

For the first N questions of evals/sets/seed.jsonl: the answer's own latency, then the time to add its
suggestions with a cold cache (a fresh Suggester: every candidate checked through the answer path) and with a
warm one (the same Suggester, second pass: the verdicts are cached). Prints a Markdown table with the
1-minute load average (2 shared cores: a load above 2 means contention).

    .venv/bin/python -m benchmarks.bench_suggestions [N]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

from benchmarks.common import ROOT


def main(n: int = 20) -> None:
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings
    from kalan.study.suggest import Suggester

    settings = load_settings()
    svc = KalanService(settings)
    questions = [json.loads(line)["question"] for line in (ROOT / "evals/sets/seed.jsonl").read_text().splitlines()
                 if line.strip()][:n]
    svc.ask(questions[0])  # warm the model and the index
    answers, answer_ms = [], []
    for q in questions:
        t = time.perf_counter()
        answers.append(svc.ask(q))
        answer_ms.append((time.perf_counter() - t) * 1000)
    sg = Suggester(svc, settings.study)
    rows = []
    for label in ("cold cache", "warm cache"):
        before = sg.checks_run
        times, counts = [], []
        for a in answers:
            t = time.perf_counter()
            counts.append(len(sg.for_answer(a)))
            times.append((time.perf_counter() - t) * 1000)
        rows.append((label, statistics.median(times), max(times), (sg.checks_run - before) / len(answers),
                     statistics.mean(counts)))
    load = os.getloadavg()[0]
    print(f"{len(questions)} seed questions, answer latency median {statistics.median(answer_ms):.0f} ms, "
          f"load average {load:.2f}, study.suggestion_checks = {settings.study.suggestion_checks}\n")
    print("| suggestions | added median (ms) | added max (ms) | answer-path runs per answer | suggestions per answer |")
    print("| --- | --- | --- | --- | --- |")
    for label, med, mx, runs, count in rows:
        print(f"| {label} | {med:.0f} | {mx:.0f} | {runs:.1f} | {count:.1f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
