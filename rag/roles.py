"""The noun phrase a « qui » question asks for, read from spaCy's parse of the sentence: who does the question's
action, or whom its preposition introduces.

A name question's span is otherwise a named entity (``kalan.rag.short_answer``). Many answers to « qui » are
not names: « Qui a lancé un programme pour améliorer les UAZ ? » → « le bureau d'études », « Pour qui … des
nuisances sonores ? » → « pour les habitants », « Contre qui prend parti Colenso ? » → « contre le régime
colonial du Natal et Shepstone ». ``role_span`` finds, in the parse of the sentence:

- when a preposition stands right before « qui » (« pour qui », « contre qui », « avec qui », « par qui »), the
  noun phrase that this preposition introduces, said with it;
- else, the subject of a verb the question holds (by stem or lemma: « lance » for « a lancé »), or the agent of its
  passive (« … par le bureau d'études »).

The phrase is its head noun with the determiners, adjectives and complements that hang on it, cut before a
comma, a parenthesis or a relative clause. Of several, the one nearest its verb wins. A phrase made only of the
question's own words answers nothing.

The parse runs at question time (``kalan.rag.nlp``): the answer path loads spaCy for it, so ``answer.role_spans``
is off by default until the parse is stored at ingestion like the named entities (``kalan.rag.entities``).
Not here: which sentence is read, nor the span's checks (``kalan.rag.chain``).
"""

from __future__ import annotations

from functools import lru_cache

from kalan.rag.text import fold, tokenize

# what hangs before a noun inside its phrase: « le bureau », « les troupes allemandes », « pour les habitants »
_BEFORE_HEAD = ("det", "amod", "nummod", "case", "fixed", "flat", "flat:name")
# what ends a phrase after its head: a clause or an aside
_CUTS = (",", "(", ";", ":", "—", "–")


@lru_cache(maxsize=4096)
def _parse(text: str):
    from kalan.rag.nlp import french

    nlp = french()
    return None if nlp is None else nlp(text)


def _start(doc, head) -> int:
    """The first token of ``head``'s phrase: the run of its own determiners, adjectives and preposition right
    before it (not a far word the parse of a long sentence hung on it: « À peu près au même moment les
    Parisiens » → « les Parisiens »)."""
    start = head.i
    while start > 0:
        t = doc[start - 1]
        if not (t.head.i == head.i and t.dep_ in _BEFORE_HEAD) and not (
                t.head.i in range(start, head.i + 1) and t.dep_ in _BEFORE_HEAD):
            break
        start -= 1
    return start


def _end(doc, head) -> int:
    """The last token of ``head``'s phrase: its subtree, cut before a comma, a parenthesis or a relative."""
    end = head.i
    for t in doc[head.i + 1:head.right_edge.i + 1]:
        if t.text in _CUTS or t.dep_ == "acl:relcl" or "Rel" in t.morph.get("PronType"):
            break
        end = t.i
    return end


def _asked_preposition(question) -> str:
    """The preposition right before « qui » (« pour qui » → « pour », « à qui » → « a »), folded; "" if none."""
    for t in question:
        if fold(t.text) == "qui":
            before = question[t.i - 1] if t.i > 0 else None
            return fold(before.text).rstrip("'’") if before is not None and before.pos_ == "ADP" else ""
    return ""


def role_span(question: str, sentence: str) -> tuple[int, int] | None:
    """(start, end) in ``sentence`` of the phrase a « qui » question asks for, or None (no « qui », no phrase in
    the asked role, spaCy absent)."""
    if "qui" not in fold(question).replace("'", " ").split():
        return None
    q, d = _parse(question), _parse(sentence)
    if q is None or d is None:
        return None
    prep = _asked_preposition(q)
    asked = set(tokenize(question))
    lemmas = {fold(t.lemma_) for t in q if t.pos_ in ("VERB", "AUX", "NOUN")}
    best = None
    for t in d:
        if t.pos_ not in ("NOUN", "PROPN") or t.head.i == t.i:
            continue
        cases = [fold(c.text).rstrip("'’") for c in t.children if c.dep_ == "case"]
        if prep:
            if prep not in cases:
                continue
        else:
            acts = t.dep_.startswith("nsubj") or (t.dep_.startswith("obl") and "par" in cases)
            said = set(tokenize(t.head.text)) & asked or fold(t.head.lemma_) in lemmas
            if not acts or not said:
                continue
        start, end = _start(d, t), _end(d, t)
        if not prep:
            while start < t.i and d[start].dep_ == "case":
                start += 1
        own = set(tokenize(d[start:end + 1].text))
        if not own or own <= asked:
            continue
        key = abs(t.i - t.head.i)
        if best is None or key < best[0]:
            best = (key, d[start].idx, d[end].idx + len(d[end].text))
    return None if best is None else (best[1], best[2])
