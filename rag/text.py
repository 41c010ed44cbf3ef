"""French text normalisation and tokenisation for matching.

Two different jobs, kept apart:
- ``normalize``: the text as matched and embedded. Unicode compatibility forms
  ("65ᵉ" -> "65e"), typographic quotes and apostrophes, non-breaking spaces and
  dashes become plain ASCII-ish forms. What users see is never normalised: it is
  the article's own text, cut by character offsets.
- ``tokenize``: words for BM25 and lexical overlap: lower case, accents folded,
  elisions (l', d', qu', jusqu'...) split off, stop words dropped, optionally a
  Snowball French stem.

Does not split sentences (see ``kalan.rag.sentences``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kalan.rag import lexicon as lx

_TRANSLATE = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"', "\u201e": '"',
        "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2011": "-",
        "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200b": "",
        "\u2022": "-", "\u00b7": "-", "\u2026": "...",
    }
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# an article's own reference calls, as pages copied from an encyclopedia carry them: « … du Mali[1]. »,
# « … pays[2],[3]. », « … rapport [4]. », « … en 1973[note 2] », « … Niaré[réf. nécessaire]. ». A list in
# brackets (« [0, 1] »), « […] » or « [sic] » is no call.
REFERENCE_CALLS = re.compile(r"\s?(?:,?\[(?:\d{1,3}|note \d{1,3}|[Rr][ée]f\. (?:n[ée]cessaire|souhait[ée]e)"
                             r"|[Cc]itation n[ée]cessaire)\])+")


def normalize(text: str) -> str:
    """Text for matching and embedding: NFKC, plain quotes/dashes/spaces, no controls."""
    text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)
    text = _CONTROL.sub(" ", text)
    return re.sub(r"[ \t]+", " ", text)


def fold(text: str) -> str:
    """Lower case, accents removed, normalised: the key for accent-insensitive comparison."""
    return _unaccented(normalize(text).lower())


def _unaccented(text: str) -> str:
    """``text`` (normalised, lower case) without its accents, « œ » and « æ » written out."""
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return text.replace("œ", "oe").replace("æ", "ae")


FRENCH_STOPWORDS = frozenset(
    """a au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me meme
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un
    une vos votre vous c d j l m n s t y ete etee etees etes etant suis es est sommes sont serai sera
    seront serait etait etaient fut furent ai as avons avez ont avait avaient eu aura auront aurait
    ceci cela ca cet cette celle celui ceux leurs quel quelle quels quelles dont ou lors si plus
    tres aussi ainsi alors comme donc ni car puis bien tout tous toute toutes autre autres
    quoi quand comment pourquoi combien est-ce qu'est-ce""".split()
)

# « né », « née », « nés », « nées »: folded they would be « ne », the negation, a stop word; kept apart as « nee »
_BORN = re.compile(r"(?<![\w'-])né(?:e|es|s)?(?![\w-])")
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)'", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer  # PyStemmer

        return Stemmer.Stemmer("french")
    except ImportError:  # pragma: no cover - PyStemmer is a declared dependency
        return None


def words(text: str) -> list[str]:
    """Folded words with elisions split off (no stop-word removal, no stemming); « né(e)(s) » is « nee », not the
    negation « ne »."""
    text = _ELISION.sub(" ", _unaccented(_BORN.sub("nee", normalize(text).lower())))
    out: list[str] = []
    for w in _WORD.findall(text):
        out.extend(p for p in w.split("-") if p) if "-" in w and not w[0].isdigit() else out.append(w)
    return out


def _number_parts(word: str) -> list[str]:
    """A run of numbers joined by hyphens (« 1247-1701 », « 2014-2015 ») is its numbers, each one findable by a
    question that gives only one of them; any other word is itself."""
    if "-" in word and word[0].isdigit() and all(p.isdigit() for p in word.split("-") if p):
        return [p for p in word.split("-") if p]
    return [word]


_UNITS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
          "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16}
_TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}
_CARDINALS = {**_UNITS, **_TENS, "cent": 100, "cents": 100, "mille": 1000}


def _ordinal(word: str) -> str:
    """« cinq » -> « cinquieme », « neuf » -> « neuvieme », « douze » -> « douzieme »."""
    stem = {"cinq": "cinqu", "neuf": "neuv"}.get(word, word[:-1] if word.endswith("e") else word)
    return stem + "ieme"


_ORDINALS = {_ordinal(w): v for w, v in _CARDINALS.items() if w not in ("cents", "vingts")}
_NUMBER_KEYS = frozenset(_CARDINALS) | frozenset(_ORDINALS)
_PAUSES = str.maketrans({c: "\n" for c in ",;:.!?()[]«»\"/…"})  # a number in words does not run across them


def _ordinal_digits(word: str) -> str | None:
    """« 65e », « 1er », « 3eme » -> « 65 », « 1 », « 3 »."""
    digits = word.rstrip("abcdefghijklmnopqrstuvwxyz")
    return digits if digits.isdigit() and word[len(digits):] in lx.ORDINAL_ENDS else None


def _follows(low: int, v: int) -> bool:
    """``v`` continues a number whose last two digits are ``low``: after nothing (or a hundred), a ten then a unit
    (« vingt-deux »), « soixante » or « quatre-vingt » then up to nineteen (« soixante-dix-sept »), « dix » then
    seven to nine (« dix-sept »)."""
    return (not low or (low >= 20 and low % 10 == 0 and v < 10) or (low in (60, 80) and v < 20)
            or (low == 10 and 7 <= v <= 9) or (low in (70, 90) and 7 <= v <= 9))


def _numbers_as_digits(ws: list[str], mark_ordinals: bool = False) -> list[str]:
    """Numbers written in words, or as ordinals, become their digits (« soixante-cinq » and « 65ᵉ » -> « 65 »,
    « deux » -> « 2 »): a question that writes « les 65 ans » or « les 2 pays » meets the article's « Soixante-cinq
    ans », « 65ᵉ anniversaire », « les deux pays ». « un », « une » and « premier » stay words (articles, titles).
    With ``mark_ordinals`` an ordinal keeps its mark: « dix-septieme » and « 17eme » -> « 17e »."""
    out: list[str] = []
    i = 0
    while i < len(ws):
        w = ws[i]
        if w[0].isdigit() and (digits := _ordinal_digits(w)) is not None:
            out.append(digits + "e" if mark_ordinals else digits)
            i += 1
            continue
        if w not in _NUMBER_KEYS:
            out.append(w)
            i += 1
            continue
        total, current, j = 0, 0, i
        while j < len(ws):
            x = ws[j]
            if x == "et" and current and j + 1 < len(ws) and ws[j + 1] in ("un", "une", "onze", "unieme", "onzieme"):
                j += 1
                continue
            if x in ("un", "une", "unieme") and j > i and ws[j - 1] == "et":
                current += 1
            elif x in _NUMBER_KEYS:
                v = _ORDINALS.get(x) or _CARDINALS[x]
                if v == 100:
                    current = max(current, 1) * 100
                elif v == 1000:
                    total += max(current, 1) * 1000
                    current = 0
                elif v == 20 and 2 <= current <= 9 and j > i and ws[j - 1] in _UNITS:
                    current *= 20  # « quatre-vingt(s) »
                elif _follows(current % 100, v):
                    current += v
                else:
                    break  # « cinq six » are two numbers
            else:
                break
            j += 1
            if x in _ORDINALS:
                break  # an ordinal ends its number
        out.append(str(total + current) + ("e" if mark_ordinals and ws[j - 1] in _ORDINALS else ""))
        i = j
    return out


_WORD_RUN = re.compile(r"(?<![0-9a-z])[a-z]+(?:[ -]+[a-z]+)*(?![0-9a-z])")
_ONES = {"un": "1", "une": "1", "premier": "1er", "premiere": "1er"}


def numbers_in_digits(text: str, one: bool = False) -> str:
    """``text``, folded, with its numbers in words written in digits, an ordinal keeping its mark
    (« mille neuf cent soixante » -> « 1960 », « dix-septieme siecle » -> « 17e siecle »): the reader of
    ``tokenize``, for what is not a search token (the fact check's number keys, a quiz answer). « un » and
    « premier » stay words (articles, titles) unless ``one`` (the text is a number or an answer: « un » -> « 1 »,
    « premier » -> « 1er »). Everything else is left as written."""
    def digits(m: re.Match) -> str:
        ws = m.group(0).replace("-", " ").split()
        if any(w in _NUMBER_KEYS for w in ws):
            ws = _numbers_as_digits(ws, mark_ordinals=True)  # « vingt et un » -> « 21 »
        elif not (one and any(w in _ONES for w in ws)):
            return m.group(0)
        return " ".join(_ONES.get(w, w) for w in ws) if one else " ".join(ws)
    return _WORD_RUN.sub(digits, text)


def tokenize(text: str, stem: bool = True) -> list[str]:
    """BM25 tokens: folded words without stop words, numbers as digits, Snowball-stemmed when ``stem``."""
    read = words(text)
    if any(w in _NUMBER_KEYS or (w[0].isdigit() and _ordinal_digits(w) is not None) for w in read):  # « cinq, six »: two numbers
        read = [w for piece in text.translate(_PAUSES).split("\n") for w in _numbers_as_digits(words(piece))]
    toks = [u for w in read if w not in FRENCH_STOPWORDS for p in _number_parts(w) for u in _unit_words(p)]
    if stem and (st := _stemmer()) is not None:
        toks = st.stemWords(toks)
    return toks


def _unit_words(word: str) -> list[str]:
    """A unit's abbreviation as its words (``lexicon.UNIT_ABBREVIATIONS``: « km » -> « kilometres »)."""
    return lx.UNIT_ABBREVIATIONS[word].split() if word in lx.UNIT_ABBREVIATIONS else [word]


def content_words(text: str) -> set[str]:
    """Stemmed content words, for lexical overlap between a question and a sentence."""
    return {t for t in tokenize(text) if len(t) > 1 or t.isdigit()}
