"""The noun phrase a « qui » question asks for: who does the question's action, or whom its preposition
introduces, from spaCy's parse of the sentence stored at ingestion.

A name question's span is otherwise a named entity (``kalan.rag.short_answer``). Many answers to « qui » are
not names: « Qui a lancé un programme pour améliorer les UAZ ? » → « le bureau d'études », « Pour qui … des
nuisances sonores ? » → « pour les habitants », « Contre qui prend parti Colenso ? » → « contre le régime
colonial du Natal et Shepstone ». ``role_span`` finds, among a sentence's phrases:

- when a preposition stands right before « qui » (« pour qui », « contre qui », « avec qui », « par qui »), the
  noun phrase that this preposition introduces, said with it; not « de qui », which asks whose: « de » joins
  any noun to its complement;
- else, the subject of a verb the question holds (by stem, of the verb as written or of its lemma: « lance »
  for « a lancé », « utilisent » for « utilise »; not a verb whose stem changes, « prirent » for « prend »), or
  the agent of its passive (« … par le bureau d'études »).

Two readings mend what the parse gets wrong in news French: the speaker after the verb of an incise with no
subject of its own is its subject, not its object (« …, a annoncé dimanche le ministère des Mines »), and a
passive's agent that the parse hung on a word of the verb's complement (« construit entre 1904 et 1923 par … »:
on « 1923 ») belongs to the nearest verb above it.

A phrase is a noun with the determiners, adjectives and preposition right before it and the words that hang on
it after it, cut before a comma, a parenthesis or a relative clause; a title keeps the name set after it between
commas when that name closes the clause (« le ministre de l'Action humanitaire, Oumar Diarra »). Of several, the
one nearest its verb wins.
A phrase made only of the question's own words answers nothing.

The phrases come from the parse that ingestion already runs for the named entities (``kalan.rag.entities``):
``values_of_docs`` makes the metadata value stored with each chunk, ``remember`` reads it back with the chunk,
``of`` answers from that memory. spaCy parses at question time only a sentence never ingested; the question
itself is read from its words. So ``answer.role_spans`` needs no spaCy in the serving process.

Not here: which sentence is read, nor the span's checks (``kalan.rag.chain``).
"""

from __future__ import annotations

import json

from kalan.rag import lexicon as lx
from kalan.rag.entities import SentenceMemory
from kalan.rag.phrases import tokens
from kalan.rag.text import fold, tokenize

# (start, end, start without its preposition, its verb's offset, role, preposition, verb as written, verb's lemma)
# in the sentence's text; role: "subj" (a subject), "agent" (« par » before a passive's doer) or "" (another
# complement); preposition: folded, "" if none
Phrase = tuple[int, int, int, int, str, str, str, str]

METADATA_KEY = "roles"
MEMORY_SIZE = 50_000  # sentences

# what hangs before a noun inside its phrase: « le bureau », « les troupes allemandes », « pour les habitants »
_BEFORE_HEAD = ("det", "amod", "nummod", "case", "fixed", "flat", "flat:name")
# what ends a phrase after its noun: a clause or an aside
_CUTS = (",", "(", ";", ":", "—", "–")
# « de qui » asks whose (« De qui Pie IV est-il l'oncle ? »): « de » joins any noun to its complement, so the phrase
# it introduces in the sentence says nothing of the question's relation; the other prepositions ask a role
_ASKING = frozenset(lx.PREPOSITIONS_BEFORE_QUI) - {"de"}

_memory = SentenceMemory(MEMORY_SIZE)


def _start(doc, head) -> int:
    """The first token of ``head``'s phrase: the run of its own determiners, adjectives and preposition right
    before it (not a far word the parse of a long sentence hung on it: « À peu près au même moment les
    Parisiens » → « les Parisiens »)."""
    start = head.i
    while start > 0:
        t = doc[start - 1]
        if not (t.head.i in range(start, head.i + 1) and t.dep_ in _BEFORE_HEAD):
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


def phrases_of_doc(doc) -> tuple[Phrase, ...]:
    """The phrases of a parsed sentence that may stand in a role a « qui » question asks: every common or proper
    noun that depends on another word and is a subject, a passive's agent, or introduced by a preposition that
    may stand before « qui » (``_ASKING``), with its role and its preposition."""
    out = []
    for t in doc:
        if t.pos_ not in ("NOUN", "PROPN") or t.head.i == t.i:
            continue
        cases = [c for c in t.children if c.dep_ == "case"]
        case = fold(cases[0].text).rstrip("'’") if cases else ""
        role = "subj" if t.dep_.startswith("nsubj") or _inverted_subject(doc, t) else "agent" if (
            t.dep_.startswith("obl") and case == "par") else ""
        if not role and case not in _ASKING:
            continue  # « de », « en », « dans »…: no « qui » question asks through them
        start, end = _start(doc, t), _end(doc, t)
        if role and t.pos_ == "NOUN":
            end = _named_after(doc, end)
        core = start
        while core < t.i and doc[core].dep_ == "case":
            core += 1
        last = doc[end]
        verb = _verb_of(t) if role == "agent" else t.head
        out.append((doc[start].idx, last.idx + len(last.text), doc[core].idx, verb.idx, role, case, verb.text,
                    verb.lemma_))
    return tuple(out)


def _named_after(doc, end: int) -> int:
    """The end of a title's phrase with the name set after it between commas (« le ministre de l'Action
    humanitaire, Oumar Diarra »): a run of proper nouns right after the comma, closing the clause. The parse often
    hangs that name on the verb instead of the title."""
    i = end + 2
    if i >= len(doc) or doc[end + 1].text != "," or doc[i].pos_ != "PROPN":
        return end
    while i + 1 < len(doc) and doc[i + 1].pos_ == "PROPN":
        i += 1
    closes = i + 1 >= len(doc) or doc[i + 1].pos_ == "PUNCT"
    return i if closes else end


def _verb_of(t):
    """The verb a passive's agent belongs to: its head, or, when the parse hung the agent on a word of the verb's
    own complement (« Construite entre 1904 et 1923 par l'administration coloniale »: on « 1923 »), the nearest
    verb above it."""
    head = t.head
    for _ in range(4):
        if head.pos_ in ("VERB", "AUX") or "Part" in head.morph.get("VerbForm") or head.head.i == head.i:
            return head
        head = head.head
    return t.head


def _inverted_subject(doc, t) -> bool:
    """A noun after the verb of an incise that has no subject of its own (« …, a annoncé dimanche le ministère
    des Mines », « », se souvient un grossiste »): French puts the speaker there, which the parse often reads
    as the object."""
    verb = t.head
    if t.dep_ != "obj" or verb.pos_ != "VERB" or verb.i > t.i or verb.dep_ not in ("parataxis", "advcl"):
        return False
    if any(c.dep_.startswith(("nsubj", "expl:subj")) for c in verb.children):
        return False
    first = min([verb.i] + [c.i for c in verb.children if c.i < verb.i and c.dep_ != "punct"])
    return first > 0 and doc[first - 1].text in (",", "»", "\"", "”")


def encode(per_sentence: list[tuple[Phrase, ...]]) -> str:
    """The metadata value: a JSON list, one list of phrases per sentence of the chunk."""
    return json.dumps([[list(p) for p in phrases] for phrases in per_sentence], ensure_ascii=False,
                      separators=(",", ":"))


def values_of_docs(per_chunk_docs: list[list]) -> list[str]:
    """The metadata value of each chunk, from its sentences' parses (``kalan.rag.entities.parse_sentences``)."""
    return [encode([phrases_of_doc(doc) for doc in docs]) for docs in per_chunk_docs]


def _read(item) -> Phrase:
    a, b, c, h, r, p, v, lem = item  # ValueError when it is not eight values
    return int(a), int(b), int(c), int(h), str(r), str(p), str(v), str(lem)


def remember(text: str, value) -> bool:
    """Keep the stored phrases of the chunk ``text`` (its metadata ``value``) for ``of``; False when the value
    does not fit the chunk's sentences (written by other code, damaged): those sentences are parsed if asked."""
    return _memory.remember_chunk(text, value, _read, lambda p, n: 0 <= p[0] <= p[2] < p[1] <= n)


def of(sentence: str) -> tuple[Phrase, ...] | None:
    """The phrases of ``sentence``: stored at ingestion when it was read from the store, else parsed now; None
    when neither is possible (spaCy not installed)."""
    return _memory.of(sentence, phrases_of_doc)


def forget_all() -> None:
    """Empty the memory (tests; a process that re-ingested everything)."""
    _memory.clear()


def _asked_preposition(question: str) -> str | None:
    """The preposition right before « qui » (« pour qui » → « pour », « à qui » → « a »), "" when « qui » has
    none; None when the question holds no « qui », or asks « de qui »."""
    toks = tokens(fold(question).replace("'", " "))
    for i, t in enumerate(toks):
        if t.text == "qui":
            before = toks[i - 1].text if i else ""
            return None if before in ("de", "d") else before if before in _ASKING else ""
    return None


def _conjugates(lemma: str, asked: set[str]) -> bool:
    """A word of the question is a present form of the verb whose lemma is ``lemma`` (stems): « transmet » of
    « transmettre », « prend » of « prendre », « produit » of « produire », « écrit » of « écrire » (the stem
    less its last letter, for 5 letters or more): the present tense a question uses meets the participle of a
    passive (« transmis par … ») through the lemma. Read for a passive's agent only: a subject's verb met this
    way was once a noun of the question (« le contenu de la cachette » for « ce que contenait la cachette »)."""
    stems = tokenize(lemma)
    if not stems:
        return False
    stem = stems[0]
    return any(w == stem or (len(w) >= 4 and stem.startswith(w)) or (len(w) >= 5 and stem.startswith(w[:-1]))
               for w in asked)


def role_span(question: str, sentence: str) -> tuple[int, int] | None:
    """(start, end) in ``sentence`` of the phrase a « qui » question asks for, or None (no « qui », no phrase in
    the asked role, spaCy absent for a sentence never ingested)."""
    prep = _asked_preposition(question)
    if prep is None:
        return None
    phrases = of(sentence)
    if not phrases:
        return None
    asked = set(tokenize(question))
    best = None
    for start, end, core, verb_at, role, case, verb, lemma in phrases:
        if prep:
            if case != prep:
                continue
        elif not role or not ((set(tokenize(verb)) | set(tokenize(lemma))) & asked
                              or (role == "agent" and _conjugates(lemma, asked))):
            continue
        else:
            start = core  # « le bureau d'études », not « par le bureau d'études »
        own = set(tokenize(sentence[start:end]))
        if not own or own <= asked:
            continue
        key = abs(core - verb_at)
        if best is None or key < best[0]:
            best = (key, start, end)
    return None if best is None else (best[1], best[2])
