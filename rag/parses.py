"""The dependency parse of article sentences: stored at ingestion with the chunk, read back at question time as
light tokens that answer like spaCy's, so that the answer path reads the parse of the sentences it quotes without
loading spaCy (~410 MB, 2–6 s cold).

Ingestion already parses each sentence alone for the named entities (``kalan.rag.entities``) and the « qui »
phrases (``kalan.rag.roles``); ``values_of_docs`` keeps, from the same parse, each token's offset, length,
part of speech, dependency relation, head and the morphological features in ``FEATURES``: what the readers of
a parse in the answer path ask (``kalan.rag.clauses``: whether an opening stands alone as a sentence;
``kalan.rag.short_answer``: a name with its title or description, a count cut before its verb). ``remember``
reads the stored value back with the chunk; ``of`` gives a ``Doc`` of ``Token``: ``i``, ``idx``, ``text``,
``pos_``, ``dep_``, ``head``, ``children``, ``subtree``, ``left_edge``, ``right_edge``, ``morph`` (``get``,
``in``), ``len``; a ``Doc`` iterates, indexes and slices like spaCy's. A sentence never ingested is parsed by
spaCy now and read through the same tokens, so a reader sees the same parse either way.

Not here: lemmas, named entities (``kalan.rag.entities``), what a parse is used for.
"""

from __future__ import annotations

import json
from functools import lru_cache

from kalan.rag.entities import SentenceMemory

METADATA_KEY = "parse"
MEMORY_SIZE = 20_000  # sentences; each kept as one string of its tokens, ~1 KB in memory (PIAF): ~20 MB at most
# (a chunk read from the store is remembered again, so only recently retrieved sentences need to stay)
# the morphological features kept, each stored as one letter
FEATURES = {"Definite=Def": "d", "PronType=Art": "a", "PronType=Rel": "r", "VerbForm=Fin": "f",
            "VerbForm=Inf": "i", "VerbForm=Part": "p", "Reflex=Yes": "x"}
_LETTERS = {v: k for k, v in FEATURES.items()}

_memory = SentenceMemory(MEMORY_SIZE)


class Morph:
    """The kept features of a token: ``"PronType=Rel" in morph``, ``morph.get("VerbForm") -> ["Fin"]``."""

    __slots__ = ("feats",)

    def __init__(self, feats: tuple[str, ...]):
        self.feats = feats

    def __contains__(self, feat: str) -> bool:
        return feat in self.feats

    def get(self, field: str) -> list[str]:
        return [f.split("=", 1)[1] for f in self.feats if f.split("=", 1)[0] == field]


class Token:
    """One token of a stored parse; the attributes of spaCy's ``Token`` that the answer path reads."""

    __slots__ = ("doc", "i", "idx", "text", "pos_", "dep_", "_head", "morph")

    def __init__(self, doc: "Doc", i: int, idx: int, text: str, pos: str, dep: str, head: int, morph: Morph):
        self.doc, self.i, self.idx, self.text, self.pos_, self.dep_, self._head, self.morph = (
            doc, i, idx, text, pos, dep, head, morph)

    def __len__(self) -> int:
        return len(self.text)

    def __repr__(self) -> str:
        return self.text

    @property
    def head(self) -> "Token":
        return self.doc.tokens[self._head]

    @property
    def children(self):
        return (t for t in self.doc.tokens if t._head == self.i and t.i != self.i)

    @property
    def subtree(self):
        """The token and every token that depends on it, in sentence order."""
        inside = self.doc.under(self.i)
        return (t for t in self.doc.tokens if t.i in inside)

    @property
    def left_edge(self) -> "Token":
        return self.doc.tokens[min(self.doc.under(self.i))]

    @property
    def right_edge(self) -> "Token":
        return self.doc.tokens[max(self.doc.under(self.i))]


class Doc:
    """A stored parse of one sentence: iterates, indexes and slices its ``Token`` like spaCy's ``Doc``."""

    def __init__(self, text: str, rows: tuple[tuple[int, int, str, str, int, str], ...]):
        self.text = text
        self.tokens = [Token(self, i, a, text[a:a + n], pos, dep, head, Morph(tuple(_LETTERS[c] for c in feats)))
                       for i, (a, n, pos, dep, head, feats) in enumerate(rows)]
        self._under: dict[int, frozenset[int]] = {}

    def __iter__(self):
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, key):
        return self.tokens[key]

    def under(self, i: int) -> frozenset[int]:
        """The indexes of token ``i``'s subtree (itself included)."""
        if i not in self._under:
            kids: dict[int, list[int]] = {}
            for t in self.tokens:
                if t._head != t.i:
                    kids.setdefault(t._head, []).append(t.i)
            seen, todo = {i}, [i]
            while todo:
                for k in kids.get(todo.pop(), ()):
                    if k not in seen:  # a damaged value cannot loop
                        seen.add(k)
                        todo.append(k)
            self._under[i] = frozenset(seen)
        return self._under[i]


def rows_of_doc(doc) -> tuple[str, ...]:
    """A spaCy parse as stored: one string per token, « offset length POS dep head features »."""
    out = []
    for t in doc:
        feats = "".join(FEATURES[f] for f in FEATURES if f in t.morph) or "-"
        out.append(f"{t.idx} {len(t.text)} {t.pos_ or '-'} {t.dep_ or '-'} {t.head.i} {feats}")
    return tuple(out)


def values_of_docs(per_chunk_docs: list[list]) -> list[str]:
    """The metadata value of each chunk: a JSON list, per sentence the list of its tokens (``rows_of_doc``),
    from its sentences' parses (``kalan.rag.entities.parse_sentences``)."""
    return [json.dumps([list(rows_of_doc(doc)) for doc in docs], ensure_ascii=False, separators=(",", ":"))
            for docs in per_chunk_docs]


def _rows(joined: str) -> tuple[tuple[int, int, str, str, int, str], ...]:
    """The tokens of one stored sentence (``rows_of_doc`` joined by « | »); ValueError when one is not six
    fields or holds an unknown feature."""
    out = []
    for item in joined.split("|"):
        a, n, pos, dep, head, feats = item.split(" ")
        feats = feats.strip("-")
        if any(c not in _LETTERS for c in feats):
            raise ValueError(feats)
        out.append((int(a), int(n), pos.strip("-"), dep.strip("-"), int(head), feats))
    return tuple(out)


def _read(tokens) -> tuple[str, int]:
    """A sentence's stored token list, checked once (six fields, known features, heads inside the sentence) and
    kept as one string (a few hundred bytes; decoded again only when asked), with where its last token ends."""
    if not isinstance(tokens, list) or not all(isinstance(t, str) and "|" not in t for t in tokens):
        raise ValueError("not a list of tokens")
    joined = "|".join(tokens)
    rows = _rows(joined)
    if not all(0 <= a and 0 < n and 0 <= head < len(rows) for a, n, _, _, head, _ in rows):
        raise ValueError("a token or a head outside the sentence")
    return joined, max(a + n for a, n, _, _, _, _ in rows)


def _fits(found: tuple[str, int], length: int) -> bool:
    return found[1] <= length


def remember(text: str, value) -> bool:
    """Keep the stored parse of the chunk ``text`` (its metadata ``value``) for ``of``; False when the value does
    not fit the chunk's sentences (written by other code, damaged): those sentences are parsed if asked."""
    return _memory.remember_chunk(text, value, _read, _fits, whole=True)


@lru_cache(maxsize=2048)
def _doc(sentence: str, joined: str) -> Doc:
    return Doc(sentence, _rows(joined))


def of(sentence: str) -> Doc | None:
    """The parse of ``sentence``: stored at ingestion when it was read from the store, else spaCy's now; None
    when neither is possible (spaCy not installed)."""
    found = _memory.of(sentence, lambda doc: _read(list(rows_of_doc(doc))))
    return None if found is None else _doc(sentence, found[0])


def forget_all() -> None:
    """Empty the memory (tests; a process that re-ingested everything)."""
    _memory.clear()
    _doc.cache_clear()
