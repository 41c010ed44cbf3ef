"""Section "chroma_server": the query benchmark against ``chroma run`` instead of the embedded store.

A Chroma server (``.venv/bin/chroma run --path DIR --port N``, fresh DIR) receives the
PIAF passages through ``ChunkStore.add`` (and their sentence vectors through
``ChunkStore.add_sentences``) with the e5 vectors of the embedded PIAF store (same ids,
texts, metadata; no re-embedding), then Kalan runs with
``store={"url": "http://127.0.0.1:N"}`` (what ``KALAN_CHROMA_URL`` sets). Warm ``search``
and ``ask`` latency on the same questions, embedded and server, interleaved in one
process; per-step components; the server's RSS.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np

from benchmarks import bench_query, child, common, corpora
from benchmarks.bench_coldstart import _free_port
from kalan.deploy.processes import stop_process


def run(quick: bool = False) -> dict:
    from kalan.evals.piaf import is_hit
    from kalan.ingest.pipeline import plan_corpus
    from kalan.rag.lexical import load_or_build

    out: dict = {"ensure_store": child.call("corpora", "ensure_piaf", 1200, quick=quick).get("result")}
    data, corpus, cases = corpora.piaf_store(quick)
    n_search, n_ask = (8, 2) if quick else (100, 30)

    db = common.WORK / "chroma-server-db"
    shutil.rmtree(db, ignore_errors=True)
    port = _free_port()
    log = open(common.WORK / "chroma-server.log", "w")
    t0 = time.perf_counter()
    srv = subprocess.Popen([str(common.VENV_BIN / "chroma"), "run", "--path", str(db), "--port", str(port)],
                           stdout=log, stderr=subprocess.STDOUT, cwd=common.WORK)
    try:
        import chromadb

        deadline = time.time() + 120
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
                break
            except Exception:
                if time.time() > deadline or srv.poll() is not None:
                    raise RuntimeError("chroma run did not start; see .cache/work/chroma-server.log")
                time.sleep(0.3)
        out["server_start_s"] = round(time.perf_counter() - t0, 2)
        url = f"http://127.0.0.1:{port}"

        emb_svc = common.service(data)
        srv_data = common.WORK / "chroma-server-data"
        shutil.rmtree(srv_data, ignore_errors=True)
        srv_svc = common.service(srv_data, url=url)

        per_article, _, _, _ = plan_corpus(corpus, emb_svc.settings)
        chunks = [c for cs in per_article.values() for c in cs]
        got = emb_svc.store.collection.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"]))
        vectors = np.stack([np.asarray(by_id[c.chunk_id], dtype=np.float32) for c in chunks])
        t1 = time.perf_counter()
        if hasattr(srv_svc.store, "add_sentences"):  # since 0655b6c: each chunk's sentence vectors too
            from kalan.rag.sentences import sentence_spans

            spans = [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]
            sids = [f"{c.chunk_id}:{i}" for c, sp in zip(chunks, spans) for i in range(len(sp))]
            sg = emb_svc.store.sentences.get(ids=sids, include=["embeddings"])
            sv = dict(zip(sg["ids"], sg["embeddings"]))
            srv_svc.store.add_sentences(chunks, spans, np.stack([np.asarray(sv[s], dtype=np.float32) for s in sids]))
            out["sentences"] = len(sids)
        srv_svc.store.add(chunks, vectors)
        out["write_s"] = round(time.perf_counter() - t1, 2)
        out["write_passages_per_s"] = round(len(chunks) / out["write_s"], 1)
        t1 = time.perf_counter()
        load_or_build(srv_svc.settings, srv_svc.store, rebuild=True)
        out["bm25_build_s"] = round(time.perf_counter() - t1, 2)
        out["passages"] = srv_svc.store.count()

        picked = bench_query.sample(cases, n_search)
        qs = [c["question"] for c in picked]

        def hit(i, passages):
            c = picked[i]
            return any(is_hit(p.text, c["paragraph"], c["evidence"]) for p in passages)

        for svc in (emb_svc, srv_svc):
            svc.search("échauffement", k=1)
        ask_q = qs[:n_ask] + bench_query.OFF_TOPIC[: 2 if quick else 10]
        res = {"embedded": {}, "server": {}}
        for name, svc in (("embedded", emb_svc), ("server", srv_svc)):
            res[name]["search"] = bench_query.search_latency(svc, qs, hit)
        for name, svc in (("embedded", emb_svc), ("server", srv_svc)):
            res[name]["ask"] = bench_query.ask_latency(svc, ask_q)
        for name, svc in (("embedded", emb_svc), ("server", srv_svc)):
            res[name]["components"] = bench_query.components(svc, qs[:40], titles_calls=1 if quick else 3)
        out |= res
        out["diff_ms"] = {
            "search_p50": round(res["server"]["search"]["p50_ms"] - res["embedded"]["search"]["p50_ms"], 1),
            "search_p95": round(res["server"]["search"]["p95_ms"] - res["embedded"]["search"]["p95_ms"], 1),
            "ask_p50": round(res["server"]["ask"]["p50_ms"] - res["embedded"]["ask"]["p50_ms"], 1),
            "ask_p95": round(res["server"]["ask"]["p95_ms"] - res["embedded"]["ask"]["p95_ms"], 1),
            "dense_search_p50": round(res["server"]["components"]["dense_search"]["p50_ms"]
                                      - res["embedded"]["components"]["dense_search"]["p50_ms"], 1),
            "store_count_p50": round(res["server"]["components"]["store_count"]["p50_ms"]
                                     - res["embedded"]["components"]["store_count"]["p50_ms"], 1),
        }
        out["server_rss_mb"] = common.tree_rss_mb(srv.pid)
        out["client_rss_mb"] = common.rss_mb()
    finally:
        stop_process(srv)
        log.close()
    return out
