"""The long-lived objects of a Kalan process, built once and shared.

``KalanService`` holds the embedder, the store, the BM25 index and the
retriever (and, once asked, the answer chain), created lazily from one
``Settings``. The CLI, the Gradio app and the evaluation runner all go through
it, so a question is answered the same way everywhere.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

from kalan.rag.embeddings import build_embedder
from kalan.rag.lexical import index_dir, load_or_build
from kalan.rag.memory import release_freed_heap
from kalan.rag.retrieval import Retriever
from kalan.rag.store import ChunkStore

log = logging.getLogger(__name__)


class KalanService:
    def __init__(self, settings, embedder=None):
        self.settings = settings
        self._embedder = embedder
        self._lock = threading.RLock()
        self._lexical = None
        self._articles: tuple[int, dict[str, str]] | None = None  # (store size, article id -> title)
        self._lexical_stamp: int | None = None

    @cached_property
    def embedder(self):
        return self._embedder or build_embedder(self.settings)

    @cached_property
    def fusion_embedder(self):
        """The second embedder of ``answer.fusion`` (None when off): its cosines are blended into sentence scores."""
        if self.settings.answer.fusion == "off":
            return None
        emb = self.settings.embedding.model_copy(update={"mode": self.settings.answer.fusion, "path": None,
                                                          "query_prefix": None, "passage_prefix": None,
                                                          "cosine": None})
        return build_embedder(self.settings.model_copy(update={"embedding": emb}))

    @cached_property
    def store(self) -> ChunkStore:
        return ChunkStore(self.settings, self.embedder)

    @cached_property
    def corpus_watch(self):
        """With a shared database (several instances on one store): watches the corpus version, else None."""
        if not self.settings.database_url:
            return None
        from kalan.db.corpus_version import CorpusVersion, CorpusWatch

        try:
            return CorpusWatch(CorpusVersion(self.settings.database_url))
        except Exception as exc:  # the database is away at start: answer; the index refreshes on restart
            log.warning("version du corpus non suivie : %s", exc)
            return None

    @property
    def lexical(self):
        """The BM25 index, reloaded when an ingest (here or in another process) rewrote it.
        Checked by the saved index's modification time: no store count per question; with a shared database,
        also by the corpus version (another instance changed the shared store): rebuilt from the store."""
        with self._lock:
            moved = self.corpus_watch is not None and self.corpus_watch.moved()
            if moved:
                self._articles = None
            stamp = _index_stamp(self.settings)
            if (moved or self._lexical is None or stamp != self._lexical_stamp
                    or (stamp is None and not self._lexical.ids)):
                self._lexical = load_or_build(self.settings, self.store, rebuild=moved)
                self._lexical_stamp = _index_stamp(self.settings)
            return self._lexical

    def invalidate(self) -> None:
        """Forget the BM25 index (after an ingest in this process)."""
        with self._lock:
            self._lexical = None

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.lexical, self.embedder, self.settings)

    def search(self, question: str, k: int | None = None, mode: str | None = None):
        return self.retriever.search(question, k, mode)

    def proves(self, record: dict) -> bool:
        """Whether a reviewed answer would be served again over today's passages (``rag.verified.servable``)."""
        from kalan.rag.verified import servable

        return servable(record, self.store, self.embedder, self.settings.answer.min_support,
                        self.settings.embedding.cosine)

    def titles(self) -> list[str]:
        """Titles of the ingested articles, sorted (cached until the store's size changes)."""
        return sorted(t for t in self.articles().values() if t)

    def articles(self) -> dict[str, str]:
        """article id -> title of the ingested articles (cached until the store's size changes)."""
        count = self.store.count()
        with self._lock:
            if self._articles is not None and self._articles[0] == count:
                return dict(self._articles[1])
        seen: dict[str, str] = {}
        for _, meta, _ in self.store.all_chunks(include_documents=False):
            seen.setdefault((meta or {}).get("article_id", ""), (meta or {}).get("title", ""))
        seen.pop("", None)
        release_freed_heap()  # the scan's pages of metadata, freed: ~200 MB resident at 10k passages otherwise
        with self._lock:
            self._articles = (count, seen)
        return dict(seen)

    def article_id(self, wanted: str | None) -> str | None:
        """The id of the article ``wanted`` names, by its id or its exact title (case and accents aside); None
        for none asked. Raises ``QuestionError`` (French message listing the articles) for an unknown one."""
        if wanted is None or not str(wanted).strip():
            return None
        from kalan.rag import messages as msg
        from kalan.rag.guards import QuestionError
        from kalan.rag.text import fold

        known = self.articles()
        key = fold(str(wanted)).strip()
        for aid, title in known.items():
            if key in (fold(aid), fold(title).strip()):
                return aid
        raise QuestionError(msg.UNKNOWN_ARTICLE.format(article=str(wanted)[:200], known=" ; ".join(
            f"{aid} (« {t} »)" for aid, t in sorted(known.items())[:20]) or "aucun"))

    def planted_articles(self) -> dict[str, dict]:
        """Articles holding sentences aimed at an AI assistant: article id -> {"title", "sentences"}."""
        return self.store.planted_by_article()

    @cached_property
    def verified(self):
        """The teacher-verified answers of this deployment's answer log, or None (reuse off, or the log cannot be
        opened: answers are then composed anew, never refused for it)."""
        if not self.settings.verified.reuse:
            return None
        from kalan.db.answer_log import open_answer_log
        from kalan.rag.verified import VerifiedAnswers

        try:
            answer_log = open_answer_log(self.settings)
        except Exception as exc:
            log.warning("journal des réponses illisible, pas de réponses vérifiées : %s", exc)
            return None
        v = self.settings.verified
        return VerifiedAnswers(answer_log, self.embedder, v.min_similarity, v.same_names, v.max_new_words,
                               v.max_missing_words, word_type=v.word_type)

    @cached_property
    def chain(self):
        from kalan.rag.chain import AnswerChain

        return AnswerChain(self, self.settings)

    @cached_property
    def extractive_chain(self):
        """The extractive answer path whatever ``llm.mode``: what a check of answerability needs (the suggested
        questions check up to ``study.suggestion_checks`` questions per answer), without a chat model's seconds
        per question nor its server taken from the students."""
        if self.settings.llm.mode == "extractive":
            return self.chain
        from kalan.rag.chain import AnswerChain
        from kalan.rag.settings import with_overrides

        return AnswerChain(self, with_overrides(self.settings, llm={"mode": "extractive"}))

    def ask(self, question: str, history: list | None = None, article: str | None = None) -> dict:
        """``article``: an article id (``articles``) the answer is read from; None: every article."""
        return self.chain.ask(question, history, article)

    def ask_extractive(self, question: str, article: str | None = None) -> dict:
        """``ask`` through ``extractive_chain``: the sentences of the articles, no chat model; ``article`` as in
        ``ask``."""
        return self.extractive_chain.ask(question, None, article)

    def answer_stream(self, question: str, history: list | None = None):
        """Text of the answer as it comes (never a half-written marker); see ``AnswerChain.stream`` for events."""
        for event in self.chain.stream(question, history):
            if event["type"] == "delta":
                yield event["text"]


def _index_stamp(settings) -> int | None:
    try:
        return (index_dir(settings) / "ids.json").stat().st_mtime_ns
    except OSError:
        return None
