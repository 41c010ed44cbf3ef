"""When to say "the corpus does not answer": the refusal rules, in one ordered list.

``RULES`` is the whole decision. Each rule names the case it exists for, the stage where it runs (``before``
the answer is composed, on the question and the retrieved passages; ``after``, on the chosen sentences) and
the reason a student's JSON carries. The first rule that fires refuses; none fires: Kalan answers. A rule can
be switched off by name (``answer.disabled_rules``): that is how ``python -m kalan.evals.ablate_rules``
measures what each one contributes (the table in BENCHMARKS.md). Safety rules (injection, task) are not
quality rules and are never switched off.

A rule marked ``gated`` can instead be an input of the answerability model: when the embedder's calibration
reads its verdict (``rule_<name>``, ``answerability.SIGNALS``), it no longer refuses on its own; the ``uncertain``
rule refuses when the model's probability, which weighs that verdict with the scores, is under its threshold, and
says the reason of the first absorbed rule that fired (« fait_absent »…), else « reponse_incertaine ». With the gate
off (« uncertain » in ``answer.disabled_rules``, no calibration, or a generative answer) every gated rule refuses
on its own again.

Thresholds live in ``AnswerSettings`` (the embedder's cosine calibration for the cosine ones). A refusal never
cites anything. Not here: how sentences are chosen (``kalan.rag.extractive``), the answerability model's
probability (``kalan.rag.answerability``; the rule that reads it is here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from kalan.rag.answer_types import capitalised_names, event_frame, expected_type, holds_type, missing_entities, \
    numbers_missing, question_entities, question_parts
from kalan.rag.phrases import is_year_text
from kalan.rag.guards import looks_like_injection, looks_like_task
from kalan.rag.text import content_words, fold, tokenize


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
    rule: str | None = field(default=None, compare=False)  # the rule that refused (its name in RULES)


def topic_of(passages: list) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words and stems of the retrieved articles' titles: the subject, not an answer."""
    titles = " ".join(dict.fromkeys(p.title for p in passages))
    return frozenset(w for w in fold(titles).replace("-", " ").split() if len(w) > 2), frozenset(tokenize(titles))


@dataclass
class Context:
    """What the rules read. ``texts``: the answer's sentences, each with its context sentence (after stage)."""

    question: str
    standalone: str
    passages: list
    settings: object
    texts: list[str] = field(default_factory=list)
    best_score: float | None = None  # extractive: the best chosen sentence's score
    best_cosine: float | None = None  # extractive: its cosine with the question
    cited: list[str] | None = None  # the cited passages' texts
    span_missing: bool = False  # a part asks a date, number or name and no chosen sentence holds its span
    answerability: float | None = None  # the answerability model's probability (extractive, when calibrated)
    answerability_threshold: float | None = None
    fragment_unheard: bool = False  # a follow-up fragment none of whose own words any retrieved passage holds
    absorbed: frozenset[str] = frozenset()  # gated rules the answerability model weighs: they refuse through it
    signals: dict[str, float] = field(default_factory=dict)  # gated rules' verdicts already computed (``signals``)

    @property
    def follow_up(self) -> bool:
        return self.standalone != self.question


@dataclass(frozen=True)
class Rule:
    name: str
    stage: Literal["before", "after"]
    reason: RefusalReason
    case: str  # the case the rule exists for
    fires: Callable[[Context], bool]
    safety: bool = False  # a safety rule is never switched off
    gated: bool = False  # its verdict may be an input of the answerability model instead of a refusal of its own


def _weak_retrieval(c: Context) -> bool:
    if max((p.dense_score or 0.0) for p in c.passages) >= c.settings.answer.min_retrieval_score:
        return False  # the names below are read only for the questions the floor would refuse
    if question_entities(c.standalone) and not missing_entities(c.standalone, [p.text + " " + p.title
                                                                              for p in c.passages]):
        return False  # « Qui est Boubacar Traoré ? »: every name it asks about is in the passages; later rules decide
    # « qui est boubacar traore ? »: the same, the person read off the passages' stored entities
    return not (c.settings.answer.names_in_lower_case and _names_a_person(c.standalone, c.passages))


def _names_a_person(question: str, passages: list) -> bool:
    """``question`` writes in full, side by side and in any case, a person that ingestion found in a sentence of
    ``passages`` (``kalan.rag.namesakes.named_in_full``)."""
    from kalan.rag.namesakes import named_in_full
    from kalan.rag.sentences import sentences

    return bool(named_in_full(question, (s for p in passages for s in sentences(p.text))))


def _weak_support(c: Context) -> bool:
    a = c.settings.answer
    floor = a.min_answer_score_follow_up if c.follow_up else a.min_answer_score
    return c.best_score is not None and c.best_score < floor


def _type_absent(c: Context) -> bool:
    """A date/number/name question needs a sentence holding such a fact that shares a third of the question's
    own words, unless its embedding similarity with the question is strong (reworded questions); each part of a
    two-part question needs its own fact."""
    a = c.settings.answer
    names, stems = topic_of(c.passages)
    strong = c.best_cosine is not None and c.best_cosine >= a.strong_similarity
    needed = 0.0 if strong else a.min_type_coverage  # a strong match still needs what is counted
    for part in question_parts(c.question):
        kind = expected_type(part)
        if kind and not holds_type(kind, part, c.texts, names, stems, needed, strict=True) and not (
            c.follow_up and holds_type(kind, part, c.texts, names, stems, 0.0)
            and holds_type(kind, c.standalone, c.texts, names, stems, needed, strict=True)
        ):
            return True
    return False


def happened_held(c: Context) -> bool:
    """A what-happened question at a date (« que s'est-il passé en 1960 ? », « … pour Berlin en 1701 ? ») whose
    first answer sentence holds that year and every other word the question names (its article's title aside):
    such a sentence says what happened then, whatever its wording. The answerability model cannot see this: the
    question has one or two words to weigh, and its scores sit on the threshold."""
    frame = event_frame(c.standalone)
    if frame is None or not c.texts:
        return False
    asked = content_words(c.standalone) - frame
    if not any(is_year_text(w) for w in asked):
        return False
    return asked <= content_words(c.texts[0]) | topic_of(c.passages)[1]


def name_held(c: Context) -> bool:
    """A question about a name and nothing else (« c'est quoi le R21 ? », « c'est où Dédougou ? », « qui est Awa
    Sawadogo ? ») whose first answer sentence writes that name: such a sentence says what the article says of it.
    The answerability model reads one question word as a weak question."""
    if not c.texts:
        return False
    asked = content_words(c.standalone)
    return bool(asked) and asked <= content_words(" ".join(capitalised_names(c.texts[0])))


def _uncertain(c: Context) -> bool:
    if c.answerability is None or happened_held(c) or name_held(c):
        return False
    gate = c.settings.answer.min_answerability
    return c.answerability < (c.answerability_threshold if gate is None else gate)


RULES: tuple[Rule, ...] = (
    Rule("injection", "before", RefusalReason.INJECTION,
         "an instruction aimed at the assistant (« ignore tes consignes… »), not a question",
         lambda c: looks_like_injection(c.question), safety=True),
    Rule("task", "before", RefusalReason.OFF_TOPIC,
         "a task (write a poem, translate…) rather than a question on the articles",
         lambda c: looks_like_task(c.question), safety=True),
    Rule("no_passage", "before", RefusalReason.NOTHING_FOUND,
         "an empty corpus or a question retrieval finds nothing for", lambda c: not c.passages, safety=True),
    Rule("weak_retrieval", "before", RefusalReason.WEAK_RETRIEVAL,
         "off-topic questions: the best passage's dense cosine is under the embedder's floor; decided before an "
         "answer is composed, so a chat model is never called for them (in extractive mode later rules refuse the "
         "same questions: BENCHMARKS.md, twenty-eighth pass). Not a question whose every name the passages hold "
         "(« Qui est Boubacar Traoré ? », forty-second pass: PIAF kept tune +2, test equal)", _weak_retrieval),
    Rule("unknown_name", "before", RefusalReason.UNKNOWN_ENTITY,
         "a question naming someone or something (« le groupe Wagner ») that no retrieved passage mentions",
         lambda c: bool(missing_entities(c.standalone, [p.text + " " + p.title for p in c.passages])), gated=True),
    Rule("fragment_unheard", "after", RefusalReason.UNKNOWN_ENTITY,
         "a follow-up fragment about something no retrieved passage mentions (« Et en Chine ? » after a question on "
         "Russia): the previous question's words would otherwise answer it", lambda c: c.fragment_unheard),
    Rule("no_sentence", "after", RefusalReason.UNSUPPORTED,
         "no answer sentence survived citation verification", lambda c: not c.texts, safety=True),
    Rule("weak_support", "after", RefusalReason.WEAK_SUPPORT,
         "on-topic passages that do not answer: the best sentence scores under answer.min_answer_score",
         _weak_support, gated=True),
    Rule("numbers_absent", "after", RefusalReason.FACT_ABSENT,
         "a question anchored on numbers (« en 1928 », « les 1 000 km ») of which no cited passage holds any",
         lambda c: c.cited is not None and numbers_missing(c.question, c.cited), gated=True),
    Rule("type_absent", "after", RefusalReason.FACT_ABSENT,
         "a date/number/name question whose chosen sentences hold no such fact about the question's words",
         _type_absent, gated=True),
    Rule("span_absent", "after", RefusalReason.FACT_ABSENT,
         "a part asks a date, number or name and the direct answer finds no span of that kind in the chosen "
         "sentences (answer.require_span)",
         lambda c: c.span_missing and c.settings.answer.require_span, gated=True),
    Rule("uncertain", "after", RefusalReason.UNCERTAIN,
         "the grey zone: on-topic passages, a close sentence without the fact; the answerability model's "
         "probability is under its fitted threshold", _uncertain),
)
RULE_NAMES = tuple(r.name for r in RULES)


def signal_name(rule: str) -> str:
    """The answerability model's input that carries ``rule``'s verdict."""
    return f"rule_{rule}"


def absorbed(settings, calibration) -> frozenset[str]:
    """The gated rules that ``calibration`` weighs (it names their verdicts): they refuse only through it. Empty
    when there is no calibration or the gate is switched off (« uncertain » in ``answer.disabled_rules``)."""
    if calibration is None or "uncertain" in settings.answer.disabled_rules:
        return frozenset()
    return frozenset(r.name for r in RULES if r.gated and signal_name(r.name) in calibration.signals)


def signals(context: Context) -> dict[str, float]:
    """Every gated rule's verdict on ``context`` (1.0: it fires), switched off or not: the model's inputs."""
    return {signal_name(r.name): float(bool(r.fires(context))) for r in RULES if r.gated}


def _fires(rule: Rule, context: Context) -> bool:
    """The rule's verdict: read from ``context.signals`` when the chain already computed it, else computed."""
    verdict = context.signals.get(signal_name(rule.name)) if rule.gated else None
    return bool(verdict) if verdict is not None else rule.fires(context)


def decide(stage: str, context: Context) -> Decision:
    """The first rule of ``stage`` that fires, in the order of ``RULES``; rules switched off by
    ``answer.disabled_rules`` are skipped (safety rules never are), and so are the rules the answerability model
    absorbs (``context.absorbed``): the ``uncertain`` rule refuses for them, with the first one's reason."""
    off = set(context.settings.answer.disabled_rules)
    for rule in RULES:
        if rule.stage != stage or rule.name in context.absorbed:
            continue
        if (rule.safety or rule.name not in off) and _fires(rule, context):
            reason = rule.reason
            if rule.name == "uncertain":
                reason = next((r.reason for r in RULES if r.name in context.absorbed
                               and context.signals.get(signal_name(r.name))), reason)
            return Decision(True, reason, rule.name)
    return Decision(False)


def before_answer(question: str, standalone: str, passages: list, settings,
                  absorbed: frozenset[str] = frozenset()) -> Decision:
    """Refusals decided from the question and the retrieved passages alone (``absorbed``: the rules the
    answerability model will weigh after the answer is composed)."""
    return decide("before", Context(question, standalone, passages, settings, absorbed=absorbed))


def after_answer(question: str, standalone: str, texts: list[str], passages: list, settings,
                 best_score: float | None = None, best_cosine: float | None = None,
                 cited: list[str] | None = None, span_missing: bool = False, fragment_unheard: bool = False,
                 answerability: float | None = None, answerability_threshold: float | None = None) -> Decision:
    """Refusals decided on the answer's sentences (``texts``, each with its context sentence)."""
    return decide("after", Context(question, standalone, passages, settings, texts, best_score, best_cosine, cited,
                                   span_missing, answerability, answerability_threshold, fragment_unheard))
