"""The incremental BM25 rebuild (``kalan.rag.lexical``) gives the index a full rebuild gives.

The store is ``kalan.rag.memory_chunks.MemoryChunks``, an in-memory stand-in; no model, no Chroma.
"""

from __future__ import annotations

import json

import numpy as np

from kalan.rag import lexical
from kalan.rag.memory_chunks import MemoryChunks

TEXTS = {
    "a": "Le conseil municipal vote le budget de la commune chaque année.",
    "b": "La carte d'identité est gratuite, sauf en cas de perte ou de vol.",
    "c": "Un timbre fiscal de 25 euros est demandé en cas de perte.",
    "d": "Le passeport biométrique se demande en mairie sur rendez-vous.",
    "e": "",
}


def _same(a: lexical.LexicalIndex, b: lexical.LexicalIndex):
    assert a.ids == b.ids
    for q in ("perte carte", "budget commune", "passeport mairie", "timbre", "inconnu", "vol"):
        ra, rb = a.search(q, 10), b.search(q, 10)
        assert [c for c, _ in ra] == [c for c, _ in rb], q
        assert np.allclose([s for _, s in ra], [s for _, s in rb]), q


def test_rebuild_reads_only_new_chunks_and_matches_a_full_rebuild(tmp_path):
    folder = tmp_path / "bm25" / "kalan-x"
    store = MemoryChunks(TEXTS)
    first = lexical.build_from_store(store, previous=folder)  # no cache yet: full
    assert store.calls["all_chunks"] == 1
    first.save(folder)
    assert (folder / "tokens.npz").exists()

    del store.texts["b"]  # an article changed: one chunk gone, two new
    store.texts["f"] = "La carte grise se demande en ligne, jamais en préfecture."
    store.texts["g"] = "Le budget rectificatif est voté en cours d'année."
    inc = lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 1  # no full scan
    full = lexical.LexicalIndex(list(store.texts), list(store.texts.values()))
    _same(inc, full)
    assert "vol" not in inc.bm25.vocab_dict  # the deleted chunk's own words are gone

    inc.save(folder)
    again = lexical.LexicalIndex.load(folder)
    _same(again, full)


def test_unusable_token_cache_falls_back_to_a_full_rebuild(tmp_path):
    folder = tmp_path / "idx"
    store = MemoryChunks(TEXTS)
    lexical.LexicalIndex(list(TEXTS), list(TEXTS.values())).save(folder)
    tv = json.loads((folder / "tokens-vocab.json").read_text())
    tv["tokenizer"] = "another"
    (folder / "tokens-vocab.json").write_text(json.dumps(tv))
    idx = lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 1
    _same(idx, lexical.LexicalIndex(list(TEXTS), list(TEXTS.values())))
    (folder / "tokens.npz").write_bytes(b"damaged")
    lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 2


def test_empty_store_and_index_without_cache_files(tmp_path):
    empty = lexical.LexicalIndex([], [])
    assert empty.search("carte", 5) == []
    folder = tmp_path / "old"
    lexical.LexicalIndex(list(TEXTS), list(TEXTS.values())).save(folder)
    for name in ("tokens.npz", "tokens-vocab.json"):  # an index saved before the cache existed
        (folder / name).unlink()
    assert lexical.LexicalIndex.load(folder) is not None
    store = MemoryChunks(TEXTS)
    lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 1
