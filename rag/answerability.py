"""Answerability: a calibrated probability that the extractive answer Kalan is about to give is right.

The refusal rules (``kalan.rag.refusal``) catch clear cases: injections, weak retrieval, unknown names,
a missing date or number. What they leave is a grey zone where the passages are on topic and the chosen
sentence is close, yet does not hold the fact (PIAF questions on paragraphs left out of the corpus, plausible
facts the article does not give). There a single logistic model reads the scores the chain already has
(sentence similarity, word overlap, retrieval strength, margins, whether the asked kind of fact was found)
and says how likely the answer is right; under the fitted threshold (or ``answer.min_answerability`` when
set) Kalan refuses.

Some rules are blunt alone: « no date beside the question's words » refuses right answers worded otherwise, and
lets a wrong one through when its scores are weak. A calibration may therefore also read the verdicts of those
rules (``SIGNALS``, 1.0 when the rule fires): the rules it reads no longer refuse on their own, the model weighs
each verdict with the scores (``fit_answerability --signals``). A calibration that reads none leaves every rule
as it was; the shipped ones read none (BENCHMARKS.md, « Twenty-seventh pass »: a small gain on new articles,
paid with answers on the seed article).

The weights are fitted offline on the tune halves of the evaluation sets
(``python -m kalan.evals.fit_answerability``) and stored per embedder in ``calibration/<embedder>.json``:
cosines differ from one embedder to another, so a calibration belongs to one. No calibration for the
active embedder: the gate is off.

Does not choose sentences (``kalan.rag.extractive``) nor run the rules (``kalan.rag.refusal``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CALIBRATION_DIR = Path(__file__).resolve().parent / "calibration"

FEATURES = (
    "best_score", "best_cosine", "best_lexical", "second_ratio", "coverage_all", "coverage_chosen",
    "dense_top", "dense_margin", "typed", "span_found", "follow_up", "question_words", "best_rank",
)  # every score the chain computes; a calibration names those it was fitted on (a subset, in its order)
# the verdicts of the refusal rules that the model may weigh instead of letting them refuse alone (1.0: it
# fires; ``kalan.rag.refusal.signals``): a calibration that names one absorbs that rule
SIGNALS = ("rule_unknown_name", "rule_weak_support", "rule_numbers_absent", "rule_type_absent", "rule_span_absent")
INPUTS = FEATURES + SIGNALS


@dataclass(frozen=True)
class Calibration:
    """A logistic model: standardised features (``features``, by name), weights, bias."""

    embedder: str
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.0  # the gate fitted with the weights (answer.min_answerability overrides it)
    features: tuple[str, ...] = FEATURES

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias
        for name, m, s, w in zip(self.features, self.mean, self.scale, self.weights):
            z += w * (float(features.get(name, 0.0)) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @property
    def signals(self) -> tuple[str, ...]:
        """The rule verdicts it weighs (``SIGNALS`` it was fitted on)."""
        return tuple(f for f in self.features if f in SIGNALS)

    def as_json(self) -> dict:
        return {"embedder": self.embedder, "features": list(self.features), "mean": list(self.mean),
                "scale": list(self.scale), "weights": list(self.weights), "bias": self.bias,
                "threshold": self.threshold}


def calibration_path(embedder: str) -> Path:
    return CALIBRATION_DIR / f"{embedder}.json"


@lru_cache(maxsize=8)
def load_calibration(embedder: str) -> Calibration | None:
    """The stored calibration of ``embedder`` (``e5``…), or None when there is none or it does not fit."""
    path = calibration_path(embedder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = tuple(data.get("features", ()))
    if not names or not set(names) <= set(INPUTS) or not len(names) == len(data["weights"]) == len(data["mean"]):
        return None  # fitted on features the chain no longer computes: refit (python -m kalan.evals.fit_answerability)
    return Calibration(data["embedder"], tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]),
                       float(data["bias"]), float(data.get("threshold", 0.0)), names)


def features(question_words: set[str], found_any: set[str], found_chosen: set[str], cands: list, selected: list,
             passages: list, typed: bool, span_found: bool, follow_up: bool) -> dict[str, float]:
    """The scores the chain computed, as the model's inputs (plain floats, shown in the JSON for teachers)."""
    ranked = sorted(cands, key=lambda c: -c.score)
    best = ranked[0] if ranked else None
    second = ranked[1].score if len(ranked) > 1 else 0.0
    dense = sorted((p.dense_score or 0.0 for p in passages), reverse=True) or [0.0]
    n = max(len(question_words), 1)
    return {
        "best_score": best.score if best else 0.0,
        "best_cosine": best.cosine if best else 0.0,
        "best_lexical": best.lexical if best else 0.0,
        "second_ratio": (second / best.score) if best and best.score > 0 else 0.0,
        "coverage_all": len(found_any) / n,
        "coverage_chosen": len(found_chosen) / n,
        "dense_top": dense[0],
        "dense_margin": dense[0] - (dense[1] if len(dense) > 1 else 0.0),
        "typed": float(typed),
        "span_found": float(span_found),
        "follow_up": float(follow_up),
        "question_words": math.log1p(len(question_words)),
        "best_rank": float(best.passage_index) if best else 0.0,
    }
