"""When to say "the corpus does not answer": the refusal decision.

Refuse when:
- the question is an instruction aimed at the assistant (prompt injection) or
  a task (write a poem, translate...) rather than a question on the articles;
- retrieval is weak: the best passage's dense cosine is below a threshold;
- the question names someone or something ("le groupe Wagner") that no
  retrieved passage mentions;
- the passages are on topic but lack what is asked: the question expects a
  number ("combien", "quel montant"), a date ("quand", "en quelle année") or a
  name ("qui", "quelle entreprise", "où") and no answer sentence holds one that
  the question does not already contain (names of the article's own subject do
  not count) while sharing at least a third of the question's own words;
- the best sentence's support is weak (low similarity and low word overlap);
- the question is anchored on numbers ("en 1928", "les 1 000 km") of which no cited passage holds any:
  the passage is about something else (another year of the same story).

Thresholds live in ``AnswerSettings`` and are calibrated on the evaluation
sets (see README). A refusal never cites anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kalan.rag.answer_types import expected_type, holds_type, missing_entities, numbers_missing, question_parts
from kalan.rag.guards import looks_like_injection, looks_like_task
from kalan.rag.text import fold, tokenize


class RefusalReason(str, Enum):
    """Why Kalan said "the corpus does not answer" (``refusal_reason`` in the JSON is the value)."""

    INJECTION = "injection"  # an instruction aimed at the assistant, not a question
    OFF_TOPIC = "hors_sujet"  # a task (write a poem, translate…) rather than a question on the articles
    NOTHING_FOUND = "rien_trouve"  # retrieval returned no passage
    WEAK_RETRIEVAL = "recherche_faible"  # the best passage's dense cosine is under answer.min_retrieval_score
    UNKNOWN_ENTITY = "entite_inconnue"  # the question names someone or something no passage mentions
    UNSUPPORTED = "non_soutenu"  # no answer sentence survived
    WEAK_SUPPORT = "soutien_faible"  # the best sentence scores under answer.min_answer_score
    FACT_ABSENT = "fait_absent"  # on topic, but the asked date/number/name (or the question's year) is not there
    UNCERTAIN = "reponse_incertaine"  # the answerability model gives the answer under answer.min_answerability
    WHICH_ARTICLE = "article_ambigu"  # a whole-article request with several candidate articles
    INVALID_QUESTION = "question_invalide"  # empty or over-long (evaluation runner only; the CLI and app say why)


@dataclass
class Decision:
    refuse: bool
    reason: RefusalReason | None = None


def topic_of(passages: list) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words and stems of the retrieved articles' titles: the subject, not an answer."""
    titles = " ".join(dict.fromkeys(p.title for p in passages))
    return frozenset(w for w in fold(titles).replace("-", " ").split() if len(w) > 2), frozenset(tokenize(titles))


def before_answer(question: str, standalone: str, passages: list, settings) -> Decision:
    """Refusals decided from the question and the retrieved passages alone."""
    if looks_like_injection(question):
        return Decision(True, RefusalReason.INJECTION)
    if looks_like_task(question):
        return Decision(True, RefusalReason.OFF_TOPIC)
    if not passages:
        return Decision(True, RefusalReason.NOTHING_FOUND)
    if max((p.dense_score or 0.0) for p in passages) < settings.answer.min_retrieval_score:
        return Decision(True, RefusalReason.WEAK_RETRIEVAL)
    if missing_entities(standalone, [p.text + " " + p.title for p in passages]):
        return Decision(True, RefusalReason.UNKNOWN_ENTITY)
    return Decision(False)


def after_answer(question: str, standalone: str, texts: list[str], passages: list, settings,
                 best_score: float | None = None, best_cosine: float | None = None,
                 cited: list[str] | None = None) -> Decision:
    """Refusals decided on the answer's sentences (``texts``, each with its context sentence).

    A date/number/name question needs a sentence holding such a fact; that
    sentence must also share a third of the question's own words, unless its
    embedding similarity with the question is strong (reworded questions).
    """
    a = settings.answer
    if not texts:
        return Decision(True, RefusalReason.UNSUPPORTED)
    floor = a.min_answer_score_follow_up if standalone != question else a.min_answer_score
    if best_score is not None and best_score < floor:
        return Decision(True, RefusalReason.WEAK_SUPPORT)
    if cited is not None and numbers_missing(question, cited):
        return Decision(True, RefusalReason.FACT_ABSENT)
    names, stems = topic_of(passages)
    strong = best_cosine is not None and best_cosine >= a.strong_similarity
    needed = 0.0 if strong else a.min_type_coverage  # a strong match still needs what is counted
    for part in question_parts(question):  # each part of a two-part question needs its own fact
        kind = expected_type(part)
        if kind and not holds_type(kind, part, texts, names, stems, needed, strict=True) and not (
            standalone != question and holds_type(kind, part, texts, names, stems, 0.0)
            and holds_type(kind, standalone, texts, names, stems, needed, strict=True)
        ):
            return Decision(True, RefusalReason.FACT_ABSENT)
    return Decision(False)
