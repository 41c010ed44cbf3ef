"""A question about an article itself (its title, author, publication date, source, address) answered by the
article's card, field by field.

The card (``kalan.ingest.chunk.card_text``) gives one sentence per field, each naming the article by its title:
they share most of their words, so the sentence scorer cannot tell « qui est l'auteur ? » from « d'où vient ce
texte ? » (it answered the first with the source). Here the question's own words name the field
(``asked_field``, ``lexicon.CARD_FIELDS``) and the card's sentence for it is the answer (``card_sentence``). A
question that says anything more (« selon le titre, l'alliance est forgée dans quoi ? », « qui a écrit Harry
Potter ? ») is a question on the text and takes the usual path. A field the card lacks is refused.

Not here: retrieving the card (``kalan.rag.retrieval``), writing it (``kalan.ingest.chunk``), choosing the
article (the chain).
"""

from __future__ import annotations

from kalan.rag import lexicon as lx
from kalan.rag.documents import CARD_AUTHOR, CARD_DATE, CARD_SOURCE, CARD_TITLE, CARD_URL
from kalan.rag.guards import spelled_out
from kalan.rag.phrases import tokens
from kalan.rag.text import content_words, tokenize

MARKERS = {"author": CARD_AUTHOR, "date": CARD_DATE, "source": CARD_SOURCE, "url": CARD_URL, "title": CARD_TITLE}


def _stems(words: str) -> frozenset[str]:
    return frozenset(tokenize(words))


_SPECIFIC = {f: _stems(w["spec"]) for f, w in lx.CARD_FIELDS.items()}
_OTHER = {f: _stems(w["other"]) for f, w in lx.CARD_FIELDS.items()}
_FIELD_WORDS = frozenset().union(*_SPECIFIC.values(), *_OTHER.values())
_ARTICLE = _stems(" ".join(lx.ARTICLE_NOUNS))


def about(question: str) -> tuple[str, str]:
    """(the question without the subject it gives its article, that subject): « qui a écrit l'article sur la crue
    du Niger ? » → (« qui a écrit l'article ? », « la crue du Niger »); no « article sur … »: (question, "")."""
    toks = tokens(question)
    for i in range(len(toks) - 2):
        if toks[i].text in lx.ARTICLE_NOUNS and toks[i + 1].text == "sur":
            end = next((j for j in range(i + 2, len(toks)) if toks[j].text in ("?", "!", ".", ",")), len(toks))
            subject = " ".join(t.raw for t in toks[i + 2:end])
            rest = " ".join(t.raw for t in toks[:i + 1] + toks[end:])
            return rest, subject
    return question, ""


def asked_field(question: str) -> str | None:
    """The card field the question asks (« author », « date », « source », « url », « title »), when it asks
    only that of the article (``about``: its subject aside); else None. « publié où ? » asks the source."""
    said = spelled_out(about(question)[0])
    words = content_words(said)
    if not words or words - _FIELD_WORDS - _ARTICLE:
        return None
    named = bool(words & _ARTICLE)
    fields = {f for f in lx.CARD_FIELDS if words & _SPECIFIC[f] or (named and words & _OTHER[f])}
    if fields == {"date"} and any(t.raw in ("ou", "où") for t in tokens(said)):
        fields = {"source"}
    return next(iter(fields)) if len(fields) == 1 else None


def card_sentence(card_text: str, field: str) -> tuple[int, int] | None:
    """(start, end) of the card's sentence for ``field`` in ``card_text``, or None when the card lacks it."""
    start = 0
    for line in card_text.split("\n"):
        if (line.startswith(CARD_TITLE) if field == "title" else MARKERS[field] in line):
            return start, start + len(line)
        start += len(line) + 1
    return None
