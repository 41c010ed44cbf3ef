"""Questions about a whole article: "Résume l'article", "De quoi parle l'article ?", "Quelles sont les idées
principales du texte ?".

No single sentence answers them, so the sentence scorer would refuse. They get an extractive overview
instead: the opening sentence of each section of the article, in the article's order, each quoted verbatim
and cited to its own passage (nothing is paraphrased, nothing invented). The article is the one the
question or the conversation is about (the best retrieved passage's); when the question names no subject
and the retrieved passages come from several articles, Kalan asks which one rather than guess.

Only recognises the request and builds the answer; the chain decides when to use it.
"""

from __future__ import annotations

from kalan.rag import lexicon as lx
from kalan.rag.documents import CARD_SECTION
from kalan.rag.extractive import opens_on_anaphora
from kalan.rag.guards import spelled_out
from kalan.rag.phrases import Phrases, tokens
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import content_words

_LISTS = {name: getattr(lx, name) for name in (
    "OVERVIEW_ASK", "OVERVIEW_VERBS", "OVERVIEW_MAKE", "OVERVIEW_NOUNS", "OVERVIEW_TOPICS", "OVERVIEW_MAIN",
    "OVERVIEW_THE_ARTICLE", "OVERVIEW_OF", "OVERVIEW_DOCS")}
_OF_ARTICLE = "{OVERVIEW_OF} {OVERVIEW_DOCS}"  # « de l'article », « dans ce texte »
OVERVIEW_Q = Phrases(
    # "Résume l'article", "Peux-tu me résumer le texte ?", "Fais-moi un résumé"
    "^<punct>* est-ce que {OVERVIEW_ASK} me|nous? {OVERVIEW_VERBS}",
    "^<punct>* {OVERVIEW_ASK} me|nous? {OVERVIEW_VERBS}",
    "^<punct>* me|nous? {OVERVIEW_VERBS}",
    "{OVERVIEW_MAKE} -moi|-nous|moi|nous? un|une? petit|bref|court? {OVERVIEW_NOUNS}",
    f"{{OVERVIEW_NOUNS}} {_OF_ARTICLE}",
    # "De quoi parle l'article ?", "De quoi traite ce texte ?"
    "de quoi parle|traite {OVERVIEW_THE_ARTICLE}~",
    "de quoi est-il question dans {OVERVIEW_THE_ARTICLE}~",
    "de quoi s'agit-il dans {OVERVIEW_THE_ARTICLE}~",
    # "Quel est le sujet de l'article ?", "Quelles sont les idées principales du texte ?"
    f"quel|quels|quelle|quelles est|sont le|la|les|l'? {{OVERVIEW_TOPICS}} {{OVERVIEW_MAIN}}? {_OF_ARTICLE}",
    "que dit|raconte|explique {OVERVIEW_THE_ARTICLE} <punct>* $",
    **_LISTS,
)

# Words of the request itself: what is left names the subject ("Résume l'article sur Rosatom").
_REQUEST_WORDS = content_words(" ".join(lx.OVERVIEW_REQUEST_WORDS))

_ASKED = content_words(" ".join(lx.OVERVIEW_ASKED))
_DOCS = content_words(" ".join(lx.OVERVIEW_DOCS))
_MAKE = content_words(" ".join(lx.OVERVIEW_MAKE))
_FACT_ASKED = frozenset(lx.OVERVIEW_FACT_ASKED)


def asks_overview(question: str) -> bool:
    """The question asks what a whole article says, not a fact in it: one of the request's phrasings
    (``OVERVIEW_Q``), or a question in any word order, SMS spellings written out, whose every content word is
    one of the request's own (``_REQUEST_WORDS``), naming the document and what is asked of it (« l'article
    parle de quoi », « c koi le sujet principal de l'article », « c quoi l'idée principale du texte ? »); not
    one that asks a fact of it (« l'article est de qui ? ») nor an order to write (« écris un article »)."""
    if OVERVIEW_Q.found(question):
        return True
    said = spelled_out(question)
    words = content_words(said)
    asked = {t.raw for t in tokens(said)}
    return bool(words) and words <= _REQUEST_WORDS and bool(words & _DOCS) and bool(words & _ASKED) \
        and not words & _MAKE and not asked & _FACT_ASKED


def names_a_subject(question: str) -> bool:
    """The request names what it is about ("l'article sur Rosatom"), beyond the request's own words."""
    return bool(content_words(question) - _REQUEST_WORDS)


def section_openings(chunks: list, max_sections: int) -> list[tuple[int, int, int]]:
    """(index in ``chunks``, start, end) of the first informative sentence of each section, in order:
    not a list item, not a lead-in ending with ":", not a signature line of a few words; a next sentence
    that points back to it ("Ce jour marque...") comes along, as it carries what the opening announces.
    An article with fewer sections than ``max_sections`` also gets the openings of its other paragraphs."""
    picks: dict[int, list[tuple[int, int, int]]] = {}
    sections: set[str] = set()
    for first_of_section in (True, False):
        for i, c in enumerate(chunks):
            if len(picks) >= max_sections:
                break
            if i in picks or (first_of_section and c.section in sections) or c.section == CARD_SECTION:
                continue  # the card gives the article's author and date, not what it says
            sections.add(c.section)
            opening = _opening(c.text)
            if opening:
                picks[i] = [(i, s, e) for s, e in opening]
    return [x for i in sorted(picks) for x in picks[i]]


def _opening(text: str) -> list[tuple[int, int]]:
    spans = sentence_spans(text)
    for j, (s, e) in enumerate(spans):
        sentence = text[s:e].strip()
        if len(sentence) < 40 or sentence.endswith(":") or not (sentence[0].isalnum() or sentence[0] == "_"):
            continue
        if j + 1 < len(spans) and opens_on_anaphora(text[spans[j + 1][0]:spans[j + 1][1]].strip()):
            return [(s, e), spans[j + 1]]
        return [(s, e)]
    return []
