"""Cold command line (issue #16): ``kalan --help`` and ``kalan ask "…" --json`` from a fresh process.

For each embedding backend, a seed store is ingested once with it (``benchmarks/.cache/work/seed-<backend>``),
then each command is run ``--repeat`` times as a new process (files in the page cache, as on a machine
that ran Kalan before): wall time from spawn to exit (median, max), the process's CPU time (median; on a
shared machine the wall time also counts waits for a core), and the 1-minute load average.
The questions are the first seed questions, a different one each run (spaCy loads for the name ones).

    .venv/bin/python -m benchmarks.bench_cli_coldstart [--backends torch onnx onnx_int8] [--repeat 5]

Results: printed, and ``benchmarks/.cache/results/cli_coldstart.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import time

from benchmarks import common, corpora

BACKENDS = ("torch", "onnx", "onnx_int8")


def _timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds user + system) of one run of ``cmd`` as a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=common.ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 2):  # --help without a command exits 0; usage errors 2
        raise RuntimeError(proc.stderr[-2000:])
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _row(samples: list[tuple[float, float]], load0: float) -> dict:
    """Median and max wall time, median CPU time (what the process itself cost: on a shared machine the
    wall time also counts the waits for a core)."""
    wall = [w for w, _ in samples]
    return {"median_s": round(statistics.median(wall), 2), "max_s": round(max(wall), 2),
            "median_cpu_s": round(statistics.median(c for _, c in samples), 2), "n": len(samples),
            "load1": f"{load0}→{common.load1()}"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    kalan = str(common.VENV_BIN / "kalan")
    questions = [c["question"] for c in corpora.seed_questions()]
    out = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": common.machine(),
           "versions": common.versions(), "code": common.code_version(), "help": None, "ask": {}}
    env = common.child_env(common.WORK / "scratch")
    load0 = common.load1()
    out["help"] = _row([_timed([kalan, "--help"], env) for _ in range(args.repeat)], load0)
    print(f"kalan --help: {out['help']}")
    for backend in args.backends:
        data = common.WORK / f"seed-{backend}"
        env = common.child_env(data, KALAN_EMBEDDING__BACKEND=backend)
        if not (data / "chroma").is_dir():
            subprocess.run([kalan, "ingest", "--corpus", str(common.SEED_CORPUS), "--no-progress"], env=env,
                           cwd=common.ROOT, check=True, capture_output=True)
        _timed([kalan, "ask", questions[0], "--json", "--no-log"], env)  # page cache warm, not timed
        load0 = common.load1()
        samples = [_timed([kalan, "ask", q, "--json", "--no-log"], env) for q in questions[1 : 1 + args.repeat]]
        out["ask"][backend] = _row(samples, load0)
        print(f"kalan ask --json ({backend}): {out['ask'][backend]}")
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "cli_coldstart.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
