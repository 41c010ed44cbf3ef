"""Question–sentence cosines of two embedders (e5-small, EmbeddingGemma-300M): ranking, distribution, cost.

What it measures, for each model on the same items:

* **seed**: the answerable questions of ``evals/sets/seed.jsonl`` against every sentence of the
  seed article (as ingestion cuts it: chunks, then ``sentence_spans``); the evidence sentences are
  those holding one of the case's ``evidence`` substrings (or held by one). Follow-ups are encoded
  without their history.
* **piaf**: ``--piaf-n`` PIAF dev questions (the first by SHA-256 of their id, so the sample does not
  depend on file order) against the sentences of their own paragraph; the evidence sentence holds
  the answer's start offset. Paragraphs of one sentence are left out.
* rank-1 rate (an evidence sentence has the highest cosine), percentiles of the best evidence
  cosine per question, of every question–other-sentence cosine and of the best other sentence
  per question; question–passage cosines (seed: best chunk for answerable vs off-topic and
  on-topic-unanswerable questions; PIAF: own paragraph vs a paragraph of another article);
* encoding time per sentence (batches of 32, sorted by length, after a warm-up) and per question,
  resident memory added by loading the model and the peak of the whole process.

Each model runs in its own process (clean memory figures). The driver then maps the e5 constants of
the answer code onto Gemma by quantiles (same share of the distribution on each side of the
threshold): ``(sim - 0.70) / 0.25`` in extractive.py and ``(sim - 0.75) / 0.2`` in citations.py on
all question–sentence cosines, ``strong_similarity`` 0.855 on the best-evidence cosines,
``min_retrieval_score`` 0.80 on question–best-passage cosines.

Not here: end-to-end answer quality (``kalan eval``); the answer code is not touched.

    .venv/bin/python benchmarks/bench_sentence_ranking.py            # both models, ~5 min on 2 cores
    .venv/bin/python benchmarks/bench_sentence_ranking.py --piaf-n 100 --models e5
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

SEED_SET = common.ROOT / "evals" / "sets" / "seed.jsonl"
OUT = common.RESULTS / "sentence_ranking.json"
PCTS = (10, 25, 50, 75, 90)
# e5 constants of the answer code and the distribution each one acts on (see the module docstring)
E5_CONSTANTS = {
    "extractive_floor": (0.70, "sentences"), "extractive_top": (0.95, "sentences"),
    "citations_floor": (0.75, "sentences"), "citations_top": (0.95, "sentences"),
    "strong_similarity": (0.855, "evidence"), "min_retrieval_score": (0.80, "passages"),
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_items() -> tuple[list[dict], list[dict], list[str], list[str]]:
    """(answerable items with evidence sentence indices, refused questions, chunk texts, article sentences)."""
    from kalan.ingest.pipeline import plan_corpus
    from kalan.rag.sentences import sentence_spans
    from kalan.rag.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), embedding={"mode": "fake"})
        chunks_by_article, _, _, _ = plan_corpus(common.SEED_CORPUS, settings)
    chunks = [c for cs in chunks_by_article.values() for c in cs]
    sentences = [_squash(c.text[a:b]) for c in chunks for a, b in (sentence_spans(c.text) or [(0, len(c.text))])]
    items, refused = [], []
    for line in SEED_SET.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        if not case.get("answerable"):
            refused.append({"id": case["id"], "question": case["question"], "tags": case.get("tags", [])})
            continue
        ev = [_squash(e) for e in case.get("evidence") or []]
        hits = [i for i, s in enumerate(sentences) if any(e in s or s in e for e in ev if e)]
        if hits:
            items.append({"id": case["id"], "question": case["question"], "evidence": hits})
    return items, refused, [c.match_text for c in chunks], sentences


def piaf_items(n: int) -> list[dict]:
    from kalan.rag.sentences import sentence_spans

    data = json.loads(common.PIAF_JSON.read_text(encoding="utf-8"))["data"]
    rows = []
    for a, article in enumerate(data):
        for p, para in enumerate(article["paragraphs"]):
            for qa in para["qas"]:
                if qa.get("answers"):
                    rows.append((hashlib.sha256(qa["id"].encode()).hexdigest(), a, p, qa))
    rows.sort(key=lambda r: r[0])
    items = []
    for _, a, p, qa in rows:
        context = data[a]["paragraphs"][p]["context"]
        spans = sentence_spans(context)
        if len(spans) < 2:
            continue
        start = qa["answers"][0]["answer_start"]
        ev = [i for i, (s, e) in enumerate(spans) if s <= start < e]
        if not ev:
            continue
        items.append({"id": qa["id"], "question": qa["question"], "article": a, "paragraph": p,
                      "sentences": [context[s:e] for s, e in spans], "evidence": ev, "context": context})
        if len(items) == n:
            break
    return items


def _pct(values) -> dict:
    a = np.asarray(values, dtype=float)
    return {f"p{q}": round(float(np.percentile(a, q)), 3) for q in PCTS} | {"n": int(a.size)} if a.size else {"n": 0}


def _auc(pos, neg) -> float:
    """P(a positive cosine > a negative one), ties half: how well one global threshold can separate them."""
    pos, neg = np.asarray(pos, dtype=float), np.sort(np.asarray(neg, dtype=float))
    below = np.searchsorted(neg, pos, side="left")
    ties = np.searchsorted(neg, pos, side="right") - below
    return round(float((below + ties / 2).sum() / (pos.size * neg.size)), 3)


def _ranking(q: np.ndarray, items: list[dict], sent_vecs: list[np.ndarray]) -> dict:
    first, best_ev, best_other, others = [], [], [], []
    for qv, item, sv in zip(q, items, sent_vecs):
        cos = sv @ qv
        ev = set(item["evidence"])
        first.append(int(np.argmax(cos)) in ev)
        best_ev.append(float(max(cos[i] for i in ev)))
        rest = [float(c) for i, c in enumerate(cos) if i not in ev]
        others.extend(rest)
        best_other.append(max(rest) if rest else float("nan"))
    margin = [e - o for e, o in zip(best_ev, best_other) if o == o]
    return {"questions": len(items), "rank1": round(float(np.mean(first)), 3),
            "evidence_best": _pct(best_ev), "other_all": _pct(others), "other_best": _pct([o for o in best_other if o == o]),
            "margin_best": _pct(margin), "auc_evidence_vs_others": _auc(best_ev, others),
            "_raw": {"evidence": best_ev, "others": others, "first": dict(zip([it["id"] for it in items], first))}}


def measure(model: str, piaf_n: int) -> dict:
    from kalan.rag.embeddings import MODELS, SentenceTransformerEmbedder, default_model_dir

    import sentence_transformers  # noqa: F401 — libraries loaded first: rss_model_mb is the model alone

    model_id, _, qp, pp = MODELS[model]
    path = default_model_dir(common.ROOT / ".kalan" / "models", model)
    load_before = common.load1()
    rss0 = common.rss_mb()
    t0 = time.perf_counter()
    emb = SentenceTransformerEmbedder(path, qp, pp)
    load_s = time.perf_counter() - t0
    rss_model = common.rss_mb() - rss0

    seed, refused, chunks, seed_sentences = seed_items()
    piaf = piaf_items(piaf_n)
    emb.embed_passages(seed_sentences[:8])  # warm-up
    emb.embed_queries([seed[0]["question"]])

    all_sentences = seed_sentences + [s for it in piaf for s in it["sentences"]]
    t0 = time.perf_counter()
    vecs = emb.embed_passages(all_sentences)
    sentence_ms = (time.perf_counter() - t0) * 1000 / len(all_sentences)
    questions = [it["question"] for it in seed] + [r["question"] for r in refused] + [it["question"] for it in piaf]
    t0 = time.perf_counter()
    qvecs = emb.embed_queries(questions)
    question_ms = (time.perf_counter() - t0) * 1000 / len(questions)

    seed_vecs = vecs[: len(seed_sentences)]
    piaf_vecs, cursor = [], len(seed_sentences)
    for it in piaf:
        piaf_vecs.append(vecs[cursor : cursor + len(it["sentences"])])
        cursor += len(it["sentences"])
    q_seed, q_refused, q_piaf = np.split(qvecs, [len(seed), len(seed) + len(refused)])

    # question–passage cosines
    chunk_vecs = emb.embed_passages(chunks)
    paragraphs = {(it["article"], it["paragraph"]): it["context"] for it in piaf}
    keys = sorted(paragraphs)
    para_vecs = dict(zip(keys, emb.embed_passages([paragraphs[k] for k in keys])))
    own, other = [], []
    for qv, it in zip(q_piaf, piaf):
        own.append(float(para_vecs[(it["article"], it["paragraph"])] @ qv))
        foreign = [k for k in keys if k[0] != it["article"]]
        k = foreign[int(hashlib.sha256(it["id"].encode()).hexdigest(), 16) % len(foreign)]
        other.append(float(para_vecs[k] @ qv))
    best_chunk = lambda qs: [float(np.max(chunk_vecs @ qv)) for qv in qs]  # noqa: E731
    off_topic = [qv for qv, r in zip(q_refused, refused) if "off-topic" in r["tags"]]
    on_topic = [qv for qv, r in zip(q_refused, refused) if "unanswerable-on-topic" in r["tags"]]
    passages = {
        "auc_piaf_own_vs_other_article": _auc(own, other),
        "auc_seed_answerable_vs_off_topic": _auc(best_chunk(q_seed), best_chunk(off_topic)),
        "seed_answerable_best_chunk": _pct(best_chunk(q_seed)),
        "seed_unanswerable_on_topic_best_chunk": _pct(best_chunk(on_topic)),
        "seed_off_topic_best_chunk": _pct(best_chunk(off_topic)),
        "piaf_own_paragraph": _pct(own),
        "piaf_other_article_paragraph": _pct(other),
        "_raw": best_chunk(q_seed) + best_chunk(q_refused) + own + other,
    }
    return {
        "model": model_id, "dim": emb.dim, "load_s": round(load_s, 1),
        "load_average_1min": [round(load_before, 2), round(common.load1(), 2)],  # shared 2-core machine
        "rss_model_mb": round(rss_model), "peak_rss_mb": round(common.peak_rss_mb() or 0),
        "encode_ms_per_sentence": round(sentence_ms, 1), "encode_ms_per_question": round(question_ms, 1),
        "sentences_encoded": len(all_sentences), "mean_sentence_chars": round(float(np.mean([len(s) for s in all_sentences]))),
        "seed": _ranking(q_seed, seed, [seed_vecs] * len(seed)),
        "seed_sentences": len(seed_sentences),
        "piaf": _ranking(q_piaf, piaf, piaf_vecs),
        "passages": passages,
    }


def calibrate(e5: dict, gemma: dict) -> dict:
    """Gemma value at the same quantile as each e5 constant, on the distribution it acts on."""
    def dist(res, kind):
        if kind == "evidence":
            return np.asarray(res["seed"]["_raw"]["evidence"] + res["piaf"]["_raw"]["evidence"])
        if kind == "passages":
            return np.asarray(res["passages"]["_raw"])
        return np.asarray(res["seed"]["_raw"]["evidence"] + res["seed"]["_raw"]["others"]
                          + res["piaf"]["_raw"]["evidence"] + res["piaf"]["_raw"]["others"])
    out = {}
    for name, (value, kind) in E5_CONSTANTS.items():
        share = float(np.mean(dist(e5, kind) <= value))
        out[name] = {"e5": value, "share_below": round(share, 3),
                     "gemma": round(float(np.quantile(dist(gemma, kind), share)), 3), "on": kind}
    return out


def _wins(e5: dict, gemma: dict) -> dict:
    """Questions whose evidence only one model ranks first."""
    return {"gemma_only": sorted(k for k in e5 if gemma[k] and not e5[k]),
            "e5_only": sorted(k for k in e5 if e5[k] and not gemma[k]),
            "both": sum(e5[k] and gemma[k] for k in e5), "neither": sum(not e5[k] and not gemma[k] for k in e5)}


def _strip_raw(obj):
    if isinstance(obj, dict):
        return {k: _strip_raw(v) for k, v in obj.items() if k != "_raw"}
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["e5", "gemma"], choices=["e5", "gemma"])
    ap.add_argument("--piaf-n", type=int, default=300)
    ap.add_argument("--one", choices=["e5", "gemma"], help=argparse.SUPPRESS)  # child process
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if args.one:
        sys.stdout.write(json.dumps(measure(args.one, args.piaf_n)) + "\n")
        return 0
    results = {}
    for model in args.models:
        done = subprocess.run([sys.executable, __file__, "--one", model, "--piaf-n", str(args.piaf_n)],
                              capture_output=True, text=True, env={**common.child_env(common.WORK), "OMP_WAIT_POLICY": "PASSIVE"})
        if done.returncode:
            sys.stderr.write(done.stderr[-3000:])
            return done.returncode
        results[model] = json.loads(done.stdout.strip().splitlines()[-1])
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": common.machine(), "versions": common.versions(),
              "code": common.code_version(), "piaf_n": args.piaf_n,
              "models": {m: _strip_raw(r) for m, r in results.items()}}
    if "e5" in results and "gemma" in results:
        report["gemma_equivalents"] = calibrate(results["e5"], results["gemma"])
        report["rank1_gemma_vs_e5"] = {set_: _wins(results["e5"][set_]["_raw"]["first"],
                                                   results["gemma"][set_]["_raw"]["first"]) for set_ in ("seed", "piaf")}
    common.write_json(args.out, report)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
