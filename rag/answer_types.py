"""What kind of fact a question asks for, and whether a sentence holds one.

"Quand", "en quelle année" ask for a date; "combien", "quel montant" for a
number; "qui", "quel est le nom" for a name. ``holds_type`` says whether some
sentences hold such a fact that the question does not already contain: the
extractive scorer favours those sentences, and the refusal decision refuses
when none does (the passages are on topic but lack what is asked).
"""

from __future__ import annotations

import re

from kalan.rag import lexicon as lx
from kalan.rag.lexicon import alternation
from kalan.rag.text import FRENCH_STOPWORDS, fold, tokenize

_QUEL_LE = r"\bquel(?:le)?s?\s+(?:est|sont|etait|etaient|fut)?\s*(?:le|la|les|l')?\s*"  # « quel est le … »
NUMBER_Q = re.compile(
    rf"\bcombien\b|{_QUEL_LE}{alternation(lx.COUNT_NOUNS)}\b"
    rf"|\ben (?:{'|'.join(lx.UNITS_ASKED)})\b"
)
DATE_Q = re.compile(
    r"\bquand\b|\ben quelle annee\b|\bquelle annee\b|\bquelle (?:est la |etait la )?date\b|\bdepuis quand\b|"
    r"\ba quelle date\b|\bquel jour\b|\ben quel (?:mois|siecle)\b|\bde quand\b|\bjusqu'a quand\b"
)
_QUI = rf"^(?:et\s+)?(?:{alternation(lx.PREPOSITIONS_BEFORE_QUI)}\s)?qui\b"  # « qui … », « et à qui … »
_WHERE = r"^(?:et\s+)?(?:d')?ou\b"
PERSON_Q = re.compile(
    rf"{_QUI}|\bquel est le nom\b|\bcomment s'appelle\b|\bquel(?:le)?s?\s+{alternation(lx.NAME_NOUNS)}s?\b|{_WHERE}"
)
TIME_SPAN_Q = re.compile(r"\bcombien (?:de temps|d'annees|d'ans|de decennies|de siecles)\b|\bdepuis combien\b")
# "combien de soldats", "quel est le montant de l'investissement": the words that say what is counted
FOCUS_Q = re.compile(rf"\bcombien (?:de |d')(.+)|{_QUEL_LE}{alternation(lx.FOCUS_NOUNS)}\s+(?:de |d'|des |du )(.+)")

NUMBER_WORDS = re.compile(rf"\d+(?:[.,]\d+)?|\b{alternation(lx.NUMBER_WORDS)}\b")
DATE_WORDS = re.compile(
    rf"\b(?:1[0-9]{{3}}|20[0-9]{{2}})\b|\b{alternation(lx.MONTHS + ('siecle', 'decennie', 'decennies', 'annees'))}\b"
    r"|\bau (?:moyen age|debut|milieu|cours)\b"
)
NAME = re.compile(r"\b([A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+)*)")


DESCRIBE_Q = re.compile(r"^\W*(?:et\s+)?qui\s+(?:est|etait|sont|etaient|fut|etaient)\s+(?!(?:le|la|les|l'|un|une)\b)")
# "Qui a écrit l'article ?", "D'où vient ce texte ?": asked of the article itself, answered by its card's
# sentence (« … a été écrit par La Rédaction »), whose author or source need not be a person's or a place's name
ABOUT_ARTICLE_Q = re.compile(
    r"^\W*(?:et\s+)?(?:qui\s+(?:a\s+|l'a\s+)?(?:ecrit|redige|signe)|d'ou\s+(?:vient|provient|viennent|sort))"
    r"\s+(?:-?t?-?(?:il|elle)\s+)?(?:(?:l'|cet |ce |le |la |cette )?(?:article|texte|document|extrait|information)\b|\W*$)"
)
# Words of a question about the article itself (its author, date, source, title, address): only such questions
# retrieve its card (kalan.rag.retrieval). Without this rule, « selon l'article » questions drew card sentences
# into their answers (students test half: direct-first 0.78 -> 0.73, under its floor).
ABOUT_CARD_Q = re.compile(
    r"\b(?:ecrit|redige|signe|auteur|autrice|auteurs|journaliste|publie|publiee|publication|parution|paru|parue|date|"
    r"source|sources|vient|provient|origine|titre|intitule|s'intitule|adresse|url|lien|site|journal|media|redaction)\b"
)


_PART = re.compile(
    r"\s*,?\s+et\s+(?=(?:(?:à|a|en|dans|de|du|par|pour|avec|sur|vers|depuis|jusqu'à)\s+)?"
    r"(?:quel|quelle|quels|quelles|qui|quand|où|comment|pourquoi|combien|que|quoi)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """A two-part question cut at "et" + an interrogative ("En quelle année ... et dans quel contexte ?"):
    each part's expected fact is checked against that part's own words."""
    return [p for p in _PART.split(question) if p.strip()] or [question]


def expected_type(question: str) -> str | None:
    f = fold(question).strip()
    if DESCRIBE_Q.search(f):
        return None  # "Qui est Mehmed Pacha ?" asks for a description, not a name
    if ABOUT_ARTICLE_Q.search(f):
        return None
    if DATE_Q.search(f):
        return "date"
    if NUMBER_Q.search(f):
        return "number"
    if PERSON_Q.search(f):
        return "name"
    return None


def _tokens(text: str, pattern: re.Pattern) -> set[str]:
    return {m.group(0) for m in pattern.finditer(fold(text))}


YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


def focus_words(question: str) -> set[str]:
    """Stem of the head noun naming what a number question counts ("combien de soldats" -> soldat)."""
    m = FOCUS_Q.search(fold(question))
    if not m:
        return set()
    toks = tokenize(m.group(1) or m.group(2) or "")
    while len(toks) > 1 and toks[0] in _PRENOMINAL:
        toks = toks[1:]  # "combien de jeunes Maliens": Maliens are counted
    if toks and toks[0] in _GENERIC_COUNTED:
        return set()  # "combien de personnes" may be answered by "salariés", "habitants"...
    return set(toks[:1])


_NUM = r"(?:\d+(?:[.,]\d+)?|" + NUMBER_WORDS.pattern.split("|", 1)[1] + ")"
# "soixante-cinq ans", "depuis trois mois": a duration; "le 65e anniversaire": a rank. Neither counts soldiers.
DURATION = re.compile(_NUM + r"(?:[\s-]+(?:et[\s-]+)?" + _NUM + r")*\s+" + alternation(lx.DURATION_UNITS, "s?")
                      + r"\b|\b\d+\s*(?:e|eme|er|ere)\b|\b\d{1,2}\s+" + alternation(lx.MONTHS) + r"\b")
AGE_Q = re.compile(r"\bage\b|\bquel age\b")


def _holds_number(question: str, sentence: str, strict: bool = True) -> bool:
    fq = fold(question)
    span = bool(TIME_SPAN_Q.search(fq))
    durations_count = span or bool(AGE_Q.search(fq))
    new = _tokens(sentence if durations_count else DURATION.sub(" ", fold(sentence)), NUMBER_WORDS) - _tokens(
        question, NUMBER_WORDS)
    if not durations_count:
        new = {t for t in new if not YEAR.match(t)}  # "depuis 2021" does not count soldiers
    if not new:
        return False
    focus = focus_words(question) if strict and not span else set()
    return not focus or bool(focus & set(tokenize(sentence)))


_PRENOMINAL = frozenset(tokenize(" ".join(lx.PRENOMINAL)))

_GENERIC_COUNTED = frozenset(tokenize(" ".join(lx.GENERIC_COUNTED)))

TYPE_WORDS = frozenset(tokenize(" ".join(lx.TYPE_WORDS)))


def coverage(question: str, text: str, topic: frozenset[str] = frozenset()) -> float:
    """Share of the question's own words (not its type words, not the article's topic words) found in ``text``."""
    words = set(tokenize(question)) - TYPE_WORDS - topic
    if not words:
        return 1.0
    return len(words & set(tokenize(text))) / len(words)


# Capitalised only because they open a sentence: "Selon Bamako", "Depuis Moscou" name Bamako, Moscou.
_OPENERS = FRENCH_STOPWORDS | frozenset(lx.SENTENCE_OPENERS)


def _names(sentence: str) -> list[str]:
    """Capitalised words that are names, not sentence or list-item openings."""
    out = []
    for m in NAME.finditer(sentence):
        before = sentence[: m.start()].rstrip()
        opening = not before or before[-1] in ".!?:;•·-*–—«\"("
        whole = m.group(1).split()
        words = whole
        if opening:
            while words and fold(words[0]).strip("'’") in _OPENERS:
                words = words[1:]  # "Selon Bamako" -> "Bamako"; "Pendant" alone -> nothing
            if words is whole and len(words) < 2:
                continue  # one capitalised word opening a sentence, an item or a quote: not a name by itself
        if words:
            out.append(" ".join(words))
    return out


def _holds_one(kind: str, question: str, sentence: str, topic_names: frozenset[str], strict: bool = True) -> bool:
    if kind == "number":
        return _holds_number(question, sentence, strict)
    if kind == "date":
        return bool(_tokens(sentence, DATE_WORDS) - _tokens(question, DATE_WORDS))
    if kind == "name":
        qf = f" {fold(question)} "
        for name in _names(sentence):
            parts = [w for w in re.split(r"[\s\-'’]+", fold(name)) if len(w) > 2]
            # a name the question does not already hold, and not just the article's subject ("Mali", "Russie")
            if any(f" {w} " not in qf and w not in topic_names for w in parts):
                return True
        return False
    return True


def holds_type(kind: str, question: str, sentences: list[str], topic_names: frozenset[str] = frozenset(),
               topic: frozenset[str] = frozenset(), min_coverage: float = 0.0, strict: bool | None = None) -> bool:
    """Some sentence holds a new fact of ``kind`` and shares enough of the question's own words
    (``strict``, by default ``min_coverage > 0``: a number must come with what is counted)."""
    strict = min_coverage > 0 if strict is None else strict
    return any(
        _holds_one(kind, question, s, topic_names, strict) and coverage(question, s, topic) >= min_coverage
        for s in sentences
    )


def question_entities(question: str) -> list[str]:
    """Capitalised names inside the question ("Wagner", "Sergueï Lavrov"), folded."""
    return [fold(n) for n in _names(question) if len(n) >= 3]


COMMON_CAPITALISED = frozenset(lx.COMMON_CAPITALISED)
METONYMS = lx.METONYMS


def missing_entities(question: str, passage_texts: list[str]) -> list[str]:
    """Names of the question that no retrieved passage mentions (by a shared prefix): the corpus is not about them."""
    haystack = set(re.findall(r"[a-z0-9]+", " ".join(fold(t) for t in passage_texts)))

    def mentioned(w: str) -> bool:
        prefix = w[: max(4, min(6, len(w) - 2))]
        return any(h.startswith(prefix) or near_spelling(w, h, 2 if len(w) >= 8 else 1) for h in haystack)

    out = []
    for name in question_entities(question):
        parts = [w for w in re.findall(r"[a-z0-9]+", name) if len(w) >= 4 and w not in COMMON_CAPITALISED]
        for w in parts:
            if not mentioned(w) and not any(mentioned(m) for m in METONYMS.get(w, ())):
                out.append(name)
                break
    return out


def near_spelling(a: str, b: str, edits: int = 1) -> bool:
    """Same first letter and at most ``edits`` edits apart, for words of 5+ letters ("Hegwige" for "Hedwige";
    with 2: "nurbuging" for "nurburgring")."""
    if len(a) < 5 or not b or a[0] != b[0] or abs(len(a) - len(b)) > edits:
        return False
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        if min(cur) > edits:
            return False
        prev = cur
    return prev[-1] <= edits


_GROUPED = re.compile(r"(?<=\d)[\s\u00a0\u202f.](?=\d{3}(?!\d))")  # "1 000" and "1.000" -> "1000"
_QNUM = re.compile(r"(?<![\d,.])\d{3,}(?![\d])")


def numbers_missing(question: str, passage_texts: list[str]) -> bool:
    """The question holds numbers of 3+ digits ("en 1928", "1 000 km"; smaller ones are often written in
    words: "soixante-cinq ans") and the passages hold none of them."""
    nums = set(_QNUM.findall(_GROUPED.sub("", question)))
    if not nums:
        return False
    text = _GROUPED.sub("", " ".join(passage_texts))
    return not any(re.search(rf"(?<!\d){n}(?!\d)", text) for n in nums)
