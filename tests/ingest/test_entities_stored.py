"""Named entities stored at ingestion (real spaCy pipeline, fake embedder, real embedded Chroma store): what is
stored equals spaCy's parse of each sentence alone, old stores get them once, and a name question is then
answered without spaCy."""

import json

import pytest

from kalan.ingest.pipeline import ingest_corpus
from kalan.rag import entities
from kalan.rag.entities import METADATA_KEY
from kalan.rag.nlp import french
from kalan.rag.sentences import sentence_spans
from kalan.rag.service import KalanService
from kalan.rag.settings import with_overrides

pytestmark = pytest.mark.slow  # spaCy's French model

ARTICLE = """---
title: Une école à Ségou
---

# Une école à Ségou

La directrice Mariam Keïta dirige l'école Kanaga de Ségou depuis 2019. L'association Jigiya finance ses
nouvelles salles de classe, construites par l'entreprise Faso Bati. Le maire de Ségou, Oumar Coulibaly, a
inauguré le bâtiment en mars 2024. Les élèves y apprennent le français, le bambara et les mathématiques.
"""


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "ecole.md").write_text(ARTICLE, encoding="utf-8")
    return d


@pytest.fixture(autouse=True)
def _empty_memory():
    entities.forget_all()
    yield
    entities.forget_all()


def _stored(svc) -> dict[str, tuple[str, str]]:
    return {cid: (text, (meta or {}).get(METADATA_KEY)) for cid, meta, text in svc.store.all_chunks()}


def test_stored_entities_are_spacys_parse_of_each_sentence(settings, corpus):
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    nlp = french()
    stored = _stored(svc)
    assert stored and all(value for _, value in stored.values())
    names = set()
    for text, value in stored.values():
        per_sentence = json.loads(value)
        spans = sentence_spans(text) or [(0, len(text))]
        assert len(per_sentence) == len(spans)
        for (s, e), got in zip(spans, per_sentence):
            sentence = text[s:e]
            assert got == [[x.start_char, x.end_char, x.label_] for x in nlp(sentence).ents]
            names |= {sentence[a:b] for a, b, _ in got}
    assert {"Mariam Keïta", "Oumar Coulibaly"} <= names


def test_an_old_store_gets_its_entities_once_and_keeps_the_rest(settings, corpus):
    old = with_overrides(settings, chunk={"entities": False})
    svc = KalanService(old)
    first = ingest_corpus(old, corpus, svc.store, svc.embedder, progress=False)
    before = {cid: meta for cid, meta, _ in svc.store.all_chunks()}
    assert not any(METADATA_KEY in m for m in before.values())
    again = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)  # chunk settings changed: full plan
    assert again.added == 0 and again.entities_added == first.chunks
    after = {cid: meta for cid, meta, _ in svc.store.all_chunks()}
    for cid, meta in before.items():
        assert after[cid][METADATA_KEY]
        assert {k: v for k, v in after[cid].items() if k != METADATA_KEY} == meta  # nothing else lost
    third = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert third.entities_added == 0


def test_a_name_question_is_answered_from_the_stored_entities_without_spacy(real_settings, corpus, monkeypatch):
    settings = real_settings
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    entities.forget_all()  # a fresh process: nothing remembered, spaCy not loaded
    import kalan.rag.nlp as nlp

    def refuse():
        raise AssertionError("spaCy chargé pour une question alors que les entités sont stockées")

    monkeypatch.setattr(nlp, "french", refuse)
    result = KalanService(settings).ask("Qui dirige l'école Kanaga de Ségou ?")
    assert not result["refused"], result.get("refusal_reason")
    assert result["short_answer"] == "Mariam Keïta"
    # a date question whose « quand » is not its first word: typed from its words, not parsed
    dated = KalanService(settings).ask("la directrice dirige l'école depuis quand ?")
    assert not dated["refused"], dated.get("refusal_reason")
    assert "2019" in (dated["short_answer"] or "")


def test_an_ingest_releases_the_spacy_it_loaded_and_keeps_one_already_there(settings, corpus, tmp_path):
    """A serving process that ingests a teacher's upload does not keep spaCy (~410 MB) for answers that do not
    need it; a process that already held it (glossary, chat-model fact check) keeps it."""
    from kalan.rag import nlp

    nlp.release()
    svc = KalanService(settings)
    report = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert report.added and all(value for _, value in _stored(svc).values())  # it did parse
    assert not nlp.loaded()
    held = nlp.french()
    (corpus / "autre.md").write_text("# Autre\n\nLe fleuve Niger traverse Bamako et Ségou.\n", encoding="utf-8")
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert nlp.loaded() and nlp.french() is held
