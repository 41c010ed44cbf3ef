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

from kalan.rag.answer_types import expected_type, holds_type, missing_entities, numbers_missing, question_parts
from kalan.rag.guards import looks_like_injection, looks_like_task
from kalan.rag.text import fold, tokenize


@dataclass
class Decision:
    refuse: bool
    reason: str | None = None


def topic_of(passages: list) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words and stems of the retrieved articles' titles: the subject, not an answer."""
    titles = " ".join(dict.fromkeys(p.title for p in passages))
    return frozenset(w for w in fold(titles).replace("-", " ").split() if len(w) > 2), frozenset(tokenize(titles))


def before_answer(question: str, standalone: str, passages: list, settings) -> Decision:
    """Refusals decided from the question and the retrieved passages alone."""
    if looks_like_injection(question):
        return Decision(True, "injection")
    if looks_like_task(question):
        return Decision(True, "hors_sujet")
    if not passages:
        return Decision(True, "rien_trouve")
    if max((p.dense_score or 0.0) for p in passages) < settings.answer.min_retrieval_score:
        return Decision(True, "recherche_faible")
    if missing_entities(standalone, [p.text + " " + p.title for p in passages]):
        return Decision(True, "entite_inconnue")
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
        return Decision(True, "non_soutenu")
    floor = a.min_answer_score_follow_up if standalone != question else a.min_answer_score
    if best_score is not None and best_score < floor:
        return Decision(True, "soutien_faible")
    if cited is not None and numbers_missing(question, cited):
        return Decision(True, "fait_absent")
    names, stems = topic_of(passages)
    strong = best_cosine is not None and best_cosine >= a.strong_similarity
    needed = 0.0 if strong else a.min_type_coverage  # a strong match still needs what is counted
    for part in question_parts(question):  # each part of a two-part question needs its own fact
        kind = expected_type(part)
        if kind and not holds_type(kind, part, texts, names, stems, needed, strict=True) and not (
            standalone != question and holds_type(kind, part, texts, names, stems, 0.0)
            and holds_type(kind, standalone, texts, names, stems, needed, strict=True)
        ):
            return Decision(True, "fait_absent")
    return Decision(False)
