"""Suggested questions: up to N French questions about facts near an answer, each one checked answerable.

Where they come from: the sentences of the corpus. Near an answer, the sentences of the cited passages and of
the passages around them in the same section, nearest first; for the landing page, the sentences of every
article, taken in turn from each, and within an article from each section in turn. A student who studies one
article (« Article étudié »: its id given as ``article``) gets examples from that article only, and every check
is asked within it, as their questions are. A sentence that holds a
fact gives a question in a small fixed frame:

- a date → « Que s'est-il passé en 1960 ? » (« … le 14 octobre 2025 ? », « … dans les années 1960 ? »);
- a person (spaCy's French NER, stored with the chunk at ingestion: ``kalan.rag.entities``) → « Qui est Abdoulaye Diop ? »;
- an organisation → « Qu'est-ce que la Compagnie fluviale du Niger ? » (with the article's own determiner).

Navigation noise, headings (no verb-length sentence), sentences that are questions and sentences aimed at an AI
assistant (``kalan.rag.planted``) give none. A fact that the question or the short answer already holds is not
suggested again.

Near an answer means its article: the cited passage's section first, then the rest of that article, nearest
first; the corpus's opening facts (the landing page's examples) only when the answer cites nothing or its article
gives no candidate.

Checked: each candidate goes through the extractive answer path (``service.ask_extractive``, whatever the chat
mode: a chat model would spend seconds per check) and is kept only if not refused (within the studied article,
if any). Two candidates answered with
the same first quoted sentence and the same short answer ask the same thing in two wordings: only the first is
kept.
At most ``study.suggestion_checks`` candidates are run per answer, and verdicts are cached per store size and
article, so a question is checked once per scope while the corpus does not change. Does not answer (``kalan.rag.chain``).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from kalan.rag import entities
from kalan.rag.citations import QUOTE_JOIN
from kalan.rag.planted import planted_spans
from kalan.rag.sentences import sentence_spans
from kalan.rag.short_answer import DATE  # the direct answer's date pattern
from kalan.rag.text import fold
from kalan.study import messages as m

log = logging.getLogger(__name__)

_DETERMINER = re.compile(r"(?:\b(le|la|les)\s+|\b(l['’]))$", re.IGNORECASE)
MIN_WORDS = 6


def _when(date_text: str) -> str:
    f = fold(date_text)
    if f.startswith(("les annees", "annees")):
        return "dans " + ("les " + date_text if f.startswith("annees") else date_text)
    if re.match(r"(?:\d{1,2}|1er)\s", f):
        return "le " + date_text
    return "en " + date_text


def _usable(sentence: str) -> bool:
    return len(sentence.split()) >= MIN_WORDS and not sentence.rstrip().endswith("?")


@lru_cache(maxsize=4096)
def _questions(sentence: str) -> tuple[tuple[str, str], ...]:
    return tuple(questions_from(sentence))


def questions_from(sentence: str) -> list[tuple[str, str]]:
    """(question, the fact it asks about) for each fact of one sentence, in the order of the sentence."""
    if not _usable(sentence):
        return []
    out: list[tuple[int, str, str]] = []
    for d in DATE.finditer(sentence):
        text = d.group(0)
        if re.fullmatch(r"(?:1er|\d{1,2})\s+\S+", fold(text)):  # « 14 octobre » without its year: too vague
            continue
        out.append((d.start(), m.SUGGEST_WHEN.format(when=_when(text)), text))
    for start, end, label in entities.of(sentence) or ():  # stored at ingestion, else parsed now
        name = sentence[start:end].strip(" ,.;:«»\"'’")
        if len(name) < 3 or not name[:1].isupper():
            continue
        if label == "PER" and len(name.split()) >= 2:  # a full name: « Qui est Diop ? » is too thin
            out.append((start, m.SUGGEST_WHO.format(name=name), name))
        elif label == "ORG":
            det = _DETERMINER.search(sentence[:start])
            if det:
                name = (det.group(1).lower() + " " if det.group(1) else "l'") + name
            out.append((start, m.SUGGEST_WHAT.format(name=name), name))
    return [(q, fact) for _, q, fact in sorted(out)]


def _sentences(passage) -> list[str]:
    planted = planted_spans(passage.text)
    return [passage.text[a:b] for a, b in sentence_spans(passage.text)
            if not any(a < pe and ps < b for ps, pe in planted)]


def _in_turn(lists: list[list]) -> list:
    """The first item of each list, then the second of each, …; an item met before is not taken again."""
    lists = [list(dict.fromkeys(v)) for v in lists]
    out = []
    for i in range(max((len(v) for v in lists), default=0)):
        out.extend(v[i] for v in lists if i < len(v))
    return list(dict.fromkeys(out))


_FRAMES = tuple(t.split("{")[0] for t in (m.SUGGEST_WHEN, m.SUGGEST_WHO, m.SUGGEST_WHAT))


def _frames_in_turn(candidates: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The candidates of each question frame (« Que s'est-il passé … », « Qui est … », « Qu'est-ce que … ») taken
    in turn, each frame in its own order: four examples are not four dates."""
    by_frame: dict[int, list] = {}
    for c in candidates:
        by_frame.setdefault(next((i for i, f in enumerate(_FRAMES) if c[0].startswith(f)), len(_FRAMES)), []).append(c)
    return _in_turn([by_frame[k] for k in sorted(by_frame)])


class Suggester:
    """Suggestions for answers and example questions for the landing page, over one service's corpus."""

    def __init__(self, service, study_settings):
        self.svc = service
        self.limit = study_settings.suggestions
        self.max_checks = study_settings.suggestion_checks
        self._lock = threading.Lock()
        self._verdicts: dict[tuple[str | None, str], str | None] = {}  # (article, question) -> its answer's key
        # (None: refused)
        self._stamp: int | None = None
        self.checks_run = 0  # answer-path runs so far (the cost; read by the benchmark)

    # -- public --------------------------------------------------------------------------------------
    def for_answer(self, answer: dict, article: str | None = None) -> list[str]:
        """Up to ``study.suggestions`` answerable questions near the cited passages (near the corpus's
        opening facts when the answer was refused or cites nothing). ``article``: the id of the article the
        student studies (None: every article); the questions come from it and are checked within it."""
        if self.limit <= 0:
            return []
        said = fold(" ".join([answer.get("question") or "", answer.get("short_answer") or ""]))
        asked = fold(answer.get("question") or "")
        candidates = []
        for question, fact in self._near(answer):
            if fold(fact) not in said and fold(question) != asked:
                candidates.append(question)
        if not candidates:
            candidates = [q for q, fact in self._corpus_candidates(article) if fold(fact) not in said]
        return self._checked(candidates, self.limit, article=article)

    def examples(self, n: int, article: str | None = None) -> list[str]:
        """``n`` answerable questions spread over the articles of the corpus (the landing page's examples); over
        the sections of ``article`` only when a student studies that one (its id)."""
        return self._checked([q for q, _ in self._corpus_candidates(article)], n, budget=max(self.max_checks, 3 * n),
                             article=article)

    def add_to(self, answer: dict, article: str | None = None) -> dict:
        """The answer with its ``suggestions`` (never fails: no suggestions rather than no answer); ``article``: see
        ``for_answer``."""
        try:
            answer["suggestions"] = self.for_answer(answer, article)
        except Exception:
            log.exception("suggestions indisponibles")
            answer["suggestions"] = []
        return answer

    # -- candidates ----------------------------------------------------------------------------------
    def _near(self, answer: dict) -> list[tuple[str, str]]:
        cited = [(c.get("article_id"), c.get("chunk_id"), c.get("quote") or "") for c in answer.get("citations") or []]
        out: list[tuple[str, str]] = []
        quotes = {q for *_, quote in cited for q in quote.split(QUOTE_JOIN)}
        for article_id, chunk_id, _ in cited[:2]:
            chunks = self.svc.store.article_chunks(article_id)
            at = next((i for i, p in enumerate(chunks) if p.chunk_id == chunk_id), None)
            if at is None:
                continue
            section = chunks[at].section
            # the cited section first, then the rest of the article, each nearest first
            near = sorted(range(len(chunks)), key=lambda i: (chunks[i].section != section, abs(i - at)))
            for i in near:
                for sentence in _sentences(chunks[i]):
                    if sentence not in quotes:
                        out.extend(_questions(sentence))
        return list(dict.fromkeys(out))

    def _corpus_candidates(self, article: str | None = None) -> list[tuple[str, str]]:
        """Candidates of every article (of ``article`` only, when given), taken in turn (first fact of article 1,
        of article 2, …); within an article, its sections in turn (first fact of section 1, of section 2, …), so
        that a few examples cover the whole article rather than its first paragraph, and then its question frames
        in turn (a date, a person, an organisation, a date…)."""
        if article:
            ids = [article]
        else:
            ids = sorted({(meta or {}).get("article_id", "")
                          for _, meta, _ in self.svc.store.all_chunks(include_documents=False)})
        per_article: list[list[tuple[str, str]]] = []
        for article_id in ids:
            per_section: dict[str, list[tuple[str, str]]] = {}
            for p in self.svc.store.article_chunks(article_id):
                for sentence in _sentences(p):
                    per_section.setdefault(p.section, []).extend(_questions(sentence))
            per_article.append(_frames_in_turn(_in_turn(list(per_section.values()))))
        return _in_turn(per_article)

    # -- checks --------------------------------------------------------------------------------------
    def _answer_key(self, question: str, article: str | None = None) -> str | None:
        """What Kalan would answer ``question`` with (within ``article``, if given): its first quoted sentence and
        its short answer (the question itself when it quotes nothing); None when it refuses. Cached per store size
        and article."""
        stamp = self.svc.store.count()
        cache_key = (article or None, question)
        with self._lock:
            if stamp != self._stamp:
                self._verdicts, self._stamp = {}, stamp
            if cache_key in self._verdicts:
                return self._verdicts[cache_key]
        self.checks_run += 1
        answer = self.svc.ask_extractive(question, article or None)  # no chat model for a check, whatever the mode
        key = None
        if not answer["refused"]:
            quotes = [c.get("quote") or "" for c in answer.get("citations") or []]
            first = next((q.split(QUOTE_JOIN)[0] for q in quotes if q), "")
            key = fold(f"{first} | {answer.get('short_answer') or ''}") if first else fold(question)
        with self._lock:
            self._verdicts[cache_key] = key
        return key

    def _checked(self, candidates: list[str], n: int, budget: int | None = None,
                 article: str | None = None) -> list[str]:
        budget = self.max_checks if budget is None else budget
        kept: list[str] = []
        answers: set[str] = set()
        for question in list(dict.fromkeys(candidates))[:budget]:
            if len(kept) >= n:
                break
            key = self._answer_key(question, article)
            if key is not None and key not in answers:  # the same answer: the same question under another name
                kept.append(question)
                answers.add(key)
        return kept
