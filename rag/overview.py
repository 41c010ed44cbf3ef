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

import re

from kalan.rag.documents import CARD_SECTION
from kalan.rag.extractive import ANAPHORA
from kalan.rag.sentences import sentence_spans
from kalan.rag.text import content_words, fold

_ARTICLE = r"(?:l'article|cet article|ce texte|le texte|l'extrait|ce document|le document|l'actualite|cette actualite)"
_OF_ARTICLE = r"(?:de l'|du |de ce |de cet |de cette |dans l'|dans le |dans ce |dans cet |dans cette )" \
    r"(?:article|texte|extrait|document|actualite)\b"
OVERVIEW_Q = re.compile(
    # "Résume l'article", "Peux-tu me résumer le texte ?", "Fais-moi un résumé"
    r"^\W*(?:(?:est-ce que )?(?:tu peux|peux-tu|pourrais-tu|vous pouvez|pouvez-vous|pourriez-vous) )?(?:me |nous )?"
    r"(?:resume|resumez|resumer|synthetise|synthetisez|synthetiser)\b"
    r"|\b(?:fais|faites|donne|donnez|ecris|ecrivez|redige|redigez)(?:-moi|-nous| moi| nous)? (?:un |une )?(?:petit |bref |court )?"
    r"(?:resume|synthese|apercu)\b"
    r"|\b(?:resume|synthese|apercu) " + _OF_ARTICLE +
    # "De quoi parle l'article ?", "De quoi traite ce texte ?"
    r"|\bde quoi (?:parle|traite|est-il question dans|s'agit-il dans) " + _ARTICLE +
    # "Quel est le sujet de l'article ?", "Quelles sont les idées principales du texte ?"
    r"|\b(?:quel|quels|quelle|quelles) (?:est|sont) (?:le |la |les |l')?(?:sujet|theme|themes|idee|idees|point|points|"
    r"message|messages|grandes lignes|essentiel)(?: (?:principal|principaux|principale|principales|essentiel|essentiels|"
    r"essentielle|essentielles|cles|importants|importantes|central|centrale))? " + _OF_ARTICLE +
    r"|\bque (?:dit|raconte|explique) " + _ARTICLE + r"\W*$"
)

# Words of the request itself: what is left names the subject ("Résume l'article sur Rosatom").
_REQUEST_WORDS = content_words(
    "résume résumer résumez synthétise synthèse aperçu article texte extrait document actualité parle traite "
    "sujet thème thèmes idée idées point points message messages grandes lignes essentiel principal principaux "
    "principale principales clés importants centrale central dit raconte explique fais faites donne donnez écris "
    "rédige moi nous petit bref court peux pourrais pouvez pourriez question agit quoi"
)


def asks_overview(question: str) -> bool:
    """The question asks what a whole article says, not a fact in it."""
    return bool(OVERVIEW_Q.search(fold(question).strip()))


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
        if len(sentence) < 40 or sentence.endswith(":") or re.match(r"^\W", sentence):
            continue
        if j + 1 < len(spans) and ANAPHORA.match(text[spans[j + 1][0]:spans[j + 1][1]].strip()):
            return [(s, e), spans[j + 1]]
        return [(s, e)]
    return []
