"""The direct answer: a span of the cited sentence that answers the question, in a small fixed French frame.

« Depuis quand … ? » → « Depuis 1960 », « Qui a écrit à Lavrov ? » → « Abdoulaye Diop »,
« Combien d'étudiants … ? » → « Plus d'un millier d'étudiants ». The span is always the article's own
characters, cut from one sentence that the answer cites; the frame adds at most a preposition
(« En », « Depuis », « Le »). Open questions (pourquoi, comment, que…) get no span: their answer is
the quoted sentence itself.

How a span is found, by the expected answer type (``kalan.rag.answer_types.expected_type``):
- date: date expressions (« 14 octobre 2025 », « 1960 », « les années 1960 ») that the question does
  not already hold;
- number: a quantity with what it counts (« plus d'un millier d'étudiants »), durations and years
  aside unless the question asks for a span of time;
- name: named entities from spaCy's French model (people for « qui », places for « où »,
  organisations for « quelle entreprise »), else capitalised word groups.
When several spans qualify, the one nearest to the question's own words in the sentence wins.

Does not choose the sentence (``kalan.rag.extractive``) nor decide refusals (``kalan.rag.refusal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kalan.rag import lexicon as lx
from kalan.rag.answer_types import _QUI, _WHERE, AGE_Q, DURATION, TIME_SPAN_Q, _names, expected_type
from kalan.rag.lexicon import alternation
from kalan.rag import entities
from kalan.rag.text import fold, tokenize


@dataclass(frozen=True)
class Span:
    """``text`` is ``sentence[start:end]``; ``framed`` the direct answer shown first."""

    start: int
    end: int
    text: str
    framed: str


_MONTHS = alternation(lx.MONTHS_WRITTEN)
_DATE = re.compile(
    rf"\b(?:(?:1er|\d{{1,2}})\s+{_MONTHS}\s+(?:1[0-9]{{3}}|20[0-9]{{2}})|{_MONTHS}\s+(?:1[0-9]{{3}}|20[0-9]{{2}})"
    rf"|(?:1er|\d{{1,2}})\s+{_MONTHS}|(?:les\s+)?années\s+(?:1[0-9]{{3}}|20[0-9]{{2}})|(?:1[0-9]{{3}}|20[0-9]{{2}}))\b",
    re.IGNORECASE,
)
_NUMBER_WORD = (r"(?:(?:\d+(?:[  .,]\d+)*|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|"
                r"trente|quarante|cinquante|soixante|cent|cents|mille|millier|milliers|million|millions|milliard|"
                r"milliards|dizaine|dizaines|centaine|centaines|quelques)(?![\w]))")
_QUANTITY = re.compile(
    rf"(?:\b(?:plus|moins|près|pres|environ|quelque|quelques|au moins|jusqu['’]à)\s+(?:de\s+|d['’])?)?"
    rf"\b{_NUMBER_WORD}(?:[\s-]+(?:et[\s-]+)?{_NUMBER_WORD})*"
    rf"(?:\s*(?:%|pour\s*cent|°C|km|m|kg|t|MW|GW|kW|€|\$))?"
    rf"(?:\s+(?:de\s+|d['’]|des\s+)?[^\W\d_][\w’'-]*(?:\s+[a-zà-ÿ][\w’'-]*)?)?",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(rf"\bquelques\s+{alternation(u.rstrip('s') + 's' for u in lx.DURATION_UNITS)}\b")
_STOP_TAIL = frozenset("de d des du et ou à a au aux en le la les l un une dans sur pour par avec que qui".split())

# spaCy labels that fit each kind of name question; None: any entity.
_PLACE_Q = re.compile(rf"{_WHERE}|\bquel(?:le)?s?\s+{alternation(lx.PLACE_NOUNS)}\b")
_ORG_Q = re.compile(rf"\bquel(?:le)?s?\s+{alternation(lx.ORG_NOUNS)}\b")
_PERSON_Q = re.compile(rf"{_QUI}|\bquel(?:le)?s?\s+{alternation(lx.PERSON_NOUNS)}\b")


def _entity_spans(sentence: str, labels: set[str] | None) -> list[tuple[int, int]]:
    found = entities.of(sentence)  # stored at ingestion; spaCy parses a sentence never ingested
    if found is not None:
        spans = [(s, e) for s, e, label in found if labels is None or label in labels]
        if spans or labels is not None:
            return spans
    out, pos = [], 0
    for name in _names(sentence):  # capitalised word groups, sentence openings aside
        i = sentence.find(name, pos)
        if i >= 0:
            out.append((i, i + len(name)))
            pos = i + len(name)
    return out


def _candidates(kind: str, question: str, sentence: str) -> list[tuple[int, int]]:
    fq = fold(question)
    if kind == "date":
        return [m.span() for m in _DATE.finditer(sentence)]
    if kind == "number":
        durations = bool(TIME_SPAN_Q.search(fq) or AGE_Q.search(fq))
        out = []
        for m in _QUANTITY.finditer(sentence):
            s, e = m.span()
            words = sentence[s:e].split()
            while len(words) > 1 and fold(words[-1]).strip("'’") in _STOP_TAIL:
                words.pop()
            e = s + len(" ".join(words)) if words else e
            text = fold(sentence[s:e])
            if not re.search(r"\d|" + _NUMBER_WORD, text) or re.fullmatch(r"(?:un|une)(?:\s+\S+)?", text):
                continue  # "un message" is an article, not a count
            if re.match(r"\d+\s*(?:e|eme|er|ere)\b", text):  # fold turned « ᵉ » into « e »
                continue  # "65ᵉ anniversaire": a rank, not a count
            is_duration = bool(DURATION.search(text) or _UNIT_AFTER.search(text))
            if durations != is_duration or re.fullmatch(r"(?:1[89]|20)\d\d", text.strip()):
                continue
            if is_duration:  # "six décennies après" -> "six décennies"
                unit = re.search(r"\b(?:ans?|ann[ée]es?|d[ée]cennies?|si[èe]cles?|mois|jours?|semaines?|heures?)\b",
                                 sentence[s:e], re.IGNORECASE)
                e = s + unit.end() if unit else e
            out.append((s, e))
        return out
    if kind == "name":
        if _PLACE_Q.search(fq):
            labels = {"LOC"}
        elif _ORG_Q.search(fq):
            labels = {"ORG", "MISC"}
        elif _PERSON_Q.search(fq):
            labels = {"PER", "ORG"}  # « qui explore le lithium ? » : a company answers too
        else:
            labels = None
        return _entity_spans(sentence, labels)
    return []


def _new(span_text: str, question: str) -> bool:
    """The span says something the question does not already say, even through a derived word
    (« Mali » is said by « malienne », « Russie » by « russe »: same first letters)."""
    words = set(tokenize(span_text, stem=False))
    asked = set(tokenize(question, stem=False))

    def said(w: str) -> bool:
        if w in asked:
            return True
        prefix = w[: max(4, len(w) - 2)]
        return len(w) >= 4 and not w.isdigit() and any(a.startswith(prefix) for a in asked)

    return any(not said(w) for w in words)


def _frame(kind: str, question: str, text: str) -> str:
    """« Depuis 1960 », « En 1960 », « Le 14 octobre 2025 », « Dans les années 1960 »; other kinds as they are."""
    ft = fold(text)
    if kind != "date" or ft.startswith("depuis"):
        return text[:1].upper() + text[1:]
    if re.search(r"\bdepuis\b", fold(question)):
        return f"Depuis {text}"
    if ft.startswith(("les annees", "annees")):
        return f"Dans {text}"
    if re.match(r"\d{1,2}\s|1er\s", ft):
        return f"Le {text}"
    return f"En {text}"


_INTERROGATIVE = re.compile(r"\b(?:qui|que|quoi|quel|quelle|quels|quelles|quand|ou|comment|pourquoi|combien|lequel|"
                            r"laquelle|lesquels|lesquelles|est-ce|qu)\b")


def asks_itself(question: str) -> bool:
    """The question holds its own interrogative word (« et ds l'éducation, la Russie fait quoi ? »): a follow-up
    that is not a bare fragment (« Et dans le domaine de l'énergie ? ») does not inherit the last one's type."""
    return bool(_INTERROGATIVE.search(fold(question).replace("'", "' ")))


_ANNIVERSARY = re.compile(r"\b(\d{1,3})\s*(?:ᵉ|e|eme|ème)\s+anniversaire\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_START_Q = re.compile(r"\bdepuis quand\b|\bde quand\b|\b(?:quand|quelle annee|en quelle annee)\b.*\b(?:commenc|debut|etabli|"
                      r"nou[ea]|cre[ea]|fond|naiss|ne[es]?\b|lanc|ouvert|signe)")


def _anniversary(question: str, sentence: str, context: str) -> Span | None:
    """One step of arithmetic: « le 65ᵉ anniversaire » of something, in a text dated 2025, began in 1960. Only for
    a question on when something began; the span is the anniversary's words, the answer the year it gives."""
    if not _START_Q.search(fold(question)):
        return None
    m = _ANNIVERSARY.search(sentence)
    years = [int(y) for y in _YEAR.findall(context + " " + sentence)]
    if not m or len(set(years)) != 1:
        return None
    start = str(years[0] - int(m.group(1)))
    return Span(m.start(), m.end(), start, f"{_frame('date', question, start)} ({m.group(0)} en {years[0]})")


def find_span(question: str, sentence: str, kind: str | None = None, topic: frozenset[str] = frozenset(),
              exclude: str = "", context: str = "") -> Span | None:
    """The span of ``sentence`` that answers ``question`` directly, or None (open question, no such span).
    ``exclude``: text whose words a span may not merely repeat (a follow-up's previous direct answer);
    ``context``: the sentence this one leans on (« Ce jour… » after « Le 14 octobre 2025… »)."""
    kind = kind or expected_type(question)
    if kind is None or not sentence:
        return None
    if kind == "date":
        inferred = _anniversary(question, sentence, context)
        if inferred is not None:
            return inferred
    spans = [(s, e) for s, e in _candidates(kind, question, sentence) if _new(sentence[s:e], question + " " + exclude)]
    if not spans:
        return None
    qwords = set(tokenize(question))
    anchors = [m.start() for m in re.finditer(r"[\w’'-]+", sentence) if set(tokenize(m.group(0))) & qwords]

    def distance(span: tuple[int, int]) -> float:
        if not anchors:
            return span[0] / 1000.0
        return min(min(abs(a - span[0]), abs(a - span[1])) for a in anchors)

    def about_topic(span: tuple[int, int]) -> bool:  # "Mali" answers only when nothing else does
        return kind == "name" and not set(tokenize(sentence[span[0]:span[1]])) - topic

    s, e = min(spans, key=lambda sp: (about_topic(sp), distance(sp), sp[0]))
    text = sentence[s:e]
    return Span(s, e, text, _frame(kind, question, text))
