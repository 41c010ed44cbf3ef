"""An in-memory stand-in for the part of ``ChunkStore`` the BM25 index reads (``kalan.rag.lexical``).

``MemoryChunks`` holds chunk texts by id and answers ``count``, ``all_chunks``, ``scan`` and ``get`` as the real
store does, counting its full scans and its reads, so the tests and benchmarks of the incremental BM25 rebuild
see what was read without a model or Chroma. Not a store: nothing is embedded or searched here.
"""

from __future__ import annotations

from kalan.rag.documents import Passage


class MemoryChunks:
    def __init__(self, texts: dict[str, str]):
        self.texts = dict(texts)
        self.calls = {"all_chunks": 0, "get": 0}

    def count(self) -> int:
        return len(self.texts)

    def all_chunks(self, include_documents: bool = True):
        self.calls["all_chunks"] += 1
        for cid, t in self.texts.items():
            yield cid, {"match_text": t}, t

    def scan(self, include, page: int = 5000):  # the real one pages by offset; the BM25 rebuild asks ids only
        assert include == []
        yield list(self.texts), [None] * len(self.texts), [None] * len(self.texts)

    def get(self, ids, query_vector=None) -> list[Passage]:
        self.calls["get"] += 1
        return [Passage(chunk_id=i, article_id="", title="", section="", text=self.texts[i],
                        extra={"match_text": self.texts[i]}) for i in ids if i in self.texts]
