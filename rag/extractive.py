"""Extractive answers: the article's own sentences that best answer the question.

No language model. Every sentence of the retrieved passages is scored by its
embedding similarity to the question and the share of the question's content
words it contains (each word weighted by how few of the candidate sentences
hold it), with a small bonus for better-ranked passages. The best
sentence is always taken; others join when they score close to it and bring
question words not yet covered (so a two-part question gets both parts). A
list item comes with its lead sentence. An answer quotes one article (the chain passes the article retrieval
ranks first, ``answer.one_article``). Deterministic and faithful by
construction: every sentence is quoted verbatim and cites its own passage.

Does not decide whether to refuse (``kalan.rag.refusal``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kalan.rag import lexicon as lx
from kalan.rag.answer_types import TIME_SPAN_Q, event_frame, expected_type, holds_type, near_spelling
from kalan.rag.planted import is_planted
from kalan.rag.reasons import asks_reason, gives_reason
from kalan.rag.settings import CosineCalibration
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import content_words, fold
from kalan.rag.text import words as folded_words

_BULLETS = "•·▪◦‣*+-–—"


def bullet_end(text: str) -> int | None:
    """Where a list item's text starts after its bullet (« • », « - », « 1. », « 2) ») and the spaces after it;
    None when ``text`` is not a list item."""
    i = len(text) - len(text.lstrip())
    if text[i:i + 1] and text[i] in _BULLETS:
        j = i + 1
    else:
        j = i
        while j < len(text) and text[j].isdecimal():
            j += 1
        if not (1 <= j - i <= 2 and text[j:j + 1] and text[j] in ".)"):
            return None
        j += 1
    k = j
    while k < len(text) and text[k].isspace():
        k += 1
    return k if k > j else None


def opens_on_anaphora(text: str) -> bool:
    """A sentence that opens on a pointer to the previous one (« Ce jour », « Il », « Celui-ci »), written with
    its capital: it needs the previous sentence to be understood."""
    n = 0
    while n < len(text) and (text[n].isalnum() or text[n] == "_"):
        n += 1
    first, rest = text[:n], text[n:]
    if first in lx.ANAPHORA_OPENERS:
        return True
    return (first in lx.ANAPHORA_OPENERS_CI and rest.startswith("-ci")
            and not (rest[3:4].isalnum() or rest[3:4] == "_"))


@dataclass
class Candidate:
    passage_index: int
    start: int
    end: int
    text: str
    is_item: bool = False
    lead: "Candidate | None" = None
    article: str = ""  # the article its passage belongs to (``Passage.article_id``)
    cosine: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    found: frozenset[str] = frozenset()  # the question words it holds, with its lead's
    novelty: float = 1.0  # the share of its own words (weighted by rarity) that the question does not hold
    heading: str = ""  # the question its section answers (an interview's question), whose words it is matched with


class SentenceVectors:
    """A bounded cache of sentence embeddings (the same passages come back often)."""

    def __init__(self, embedder, size: int = 20000):
        self.embedder = embedder
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.size = size

    def put(self, text: str, vector: np.ndarray) -> None:
        """A vector computed elsewhere (stored at ingestion) for this exact sentence text."""
        self.cache[text] = vector
        while len(self.cache) > self.size:
            self.cache.popitem(last=False)

    def put_stored(self, passages: list) -> None:
        """The sentence vectors stored at ingestion that came back with ``passages`` (``extra["sentence_vectors"]``,
        set by ``kalan.rag.retrieval``): their sentences need no re-embedding."""
        for p in passages:
            for text, vec in (p.extra.get("sentence_vectors") or {}).items():
                self.put(text, vec)

    def get(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, v in zip(missing, self.embedder.embed_passages(missing)):
                self.cache[t] = v
            while len(self.cache) > self.size:
                self.cache.popitem(last=False)
        for t in texts:
            self.cache.move_to_end(t)
        return np.stack([self.cache[t] for t in texts])


def candidates(passages: list) -> list[Candidate]:
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        lead = previous = None
        section = getattr(p, "section", "") or ""
        heading = section if is_question(section) else ""  # « Qui sont les perdants de ce projet ? »
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            if is_planted(text):
                continue  # a sentence aimed at an assistant is kept in the article, never served as an answer
            item = bullet_end(text) is not None
            context = lead if item else (previous if previous is not None and opens_on_anaphora(text) else None)
            c = Candidate(i, s, e, text, is_item=item, lead=context, article=getattr(p, "article_id", ""),
                          heading=heading)
            if not item:
                lead = c if text.rstrip().endswith(":") else None
                previous = c
            out.append(c)
    return out


def _trigrams(word: str) -> frozenset[str]:
    w = f"^{word}$"
    return frozenset(w[i : i + 3] for i in range(len(w) - 2))


def matched(qwords: set[str], words: set[str]) -> set[str]:
    """Question words found in ``words``: same stem, or, for words of 5+ letters, a near spelling
    (trigram Jaccard >= 0.5: "entreprize"/"entreprise", or one edit apart: "litium"/"lithium") so typos
    still match."""
    exact = qwords & words
    out = set(exact)
    long_words = [w for w in words if len(w) >= 5]
    for q in qwords - exact:
        if len(q) < 5:
            continue
        tq = _trigrams(q)
        for w in long_words:
            tw = _trigrams(w)
            if len(tq & tw) >= 0.5 * len(tq | tw) or near_spelling(q, w):
                out.add(q)
                break
    return out


def question_words(question: str, topic: frozenset[str] = frozenset()) -> set[str]:
    """The question's content words, without the article's topic words ("Mali", "Russie") when others remain:
    every passage of the article shares those, so they say nothing about which sentence answers."""
    words = content_words(question) - date_frame(question) - (event_frame(question) or set())
    return (words - topic) or words


_WHEN_PREPOSITIONS = frozenset(lx.WHEN_PREPOSITIONS + lx.DURING)


def date_frame(question: str) -> set[str]:
    """The preposition of a date question's interrogative phrase (« depuis quand », « jusqu'à quelle année »), or
    of a length of time's (« pendant combien de temps »), as a stem: it says the form of the asked date, which the
    kind bonus already rewards (a sentence holding a date), not what the answering sentence is about; a verb before
    an in-place « quand » (« elle a été lancée quand ? ») is what is asked about and stays. Counted as a question
    word, « depuis » made « … virage diplomatique assumé depuis 2021 » outrank the sentence on the relations'
    establishment for « Depuis quand … des relations diplomatiques ? »; « pendant » quoted « Avant, les jeunes
    partaient à Dakar pendant la saison sèche » first for « pendant combien de temps ? ». Other questions keep
    theirs: « lutter contre quoi » needs « contre »."""
    if expected_type(question) != "date" and not TIME_SPAN_Q.search(fold(question)):
        return set()  # a length of time has its frame too: « pendant combien de temps », « depuis combien »
    ws = folded_words(question)
    return set(content_words(" ".join(w for w, nxt in zip(ws, ws[1:])
                                      if nxt in lx.DATE_INTERROGATIVES and w in _WHEN_PREPOSITIONS)))


def idf_weights(qwords: set[str], found: list[set[str]]) -> dict[str, float]:
    """Weight of each question word by how few candidate sentences hold it: a word that every sentence of
    the passages shares ("deux", the country's capital) says little about which one answers."""
    n = len(found)
    return {w: math.log(1.0 + n / (1.0 + sum(w in f for f in found))) for w in qwords}


def novelty(words: set[str], qwords: set[str], rarity) -> float:
    """The share of a sentence's content words, each weighted by ``rarity(word)``, that the question does not
    already hold (same stem or near spelling, as ``matched``): 1 for a sentence that only brings new words, near
    0 for one that restates the question (« Le 14 mars n'est pas une date anodine » for « pourquoi le 14 mars
    est important »)."""
    total = sum(rarity(w) for w in words)
    if not total:
        return 0.0
    return sum(rarity(w) for w in words if not matched({w}, qwords)) / total


def score_candidates(question: str, qvec: np.ndarray, cands: list[Candidate], vectors: SentenceVectors,
                     n_passages: int, kind: str | None = None, topic: frozenset[str] = frozenset(),
                     seen: list[str] = (), fresh: set[str] = frozenset(), cosine: CosineCalibration | None = None,
                     weights: tuple[float, float, float] = (0.55, 0.08, 0.12),
                     holds: Callable[[str], bool] | None = None,
                     second: tuple[np.ndarray, SentenceVectors, CosineCalibration, float] | None = None) -> None:
    """Score in place. ``kind`` (date, number, name) favours sentences that hold such a fact; a sentence
    that ``seen`` (the previous answer of a follow-up) already says is worth half, unless it holds one of
    ``fresh``, the follow-up's own new words ("Et que saluait-il ?" may be answered by the same sentence).
    ``weights``: the cosine's share (the lexical match has the rest), the best passage's rank prior, the bonus
    of a sentence holding the asked kind of fact (``answer.score_*`` in the settings). ``holds``: whether a
    sentence holds that fact (default: ``answer_types.holds_type``, any number for a number question).
    ``second``: a second embedder's question vector, sentence vectors, calibration and share of the cosine part
    (``answer.fusion``): the two calibrated cosines are blended; ``Candidate.cosine`` stays the main one's.
    A sentence under a question heading (``Candidate.heading``) is matched with that question too: its cosine is
    the better of its own and its question's with it; its question's words count as its own words."""
    if not cands:
        return
    w_cos, w_prior, w_kind = weights
    cal = cosine or CosineCalibration()
    qwords = question_words(question, topic)
    texts = [c.text for c in cands]
    cos = vectors.get(texts) @ qvec
    if any(c.heading for c in cands):  # an interview's answer is read with its question (« Les marchands, d'abord. »)
        cos = np.maximum(cos, vectors.get([f"{c.heading} {c.text}" if c.heading else c.text for c in cands]) @ qvec)
    cos2 = None
    if second is not None:
        q2, vectors2, cal2, w2 = second
        cos2 = [cal2.scale(float(x), cal2.sentence_low, cal2.sentence_high) for x in vectors2.get(texts) @ q2]
    said = content_words(" ".join(seen)) if seen else set()
    found = [matched(qwords, content_words(" ".join(filter(None, (c.heading, c.lead and c.lead.text, c.text)))))
             for c in cands]
    weight = idf_weights(qwords, found)
    total = sum(weight.values())
    own = [content_words(c.text) for c in cands]
    holders: dict[str, int] = {}
    for words in own:
        for w in words:
            holders[w] = holders.get(w, 0) + 1
    rarity = lambda w: math.log(1.0 + len(cands) / (1.0 + holders.get(w, 0)))  # noqa: E731 - idf_weights' formula
    for k, (c, sim, got, words) in enumerate(zip(cands, cos, found, own)):
        c.cosine = float(sim)
        c.found = frozenset(got)
        c.novelty = novelty(words, qwords, rarity)
        c.lexical = sum(weight[w] for w in got) / total if total else 0.0
        scaled = cal.scale(float(sim), cal.sentence_low, cal.sentence_high)
        prior = w_prior * (1.0 - c.passage_index / max(n_passages, 1))
        if cos2 is not None:
            scaled = (1.0 - w2) * scaled + w2 * cos2[k]
        c.score = w_cos * scaled + (1.0 - w_cos) * c.lexical + prior
        if kind and (holds(c.text) if holds is not None else holds_type(kind, question, [c.text])):
            c.score += w_kind
        if said and _already_said(words, said) and not matched(fresh, words):  # words: content_words(c.text)
            c.score *= 0.5


def _already_said(words: set[str], said: set[str]) -> bool:
    """The sentence's words are (mostly) in the previous answer, or hold most of a short previous answer."""
    common = len(words & said)
    return bool(words) and (common >= 0.7 * len(words) or (len(said) <= 12 and common >= 0.7 * len(said)))


ITEM_WITHOUT_LEAD = True  # measured: direct-first students 0.64 -> 0.78 (test), one answer lost (BENCHMARKS.md)


def following(c: Candidate, cands: list[Candidate]) -> Candidate | None:
    """The sentence right after ``c`` in its passage, if it is a candidate."""
    after = [x for x in cands if x.passage_index == c.passage_index and x.start >= c.end]
    return min(after, key=lambda x: x.start) if after else None


def is_question(text: str) -> bool:
    """A sentence of the article that asks (« Pourquoi une telle crue ? »): it states nothing."""
    return text.rstrip(" »\"'”").endswith("?")


def answered_questions(chosen: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
    """``chosen`` with its best sentence, when that is a question the article asks itself (« Pourquoi une telle
    crue ? »), replaced by the sentence after it, which answers it (« Les pluies ont été abondantes … »). Only the
    best: a runner-up question may say a fact as it asks (« … n'était-il pas orphelin de mère … par la faute de
    son père ? », a PIAF answer lost when every question was left out). A lead, an item: unchanged."""
    if not chosen or not is_question(chosen[0].text) or chosen[0].is_item \
            or any(c.lead is chosen[0] for c in chosen):
        return chosen
    after = following(chosen[0], cands)
    if after is None or is_question(after.text):
        return chosen
    return [after] + [c for c in chosen[1:] if c is not after]


def select(question: str, cands: list[Candidate], max_sentences: int = 4,
           topic: frozenset[str] = frozenset(), runner_up: float = 0.7, second: float = 1.0,
           restated: float = 0.0, reason: float = 0.0, article: str | None = None) -> list[Candidate]:
    """Best sentence, then close runners-up that cover new question words; lists keep their lead.

    The second best sentence joins a one-sentence answer when it scores ``second`` of the best even without
    new question words: the sentence that repeats the question ("Gesualdo chercha une épouse à son fils")
    is often not the one that answers it ("hors d'Italie", in the next sentence). A best sentence whose
    novelty is under ``restated`` (it mostly restates the question) is followed by the next sentence of its
    passage, where the reason or the detail usually stands (0: off). For a why-question whose best sentence
    gives no reason (no connective of cause or purpose, ``kalan.rag.reasons``), the best sentence that gives
    one joins if it scores at least ``reason`` of the best (0: off). With ``article``, only that article's
    sentences are chosen (any, when it has none among ``cands``): an answer quoting two articles put a runner-up
    from an unrelated one under a question (« Il est suivi par le proto-géométrique » for a person's age)."""
    if not cands:
        return []
    ranked = sorted(cands, key=lambda c: (-c.score, c.passage_index, c.start))
    if article is not None:
        ranked = [c for c in ranked if c.article == article] or ranked
    best = ranked[0]
    qwords = question_words(question, topic)
    chosen = [best]
    follower = following(best, cands) if best.novelty < restated and max_sentences > 1 else None
    if follower is not None:
        chosen.append(follower)
    if reason and max_sentences > len(chosen) and asks_reason(question) and not any(gives_reason(c.text) for c in chosen):
        because = next((c for c in ranked[1:] if c.score >= reason * best.score and gives_reason(c.text)), None)
        if because is not None and because not in chosen:
            chosen.append(because)
    covered = matched(qwords, content_words(" ".join(x.text + (" " + x.lead.text if x.lead else "") for x in chosen)))
    for c in ranked[1:]:
        if len(chosen) >= max_sentences:
            break
        if c in chosen:
            continue
        new = matched(qwords, content_words(c.text)) - covered
        alone = len(chosen) == 1 + (follower is not None)  # the follower does not take the runner-up's place
        if (c.score >= runner_up * best.score and new) or (alone and c.score >= second * best.score):
            chosen.append(c)
            covered |= new
    # a lead sentence ending with ":" answers with its list
    out: list[Candidate] = []
    for c in chosen:
        # a list item speaks for itself: its lead (« … dans plusieurs secteurs : ») would open the answer with
        # a header instead of the fact (the lead-in trap); a pronoun sentence keeps the sentence it points to
        if c.lead is not None and c.lead not in out and not (ITEM_WITHOUT_LEAD and c.is_item):
            out.append(c.lead)
        if c not in out:
            out.append(c)
        if c.text.rstrip().endswith(":"):
            out.extend(x for x in cands if x.lead is c and x not in out)
    return out
