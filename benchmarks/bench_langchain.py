"""Section "langchain": the LangChain RAG-tutorial retrieval pipeline beside Kalan, on PIAF.

Tutorial pipeline: each PIAF article as one document (``title`` line, blank line, then
its paragraphs separated by blank lines — the body of Kalan's Markdown file),
``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)``,
an in-memory Chroma (``langchain_chroma.Chroma``, default settings), the same
multilingual-e5-small through a LangChain ``Embeddings`` adapter with the e5 prefixes
("passage: " / "query: "), ``similarity_search(question, k=4)``.

Quality on every PIAF question, both pipelines using the same model (questions embedded
once per pipeline in a batch, then ``similarity_search_by_vector`` / ``Retriever.search_vector``):

- Kalan hit@k: a retrieved chunk lies inside the gold paragraph and contains a gold
  answer (``kalan.evals.piaf.is_hit``, the foundation issue's yardstick);
- tutorial hit@4: its chunks can span paragraphs, so a hit is a chunk that contains a gold
  answer and overlaps the gold paragraph (looser than Kalan's rule); "strict" also asks
  that the answer lies in the part of the chunk that belongs to the gold paragraph.

Speed: the full per-question call (embedding included) of each pipeline on a sample.
"""

from __future__ import annotations

import re
import time

from benchmarks import bench_query, child, common, corpora


class E5Embeddings:
    """LangChain ``Embeddings`` over a SentenceTransformer e5 model, with its prefixes."""

    def __init__(self, model):
        self.model = model

    def embed_documents(self, texts):
        return self.model.encode(["passage: " + t for t in texts], batch_size=32, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).tolist()

    def embed_query(self, text):
        return self.embed_documents_q([text])[0]

    def embed_documents_q(self, texts):
        return self.model.encode(["query: " + t for t in texts], batch_size=32, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).tolist()


def _squash(s: str) -> str:
    from kalan.rag.text import normalize

    return re.sub(r"\s+", " ", normalize(s)).strip()


def _as_embeddings(model):
    from langchain_core.embeddings import Embeddings

    class _E(E5Embeddings, Embeddings):
        pass

    return _E(model)


def run(quick: bool = False) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from kalan.evals.piaf import is_hit

    out: dict = {"ensure_store": child.call("corpora", "ensure_piaf", 1200, quick=quick).get("result")}
    data, corpus, cases = corpora.piaf_store(quick)
    n_speed = 10 if quick else 80

    # documents with the offsets of each paragraph
    import json

    from benchmarks.common import PIAF_JSON

    raw = json.loads(PIAF_JSON.read_text(encoding="utf-8"))["data"]
    if quick:
        raw = raw[: corpora.QUICK_PIAF_ARTICLES]
    docs, spans = [], {}
    for art_i, art in enumerate(raw):
        paras = [re.sub(r"\s*\n\s*", " ", p["context"]).strip() for p in art["paragraphs"]]
        text = art["title"] + "\n\n"
        for para in paras:
            spans.setdefault(para, (art_i, len(text), len(text) + len(para)))
            text += para + "\n\n"
        docs.append(Document(page_content=text.rstrip(), metadata={"article": art_i, "title": art["title"]}))

    model = common.embedder().model
    emb = _as_embeddings(model)
    t0 = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    splits = splitter.split_documents(docs)
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    vs = Chroma(collection_name=f"lc-tutorial-{int(time.time())}", embedding_function=emb, client=client)
    vs.add_documents(splits)
    lc_ingest_s = time.perf_counter() - t0
    out["tutorial_ingest"] = {"chunks": len(splits), "seconds": round(lc_ingest_s, 1),
                              "chunks_per_s": round(len(splits) / lc_ingest_s, 2),
                              "mean_chunk_chars": round(sum(len(d.page_content) for d in splits) / len(splits))}

    # quality on every question (batch-embedded once per pipeline)
    svc = common.service(data)
    svc.search("échauffement", k=1)
    qs = [c["question"] for c in cases]
    t0 = time.perf_counter()
    lc_qv = emb.embed_documents_q(qs)
    kal_qv = svc.embedder.embed_queries(qs)
    out["question_embedding_s"] = round(time.perf_counter() - t0, 1)
    rs = svc.settings.retrieval
    retr = svc.retriever
    lc_h = lc_strict = k4 = k5 = 0
    for c, lv, kv in zip(cases, lc_qv, kal_qv):
        answers = [_squash(a) for a in c["evidence"]]
        art_i, ps, pe = spans[c["paragraph"]]
        got = vs.similarity_search_by_vector(lv, k=4)
        hit_l = hit_s = False
        for d in got:
            s = d.metadata["start_index"]
            e = s + len(d.page_content)
            if d.metadata["article"] != art_i or e <= ps or s >= pe:
                continue
            if any(a in _squash(d.page_content) for a in answers):
                hit_l = True
                inter = docs[art_i].page_content[max(s, ps): min(e, pe)]
                hit_s = hit_s or any(a in _squash(inter) for a in answers)
        lc_h += hit_l
        lc_strict += hit_s
        kg = retr.search_vector(c["question"], kv, 5, rs.mode)
        ranks = [i for i, p in enumerate(kg) if is_hit(p.text, c["paragraph"], c["evidence"])]
        k4 += bool(ranks) and ranks[0] < 4
        k5 += bool(ranks)
    n = len(cases)
    out["quality"] = {"questions": n, "tutorial_hit@4": round(lc_h / n, 4), "tutorial_hit@4_strict": round(lc_strict / n, 4),
                      "kalan_hit@4": round(k4 / n, 4), "kalan_hit@5": round(k5 / n, 4),
                      "kalan_passages": svc.store.count()}

    # speed: the whole call per question, on a sample
    sq = [c["question"] for c in bench_query.sample(cases, n_speed)]
    out["speed"] = {"tutorial_similarity_search_k4": common.time_calls(lambda q: vs.similarity_search(q, k=4), sq)[0],
                    "kalan_search_k5": common.time_calls(lambda q: svc.search(q, k=5), sq)[0],
                    "tutorial_again": common.time_calls(lambda q: vs.similarity_search(q, k=4), sq)[0]}
    return out
