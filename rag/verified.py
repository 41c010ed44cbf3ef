"""Teacher-verified answers served again: which reviewed question a new one asks again, and its answer today.

Scope: ``VerifiedAnswers.recall`` compares a new (standalone) question with the questions of the answers a
teacher reviewed and did not withdraw (``AnswerLog.verified``):
- the closest approved or corrected one is *verified* when the two ask the same thing: cosine of the two
  questions' vectors at or above the embedder's calibrated ``same_question`` threshold, the same expected
  answer type (date, number, name or open; ``answer_type``) and question word (quand, pourquoi, qui…), no
  name or number in the new question that the reviewed one lacks, and the same content words up to typos,
  accents and word order (none added, at most ``max_missing_words`` dropped);
- every close rejected one (marked wrong, not corrected) gives the sentences never to serve again for it.

``rebuild`` turns a verified answer into answer sentences over the store's *current* passages, or returns
None when it can no longer be proven: a cited passage was removed or changed (its quote is no longer in it),
or a correction is not supported by the passages the teacher chose (``citations.verify``).

Why words as well as vectors: on evals/sets/verified-pairs.jsonl, a question that shares most words with a
verified one but asks another thing (« Pourquoi Diop a-t-il écrit ? » after « À qui Diop a-t-il écrit ? »)
sits *closer* in e5's space than a genuine rewording (AUC 0.32; USE-multilingual 0.22). No cosine threshold
keeps false matches under 1 %; the word check does (BENCHMARKS.md). Grounding the match on the evidence (Kalan's
top sentence for the new question in the verified answer's) or on words the evidence covers did not do better
(``evals/verified_matcher_study.py``): a near-miss lands on the same sentence. A strongly reworded question is
therefore answered anew, not from the verified answer.

Rejected sentences are kept out in every mode: the extractive scorer never sees them (``is_rejected``), a chat
model reads its passages without them (``without_rejected``) and a generated sentence that says one again is
dropped (``repeats_rejected``).

Not here: recording reviews (``answer_log``), the choice to serve (``chain``), the badge (``ui``). The
questions' vectors are cached per answer id and the list reloaded only when the review log moves
(``AnswerLog.review_version``), in this process or another sharing the database.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import get_args

import numpy as np

from kalan.rag.answer import SentenceRole
from kalan.rag.answer_types import DESCRIBE_Q, expected_type, near_spelling, question_entities
from kalan.rag.citations import QUOTE_JOIN, AnswerSentence, parse_answer, verify
from kalan.rag.phrases import Phrases, ascii_words, tokens
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import FRENCH_STOPWORDS, fold

log = logging.getLogger(__name__)

# The question word, students' spellings included: « pourquoi » and « à qui » ask different things of the same
# sentence. First match wins (« depuis quand » is a « quand »). « ou » must be followed by something other than
# « bien » (« ou bien » is a conjunction).
QUESTION_WORDS = (
    ("pourquoi", Phrases("pourquoi|pk|pq", "quelle raison")),
    ("comment", Phrases("comment")),
    ("combien", Phrases("combien|cb|cmb")),
    ("quand", Phrases("quand|qd", "quelle annee|date|epoque", "quel jour|mois")),
    ("qui", Phrases("qui|ki")),
    ("ou", Phrases("ou !bien")),
)


# The answer a question word asks for when ``expected_type`` sees none: it reads « qui » and « où » only at the
# start of a question, and students also put them last (« la diplomatie malienne, elle est dirigée par qui ? »).
WORD_TYPES = {"qui": "name", "ou": "name"}


def answer_type(question: str, word_type: bool = True) -> str | None:
    """The expected answer type of a question as reuse compares it: ``expected_type``, else (``word_type``) the
    one its question word asks wherever it stands; « Qui est X ? » asks for a description and stays None."""
    kind = expected_type(question)
    if kind is None and word_type and not DESCRIBE_Q.search(fold(question).strip()):
        kind = WORD_TYPES.get(question_word(question) or "")
    return kind


@dataclass(frozen=True)
class Reviewed:
    """One reviewed answer as reuse sees it."""

    id: str
    status: str  # served as: "approved" or "corrected"; or "rejected" (its sentences are never served again)
    time: str
    question: str
    kind: str | None  # the expected answer type of its question
    word: str | None  # its question word (quand, pourquoi, qui…)
    names: frozenset[str]  # folded names and numbers of its question
    words: frozenset[str]  # its content words (question_terms)
    record: dict = field(repr=False, compare=False)

    def badge(self) -> dict:
        """The ``verified`` field of an answer served from it."""
        return {"answer_id": self.id, "status": self.status, "time": self.time}


@dataclass
class Recall:
    verified: Reviewed | None = None
    similarity: float = 0.0
    rejected: frozenset[str] = frozenset()  # folded sentences a teacher marked wrong for a close question


def served_status(record: dict) -> str | None:
    """How a reviewed answer is reused: "corrected" (its correction), "approved" (as it was), "rejected" (its
    sentences avoided), or None (an approved refusal: nothing to serve)."""
    if record.get("corrected_answer"):
        return "corrected"
    if record["status"] == "approved":
        return None if record.get("refused") or not record.get("citations") else "approved"
    if record["status"] == "rejected" and not record.get("refused"):
        return "rejected"
    return None


def question_names(question: str) -> frozenset[str]:
    """The names and numbers a question is about (folded words of its capitalised names, its digits)."""
    words = {w for name in question_entities(question) for w in ascii_words(name) if len(w) >= 3}
    return frozenset(words | {t.text for t in tokens(question) if t.kind == "num"})


def names_covered(new: frozenset[str], known: frozenset[str], known_text: str) -> bool:
    """Every name or number of the new question is in the reviewed question (prefix of 5 letters: « russe »
    and « Russie » differ but « Moscou » never matches « Mali »)."""
    haystack = set(ascii_words(fold(known_text))) | set(known)
    return all(any(h == w or (len(w) >= 5 and h.startswith(w[:5])) for h in haystack) for w in new)


def question_word(question: str) -> str | None:
    # words of a-z and 0-9 only (« d'où » -> d ou); the final "." stands for the end of the question, and is
    # glued to its last word when nothing follows that word (« … ou » asks nothing, « … ou ? » asks where)
    f = " ".join(ascii_words(fold(question)))
    ends_on_word = fold(question)[-1:].isascii() and fold(question)[-1:].isalnum()
    toks = tokens(f + ("." if ends_on_word else " ."))
    return next((name for name, words in QUESTION_WORDS if words.found(toks)), None)


def question_terms(question: str) -> frozenset[str]:
    """The question's content words, folded but not stemmed (a typo in a stem would hide it)."""
    return frozenset(w for w in ascii_words(fold(question))
                     if w not in FRENCH_STOPWORDS and (len(w) > 2 or w.isdigit()))


def word_in(w: str, words: frozenset[str] | set[str]) -> bool:
    """``w`` in ``words`` up to a typo or an ending (stems sharing their first 5 letters)."""
    return any(w == h or (len(w) >= 5 and len(h) >= 5 and w[:5] == h[:5]) or _swapped(w, h)
               or near_spelling(w, h, 2 if len(w) >= 8 else 1) for h in words)


def _swapped(a: str, b: str) -> bool:
    """Two neighbouring letters typed in the wrong order (« touren » for « tourne »)."""
    if len(a) != len(b) or len(a) < 4:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def word_gap(new: frozenset[str] | set[str], known: frozenset[str] | set[str]) -> tuple[int, int]:
    """Content words the new question adds, and the reviewed one's words it drops."""
    return sum(not word_in(w, known) for w in new), sum(not word_in(w, new) for w in known)


def rejected_sentences(record: dict) -> set[str]:
    """The sentences of a rejected answer, folded: its quotes (exact article sentences) and its own sentences."""
    out = set()
    for c in record.get("citations") or []:
        for piece in str(c.get("quote") or "").split(QUOTE_JOIN):
            if piece.strip():
                out.add(sentence_key(piece))
    for s in record.get("sentences") or []:
        if isinstance(s, dict) and s.get("text"):
            out.add(sentence_key(s["text"]))
    return out


def without_rejected(text: str, rejected: frozenset[str]) -> str:
    """A passage as a chat model reads it for this question: the sentences a teacher rejected for a close question
    taken out (they stay in the article and in the passage that citations are checked against)."""
    if not rejected:
        return text
    for start, end in reversed(sentence_spans(text)):
        if sentence_key(text[start:end]) in rejected:
            text = text[:start] + text[end:].lstrip(" ")
    return text


def repeats_rejected(sentence: AnswerSentence, passages: list, rejected: frozenset[str]) -> bool:
    """A verified answer sentence that says a rejected one again: its own text, or the passage sentence it was
    verified against (a model rewording the rejected sentence is caught by its quote, whatever its words)."""
    if not rejected:
        return False
    if sentence_key(sentence.text) in rejected:
        return True
    return any(0 < n <= len(passages) and sentence_key(passages[n - 1].text[a:b]) in rejected
               for n, (a, b) in sentence.quote_spans.items())


def sentence_key(text: str) -> str:
    """A sentence as rejected sentences are compared: folded, spaces squeezed, end punctuation dropped."""
    return " ".join(fold(text).strip(" .;:!?…•-*").split())


def is_rejected(text: str, rejected: frozenset[str]) -> bool:
    return bool(rejected) and sentence_key(text) in rejected


class VerifiedAnswers:
    """The reviewed answers of one answer log, matched against new questions."""

    def __init__(self, answer_log, embedder, min_similarity: float, same_names: bool = True,
                 max_new_words: int | None = 0, max_missing_words: int | None = 2, word_type: bool = True):
        self.log = answer_log
        self.embedder = embedder
        self.min_similarity = float(min_similarity)
        self.same_names = same_names
        self.max_new_words = max_new_words  # None: no word check (vectors, type, question word and names only)
        self.max_missing_words = max_missing_words
        self.word_type = word_type  # the question word gives the answer type when answer_types sees none
        self._lock = threading.Lock()
        self._version: int | None = None
        self._items: list[Reviewed] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def _refresh(self) -> None:
        try:
            version = self.log.review_version()
        except Exception as exc:  # the database is away (a restart): the answers known so far keep serving
            log.warning("réponses vérifiées non rafraîchies : %s", exc)
            return
        if version == self._version:
            return
        items = []
        for rec in self.log.verified():
            status = served_status(rec)
            if status is None:
                continue
            question = rec.get("standalone_question") or rec["question"]
            items.append(Reviewed(rec["id"], status, rec.get("review_time") or "", question,
                                  answer_type(question, self.word_type),
                                  question_word(question), question_names(question),
                                  question_terms(question), rec))
        missing = [(r.id, r.question) for r in items if (r.id, r.question) not in self._vectors]
        if missing:
            vecs = self.embedder.embed_queries([q for _, q in missing])
            for key, vec in zip(missing, vecs):
                self._vectors[key] = np.asarray(vec, dtype=np.float32)
        self._items = items
        self._matrix = (np.stack([self._vectors[(r.id, r.question)] for r in items]) if items
                        else np.zeros((0, 0), dtype=np.float32))
        self._version = version

    def question_vector(self, answer_id: str, question: str) -> np.ndarray | None:
        """The stored vector of a reviewed answer's question (its log id and the question as reviewed, the
        standalone one when there was one), or ``None`` when it was never embedded: ``recall`` embeds the
        reviewed questions on its first call, so call it once before. Does not embed anything itself."""
        with self._lock:
            return self._vectors.get((answer_id, question))

    def recall(self, question: str, qvec: np.ndarray) -> Recall:
        """The verified answer ``question`` asks again (closest first) and the rejected sentences for it."""
        with self._lock:
            self._refresh()
            items, matrix = self._items, self._matrix
        if not items:
            return Recall()
        sims = matrix @ np.asarray(qvec, dtype=np.float32)
        kind, word, names, words = answer_type(question, self.word_type), question_word(question), \
            question_names(question), question_terms(question)
        best: tuple[float, Reviewed] | None = None
        rejected: set[str] = set()
        for i in np.argsort(-sims):
            sim = float(sims[i])
            if sim < self.min_similarity:
                break
            r = items[int(i)]
            if r.kind != kind or r.word != word or (self.same_names and not names_covered(names, r.names, r.question)):
                continue
            if self.max_new_words is not None:
                added, dropped = word_gap(words, r.words)
                if added > self.max_new_words or dropped > (self.max_missing_words or 0):
                    continue
            if r.status == "rejected":
                rejected |= rejected_sentences(r.record)
            elif best is None:
                best = (sim, r)
        return Recall(best[1] if best else None, best[0] if best else 0.0, frozenset(rejected))


def servable(record: dict, store, embedder, min_support: float, cosine=None) -> bool:
    """Whether this approved or corrected answer would be served again today: its passages exist and prove it
    (a correction: the passages the teacher chose support every sentence, facts in the same relation). Told to
    the teacher right after a correction, so that one that will never reach students does not go unnoticed."""
    status = record.get("status")
    if status not in ("approved", "corrected"):
        return False
    reviewed = Reviewed(str(record.get("id")), status, "", "", None, None, frozenset(), frozenset(), record)
    return rebuild(reviewed, store, embedder, min_support, cosine) is not None


def rebuild(reviewed: Reviewed, store, embedder, min_support: float, cosine=None) -> tuple[list, list] | None:
    """``(passages, sentences)`` of a verified answer over today's store, citations numbered 1..n in passage
    order; None when it cannot be proven any more."""
    rec = reviewed.record
    if reviewed.status == "corrected":
        ids = rec.get("corrected_chunk_ids") or [c["chunk_id"] for c in rec.get("citations") or []]
        ids = list(dict.fromkeys(str(i) for i in ids if i))
        if not ids:
            return None
        passages = store.get(ids)
        if len(passages) != len(ids):
            return None  # a chosen passage is gone
        sentences = parse_answer(rec["corrected_answer"])
        for s in sentences:  # the teacher's markers name the chosen passages in order; none: any of them
            s.citations = [n for n in s.citations if 1 <= n <= len(passages)] or list(range(1, len(passages) + 1))
        kept = verify([AnswerSentence(s.text, list(s.citations), role=s.role) for s in sentences], passages,
                      embedder, min_support, "", cosine)
        if not sentences or len(kept) != len(sentences):
            return None  # the chosen passages do not support the whole correction
        return passages, kept
    citations = sorted((c for c in rec.get("citations") or [] if c.get("chunk_id")), key=lambda c: c["n"])
    if not citations:
        return None
    passages = store.get([c["chunk_id"] for c in citations])
    if len(passages) != len(citations):
        return None  # a cited passage is gone
    renumber: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    for new_n, (c, p) in enumerate(zip(citations, passages), start=1):
        renumber[int(c["n"])] = new_n
        spans[new_n] = []
        for piece in str(c.get("quote") or "").split(QUOTE_JOIN):
            start = p.text.find(piece)
            if not piece or start < 0:
                return None  # the passage changed: its quote is no longer in it
            spans[new_n].append((start, start + len(piece)))
    sentences = []
    for s in rec.get("sentences") or []:
        numbers = [renumber[n] for n in s.get("citations") or [] if n in renumber]
        role = s.get("role") if s.get("role") in get_args(SentenceRole) else "quote"  # logged before roles: quote
        sentence = AnswerSentence(s["text"], numbers, support=float(s.get("support") or 0.0), role=role)
        for n in numbers:  # the sentence itself when it is a quote, else the citation's first quote
            sentence.quote_spans[n] = _span_of(s["text"], passages[n - 1].text) or spans[n][0]
        sentences.append(sentence)
    return (passages, sentences) if sentences else None


def _span_of(sentence: str, text: str) -> tuple[int, int] | None:
    for piece in (sentence.strip(), sentence.strip().rstrip(" .")):
        start = text.find(piece) if piece else -1
        if start >= 0:
            return start, start + len(piece)
    return None
