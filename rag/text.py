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
    tres aussi ainsi alors comme donc or ni car puis bien tout tous toute toutes autre autres
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


def tokenize(text: str, stem: bool = True) -> list[str]:
    """BM25 tokens: folded words without stop words, Snowball-stemmed when ``stem``."""
    toks = [p for w in words(text) if w not in FRENCH_STOPWORDS for p in _number_parts(w)]
    if stem and (st := _stemmer()) is not None:
        toks = st.stemWords(toks)
    return toks


def content_words(text: str) -> set[str]:
    """Stemmed content words, for lexical overlap between a question and a sentence."""
    return {t for t in tokenize(text) if len(t) > 1 or t.isdigit()}
