"""Pure evaluation metrics for Kalan: no I/O, no models, no randomness.

Scope:
- answer content: ``fact_met`` / ``facts_met`` (expected facts, each a list of
  alternatives, looked for in the answer text);
- evidence and retrieval: ``evidence_met``, ``retrieval_ranks``, ``hit_at``, ``mrr``;
- citations: ``citation_precision`` / ``citation_recall`` over per-sentence
  support judgements computed elsewhere;
- refusals: ``refusal_precision`` / ``refusal_recall``;
- latency summaries: ``percentile``;
- the pass/fail verdict of one case: ``case_passed``.

All text comparison goes through ``_key``: ``kalan.rag.text.fold`` (NFKC,
typographic apostrophes/quotes/dashes made plain, lower case, accents removed)
then every run of non-alphanumeric characters becomes one space. So "l’URSS"
matches "l'urss", "65ᵉ" matches "65e", "gagnant-gagnant" matches
"gagnant – gagnant" and line breaks do not matter.

Functions that have no meaningful value on empty input return ``None``
(except ``hit_at`` and ``mrr``, which return 0.0 on an empty list).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from kalan.rag.text import fold

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
SHORT_ALTERNATIVE = 4  # alternatives this short (or purely numeric) must match whole words


def _key(text: str) -> str:
    """Comparison key: folded text, punctuation and whitespace squashed to single spaces."""
    return _NON_ALNUM.sub(" ", fold(text or "")).strip()


def _contains(haystack_key: str, needle: str, whole_word: bool | None = None) -> bool:
    needle_key = _key(needle)
    if not needle_key:
        return False
    if whole_word is None:
        whole_word = len(needle_key) <= SHORT_ALTERNATIVE or needle_key.replace(" ", "").isdigit()
    if whole_word:
        return f" {needle_key} " in f" {haystack_key} "
    return needle_key in haystack_key


def fact_met(fact_alternatives: Sequence[str], answer: str) -> bool:
    """True when any alternative appears in ``answer``.

    Case-, accent-, apostrophe- and punctuation-insensitive. Alternatives of at
    most 4 characters (after normalisation) or purely numeric ones must match
    whole words ("or" does not match "ordre", "1960" does not match "19601");
    longer ones match as substrings ("millier" matches "milliers").
    """
    answer_key = _key(answer)
    return any(_contains(answer_key, alt) for alt in fact_alternatives)


def facts_met(expected_facts: Sequence[Sequence[str]], answer: str) -> list[bool]:
    """One boolean per expected fact, in order."""
    return [fact_met(alts, answer) for alts in expected_facts]


def first_sentence(answer: str, max_words: int = 30) -> str:
    """The answer's first sentence, cut at ``max_words`` words: what a student reads before anything else."""
    from kalan.rag.sentences import sentence_spans

    spans = sentence_spans(answer or "")
    first = answer[spans[0][0]:spans[0][1]] if spans else (answer or "")
    return " ".join(first.split()[:max_words])


def direct_first(expected_facts: Sequence[Sequence[str]], answer: str) -> bool:
    """Every expected fact stands in the answer's first sentence (30 words at most)."""
    return bool(expected_facts) and all(facts_met(expected_facts, first_sentence(answer)))


def short_answer_right(expected_facts: Sequence[Sequence[str]], short_answer: str) -> bool:
    """The direct answer's span says an expected fact: an alternative stands in it, or it stands in an
    alternative (« Aurès » for « Dans les Aurès »); one fact of several is enough (a span answers one part)."""
    key = _key(short_answer or "")
    if not key:
        return False
    return any(_contains(key, alt) or (len(key) >= 3 and _contains(_key(alt), short_answer))
               for alts in expected_facts for alt in alts)


# function words a span may carry or drop without saying more or less (« la Finlande », « en 1960 »), as SQuAD
# drops English articles before its token F1
_SPAN_FUNCTION_WORDS = frozenset("a au aux d de des du en l la le les un une".split())


def _span_tokens(text: str) -> list[str]:
    return [t for t in _key(text).split() if t not in _SPAN_FUNCTION_WORDS]


def token_f1(predicted: str, gold: str) -> float:
    """SQuAD's token F1 between two short answers (folded words, function words aside): 1 for the same words,
    lower for a span that says the fact with other words around it or only part of it."""
    p, g = _span_tokens(predicted), _span_tokens(gold)
    if not p or not g:
        return float(p == g and bool(predicted.strip()))
    common = sum(min(p.count(t), g.count(t)) for t in set(p))
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def short_answer_f1(expected_facts: Sequence[Sequence[str]], short_answer: str) -> float:
    """How exactly the direct answer's span says an expected fact: the best ``token_f1`` over every alternative
    of every fact (a span answers one part of a two-part question). Stricter than ``short_answer_right``,
    which takes any containment: « 2003 et 12 milliards d'euros » contains « 12 milliards » (F1 0.67)."""
    if not (short_answer or "").strip():
        return 0.0
    return max((token_f1(short_answer, alt) for alts in expected_facts for alt in alts), default=0.0)


def _passage_has_evidence(evidence: Sequence[str], passage: str) -> bool:
    passage_key = _key(passage)
    return any(_contains(passage_key, ev, whole_word=False) for ev in evidence)


def evidence_met(evidence: Sequence[str], passages: Sequence[str]) -> bool:
    """True when one passage contains one evidence string (normalised, whitespace squashed).

    Evidence strings are alternatives: any one of them suffices. Empty
    ``evidence`` or empty ``passages`` gives False.
    """
    return any(_passage_has_evidence(evidence, p) for p in passages)


def quotes_off_question(expected_facts: Sequence[Sequence[str]], evidence: Sequence[str],
                        sentences: Sequence[dict]) -> tuple[int, int]:
    """(quotes that hold nothing asked, quotes) of one answer. A quote (a sentence whose ``role`` is "quote")
    holds something asked when an expected fact or an evidence string stands in it, or it stands in an evidence
    string (evidence that runs over two sentences). A right answer's other quotes are padding: the pass figure,
    which looks for the facts anywhere in the answer, cannot see them."""
    quotes = [s["text"] for s in sentences if s.get("role") == "quote"]
    off = 0
    for q in quotes:
        asked = any(fact_met(alts, q) for alts in expected_facts) or _passage_has_evidence(evidence, q) or \
            any(_contains(_key(ev), q, whole_word=False) for ev in evidence)
        off += not asked
    return off, len(quotes)


def retrieval_ranks(evidence: Sequence[str], retrieved_texts: Sequence[str]) -> int | None:
    """0-based rank of the first retrieved passage containing an evidence string; None on a miss."""
    for rank, text in enumerate(retrieved_texts):
        if _passage_has_evidence(evidence, text):
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of cases whose evidence was found in the top ``k`` (rank < k). 0.0 on an empty list."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r < k) / len(ranks)


def mrr(ranks: Sequence[int | None]) -> float:
    """Mean reciprocal rank (ranks are 0-based; None counts 0). 0.0 on an empty list."""
    if not ranks:
        return 0.0
    return sum(1.0 / (r + 1) for r in ranks if r is not None) / len(ranks)


def citation_precision(sentences: Iterable[dict]) -> float | None:
    """Supported citations / all citations, over all sentences; None when there is no citation."""
    total = supported = 0
    for s in sentences:
        flags = list(s.get("supported") or [])
        total += len(s.get("citations") or [])
        supported += sum(1 for f in flags if f)
    return supported / total if total else None


def citation_recall(sentences: Iterable[dict]) -> float | None:
    """Sentences with at least one supported citation / sentences; None when there is no sentence."""
    sentences = list(sentences)
    if not sentences:
        return None
    return sum(1 for s in sentences if any(s.get("supported") or [])) / len(sentences)


def _check_same_length(a: Sequence, b: Sequence) -> None:
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} predictions vs {len(b)} gold labels")


def refusal_precision(pred_refused: Sequence[bool], gold_unanswerable: Sequence[bool]) -> float | None:
    """Among refused cases, the share that were really unanswerable; None when nothing was refused."""
    _check_same_length(pred_refused, gold_unanswerable)
    refused = [g for p, g in zip(pred_refused, gold_unanswerable) if p]
    return sum(1 for g in refused if g) / len(refused) if refused else None


def refusal_recall(pred_refused: Sequence[bool], gold_unanswerable: Sequence[bool]) -> float | None:
    """Among unanswerable cases, the share that were refused; None when no case is unanswerable."""
    _check_same_length(pred_refused, gold_unanswerable)
    gold = [p for p, g in zip(pred_refused, gold_unanswerable) if g]
    return sum(1 for p in gold if p) / len(gold) if gold else None


def percentile(values: Iterable[float], p: float) -> float | None:
    """``p``-th percentile (0-100) with linear interpolation (numpy's default); None on empty."""
    xs = sorted(float(v) for v in values)
    if not xs:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within [0, 100], got {p}")
    pos = (len(xs) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def case_passed(case: dict, result: dict) -> bool:
    """Verdict for one case.

    ``result``: ``{"refused": bool, "answer": str, "citations": [{"text": passage, ...}, ...]}``.
    - answerable: not refused, every expected fact met in the answer, and one
      cited passage contains one evidence string (at least one citation when the
      case lists no evidence);
    - unanswerable: refused and nothing cited.
    """
    refused = bool(result.get("refused"))
    cited = [c.get("text", "") for c in (result.get("citations") or [])]
    if not case.get("answerable", True):
        return refused and not cited
    if refused:
        return False
    if not all(facts_met(case.get("expected_facts") or [], result.get("answer") or "")):
        return False
    evidence = case.get("evidence") or []
    return evidence_met(evidence, cited) if evidence else bool(cited)
