"""Is a student's answer the expected one? Tolerant of case, accents, small typos and numbers in words.

« soixante » = « 60 », « mille neuf cent soixante » = « 1960 », « abdoulaye diop » = « Abdoulaye Diop »,
« Abdoulay Diop » too (one edit in a long word). Numbers must be the same numbers: « 1959 » is not « 1960 », and
an answer that lists several numbers does not hit the right one by luck. Words are compared without the little
words (« en 1960 » = « 1960 »); when the expected answer has several words, the student may give at least half of
them (« Diop » for « Abdoulaye Diop »).

French number words become digits with the reader the search and the fact check use (``kalan.rag.text``).
Does not choose what is expected (``kalan.study.guided``).
"""

from __future__ import annotations

import re

from kalan.rag.answer_types import near_spelling
from kalan.rag.text import FRENCH_STOPWORDS, fold, numbers_in_digits

_GROUPED = re.compile(r"(?<=\d)[\s.](?=\d{3}(?!\d))")  # « 1 000 », « 1.000 » -> 1000
_WORD = re.compile(r"\d+(?:er|re|eme|e|nde|nd)\b|\d+(?:,\d+)?|[a-z]+")
_ORDINAL = re.compile(r"\d+[a-z]+")  # « premier » -> « 1er »: a word, not a quantity
_ROUND = re.compile(r"\b(\d+) (dizaines?|centaines?|milliers?)\b")  # « 1 millier » -> 1000
_ROUND_VALUE = {"diza": 10, "cent": 100, "mill": 1000}
_FRAME = FRENCH_STOPWORDS | frozenset("depuis environ pres plus moins annee annees an ans".split())


def digits(text: str) -> str:
    """Folded text with French number words as digits (« mille neuf cent soixante » -> « 1960 »), read by the
    project's one number reader (``kalan.rag.text.numbers_in_digits``)."""
    text = numbers_in_digits(fold(text).replace("'", " "), one=True)
    text = _GROUPED.sub("", text)
    return _ROUND.sub(lambda x: str(int(x.group(1)) * _ROUND_VALUE[x.group(2)[:4]]), text)


def words(text: str) -> tuple[list[str], list[str]]:
    """(numbers, other words) of an answer, little words aside."""
    toks = _WORD.findall(digits(text))
    numbers = [t for t in toks if t[0].isdigit() and not _ORDINAL.fullmatch(t)]
    others = [t for t in toks if t not in numbers and t not in _FRAME]
    if not others and not numbers:  # an answer made only of little words keeps them
        others = [t for t in toks if t not in numbers]
    return numbers, others


def _same_word(given: str, expected: str) -> bool:
    if given == expected:
        return True
    return near_spelling(expected, given, 2 if len(expected) >= 9 else 1)


def is_right(given: str, expected: str) -> bool:
    """Whether ``given`` says ``expected`` (see the module docstring for the tolerance)."""
    g_nums, g_words = words(given)
    e_nums, e_words = words(expected)
    if not g_nums and not g_words:
        return False
    if e_nums and sorted(set(g_nums)) != sorted(set(e_nums)):
        return False
    if not e_words or (e_nums and e_nums != ["1"]):  # the right number is the answer; what it counts is context
        return bool(e_nums)
    found = sum(1 for e in e_words if any(_same_word(g, e) for g in g_words))
    return found >= max(1, (len(e_words) + 1) // 2)


def is_right_any(given: str, accepted: list[str]) -> bool:
    return any(is_right(given, a) for a in accepted if a)
