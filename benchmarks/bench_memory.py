"""Serving memory (issue #16): resident set size after each step of a fresh serving process, per variant.

    .venv/bin/python -m benchmarks.bench_memory --data-dir DIR [--variants current,tokenizers,...] [--asks 6]

Each variant runs in its own fresh process on the store in ``DIR`` (onnx fp32 backend, the default) and reports
VmRSS after: the imports; the embedder loaded and one question embedded; the store opened; the first search
(Chroma's HNSW and BM25 load); 20 more searches; ``--asks`` answers (questions written from the store's titles)
and spaCy's French pipeline (loaded by name questions and the fact check; loaded explicitly if no answer did).

Variants:
- ``before``: as the code was before this benchmark (``tokenizers``' tokeniser, no freed heap given back);
- ``current``: the code as it is;
- ``tokenizers``: the embedder with ``tokenizers``' own Rust tokeniser (the code before ``kalan.rag.unigram_tokenizer``);
- ``no-arena``: current, onnxruntime's CPU memory arena off (``SessionOptions.enable_cpu_mem_arena = False``);
- ``trim``: current, and glibc's ``malloc_trim(0)`` after every step (freed heap given back to the system).

Results: printed as a table, and ``benchmarks/.cache/results/memory-<store>.json``. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from benchmarks import common

VARIANTS = ("before", "tokenizers", "current", "no-arena", "trim")


def _apply(variant: str) -> None:
    if variant == "before":
        import kalan.rag.nlp
        import kalan.rag.service
        import kalan.rag.unigram_tokenizer

        for module in (kalan.rag.nlp, kalan.rag.service, kalan.rag.unigram_tokenizer):
            module.release_freed_heap = lambda: False
    if variant in ("before", "tokenizers"):
        import kalan.rag.unigram_tokenizer as ut

        def rust(path, max_tokens):
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(path))
            tok.enable_truncation(max_length=max_tokens)
            return tok

        ut.load_tokenizer = rust
    elif variant == "no-arena":
        import onnxruntime as ort

        real = ort.InferenceSession

        def session(path, options=None, **kw):
            options = options or ort.SessionOptions()
            options.enable_cpu_mem_arena = False
            return real(path, options, **kw)

        ort.InferenceSession = session


def child(variant: str, data_dir: Path, asks: int) -> dict:
    steps: list[tuple[str, float]] = []

    def mark(name: str) -> None:
        if variant == "trim":
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        steps.append((name, common.rss_mb()))

    mark("python")
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    _apply(variant)
    mark("imports")
    svc = KalanService(load_settings(data_dir=data_dir, embedding={"mode": "e5", "path": common.MODEL_DIR,
                                                                     "backend": "onnx"}))
    svc.embedder.embed_queries(["Comment faire la demande ?"])
    mark("embedder")
    n = svc.store.count()
    mark("store opened")
    titles = svc.titles()
    svc.search(titles[0])
    mark("first search")
    for t in titles[1:21]:
        svc.search(f"Comment faire pour {t.lower()} ?")
    mark("20 searches")
    for t in titles[:asks]:
        svc.ask(f"Qui s'occupe de {t.lower()} ?")
    mark(f"{asks} answers")
    answers_loaded_spacy = "spacy" in sys.modules
    if variant in ("before", "tokenizers") or not svc.settings.chunk.entities:
        from kalan.rag.nlp import french

        french()  # as ``kalan serve`` loaded it at start before entities were stored at ingestion
        mark("spaCy loaded")
    return {"variant": variant, "passages": n, "steps": steps, "peak": common.peak_rss_mb(), "load1": common.load1(),
            "spacy_loaded_by_answers": answers_loaded_spacy, "spacy_loaded": "spacy" in sys.modules}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--asks", type=int, default=6)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data_dir, args.asks)))
        return
    results = []
    for variant in args.variants.split(","):
        load = common.load1()
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_memory", "--child", variant, "--data-dir",
                              str(args.data_dir), "--asks", str(args.asks)], capture_output=True, text=True,
                             cwd=common.ROOT, env=common.child_env(args.data_dir))
        if out.returncode:
            print(out.stderr[-2000:], file=sys.stderr)
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["load1_start"] = load
        results.append(result)
        prev = 0.0
        cells = []
        for name, rss in result["steps"]:
            cells.append(f"{name} {rss:.0f} (+{rss - prev:.0f})")
            prev = rss
        print(f"{variant} ({result['passages']} passages, load {load}→{result['load1']}): " + " | ".join(cells)
              + f" | peak {result['peak']}", flush=True)
    common.write_json(common.RESULTS / f"memory-{args.data_dir.name}.json",
                      {"machine": common.machine(), "code": common.code_version(), "results": results})


if __name__ == "__main__":
    main()
