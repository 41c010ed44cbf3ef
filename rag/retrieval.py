"""Hybrid retrieval: dense (Chroma) + BM25, fused.

``Retriever.search(question, k)`` embeds the question once, asks Chroma for
``fetch_k`` nearest chunks and BM25 for its ``fetch_k`` best, and fuses the two
lists. Fusion ``weighted`` (default, chosen on PIAF, see BENCHMARKS.md) mixes
dense cosine and max-normalised BM25 scores; ``rrf`` is reciprocal rank fusion.
Each returned ``Passage`` keeps its dense cosine (``dense_score``), which the
refusal logic reads as an absolute relevance signal.

An article's card (its title, author, date and source, ingested as a passage of its own) is retrieved only for
a question about the article itself (``answer_types.ABOUT_CARD_Q``). A question on the title (« selon le
titre … », ``ABOUT_TITLE_Q``) gets the card of the best passage's article in place of the last of the ``k``
passages, never of the first (``retrieval.title_card``): cards are found by meaning only, and their author,
source and date fields pull their vector away from the title's words.

``as_langchain_retriever`` exposes the same search as a LangChain retriever.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kalan.rag.answer_types import ABOUT_CARD_Q, ABOUT_TITLE_Q, happened_phrase, missing_entities
from kalan.rag.documents import CARD_SECTION, Passage
from kalan.rag.lexical import LexicalIndex
from kalan.rag.messages import STORE_EMPTY
from kalan.rag.settings import CosineCalibration
from kalan.rag.store import StoreEmpty
from kalan.rag.text import fold


class Retriever:
    def __init__(self, store, lexical: LexicalIndex | None, embedder, settings):
        self.store = store
        self.lexical = lexical
        self.embedder = embedder
        self.rs = settings.retrieval
        self.cosine = settings.embedding.cosine or CosineCalibration()

    def search(self, question: str, k: int | None = None, mode: str | None = None,
               article: str | None = None) -> list[Passage]:
        k = k or self.rs.k
        mode = mode or self.rs.mode
        qvec = self.embedder.embed_queries([question])[0]
        return self.search_vector(question, qvec, k, mode, article)

    def search_vector(self, question: str, qvec: np.ndarray, k: int, mode: str,
                      article: str | None = None) -> list[Passage]:
        """The ``k`` best passages for ``question``; with ``article`` (an article id), that article's only: a
        student who studies one article asks « ça a coûté combien ? » of it, not of the whole corpus."""
        if mode == "bm25" and not (self.lexical and self.lexical.ids) and self.store.count() == 0:
            raise StoreEmpty(STORE_EMPTY)  # dense search says so itself
        fetch = max(self.rs.fetch_k, k)
        dense = self.store.dense_search(qvec, fetch, article) if mode in ("hybrid", "dense") else []
        # « que s'est-il passé en 1903 ? »: « passé » would match any passage where something « passe »
        frame = happened_phrase(question) or ""
        only = self.store.chunk_ids_of(article) if article and self.lexical else None  # BM25 within the article
        lex = self.lexical.search(question, fetch, frame, only) if (self.lexical and mode in ("hybrid", "bm25")) \
            else []
        folded = fold(question)
        about_card = bool(ABOUT_CARD_Q.search(folded))
        # an article's card answers questions about the article itself (author, date, source…), never about
        # its subject: in « selon l'article » questions it took the place of the passage that answers; nor a
        # question naming someone the card does not (« Qui a écrit à Sergueï Lavrov ? » asks the article)
        cards = {p.chunk_id for p in dense if p.section == CARD_SECTION
                 and (not about_card or missing_entities(question, [p.text]))}
        dense = [p for p in dense if p.chunk_id not in cards]
        floor = dense[-1].dense_score if dense else 0.0  # of the candidates: cards left out are none
        if mode == "dense":
            return [replace(p, score=p.dense_score) for p in dense[:k]]
        by_id = {p.chunk_id: p for p in dense}
        missing = [cid for cid, _ in lex if cid not in by_id]
        if missing:  # BM25 found them, the dense list did not: their cosine from the stored vectors
            for p in self.store.get(missing, query_vector=qvec):
                if about_card or p.section != CARD_SECTION:
                    by_id[p.chunk_id] = p
                else:
                    cards.add(p.chunk_id)
        if article:  # a passage of another article never comes back (a chunk moved since the ids were read)
            by_id = {c: p for c, p in by_id.items() if p.article_id == article}
            lex = [(c, s) for c, s in lex if c in by_id]
        if cards:
            lex = [(c, s) for c, s in lex if c not in cards]
        bm = dict(lex)
        if mode == "bm25":
            return [replace(by_id[c], score=s, bm25_score=s) for c, s in lex[:k] if c in by_id]
        dense_all = sorted(((c, p.dense_score) for c, p in by_id.items()), key=lambda kv: -kv[1])
        fused = [(cid, s) for cid, s in fuse(dense_all, lex, self.rs, floor) if cid in by_id]
        if self.rs.sentence_weight > 0 and fused:
            fused = self._rerank_by_sentence(qvec, fused[: max(k, self.rs.rerank_k)], by_id)
        top = fused[:k]
        if self.rs.title_card and len(top) > 1 and ABOUT_TITLE_Q.search(folded):
            # a question on the title (« selon le titre ») reads the card of the best passage's article (one card
            # per article), which holds it, even when the card's other fields keep it out of the first k
            article = by_id[top[0][0]].article_id
            shown = {cid for cid, _ in top}
            card = next((p.chunk_id for p in by_id.values() if p.section == CARD_SECTION
                         and p.article_id == article and p.chunk_id not in shown), None)
            if card is not None:
                top = top[: k - 1] + [(card, top[-1][1])]
        return [replace(by_id[cid], score=score, bm25_score=bm.get(cid)) for cid, score in top]

    def _rerank_by_sentence(self, qvec: np.ndarray, fused: list[tuple[str, float]], by_id: dict) -> list[tuple[str, float]]:
        """A passage whose best sentence matches the question closely moves up (PIAF: hit@1 +1.5 points).
        Sentence vectors are stored at ingestion; they also serve the extractive answer."""
        ids = [cid for cid, _ in fused]  # n_sentences from the passages' metadata: the sentences are read by id
        vectors = self.store.sentence_vectors(ids, n_sentences={c: by_id[c].extra.get("n_sentences") for c in ids})
        if not vectors:
            return fused
        top = fused[0][1] or 1.0
        out = []
        for cid, score in fused:
            sents = vectors.get(cid)
            bonus = 0.0
            if sents:
                sims = np.stack([v for _, v in sents]) @ qvec
                cal = self.cosine
                bonus = self.rs.sentence_weight * (float(sims.max()) - cal.rerank_low) / (cal.rerank_high - cal.rerank_low)
                by_id[cid].extra["sentence_vectors"] = {t: v for t, v in sents}
            out.append((cid, score / top + bonus))
        return sorted(out, key=lambda kv: (-kv[1], kv[0]))


def fuse(dense: list[tuple[str, float]], lexical: list[tuple[str, float]], rs,
         floor: float | None = None) -> list[tuple[str, float]]:
    """Fused ranking of two scored lists, best first.

    Weighted fusion maps dense cosines to [0, 1] between ``floor`` (the last
    dense candidate's cosine) and the best one, BM25 scores by the best BM25.
    """
    scores: dict[str, float] = {}
    if rs.fusion == "rrf":
        for lst in (dense, lexical):
            for rank, (cid, _) in enumerate(lst):
                scores[cid] = scores.get(cid, 0.0) + 1.0 / (rs.rrf_k + rank + 1)
    else:
        w = rs.dense_weight
        top_dense = dense[0][1] if dense else 1.0
        floor = (dense[-1][1] if dense else 0.0) if floor is None else floor
        span = max(top_dense - floor, 1e-6)
        top_lex = lexical[0][1] if lexical else 1.0
        for cid, s in dense:
            scores[cid] = w * max(0.0, (s - floor) / span)
        for cid, s in lexical:
            scores[cid] = scores.get(cid, 0.0) + (1 - w) * s / top_lex
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def as_langchain_retriever(retriever: Retriever, k: int | None = None):
    """A LangChain ``BaseRetriever`` over Kalan's hybrid search (documents carry Passage metadata)."""
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class KalanRetriever(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager=None) -> list[Document]:
            return [
                Document(page_content=p.text, id=p.chunk_id, metadata={**p.__dict__, "extra": None})
                for p in retriever.search(query, k)
            ]

    return KalanRetriever()
