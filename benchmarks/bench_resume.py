"""Section "resume": an ingest killed with SIGKILL midway resumes without re-embedding or duplicates.

``kalan ingest --corpus X --json`` (the installed CLI, as a user runs it) on a ~2k-passage
corpus (the first service-public.fr fiches) with ``KALAN_DATA_DIR`` on a fresh folder. The
progress bar on stderr tells how many passages were written; at half the total the
process gets ``kill -9``. The store is then opened (no model needed) and counted
(``written``); a second run completes. Checks: second run's ``added`` + ``written`` =
total chunks; final count = chunks; ids unique; the BM25 index covers every chunk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from benchmarks import common, corpora
from benchmarks.bench_scale import _NameOnlyEmbedder

_PROGRESS = re.compile(r"(\d+)/(\d+)")


def _open_store(data_dir):
    from kalan.rag.store import ChunkStore

    return ChunkStore(common.settings_for(data_dir), _NameOnlyEmbedder())


def run(quick: bool = False, fraction: float = 0.5) -> dict:
    from kalan.rag.lexical import LexicalIndex, index_dir

    n = 120 if quick else 2000
    corpus, m = corpora.vdd_corpus(n)
    data_dir = common.WORK / "resume-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    env = common.child_env(data_dir)
    cmd = [str(common.VENV_BIN / "kalan"), "ingest", "--corpus", str(corpus), "--json"]
    out: dict = {"corpus_chunks": m["chunks"], "articles": m["articles"], "kill_at_fraction": fraction,
                 "command": "kalan ingest --corpus <vdd-2000> --json  (KALAN_DATA_DIR=<fresh>)"}

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=common.ROOT)
    seen = {"done": 0, "total": 0, "t_first": None}

    def reader():
        buf = b""
        while True:
            b = p.stderr.read1(4096) if hasattr(p.stderr, "read1") else p.stderr.read(64)
            if not b:
                return
            buf = (buf + b)[-2000:]
            found = _PROGRESS.findall(buf.decode("utf-8", "replace"))
            if found:
                done, total = map(int, found[-1])
                if seen["t_first"] is None:
                    seen["t_first"] = time.perf_counter() - t0
                seen["done"], seen["total"] = done, total

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    killed = False
    deadline = time.perf_counter() + (300 if quick else 1500)
    while p.poll() is None and time.perf_counter() < deadline:
        if seen["total"] and seen["done"] >= fraction * seen["total"]:
            os.kill(p.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    if p.poll() is None and not killed:
        p.kill()
    p.wait()
    th.join(timeout=5)
    out["first_run"] = {"killed": killed, "progress_seen": f"{seen['done']}/{seen['total']}",
                        "seconds_until_kill": round(time.perf_counter() - t0, 1),
                        "returncode": p.returncode}

    store = _open_store(data_dir)
    written = store.count()
    out["first_run"]["written"] = written
    del store
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # let the second process own the folder alone
    except Exception:
        pass

    t0 = time.perf_counter()
    r = subprocess.run(cmd + ["--no-progress"], capture_output=True, text=True, env=env, cwd=common.ROOT,
                       timeout=1500)
    second = {"seconds": round(time.perf_counter() - t0, 1), "returncode": r.returncode}
    try:
        rep = json.loads(r.stdout.strip().splitlines()[-1])
        second |= {k: rep[k] for k in ("articles", "chunks", "added", "unchanged", "removed")}
        second["errors"] = len(rep.get("errors", []))
    except (ValueError, IndexError):
        second["stdout"] = r.stdout[-500:]
        second["stderr"] = r.stderr[-1500:]
    out["second_run"] = second

    store = _open_store(data_dir)
    ids = []
    for got_ids, _, _ in store.scan(include=[]):
        ids.extend(got_ids)
    count = store.count()
    idx = LexicalIndex.load(index_dir(store.settings))
    chunks = second.get("chunks", m["chunks"])
    out["final"] = {"count": count, "unique_ids": len(set(ids)), "bm25_docs": len(idx.ids) if idx else None}
    out["checks"] = {
        "killed_midway": killed and 0 < written < chunks,
        "added_plus_written_eq_total": second.get("added", -1) + written == chunks,
        "count_eq_chunks": count == chunks,
        "no_duplicates": len(set(ids)) == len(ids) == count,
        "bm25_covers_all": bool(idx) and len(idx.ids) == count,
        "unchanged_eq_written": second.get("unchanged") == written,
    }
    out["met"] = all(out["checks"].values())
    return out
