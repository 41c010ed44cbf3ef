"""Generative mode latency: time to the model's first token and to the first text a student sees.

A local GGUF through llama-cpp-python (``llm.mode = llamacpp``) on the seed store
(``.kalan``, or ``--data-dir``), for every 8th answerable seed question without history.
For each question, through ``KalanService.chain.stream`` (what the chat window uses):

- ``first_token_s``: from the question to the model's first streamed token (retrieval,
  prompt building, prompt evaluation by llama.cpp);
- ``first_text_s``: to the first text shown (Kalan shows a sentence once it is complete,
  verified against its passage and the answer would not be refused);
- ``total_s``; ``prompt_tokens`` (llama.cpp tokenizer, chat template included).

Not part of ``benchmarks.run`` (it needs llama-cpp-python and a GGUF: ``make llm``):

    .venv/bin/python -m benchmarks.bench_generative --gguf /path/model.gguf [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(gguf: Path, data_dir: Path | None, every: int = 8, passages: int | None = None) -> dict:
    import kalan.rag.chain as chain_mod
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    over = {"llm": {"mode": "llamacpp", "gguf_path": str(gguf)}}
    if passages:
        over["llm"]["passages"] = passages
    settings = load_settings(**({"data_dir": data_dir} if data_dir else {}), **over)
    svc = KalanService(settings)
    cases = [json.loads(line) for line in (ROOT / "evals/sets/seed.jsonl").read_text(encoding="utf-8").splitlines()]
    cases = [c for c in cases if c["answerable"] and not c.get("history")][::every]

    marks: dict = {}
    original = chain_mod._stream_text

    def timed(chat, messages):
        if hasattr(chat, "model"):
            prompt = chat.model.tokenize("".join(m["content"] for m in messages).encode("utf-8"))
            marks["prompt_tokens"] = len(prompt)
        for i, piece in enumerate(original(chat, messages)):
            if i == 0:
                marks.setdefault("first_token", time.perf_counter())
            yield piece

    chain_mod._stream_text = timed
    t_load = time.perf_counter()
    list(svc.chain.stream("Quand les relations diplomatiques ont-elles commencé ?"))  # loads the model (not counted)
    load_s = time.perf_counter() - t_load
    rows = []
    try:
        for c in cases:
            marks.clear()
            t0 = time.perf_counter()
            first_text = None
            final = None
            for ev in svc.chain.stream(c["question"]):
                if ev["type"] == "delta" and ev["text"].strip() and first_text is None:
                    first_text = time.perf_counter() - t0
                if ev["type"] == "final":
                    final = ev["answer"]
            rows.append({
                "id": c["id"], "prompt_tokens": marks.get("prompt_tokens"),
                "first_token_s": round(marks["first_token"] - t0, 2) if "first_token" in marks else None,
                "first_text_s": round(first_text, 2) if first_text is not None else None,
                "total_s": round(time.perf_counter() - t0, 2), "mode": final.get("mode") if final else None,
                "refused": final.get("refused") if final else None,
            })
            print(rows[-1], file=sys.stderr, flush=True)
    finally:
        chain_mod._stream_text = original

    def p(key, q):
        vals = sorted(r[key] for r in rows if r[key] is not None)
        if not vals:
            return None
        return round(vals[min(len(vals) - 1, int(q * len(vals)))], 2) if q < 1 else round(vals[-1], 2)

    return {
        "gguf": gguf.name, "k": settings.llm.passages, "n": len(rows), "model_load_s": round(load_s, 1),
        "first_token_p50_s": p("first_token_s", 0.5), "first_token_p95_s": p("first_token_s", 0.95),
        "first_text_p50_s": p("first_text_s", 0.5), "total_p50_s": p("total_s", 0.5),
        "prompt_tokens_mean": round(statistics.mean(r["prompt_tokens"] for r in rows if r["prompt_tokens"]), 0)
        if any(r["prompt_tokens"] for r in rows) else None,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Latence du mode génératif (premier jeton, premier texte affiché).")
    ap.add_argument("--gguf", required=True, type=Path)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("--passages", type=int, default=None, help="passages given to the model (llm.passages)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--save", action="store_true",
                    help="also write benchmarks/.cache/results/full/generative.json (goals table of BENCHMARKS.md)")
    args = ap.parse_args(argv)
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    from benchmarks import common

    load_before = common.load1()
    res = measure(args.gguf, args.data_dir, args.every, args.passages)
    if args.save:
        from datetime import datetime, timezone

        common.write_json(common.RESULTS / "full" / "generative.json", {
            "result": res, "load1_before": load_before, "load1_after": common.load1(), "section": "generative",
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
    print(json.dumps(res if args.json else {k: v for k, v in res.items() if k != "rows"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
