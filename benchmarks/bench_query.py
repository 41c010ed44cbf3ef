"""Section "query": warm latency of ``KalanService.search`` and ``KalanService.ask`` (extractive).

Corpora: the seed corpus (``corpus/``, questions of ``evals/sets/seed.jsonl``) and PIAF
(all 354 paragraphs, a fixed sample of the PIAF questions). The ≥100k-passage row comes
from the scale section (same functions, run in its own process on the 100k store).

``search`` = embedding the question + Chroma dense search + BM25 + fusion (+ the stored
vectors of BM25-only candidates). ``ask`` = the whole extractive chain (retrieval, sentence
scoring with e5, verification, refusal decision). Each process warms up first (model,
BM25 index, chain), so the figures are warm latencies; cold start is its own section.

``components`` times each per-query step alone on the same questions, to see what
grows with the store: question embedding, ``store.count()``, Chroma dense search,
BM25 search, the ``KalanService.lexical`` property (which calls ``store.count()``),
``KalanService.titles()`` (called by every refusal; a full scan per call before commit
89be186, cached by store size since) and, for comparison, that full scan.
"""

from __future__ import annotations

import random
import time

from benchmarks import common, corpora

# Questions a pupil may ask that no corpus here covers: they exercise the refusal path.
OFF_TOPIC = [
    "Qui a gagné la coupe du monde de football en 2018 ?",
    "Quelle est la recette de la blanquette de veau ?",
    "Combien de lunes possède la planète Jupiter ?",
    "Qui a peint la Joconde ?",
    "Quelle est la vitesse de la lumière dans le vide ?",
    "En quelle année a été construite la tour Eiffel ?",
    "Quel est le plus long fleuve d'Afrique ?",
    "Comment fonctionne la photosynthèse chez les plantes ?",
    "Qui a composé la Symphonie du Nouveau Monde ?",
    "Quelle est la capitale de l'Australie ?",
]


def sample(items: list, n: int, seed: int = 7) -> list:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items[:n]


def search_latency(svc, questions: list[str], hit=None) -> dict:
    """Warm p50/p95 of ``svc.search(q)`` (k=5); with ``hit(i, passages)``, hit@5 too."""
    stats, results = common.time_calls(lambda q: svc.search(q), questions)
    if hit is not None:
        hits = sum(1 for i, got in enumerate(results) if hit(i, got))
        stats["hit@5"] = round(hits / max(1, len(results)), 3)
    return stats


def ask_latency(svc, questions: list[str]) -> dict:
    """Warm p50/p95 of ``svc.ask(q)``, overall and split by answered / refused."""
    for q in questions[:2]:
        svc.ask(q)
    ms = {"answered": [], "refused": []}
    reasons: dict[str, int] = {}
    load0 = common.load1()
    for q in questions:
        t0 = time.perf_counter()
        a = svc.ask(q)
        dt = (time.perf_counter() - t0) * 1000
        ms["refused" if a["refused"] else "answered"].append(dt)
        if a["refused"]:
            reasons[a["refusal_reason"] or "?"] = reasons.get(a["refusal_reason"] or "?", 0) + 1
    out = common.percentiles(ms["answered"] + ms["refused"])
    out["load1"] = f"{load0}→{common.load1()}"
    out["answered"] = common.percentiles(ms["answered"])
    out["refused"] = common.percentiles(ms["refused"])
    out["refusal_reasons"] = reasons
    return out


def _titles_full_scan(svc):
    """``KalanService.titles`` as it was before commit 89be186: a full metadata+documents scan per call."""
    def titles():
        seen: dict[str, str] = {}
        for _, meta, _ in svc.store.all_chunks():
            seen.setdefault((meta or {}).get("article_id", ""), (meta or {}).get("title", ""))
        return sorted(t for t in seen.values() if t)
    return titles


def refusal_titles_cost(svc, questions: list[str], warm: bool = True) -> dict:
    """Ask latency of refused questions with ``KalanService.titles`` as it is now (cached by store
    size) and as it was before commit 89be186 (a full scan per refusal, replayed here on this
    instance). Sentence caches warmed first; the two variants alternate question by question."""
    for q in questions if warm else []:
        svc.ask(q)
    current = svc.titles
    variants = (("before_full_scan", _titles_full_scan(svc)), ("now_cached", current))
    ms = {name: [] for name, _ in variants}
    refused = 0
    try:
        for q in questions:
            for name, fn in variants:
                svc.titles = fn
                t0 = time.perf_counter()
                a = svc.ask(q)
                ms[name].append((time.perf_counter() - t0) * 1000)
            refused += bool(a["refused"])
    finally:
        del svc.titles  # back to the class method
    return {k: common.percentiles(v) for k, v in ms.items()} | {"refused": refused, "questions": len(questions)}


def components(svc, questions: list[str], titles_calls: int = 3) -> dict:
    """Per-step warm latency (ms p50/p95) on the same questions."""
    st = svc.store
    fetch = svc.settings.retrieval.fetch_k
    lex = svc.lexical
    qvecs = {}
    t = {"embed_query": [], "store_count": [], "dense_search": [], "bm25_search": [], "lexical_property": [],
         "get_missing": []}
    for q in questions:
        t0 = time.perf_counter(); qv = svc.embedder.embed_queries([q])[0]; t["embed_query"].append(time.perf_counter() - t0)
        qvecs[q] = qv
        t0 = time.perf_counter(); st.count(); t["store_count"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); dense = st.dense_search(qv, fetch); t["dense_search"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); got = lex.search(q, fetch); t["bm25_search"].append(time.perf_counter() - t0)
        t0 = time.perf_counter(); svc.lexical; t["lexical_property"].append(time.perf_counter() - t0)
        have = {p.chunk_id for p in dense}
        missing = [c for c, _ in got if c not in have]
        t0 = time.perf_counter(); st.get(missing, query_vector=qv) if missing else None; t["get_missing"].append(time.perf_counter() - t0)
        if hasattr(st, "sentence_vectors"):  # since 0655b6c: the sentences of the 10 fused candidates, per query
            t0 = time.perf_counter(); st.sentence_vectors([p.chunk_id for p in dense[:10]])
            t.setdefault("sentence_vectors_10", []).append(time.perf_counter() - t0)
    out = {k: common.percentiles([x * 1000 for x in v]) for k, v in t.items()}
    tt = []
    for _ in range(titles_calls):
        t0 = time.perf_counter()
        _titles_full_scan(svc)()
        tt.append((time.perf_counter() - t0) * 1000)
    out["titles_full_scan"] = common.percentiles(tt)
    tt = []
    for _ in range(max(titles_calls, 10)):
        t0 = time.perf_counter()
        n_titles = len(svc.titles())
        tt.append((time.perf_counter() - t0) * 1000)
    out["titles_now"] = common.percentiles(tt) | {"titles": n_titles,
                                                  "first_call_ms": round(tt[0], 1)}
    return out


def serving_memory() -> dict:
    return {"rss_mb": common.rss_mb(), "peak_rss_mb": common.peak_rss_mb()}


def bench_corpus(svc, search_q: list[str], ask_q: list[str], hit=None, n_components: int = 40) -> dict:
    svc.search("échauffement", k=1)  # model, store, BM25 index loaded
    out = {"passages": svc.store.count()}
    out["search"] = search_latency(svc, search_q, hit)
    out["ask"] = ask_latency(svc, ask_q)
    out["components"] = components(svc, search_q[:n_components])
    out["memory"] = serving_memory()
    return out


def run(quick: bool = False) -> dict:
    from kalan.evals.piaf import is_hit
    from kalan.ingest.pipeline import ingest_corpus

    out: dict = {}
    n_search, n_ask = (10, 4) if quick else (150, 50)

    # seed corpus
    data = common.WORK / "seed-data"
    svc = common.service(data)
    ingest_corpus(svc.settings, common.SEED_CORPUS, svc.store, svc.embedder, progress=False)
    cases = corpora.seed_questions()
    qs = [c["question"] for c in cases]
    out["seed"] = {"corpus": "seed (corpus/, 1 article)", "questions": "evals/sets/seed.jsonl (answerable and not)"}
    off = OFF_TOPIC[:3] if quick else OFF_TOPIC
    out["seed"] |= bench_corpus(svc, qs[:n_search], qs[:n_ask] + off, n_components=n_search)

    # PIAF
    data, corpus, cases = corpora.piaf_store(quick)
    svc = common.service(data)
    rep = ingest_corpus(svc.settings, corpus, svc.store, svc.embedder, progress=False)
    picked = sample(cases, n_search)
    qs = [c["question"] for c in picked]

    def hit(i, passages):
        c = picked[i]
        return any(is_hit(p.text, c["paragraph"], c["evidence"]) for p in passages)

    out["piaf"] = {"corpus": f"PIAF ({rep.chunks} passages)", "questions": f"{len(qs)} PIAF questions (seeded sample) + {len(off)} off-topic for ask"}
    out["piaf"] |= bench_corpus(svc, qs, qs[:n_ask] + off, hit, n_components=min(40, n_search))
    return out
