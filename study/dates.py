"""Dates written in a French sentence, absolute or relative, as the timeline reads them.

Absolute dates are the spans of ``kalan.rag.short_answer``'s date pattern (« 14 octobre 2025 », « octobre
2025 », « 1960 », « les années 1960 »), parsed into year / month / day. A bare four-digit number is a year
only where it reads as one: after a date word (« en », « depuis », « dès »…) or not followed by what it
would count (« 1500 soldats », « 2000 ans » are quantities and durations, not dates).

Relative dates (« l'année suivante », « ce jour », « le lendemain », « trois ans plus tard ») are found
here with their offset; ``kalan.study.timeline`` resolves them against an anchor, or leaves them out.

Not here: choosing the anchor, building events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kalan.rag.short_answer import DATE
from kalan.rag.text import FRENCH_STOPWORDS, fold

MONTHS = {m: i for i, m in enumerate(
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre".split(), 1)}
_DATE_WORDS = frozenset(
    "en depuis des jusqu'en vers avant apres annee annees an printemps ete automne hiver fin debut mi courant "
    "milieu".split())
_UNIT = re.compile(r"\s*(?:%|‰|€|\$|pour\s*cent|(?:ans?|annees?|mois|jours?|semaines?|siecles?|decennies?|heures?)\b)")
_YEAR_ONLY = re.compile(r"^(1[0-9]{3}|20[0-9]{2})$")
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize".split())}


@dataclass(frozen=True)
class DateMention:
    """``text`` is ``sentence[start:end]``; ``month``/``day`` are 0 when the sentence does not give them;
    ``year`` is 0 for a day without a year (« le 14 octobre »)."""

    start: int
    end: int
    text: str
    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else ("month" if self.month else "year")


def _reads_as_year(sentence: str, start: int, end: int) -> bool:
    before = sentence[:start]
    if re.search(r"\d[\s\u00a0\u202f.,]?$", before) or re.match(r"[\s\u00a0\u202f]?[,.]?\d", sentence[end:]):
        return False  # part of a bigger number (« 1 960 », « 1960,5 »)
    after = sentence[end:]
    if _UNIT.match(fold(after)):
        return False  # a quantity or a duration (« 2000 ans »)
    prev = re.findall(r"[\w'’-]+", fold(before)[-30:])
    if prev and prev[-1] in _DATE_WORDS:
        return True
    nxt = re.match(r"\s*([^\W\d_][\w'’-]*)", after)
    if not nxt:
        return True  # punctuation or the end of the sentence
    word = fold(nxt.group(1)).split("'")[0]
    return nxt.group(1)[0].isupper() or word in FRENCH_STOPWORDS


def find_dates(sentence: str) -> list[DateMention]:
    """Absolute dates of ``sentence``, in order (a day without a year has ``year`` 0)."""
    out = []
    for m in DATE.finditer(sentence):
        text = m.group(0)
        words = fold(text).split()
        year = next((int(w) for w in words if _YEAR_ONLY.match(w)), 0)
        month = next((MONTHS[w] for w in words if w in MONTHS), 0)
        day = 0
        if month and re.match(r"(?:1er|\d{1,2})\b", words[0]):
            day = 1 if words[0] == "1er" else int(words[0])
            if not 1 <= day <= 31:
                continue
        if not month and not words[0].startswith(("les", "annees")) and not _reads_as_year(sentence, *m.span()):
            continue
        out.append(DateMention(m.start(), m.end(), text, year, month, day))
    return out


@dataclass(frozen=True)
class RelativeDate:
    """A date given relative to another: ``years``/``days`` from the anchor; ``needs`` the anchor's precision."""

    start: int
    end: int
    text: str
    years: int = 0
    days: int = 0
    needs: str = "year"  # "year" | "day"


_N = r"(\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_RELATIVE = [
    (re.compile(r"\bl['’]année (?:suivante|d['’]après|qui suit)\b", re.I), 1, 0, "year"),
    (re.compile(r"\bl['’]année (?:précédente|precedente|d['’]avant)\b", re.I), -1, 0, "year"),
    (re.compile(r"\b(?:la même année|la meme annee|cette (?:même |meme )?année(?:-là| là)?)\b(?!\s+\d)", re.I), 0, 0, "year"),
    (re.compile(r"\b(?:ce (?:même |meme )?jour(?:-là| là)?|le même jour|le meme jour|le jour même|le jour meme)\b", re.I), 0, 0, "day"),
    (re.compile(r"\ble lendemain\b", re.I), 0, 1, "day"),
    (re.compile(r"\bla veille\b", re.I), 0, -1, "day"),
]
_YEARS_LATER = re.compile(rf"\b{_N}\s+ans\s+(plus tard|après|apres|auparavant|plus tôt|plus tot)(?=\s*[,.;:)]|\s*$)", re.I)


def find_relative(sentence: str) -> list[RelativeDate]:
    """Relative dates of ``sentence``. « trois ans après » counts only when nothing follows it (« trois ans
    après leurs premiers échanges » is anchored on an event, not a date)."""
    out = []
    for pattern, years, days, needs in _RELATIVE:
        for m in pattern.finditer(sentence):
            out.append(RelativeDate(m.start(), m.end(), m.group(0), years, days, needs))
    for m in _YEARS_LATER.finditer(sentence):
        raw = fold(m.group(1))
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        sign = -1 if fold(m.group(2)) in ("auparavant", "plus tot") else 1
        out.append(RelativeDate(m.start(), m.end(), m.group(0), sign * n, 0, "year"))
    return sorted(out, key=lambda r: r.start)
