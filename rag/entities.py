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

from kalan.rag.sentences import sentence_spans

Entity = tuple[int, int, str]  # start, end (in the sentence's text), spaCy label (PER, ORG, LOC, MISC)

METADATA_KEY = "entities"
MEMORY_SIZE = 50_000  # sentences; a few MB


class _Memory:
    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()
        self.lock = threading.Lock()

    def put(self, sentence: str, ents: tuple[Entity, ...]) -> None:
        with self.lock:
            self.items[sentence] = ents
            self.items.move_to_end(sentence)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def get(self, sentence: str) -> tuple[Entity, ...] | None:
        with self.lock:
            found = self.items.get(sentence)
            if found is not None:
                self.items.move_to_end(sentence)
            return found

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_memory = _Memory(MEMORY_SIZE)


def _spans(text: str) -> list[tuple[int, int]]:
    """A chunk's sentences as ingestion cuts them (a chunk without a sentence break is one sentence)."""
    return sentence_spans(text) or [(0, len(text))]


def _of_doc(doc) -> tuple[Entity, ...]:
    return tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)


def parse_chunks(texts: list[str], nlp) -> list[list[tuple[Entity, ...]]]:
    """Per chunk text, the entities of each of its sentences, each sentence parsed on its own by ``nlp``
    (spaCy's French pipeline) as ``of`` would."""
    sentences, owners = [], []
    for i, text in enumerate(texts):
        for s, e in _spans(text):
            sentences.append(text[s:e])
            owners.append(i)
    out: list[list[tuple[Entity, ...]]] = [[] for _ in texts]
    for owner, doc in zip(owners, nlp.pipe(sentences, batch_size=64)):
        out[owner].append(_of_doc(doc))
    return out


def encode(per_sentence: list[tuple[Entity, ...]]) -> str:
    """The metadata value: a JSON list, one list of ``[start, end, label]`` per sentence of the chunk."""
    return json.dumps([[list(e) for e in ents] for ents in per_sentence], ensure_ascii=False, separators=(",", ":"))


def stored_values(texts: list[str], nlp) -> list[str]:
    """The metadata value of each chunk text (``parse_chunks``, then ``encode``): what ingestion stores."""
    return [encode(per_sentence) for per_sentence in parse_chunks(texts, nlp)]


def remember(text: str, value) -> bool:
    """Keep the stored entities of the chunk ``text`` (its metadata ``value``) for ``of``; False when the value
    does not fit the chunk's sentences (written by other code, damaged): those sentences are parsed if asked."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return False
    spans = _spans(text)
    if not isinstance(data, list) or len(data) != len(spans):
        return False
    parsed = []
    for (s, e), ents in zip(spans, data):
        sentence = text[s:e]
        try:
            found = tuple((int(a), int(b), str(label)) for a, b, label in ents)
        except (TypeError, ValueError):
            return False
        if any(not (0 <= a < b <= len(sentence)) for a, b, _ in found):
            return False
        parsed.append((sentence, found))
    for sentence, found in parsed:
        _memory.put(sentence, found)
    return True


def of(sentence: str) -> tuple[Entity, ...] | None:
    """The entities of ``sentence``: stored at ingestion when it was read from the store, else parsed now;
    None when neither is possible (spaCy not installed)."""
    found = _memory.get(sentence)
    if found is not None:
        return found
    from kalan.rag.nlp import french

    nlp = french()
    if nlp is None:
        return None
    found = _of_doc(nlp(sentence))
    _memory.put(sentence, found)
    return found


def forget_all() -> None:
    """Empty the memory (tests; a process that re-ingested everything)."""
    _memory.clear()
