"""Section "current_100k": the ≥100k checks again on the code of the day (sentence vectors, no count per query).

Kalan changed during this benchmark session (0655b6c: one vector per sentence stored at
ingestion and a sentence rerank of the fused candidates; beb8bd7: no ``store.count()`` per
query). Re-embedding 10k passages with the sentence vectors did not fit in the session, so
this section rebuilds the ≥100k store the same way as the scale section (now with sentence
vectors: real ones for the passages ingested with the real model, random for the others),
then measures search / ask / components / RSS on it, the re-ingest of one changed article,
and the partially ingested real store as an intermediate point.
"""

from __future__ import annotations

from benchmarks import bench_reingest, bench_scale, child, common


def run(quick: bool = False) -> dict:
    small, _, big = bench_scale.sizes(quick)
    n_search, n_ask = (10, 3) if quick else (100, 30)
    limit = 400 if quick else 1500
    out: dict = {}

    def step(name, module, func, **kw):
        r = child.call(module, func, limit, **kw)
        out[name] = r.get("result") or {"error": r.get("error")}
        out[name]["_wall_s"] = r.get("wall_s")
        out[name]["_load1"] = f"{r.get('load1_before')}→{r.get('load1_after')}"

    step("query_real", "bench_scale", "query_step", data=bench_scale.REAL_DATA, question_chunks=small,
         n_search=n_search, n_ask=n_ask)
    step("build_big", "bench_scale", "build_step", min_chunks=big, real_data=bench_scale.REAL_DATA,
         data=bench_scale.BIG_DATA)
    step("query_big", "bench_scale", "query_step", data=bench_scale.BIG_DATA, question_chunks=small,
         n_search=n_search, n_ask=n_ask)
    step("reingest", "bench_reingest", "run", quick=quick)
    out["code"] = common.code_version()
    return out
