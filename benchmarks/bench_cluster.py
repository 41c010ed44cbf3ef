"""Several instances: questions per second and p95 for one instance vs two behind the proxy (issue #17).

Starts the loopback cluster (``kalan.deploy.cluster``: PostgreSQL, ``chroma run``, two ``kalan serve`` in
extractive mode, the proxy) on the shipped corpus, then runs the same load twice, interleaved: 20 students ×
10 questions straight to instance 0 (one instance), and through the proxy (two instances). Each student is
a thread with its own HTTP client asking through Gradio's REST API. Prints one JSON line per pass with the
1-minute load average before and after (the machine is shared: figures move with it).

Run: ``.venv/bin/python benchmarks/bench_cluster.py [--students 20 --questions 10 --rounds 1]``.
Standalone (not a section of run.py): it starts servers of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from kalan.deploy.cluster import PROJECT, Cluster
from kalan.deploy.load import percentile, run_students

BASES = ("De quoi parlent ces articles", "Quels pays sont cités", "Qui est nommé dans le corpus",
         "Quelle date est mentionnée", "Quel accord est évoqué")


def one_pass(base: str, name: str, students: int, questions: int) -> dict:
    load_before = os.getloadavg()[0]
    t0 = time.monotonic()
    results = run_students(base, students, questions, lambda s, i: f"{BASES[(s + i) % 5]} ({name} {t0} {s}-{i}) ?")
    wall = time.monotonic() - t0
    secs = [r.seconds for r in results if r.answer is not None]
    return {"setup": name, "students": students, "questions": len(results), "answered": len(secs),
            "wall_s": round(wall, 1), "questions_per_s": round(len(secs) / wall, 2),
            "p50_s": round(percentile(secs, 0.5), 2), "p95_s": round(percentile(secs, 0.95), 2),
            "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--students", type=int, default=20)
    p.add_argument("--questions", type=int, default=10)
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="kalan-bench-cluster-"))
    try:
        with Cluster(root, 2) as cluster:
            t0 = time.monotonic()
            cluster.start(PROJECT / "corpus")
            print(json.dumps({"cluster_start_s": round(time.monotonic() - t0, 1)}), flush=True)
            for _ in range(args.rounds):
                for name, base in (("une instance", cluster.instances[0].url), ("deux instances + proxy", cluster.url)):
                    print(json.dumps(one_pass(base, name, args.students, args.questions), ensure_ascii=False),
                          flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
