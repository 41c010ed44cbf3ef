"""Where a sentence's main clauses stand: the pieces of a parse that tell whether a run of its words can be said
on its own.

An open question's opening (``kalan.rag.opening``) quotes a run of a long sentence's clauses, framed « Selon
l'article, … ». A run cut at commas is not always a sentence: « Selon l'article, contenant une relique de la
Crèche. » (a participle without the noun it describes), « … et non le calcul astronomique. » (a conjunction),
« … sont connectés à différentes plantes … » (a verb without its subject). A run stands alone when it holds a
main clause whole: a finite verb and its subject, the verb neither a relative's nor introduced by a
subordinating word (« alors que Dean distrait Amara » is no sentence), or when it is a noun phrase whose verbs
all have their subject in it (« une coopération qui n'a cessé d'évoluer, au gré des bouleversements … »); and
the run does not open with a word that joins it to what came before (a coordinating conjunction, a relative
pronoun). A run that opens with a coordinating conjunction may open past it (``opening_word``).

``read`` takes these from spaCy's parse of the sentence, stored at ingestion with its chunk (``kalan.rag.parses``):
the answer path loads no spaCy for a sentence read from the store. The parse of a long sentence errs (a main verb
attached to a noun, a subject to an adjective): a noun or pronoun before the verb that no preposition introduces
stands in for a subject the parse lost. Not here: which run is chosen (``kalan.rag.opening``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kalan.rag import parses

_NOT_SUBJECT = ("obj", "iobj", "obl", "nmod", "expl:comp", "expl:pv", "appos", "flat")
_NOMINAL = {"NOUN", "PROPN", "PRON"}
_PHRASE_OPENERS = {"DET", "NOUN", "PROPN", "NUM", "ADJ"}  # not « de », « entre », « contre »: a complement


@dataclass(frozen=True)
class Clauses:
    """What ``stands_alone`` needs of one parsed sentence, as character offsets in it."""

    # each main clause: its verb's first and last character, and where the words that may be its subject begin
    mains: tuple[tuple[int, int, tuple[int, ...]], ...]
    joins: frozenset[int]  # offsets of the words that cannot open a run
    after_conjunction: tuple[tuple[int, int], ...] = ()  # (a coordinating conjunction's offset, the next word's)
    phrases: frozenset[int] = frozenset()  # offsets where a noun phrase begins (its determiner or its noun)
    verbs: tuple[tuple[int, int, tuple[int, ...]], ...] = ()  # every finite verb outside a relative: as ``mains``
    relatives: frozenset[int] = frozenset()  # offsets of the relative pronouns

    @property
    def clause_starts(self) -> frozenset[int]:
        """Where a joined clause begins: a coordinating conjunction or a relative pronoun (not a subordinating
        « que », which also opens a comparison: « plus longue que les personnes … »)."""
        return frozenset(a for a, _ in self.after_conjunction) | self.relatives


def _relative(tok) -> bool:
    return "Rel" in tok.morph.get("PronType")


def _subordinate(head) -> bool:
    """A relative clause, or one that a subordinating word opens (« alors que », « tandis que », « si »)."""
    return head.dep_ == "acl:relcl" or any(c.dep_ == "mark" and c.pos_ != "ADP" for c in head.children)


def _may_be_subject(tok) -> bool:
    """A noun or a pronoun that no preposition introduces and that the parse does not make an object or a
    modifier: its subject, or a subject the parse of a long sentence attached elsewhere (« …, Bamako se tourne »)."""
    return (tok.pos_ in _NOMINAL and not _relative(tok) and "Yes" not in tok.morph.get("Reflex")
            and not tok.dep_.startswith(_NOT_SUBJECT) and not any(c.dep_ == "case" for c in tok.children))


def from_doc(doc) -> Clauses:
    """The main clauses and joining words of a parsed sentence."""
    mains, verbs = [], []
    for v in doc:
        finite = "Fin" in v.morph.get("VerbForm")
        if not (finite and v.pos_ in ("VERB", "AUX") or v.pos_ == "VERB" and v.dep_ == "ROOT"
                and "Inf" not in v.morph.get("VerbForm") and not any(c.dep_.startswith("aux") for c in v.children)):
            continue  # a finite verb, or the sentence's own verb tagged a participle (« Il instaure la loi »)
        # « a » of « a su », « est » of « est rare »: the participle or the predicate heads the clause
        head = v.head if v.pos_ == "AUX" and (v.dep_ == "cop" or v.dep_.startswith("aux")) else v
        # where each subject begins, with all its words (« la colonne du flanc droit, …, dirigée par … »)
        subjects = tuple(c.left_edge.idx for c in head.children
                         if c.dep_ in ("nsubj", "nsubj:pass", "expl:subj") and not _relative(c))
        if head.dep_ != "acl:relcl":
            verbs.append((v.idx, v.idx + len(v.text), subjects))
        if _subordinate(head):
            continue
        starts = subjects or tuple(t.idx for t in doc[:v.i] if _may_be_subject(t))
        if starts:
            mains.append((v.idx, v.idx + len(v.text), starts))
    joins = frozenset(t.idx for t in doc if t.pos_ in ("CCONJ", "SCONJ") or _relative(t))
    after = tuple((t.idx, doc[t.i + 1].idx) for t in doc[:-1] if t.pos_ == "CCONJ")
    phrases = frozenset(n.left_edge.idx for n in doc
                        if n.pos_ in ("NOUN", "PROPN") and n.left_edge.pos_ in _PHRASE_OPENERS)
    relatives = frozenset(t.idx for t in doc if _relative(t))
    return Clauses(tuple(mains), joins, after, phrases, tuple(verbs), relatives)


@lru_cache(maxsize=4096)
def read(sentence: str) -> Clauses | None:
    """The clauses of ``sentence`` by spaCy's parse, stored at ingestion (``kalan.rag.parses``) or made now;
    None without spaCy."""
    doc = parses.of(sentence)
    return None if doc is None else from_doc(doc)


def opening_word(clauses: Clauses, start: int) -> int:
    """Where a run that begins at ``start`` may open: past a coordinating conjunction (« mais en raison du délai,
    ils ne purent … » opens at « en »), else ``start``."""
    return next((b for a, b in clauses.after_conjunction if a == start), start)


def stands_alone(clauses: Clauses, start: int, end: int) -> bool:
    """``sentence[start:end]`` does not open with a joining word, and holds a main clause whole, or is a noun
    phrase (« une coopération qui n'a cessé d'évoluer, au gré des bouleversements … ») whose verbs all have their
    subject in it."""
    if start in clauses.joins:
        return False
    if any(start <= vs and ve <= end and any(start <= w < vs for w in words) for vs, ve, words in clauses.mains):
        return True
    return start in clauses.phrases and all(any(start <= w < vs for w in words)
                                            for vs, ve, words in clauses.verbs if start <= vs and ve <= end)
