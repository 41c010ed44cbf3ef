"""Shared helpers of the benchmarks: paths, settings, timing, memory, machine facts.

Memory is read from ``/proc/self/status`` (VmRSS now, VmHWM peak) — psutil is not a
Kalan dependency — with ``resource.getrusage`` as the fallback for the peak. The peak
can be reset (``reset_peak``, Linux ``clear_refs``) so that one process can report the
peak of one phase.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
CACHE = BENCH / ".cache"
WORK = CACHE / "work"
RESULTS = CACHE / "results"
PIAF_JSON = ROOT.parent / "shared/data/piaf/piaf-v1.0-dev.json"
SEED_CORPUS = ROOT / "corpus"
MODEL_DIR = ROOT / ".kalan/models/multilingual-e5-small"
VENV_BIN = ROOT / ".venv/bin"

QUIET_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
os.environ.update({k: v for k, v in QUIET_ENV.items() if k not in os.environ})


# -- settings and service ------------------------------------------------------------------------

def settings_for(data_dir: Path, url: str | None = None, **over):
    """Kalan settings on ``data_dir`` with the provisioned e5-small (no download, no copy)."""
    from kalan.rag.settings import load_settings

    store = {"url": url} if url else {}
    return load_settings(data_dir=Path(data_dir), store=store,
                         embedding={"mode": "e5", "path": MODEL_DIR}, **over)


def child_env(data_dir: Path, **extra) -> dict:
    """Environment of a ``kalan`` subprocess working on ``data_dir`` with the same model."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update({"KALAN_DATA_DIR": str(data_dir), "KALAN_EMBEDDING__PATH": str(MODEL_DIR)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


_EMBEDDER = None


def embedder():
    """One real e5-small embedder per process."""
    global _EMBEDDER
    if _EMBEDDER is None:
        from kalan.rag.embeddings import SentenceTransformerEmbedder

        _EMBEDDER = SentenceTransformerEmbedder(MODEL_DIR)
    return _EMBEDDER


def service(data_dir: Path, url: str | None = None):
    from kalan.rag.service import KalanService

    return KalanService(settings_for(data_dir, url), embedder=embedder())


# -- time and load ---------------------------------------------------------------------------------

def load1() -> float:
    return round(os.getloadavg()[0], 2)


def uptime_line() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except Exception:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def timed(out: dict, key: str):
    """``with timed(d, "x_s"):`` stores the elapsed seconds in ``d["x_s"]``."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        out[key] = round(time.perf_counter() - t0, 3)


def percentiles(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0}
    a = np.asarray(ms, dtype=float)
    return {"n": int(a.size), "p50_ms": round(float(np.percentile(a, 50)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1), "mean_ms": round(float(a.mean()), 1),
            "max_ms": round(float(a.max()), 1)}


def time_calls(fn, items, warmup: int = 3) -> tuple[dict, list]:
    """Warm latency: ``fn(item)`` for each item after ``warmup`` untimed calls; (percentiles, results)."""
    for it in items[:warmup]:
        fn(it)
    ms, out = [], []
    load_before = load1()
    for it in items:
        t0 = time.perf_counter()
        out.append(fn(it))
        ms.append((time.perf_counter() - t0) * 1000)
    stats = percentiles(ms)
    stats["load1"] = f"{load_before}→{load1()}"
    return stats, out


# -- memory ---------------------------------------------------------------------------------------

def _status_kb(field: str, pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb(pid: int | str = "self") -> float | None:
    kb = _status_kb("VmRSS", pid)
    return None if kb is None else round(kb / 1024, 1)


def peak_rss_mb(pid: int | str = "self") -> float | None:
    kb = _status_kb("VmHWM", pid)
    if kb is None and pid == "self":
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return None if kb is None else round(kb / 1024, 1)


def reset_peak() -> bool:
    """Reset this process's peak RSS (Linux ≥ 4.0); False where not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and its children (e.g. ``chroma run`` and its workers)."""
    total = rss_mb(pid) or 0.0
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    for k in kids:
        total += tree_rss_mb(int(k))
    return round(total, 1)


# -- vectors --------------------------------------------------------------------------------------

def random_unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


# -- machine --------------------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": mem_gb, "kernel": platform.release(),
            "python": platform.python_version()}


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "sentence-transformers", "transformers", "chromadb", "langchain-chroma",
                 "langchain-core", "langchain-text-splitters", "bm25s", "gradio", "gradio_client", "numpy",
                 "onnxruntime", "tokenizers", "spacy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def code_version() -> dict:
    """The Kalan code a figure was measured on: HEAD and the tracked files changed in the work tree."""
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.rstrip()
        except Exception:
            return ""
    changed = [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
               if not line[3:].startswith(("benchmarks/", "BENCHMARKS.md"))]
    return {"head": git("rev-parse", "--short", "HEAD").strip(), "head_subject": git("log", "-1", "--format=%s")[:100],
            "modified": changed}


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2), encoding="utf-8")


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


# -- ingest with a time breakdown -----------------------------------------------------------------

def instrumented_ingest(svc, corpus_dir: Path, progress: bool = False):
    """``ingest_corpus`` as Kalan runs it, with the seconds spent in each step recorded.

    Steps are timed by wrapping, without changing Kalan's code: the plan (``plan_changes``, or
    ``plan_corpus`` before the manifest existed), ``load_or_build`` and the manifest's
    ``read_manifest`` / ``write_manifest`` (looked up in ``kalan.ingest.pipeline``), and the
    store's ``article_chunk_ids`` / ``add`` / ``delete`` and the embedder's ``embed_passages``
    on these instances. Returns (report, {"total_s", "plan_s", ..., "store_scans"}): with a
    usable manifest the store is not scanned (``store_scans`` 0).
    """
    from kalan.ingest import pipeline

    acc = {"plan_s": 0.0, "scan_s": 0.0, "manifest_s": 0.0, "embed_s": 0.0, "write_s": 0.0, "delete_s": 0.0,
           "bm25_s": 0.0}

    def wrap(fn, key):
        def inner(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                acc[key] += time.perf_counter() - t0
        return inner

    store, emb = svc.store, svc.embedder
    wrapped = {"plan_changes" if hasattr(pipeline, "plan_changes") else "plan_corpus": "plan_s",
               "load_or_build": "bm25_s", "read_manifest": "manifest_s", "write_manifest": "manifest_s"}
    saved_mod = {k: getattr(pipeline, k) for k in wrapped if hasattr(pipeline, k)}

    class _Emb:
        name, dim = emb.name, emb.dim
        embed_queries = emb.embed_queries
        embed_passages = staticmethod(wrap(emb.embed_passages, "embed_s"))
        if hasattr(emb, "embed_passages_with_parts"):  # embedding.sentence_vectors = "late"
            embed_passages_with_parts = staticmethod(wrap(emb.embed_passages_with_parts, "embed_s"))

    orig = {k: getattr(store, k) for k in ("article_chunk_ids", "add", "delete")}
    for k, fn in saved_mod.items():
        setattr(pipeline, k, wrap(fn, wrapped[k]))
    scans = []

    def scan():
        scans.append(1)
        return orig["article_chunk_ids"]()
    store.article_chunk_ids = wrap(scan, "scan_s")
    store.add = wrap(orig["add"], "write_s")
    store.delete = wrap(orig["delete"], "delete_s")
    t0 = time.perf_counter()
    try:
        report = pipeline.ingest_corpus(svc.settings, corpus_dir, store, _Emb(), progress=progress)
    finally:
        for k, fn in saved_mod.items():
            setattr(pipeline, k, fn)
        for k in orig:
            delattr(store, k)
    acc["total_s"] = time.perf_counter() - t0
    acc["other_s"] = acc["total_s"] - sum(v for k, v in acc.items() if k != "total_s")
    return report, {k: round(v, 2) for k, v in acc.items()} | {"store_scans": len(scans)}
