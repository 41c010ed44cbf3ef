"""Named entities, phrases and the parse stored at ingestion (real spaCy pipeline, fake embedder, real embedded
Chroma store): what is stored equals spaCy's parse of each sentence alone, old stores get them once, and a name
question (and a « qui » question answered by a common noun, ``answer.role_spans``; a name with what the sentence
says it is, ``answer.parse_spans``) is then answered without spaCy."""

import json

import pytest

from kalan.ingest.pipeline import PARSED_BY, ingest_corpus
from kalan.rag import entities, parses, roles
from kalan.rag.entities import METADATA_KEY
from kalan.rag.parses import METADATA_KEY as PARSE_KEY, rows_of_doc
from kalan.rag.roles import METADATA_KEY as ROLES_KEY, phrases_of_doc
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
Chaque été, avec l'aide de la mairie de Markala, les parents d'élèves nettoient les murs de la cour.
"""


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "ecole.md").write_text(ARTICLE, encoding="utf-8")
    return d


def _forget():
    entities.forget_all()
    roles.forget_all()
    parses.forget_all()


@pytest.fixture(autouse=True)
def _empty_memory():
    _forget()
    yield
    _forget()


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


def test_stored_phrases_are_read_from_spacys_parse_of_each_sentence(settings, corpus):
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    nlp = french()
    said = set()
    for cid, meta, text in svc.store.all_chunks():
        per_sentence = json.loads(meta[ROLES_KEY])
        spans = sentence_spans(text) or [(0, len(text))]
        assert len(per_sentence) == len(spans)
        for (s, e), got in zip(spans, per_sentence):
            sentence = text[s:e]
            assert got == [list(p) for p in phrases_of_doc(nlp(sentence))]
            said |= {(sentence[p[2]:p[1]], p[4]) for p in got}
    assert ("les parents d'élèves", "subj") in said


def test_stored_parse_is_spacys_parse_of_each_sentence(settings, corpus):
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    nlp = french()
    n = 0
    for cid, meta, text in svc.store.all_chunks():
        per_sentence = json.loads(meta[PARSE_KEY])
        spans = sentence_spans(text) or [(0, len(text))]
        assert len(per_sentence) == len(spans)
        for (s, e), got in zip(spans, per_sentence):
            doc = nlp(text[s:e])
            assert got == list(rows_of_doc(doc))
            assert len(got) == len(doc)
            n += 1
    assert n >= 5


def test_an_old_store_gets_its_entities_once_and_keeps_the_rest(settings, corpus):
    old = with_overrides(settings, chunk={"entities": False})
    svc = KalanService(old)
    first = ingest_corpus(old, corpus, svc.store, svc.embedder, progress=False)
    before = {cid: meta for cid, meta, _ in svc.store.all_chunks()}
    assert not any(METADATA_KEY in m or ROLES_KEY in m or PARSE_KEY in m for m in before.values())
    again = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)  # chunk settings changed: full plan
    assert again.added == 0 and again.entities_added == first.chunks
    after = {cid: meta for cid, meta, _ in svc.store.all_chunks()}
    for cid, meta in before.items():
        assert after[cid][METADATA_KEY] and after[cid][ROLES_KEY] and after[cid][PARSE_KEY]
        assert {k: v for k, v in after[cid].items() if k not in (METADATA_KEY, ROLES_KEY, PARSE_KEY, PARSED_BY)} \
            == meta
    third = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert third.entities_added == 0


def test_chunks_parsed_by_other_readers_code_are_parsed_again_once(settings, corpus, monkeypatch):
    """A reading mended in ``kalan.rag.roles`` reaches a store whose texts did not change: the next ingest parses
    its chunks again (the readers' key differs), and the one after parses nothing."""
    from kalan.ingest import manifest, pipeline

    svc = KalanService(settings)
    first = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert {m[PARSED_BY] for _, m, _ in svc.store.all_chunks()} == {pipeline.readers_key()}
    assert ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False).entities_added == 0
    monkeypatch.setattr(manifest, "readers_key", lambda: "nouveau-code")  # roles.py changed: the manifest goes
    monkeypatch.setattr(pipeline, "readers_key", lambda: "nouveau-code")  # and the parses are made anew
    again = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    assert again.added == 0 and again.entities_added == first.chunks
    assert {m[PARSED_BY] for _, m, _ in svc.store.all_chunks()} == {"nouveau-code"}
    assert all(m[ROLES_KEY] for _, m, _ in svc.store.all_chunks())
    assert ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False).entities_added == 0


def test_a_name_question_is_answered_from_the_stored_entities_without_spacy(real_settings, corpus, forbid_spacy):
    settings = real_settings
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    _forget()  # a fresh process: nothing remembered, spaCy not loaded
    forbid_spacy()
    # the named entity alone (no role phrase, no title read from the stored parse)
    by_entity = with_overrides(settings, answer={"role_spans": False, "parse_spans": False})
    result = KalanService(by_entity).ask("Qui dirige l'école Kanaga de Ségou ?")
    assert not result["refused"], result.get("refusal_reason")
    assert result["short_answer"] == "Mariam Keïta"
    titled = KalanService(with_overrides(settings, answer={"role_spans": False})).ask(
        "Qui dirige l'école Kanaga de Ségou ?")  # answer.parse_spans: the title it stands in apposition to
    assert titled["short_answer"] == "La directrice Mariam Keïta"
    # by default, the subject of « diriger », stored at ingestion too: the person with what she is
    assert KalanService(settings).ask("Qui dirige l'école Kanaga de Ségou ?")["short_answer"] == \
        "La directrice Mariam Keïta"
    # a date question whose « quand » is not its first word: typed from its words, not parsed
    dated = KalanService(settings).ask("la directrice dirige l'école depuis quand ?")
    assert not dated["refused"], dated.get("refusal_reason")
    assert "2019" in (dated["short_answer"] or "")
    # a « qui » question answered by a common noun, the subject of its verb, from the stored phrases
    who = KalanService(settings).ask("Qui nettoie les murs de la cour chaque été ?")
    assert not who["refused"], who.get("refusal_reason")
    assert who["short_answer"] == "les parents d'élèves"

def test_spans_read_from_the_stored_parse_without_spacy(real_settings, corpus, forbid_spacy):
    """``answer.parse_spans``: a person with what the sentence says she is, a count cut before its verb, both read
    from the parse stored at ingestion."""
    (corpus / "kita.md").write_text(
        "# Un centre à Kita\n\nLe ministre malien de la Santé, Fatoumata Sidibé, a ouvert le centre de santé de Kita "
        "en 2023. Près de 100 000 habitants peuvent désormais y être soignés.\n", encoding="utf-8")
    settings = with_overrides(real_settings, answer={"parse_spans": True})
    svc = KalanService(settings)
    ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
    _forget()
    forbid_spacy()
    who = KalanService(settings).ask("Quelle personnalité a ouvert le centre de santé de Kita ?")
    assert who["short_answer"] == "Fatoumata Sidibé"
    assert who["answer"].startswith("Fatoumata Sidibé, le ministre malien de la Santé [1]. ")
    count = KalanService(settings).ask("Combien d'habitants peuvent être soignés à Kita ?")
    assert count["short_answer"] == "Près de 100 000 habitants"  # not « … habitants peuvent »


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
