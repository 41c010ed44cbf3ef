"""The cited glossary: one entry per name or key term, defined by a quoted sentence of the corpus.

An entry is ``{"term", "kind", "definition", "citation", "mentions", "question"}``. ``definition`` is the
term's apposition when a sentence gives one (« le ministre malien des Affaires étrangères » for « Abdoulaye
Diop »), else the sentence that introduces it (one that says « X est… », « X, … », else its first one); the
citation quotes that sentence, which always holds the term itself. ``mentions`` counts the term and its
merged variants in its articles' sentences. ``question`` is what the « Lexique » tab asks when a term is
clicked: « Qui est … ? » for a person, « Qu'est-ce que … ? » otherwise.

Entries of several articles with the same term are one entry (the first article's citation). Sorted by
term, accents and case aside.

Not here: finding names and terms (``kalan.study.entities``).
"""

from __future__ import annotations

import re
from collections import Counter

from kalan.rag.text import fold
from kalan.study.entities import Term, read_terms

_INTRODUCES = r"\s*(?:,|:|\(|est\b|sont\b|était\b|désigne\b|signifie\b|c['’]est-à-dire\b)"


def _count(term: Term, sentences) -> int:
    """Occurrences of the term's variants in its article's sentences (names); its tagged mentions (key terms)."""
    if term.kind == "autre" and all(m.label == "TERM" for m in term.mentions):
        return len(term.mentions)
    forms = sorted({m.text for m in term.mentions}, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])")
    article = term.mentions[0].sentence.article_id
    return sum(len(pattern.findall(s.text)) for s in sentences if s.article_id == article) or len(term.mentions)


def question_for(term: str, kind: str, det: str = "") -> str:
    if kind == "personne":
        return f"Qui est {term} ?"
    article = "" if not det else (det if det.endswith("'") else det + " ")
    que = "Qu'est-ce qu'" if not article and fold(term[:1]) in "aeiouyh" else "Qu'est-ce que "
    return f"{que}{article}{term} ?"


def _entry(term: Term, sentences) -> dict:
    own = [m for m in term.mentions if fold(m.text) == fold(term.term)] or term.mentions
    defined = next((m for m in own if m.definition), None)
    if defined is not None:
        chosen, definition = defined, defined.definition
    else:
        intro = re.compile(re.escape(term.term) + _INTRODUCES, re.IGNORECASE)
        chosen = next((m for m in own if intro.match(m.sentence.text, m.start)), own[0])
        definition = chosen.sentence.display
    return {"term": term.term, "kind": term.kind, "definition": definition,
            "citation": chosen.sentence.citation(), "mentions": _count(term, sentences),
            "question": question_for(term.term, term.kind, _det(own))}


def _det(mentions) -> str:
    """The article the term takes most often in the text (« la Russie », « le Mali »), or none (« Bamako »)."""
    dets = Counter(m.det for m in mentions)
    return dets.most_common(1)[0][0] if dets else ""


def build_glossary(sentences) -> list[dict]:
    """Entries of ``sentences`` (``StudySentence``), merged across articles, sorted by term."""
    entries: dict[str, dict] = {}
    for term in read_terms(sentences):
        e = _entry(term, sentences)
        key = fold(e["term"])
        if key in entries:
            entries[key]["mentions"] += e["mentions"]
        else:
            entries[key] = e
    return sorted(entries.values(), key=lambda e: (fold(e["term"]), e["term"]))
