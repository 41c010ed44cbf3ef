"""The key of the BM25 token cache (``kalan.rag.lexical._tokenizer_key``) follows what the tokenizer does, not
the source of ``kalan.rag.text``: a comment there keeps every saved index, a change in tokens rebuilds it.

The store is ``kalan.rag.memory_chunks.MemoryChunks``, an in-memory stand-in; no model, no Chroma.
"""

from __future__ import annotations

import pytest

from kalan.rag import lexical, text
from kalan.rag.memory_chunks import MemoryChunks

TEXTS = {
    "a": "Le conseil municipal vote le budget de la commune chaque année.",
    "b": "La carte d'identité est gratuite, sauf en cas de perte ou de vol.",
    "c": "Aujourd'hui, le 65ᵉ anniversaire des relations est fêté à Bamako.",
}


@pytest.fixture(autouse=True)
def _fresh_key():
    lexical._tokenizer_key.cache_clear()
    yield
    lexical._tokenizer_key.cache_clear()


def test_key_is_stable_and_keeps_stem_apart():
    first = lexical._tokenizer_key(True), lexical._tokenizer_key(False)
    lexical._tokenizer_key.cache_clear()
    assert (lexical._tokenizer_key(True), lexical._tokenizer_key(False)) == first
    assert first[0] != first[1]


def test_key_does_not_read_the_text_module_source(monkeypatch, tmp_path):
    other = tmp_path / "text.py"
    other.write_text("# another source\n")
    before = lexical._tokenizer_key(True)
    lexical._tokenizer_key.cache_clear()
    monkeypatch.setattr(text, "__file__", str(other))
    assert lexical._tokenizer_key(True) == before


def test_key_changes_with_the_tokens(monkeypatch):
    before = {s: lexical._tokenizer_key(s) for s in (True, False)}
    lexical._tokenizer_key.cache_clear()
    monkeypatch.setattr(lexical, "tokenize", lambda t, stem=True: text.words(t))  # stop words kept
    assert all(lexical._tokenizer_key(s) != before[s] for s in (True, False))


def test_key_changes_with_the_stop_words(monkeypatch):
    before = lexical._tokenizer_key(True)
    lexical._tokenizer_key.cache_clear()
    monkeypatch.setattr(lexical, "FRENCH_STOPWORDS", lexical.FRENCH_STOPWORDS | {"zzz"})
    assert lexical._tokenizer_key(True) != before


def test_saved_tokens_reused_while_the_key_holds_and_not_after(tmp_path, monkeypatch):
    folder = tmp_path / "bm25" / "kalan-x"
    store = MemoryChunks(TEXTS)
    lexical.build_from_store(store, previous=folder).save(folder)
    assert store.calls["all_chunks"] == 1

    lexical._tokenizer_key.cache_clear()  # a new process: the key is computed again, the same
    again = lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 1  # the cached tokens were used: nothing read again
    assert store.calls["get"] == 0  # and no chunk read as new
    assert again.ids == list(TEXTS)

    lexical._tokenizer_key.cache_clear()
    monkeypatch.setattr(lexical, "tokenize", lambda t, stem=True: text.words(t))
    lexical.build_from_store(store, previous=folder)
    assert store.calls["all_chunks"] == 2  # other tokens: a full rebuild


def test_stemmed_tokens_are_not_reused_unstemmed(tmp_path):
    folder = tmp_path / "idx"
    store = MemoryChunks(TEXTS)
    lexical.build_from_store(store, stem=True, previous=folder).save(folder)
    lexical.build_from_store(store, stem=False, previous=folder)
    assert store.calls["all_chunks"] == 2
    assert store.calls["get"] == 0


def test_a_saved_index_of_another_tokenizer_is_not_loaded(tmp_path, monkeypatch):
    folder = tmp_path / "bm25" / "kalan-y"
    store = MemoryChunks(TEXTS)
    lexical.build_from_store(store, previous=folder).save(folder)
    assert lexical.LexicalIndex.load(folder) is not None  # same tokens: loaded as saved

    lexical._tokenizer_key.cache_clear()
    monkeypatch.setattr(lexical, "tokenize", lambda t, stem=True: text.words(t))
    assert lexical.LexicalIndex.load(folder) is None  # its words were cut otherwise: the caller rebuilds it


def test_a_search_may_set_aside_the_words_that_only_say_what_is_asked():
    ids = ["a", "b"]
    index = lexical.LexicalIndex(ids, ["Le club passe un accord avec la banque.", "En 1903, le club gagne le titre."])
    assert index.search("que s'est-il passé en 1903", 2)[0][0] == "a"  # « passé » outweighs the year
    found = index.search("que s'est-il passé en 1903", 2, drop="s'est-il passé")
    assert [cid for cid, _ in found] == ["b"]
    assert index.search("que s'est-il passé", 2, drop="s'est-il passé") == []  # nothing left to look for
