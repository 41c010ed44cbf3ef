"""Run one benchmark function in a fresh process, so its memory figures are its own.

    python -m benchmarks.child MODULE FUNC JSON_KWARGS OUT_JSON

writes ``{"result": ..., "wall_s", "load1_before", "load1_after", "peak_rss_mb"}`` (or
``{"error": traceback}``) to OUT_JSON. ``call`` is the parent side, with a time limit.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import common


def call(module: str, func: str, timeout_s: float, env: dict | None = None, **kwargs) -> dict:
    """Run ``benchmarks.<module>.<func>(**kwargs)`` in a child process (``env``: extra variables)."""
    common.WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("r", suffix=".json", dir=common.WORK, delete=False) as f:
        out_path = Path(f.name)
    cmd = [sys.executable, "-m", "benchmarks.child", module, func, json.dumps(kwargs), str(out_path)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=common.child_env(common.WORK / "scratch", **(env or {})))
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        out_path.unlink(missing_ok=True)
        return {"error": f"timeout after {timeout_s:.0f} s", "wall_s": round(time.perf_counter() - t0, 1)}
    try:
        data = json.loads(out_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {"error": f"child exited with code {proc.returncode} and no result"}
    out_path.unlink(missing_ok=True)
    return data


def main(argv: list[str]) -> int:
    module, func, kwargs, out = argv[0], argv[1], json.loads(argv[2]), Path(argv[3])
    t0 = time.perf_counter()
    data = {"load1_before": common.load1(), "uptime_before": common.uptime_line(), "code": common.code_version()}
    try:
        fn = getattr(importlib.import_module(f"benchmarks.{module}"), func)
        data["result"] = fn(**kwargs)
    except Exception:
        data["error"] = traceback.format_exc()
        print(data["error"], file=sys.stderr)
    data |= {"wall_s": round(time.perf_counter() - t0, 1), "load1_after": common.load1(),
             "uptime_after": common.uptime_line(), "peak_rss_mb": common.peak_rss_mb()}
    out.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
