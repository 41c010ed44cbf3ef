"""Named entities of article sentences: found once by spaCy when a chunk is ingested, stored with the chunk,
read back with it.

Ingestion parses every sentence of a new chunk (``parse_chunks``, spaCy's whole pipeline, as the answer path
always did) and stores the result in the chunk's metadata (``encode``). Reading a chunk back
(``kalan.rag.store``) hands its entities to ``remember``: a bounded, thread-safe memory keyed by the sentence's
exact text. ``of(sentence)`` answers from that memory; spaCy (``kalan.rag.nlp``) parses at question time only
a sentence that was never ingested (a store written before entities were stored, a generated sentence). So an
extractive answer to a name question, the suggested questions and the serving process need no spaCy at all:
about 410 MB and a 2–6 s load saved (BENCHMARKS.md, issue #16).

Not here: what the entities are used for (the direct answer's span: ``kalan.rag.short_answer``; suggested
questions: ``kalan.study.suggest``).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from kalan.rag.sentences import sentence_spans

Entity = tuple[int, int, str]  # start, end (in the sentence's text), spaCy label (PER, ORG, LOC, MISC)

METADATA_KEY = "entities"
MEMORY_SIZE = 50_000  # sentences; a few MB


class SentenceMemory:
    """A bounded, thread-safe map from a sentence's exact text to what was stored for it."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()
        # chunks already read, hash of (text, stored value) -> their sentences: a chunk retrieved again is not
        # read again (a hash, not the strings: a stored parse is kilobytes)
        self.chunks: OrderedDict[int, tuple[str, ...]] = OrderedDict()

    def _known(self, key: int) -> bool:
        """``key``'s chunk was read before and all its sentences are still held (each marked as just used)."""
        with self.lock:
            sentences = self.chunks.get(key)
            if sentences is None or any(s not in self.items for s in sentences):
                return False
            self.chunks.move_to_end(key)
            for s in sentences:
                self.items.move_to_end(s)
            return True

    def put(self, sentence: str, found: tuple) -> None:
        with self.lock:
            self.items[sentence] = found
            self.items.move_to_end(sentence)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def get(self, sentence: str) -> tuple | None:
        with self.lock:
            found = self.items.get(sentence)
            if found is not None:
                self.items.move_to_end(sentence)
            return found

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.chunks.clear()

    def remember_chunk(self, text: str, value, read: Callable, fits: Callable, whole: bool = False) -> bool:
        """Keep what was stored for each sentence of the chunk ``text`` (its metadata ``value``: a JSON list, one
        list per sentence); ``read`` makes one stored item a tuple (TypeError/ValueError when it cannot),
        ``fits(item, length)`` says it fits a sentence of that length; with ``whole``, both take the sentence's
        whole list (a parse's heads point inside it). False when the value does not fit the chunk's sentences
        (written by other code, damaged): those sentences are parsed if asked."""
        key = hash((text, value)) if isinstance(value, str) else None
        if key is not None and self._known(key):
            return True
        try:
            data = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            return False
        spans = _spans(text)
        if not isinstance(data, list) or len(data) != len(spans):
            return False
        parsed = []
        for (s, e), items in zip(spans, data):
            sentence = text[s:e]
            try:
                found = read(items) if whole else tuple(read(item) for item in items)
            except (TypeError, ValueError):
                return False
            if not (fits(found, len(sentence)) if whole else all(fits(item, len(sentence)) for item in found)):
                return False
            parsed.append((sentence, found))
        for sentence, found in parsed:
            self.put(sentence, found)
        with self.lock:
            self.chunks[key] = tuple(sentence for sentence, _ in parsed)
            while len(self.chunks) > self.size:
                self.chunks.popitem(last=False)
        return True

    def of(self, sentence: str, derive: Callable) -> tuple | None:
        """What was stored for ``sentence`` when it was read from the store, else ``derive`` of spaCy's parse of
        it now; None when neither is possible (spaCy not installed)."""
        found = self.get(sentence)
        if found is not None:
            return found
        from kalan.rag.nlp import french

        nlp = french()
        if nlp is None:
            return None
        found = derive(nlp(sentence))
        self.put(sentence, found)
        return found


_memory = SentenceMemory(MEMORY_SIZE)


def _spans(text: str) -> list[tuple[int, int]]:
    """A chunk's sentences as ingestion cuts them (a chunk without a sentence break is one sentence)."""
    return sentence_spans(text) or [(0, len(text))]


def _of_doc(doc) -> tuple[Entity, ...]:
    """The entities of a parsed sentence; a name ends before an encyclopedia's reference call, which spaCy reads as
    part of it (« Niger.[1 », « Mali[1]. », « Institut Ahmed-Baba.[réf »), and the punctuation before the call."""
    out = []
    for e in doc.ents:
        end, cut = e.end_char, doc.text.find("[", e.start_char, e.end_char)
        if cut >= 0:
            end = e.start_char + len(doc.text[e.start_char:cut].rstrip(" .,;:"))
        if end > e.start_char:
            out.append((e.start_char, end, e.label_))
    return tuple(out)


def parse_sentences(texts: list[str], nlp) -> list[list]:
    """Per chunk text, spaCy's parse (``nlp``, the French pipeline) of each of its sentences, each sentence parsed
    on its own as ``of`` would: what ingestion derives the stored entities and phrases (``kalan.rag.roles``) from."""
    sentences, owners = [], []
    for i, text in enumerate(texts):
        for s, e in _spans(text):
            sentences.append(text[s:e])
            owners.append(i)
    out: list[list] = [[] for _ in texts]
    for owner, doc in zip(owners, nlp.pipe(sentences, batch_size=64)):
        out[owner].append(doc)
    return out


def parse_chunks(texts: list[str], nlp) -> list[list[tuple[Entity, ...]]]:
    """Per chunk text, the entities of each of its sentences (``parse_sentences``)."""
    return [[_of_doc(doc) for doc in docs] for docs in parse_sentences(texts, nlp)]


def encode(per_sentence: list[tuple[Entity, ...]]) -> str:
    """The metadata value: a JSON list, one list of ``[start, end, label]`` per sentence of the chunk."""
    return json.dumps([[list(e) for e in ents] for ents in per_sentence], ensure_ascii=False, separators=(",", ":"))


def values_of_docs(per_chunk_docs: list[list]) -> list[str]:
    """The metadata value of each chunk (``encode``), from its sentences' parses (``parse_sentences``): what
    ingestion stores."""
    return [encode([_of_doc(doc) for doc in docs]) for docs in per_chunk_docs]


def remember(text: str, value) -> bool:
    """Keep the stored entities of the chunk ``text`` (its metadata ``value``) for ``of``; False when the value
    does not fit the chunk's sentences (written by other code, damaged): those sentences are parsed if asked."""
    return _memory.remember_chunk(text, value, _read, lambda e, n: 0 <= e[0] < e[1] <= n)


def _read(item) -> Entity:
    a, b, label = item  # ValueError when it is not three values
    return int(a), int(b), str(label)


def of(sentence: str) -> tuple[Entity, ...] | None:
    """The entities of ``sentence``: stored at ingestion when it was read from the store, else parsed now;
    None when neither is possible (spaCy not installed)."""
    return _memory.of(sentence, _of_doc)


def forget_all() -> None:
    """Empty the memory (tests; a process that re-ingested everything)."""
    _memory.clear()
