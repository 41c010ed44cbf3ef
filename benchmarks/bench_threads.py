"""Section "threads": e5-small on 2 cores shared with other processes — torch threading settings.

The embedding of the question is most of a search, and embedding is all of an ingest.
torch uses 2 OpenMP threads here; when other processes also want the CPU, OpenMP's
default active waiting (threads spin at each barrier) can make a 2-thread forward pass
far slower than a 1-thread one. Each configuration runs in its own process (the OpenMP
policy is read when torch loads): Kalan as it is; ``torch.set_num_threads(1)``;
``OMP_WAIT_POLICY=PASSIVE`` with 2 threads. Measured: one-question embedding latency
(what ``search`` pays) and passages/s on batches of 64 PIAF chunks (what ingest pays).
The three run in turn, twice; the load average next to each figure says how contended
the CPU was.
"""

from __future__ import annotations

import time

from benchmarks import child, common, corpora

QUESTIONS = ["Comment faire la demande de carte grise ?", "Quel est le montant de l'aide au logement ?",
             "Qui peut bénéficier de la prime d'activité ?", "Quelle est la durée de validité du passeport ?",
             "Quand a été fondée la ville de Bamako ?"]


def measure(threads: int | None, n_passages: int) -> dict:
    import torch

    from kalan.ingest.pipeline import plan_corpus

    if threads:
        torch.set_num_threads(threads)
    emb = common.embedder()
    corpus, _, _ = corpora.piaf(None)
    pa, _, _, _ = plan_corpus(corpus, common.settings_for(common.WORK / "scratch"))
    texts = [c.match_text for cs in pa.values() for c in cs][:n_passages]
    emb.embed_queries(["échauffement"])
    emb.embed_passages(texts[:8])
    load0 = common.load1()
    ms = []
    for q in QUESTIONS * 4:
        t0 = time.perf_counter()
        emb.embed_queries([q])
        ms.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    for i in range(0, len(texts), 64):
        emb.embed_passages(texts[i : i + 64])
    dt = time.perf_counter() - t0
    return {"torch_threads": torch.get_num_threads(), "query_embedding": common.percentiles(ms),
            "passages_per_s": round(len(texts) / dt, 2), "passages": len(texts), "load1": f"{load0}→{common.load1()}"}


def run(quick: bool = False) -> dict:
    n = 64 if quick else 128
    runs = []
    for rnd in range(1 if quick else 2):  # the three configurations in turn, twice: the load drifts
        for name, threads, env in (("as_is", None, {}), ("threads_1", 1, {}),
                                   ("omp_passive", None, {"OMP_WAIT_POLICY": "PASSIVE"})):
            r = child.call("bench_threads", "measure", 600, env=env, threads=threads, n_passages=n)
            runs.append({"config": name, "round": rnd + 1} | (r.get("result") or {"error": r.get("error")}))
    return {"runs": runs}
