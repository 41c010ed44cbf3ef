"""When to say "the corpus does not answer": the refusal decision.

Refuse when:
- the question is an instruction aimed at the assistant (prompt injection) or
  a task (write a poem, translate...) rather than a question on the articles;
- retrieval is weak: the best passage's dense cosine is below a threshold;
- the passages are on topic but lack what is asked: the question expects a
  number ("combien", "quel montant"), a date ("quand", "en quelle année") or a
  name ("qui") and no selected sentence holds one that the question does not
  already contain;
- the best sentence's support is weak (low similarity and low word overlap),
  or a salient question word is unknown to the whole corpus and the support is
  not strong.

Thresholds live in ``AnswerSettings`` and are calibrated on the evaluation
sets (see README). A refusal never cites anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from kalan.rag.answer_types import expected_type, holds_type
from kalan.rag.guards import looks_like_injection, looks_like_task
from kalan.rag.text import tokenize


@dataclass
class Decision:
    refuse: bool
    reason: str | None = None


def unknown_terms(question: str, vocabulary) -> list[str]:
    """Question words (stemmed, >= 4 letters) that appear nowhere in the corpus."""
    if vocabulary is None:
        return []
    return [t for t in tokenize(question) if len(t) >= 4 and not t.isdigit() and t not in vocabulary]


def decide(question: str, passages: list, selected: list, settings, vocabulary=None) -> Decision:
    a = settings.answer
    if looks_like_injection(question):
        return Decision(True, "injection")
    if looks_like_task(question):
        return Decision(True, "hors_sujet")
    if not passages or not selected:
        return Decision(True, "rien_trouve")
    best_dense = max((p.dense_score or 0.0) for p in passages)
    if best_dense < a.min_retrieval_score:
        return Decision(True, "recherche_faible")
    best = max(selected, key=lambda c: c.score)
    if best.score < a.min_support:
        return Decision(True, "soutien_faible")
    kind = expected_type(question)
    if kind and not holds_type(kind, question, [c.text for c in selected]):
        return Decision(True, "fait_absent")
    unknown = unknown_terms(question, vocabulary)
    if unknown and best.lexical < a.min_lexical_with_unknown:
        return Decision(True, "terme_inconnu")
    return Decision(False)
