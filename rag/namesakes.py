"""A person named in full in the question, and the sentences that name another person of the same name.

A student who asks « qui est ousmane diallo ? » asks about one person. A retrieved sentence quoting « Salimata
Diallo » shares a word with the question (the surname) and may outscore the one on Ousmane Diallo, though it is
about someone else: the answer then teaches a falsehood under a citation (the « close but wrong » class of
issue #13). The question is often written in lower case, so its names are read off the retrieved sentences:
a person (spaCy's PER, stored at ingestion, ``kalan.rag.entities``) of two words or more whose words all
stand, in order and side by side, in the question is *named in full* by it. A sentence names *a namesake*
when one of its persons shares a word with such a name, adds a word of its own, and the sentence nowhere writes
the full name; a person named as a relation, after « de » (« fils de Amos Diggory »), is none: the sentence may
be about the asked person.

Used by the extractive answer (``kalan.rag.chain``): namesake sentences are no candidates, and the answer quotes
the article that writes the name when the first retrieved one does not (``answer.namesakes``).

Not here: names the corpus never writes (``kalan.rag.guards``' unknown names refuse those).
"""

from __future__ import annotations

from collections.abc import Iterable

from kalan.rag import entities
from kalan.rag.text import words


def _persons(sentence: str, relatives: bool = True) -> list[tuple[str, ...]]:
    """The folded words of each person ``sentence`` names (none when its entities cannot be read); without
    ``relatives``, none named as a relation of another, after « de » (« fils de Amos Diggory »)."""
    found = entities.of(sentence) or ()
    return [tuple(words(sentence[a:b])) for a, b, label in found
            if label == "PER" and (relatives or not _after_de(sentence[:a]))]


def _after_de(before: str) -> bool:
    said = words(before[-12:])
    return bool(said) and said[-1] in ("de", "d", "du")


def _side_by_side(name: tuple[str, ...], said: list[str]) -> bool:
    n = len(name)
    return any(tuple(said[i:i + n]) == name for i in range(len(said) - n + 1))


def named_in_full(question: str, sentences: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """The persons of ``sentences`` named in full by ``question``: two words or more, side by side in it."""
    said = words(question)
    out = set()
    for s in sentences:
        for name in _persons(s):
            if len(name) >= 2 and _side_by_side(name, said):
                out.add(name)
    return frozenset(out)


def writes(sentence: str, name: tuple[str, ...]) -> bool:
    """``sentence`` writes the full ``name`` (its words side by side)."""
    return _side_by_side(name, words(sentence))


def names_namesake(sentence: str, names: frozenset[tuple[str, ...]]) -> bool:
    """``sentence`` names another person who shares a word with one of ``names`` (« Salimata Diallo » for
    « Ousmane Diallo ») and nowhere writes that name in full. A person named as a relation (« fils de Amos
    Diggory ») is no namesake: the sentence may be on the asked one (his paragraph in a list of characters)."""
    if not names:
        return False
    for person in _persons(sentence, relatives=False):
        for name in names:
            if set(person) & set(name) and set(person) - set(name) and not writes(sentence, name):
                return True
    return False
