"""Named entities stored with chunks (kalan.rag.entities): encoding, reading back, and spaCy only as a fallback."""

import pytest

from kalan.rag import entities
from kalan.rag.sentences import sentence_spans

TEXT = ("Le ministre Awa Traoré a reçu l'ambassadeur à Bamako. La société Kora construit un pont. "
        "Rien d'autre ne change.")


@pytest.fixture(autouse=True)
def _empty_memory():
    entities.forget_all()
    yield
    entities.forget_all()


def _stored() -> str:
    spans = sentence_spans(TEXT)
    per_sentence = []
    for s, e in spans:
        sentence = TEXT[s:e]
        found = []
        for name, label in (("Awa Traoré", "PER"), ("Bamako", "LOC"), ("Kora", "ORG")):
            i = sentence.find(name)
            if i >= 0:
                found.append((i, i + len(name), label))
        per_sentence.append(tuple(found))
    return entities.encode(per_sentence)


def test_stored_entities_answer_without_spacy(no_spacy):
    assert entities.remember(TEXT, _stored())
    first = TEXT[slice(*sentence_spans(TEXT)[0])]
    got = entities.of(first)
    assert [(first[s:e], label) for s, e, label in got] == [("Awa Traoré", "PER"), ("Bamako", "LOC")]
    last = TEXT[slice(*sentence_spans(TEXT)[-1])]
    assert entities.of(last) == ()  # a sentence without a name is stored too: no parse for it either


@pytest.mark.parametrize("value", [
    "pas du json",
    "[]",  # fewer sentences than the chunk has
    '[[[0, 3, "PER"]], [], [], []]',  # more
    '[[[0, 999, "PER"]], [], []]',  # a span outside its sentence
    '[[["a", "b", "PER"]], [], []]',
    '{"0": []}',
])
def test_a_value_that_does_not_fit_the_chunk_is_not_trusted(value, monkeypatch):
    assert not entities.remember(TEXT, value)
    import kalan.rag.nlp as nlp

    calls = []
    monkeypatch.setattr(nlp, "french", lambda: calls.append(1) or None)
    assert entities.of(TEXT[slice(*sentence_spans(TEXT)[0])]) is None  # asked spaCy, which is absent here
    assert calls == [1]


def test_the_memory_is_bounded():
    memory = entities.SentenceMemory(3)
    for i in range(5):
        memory.put(f"phrase {i}", ())
    assert memory.get("phrase 0") is None and memory.get("phrase 4") == ()
    assert len(memory.items) == 3


def test_a_chunk_read_again_is_not_decoded_again_while_its_sentences_are_held():
    memory = entities.SentenceMemory(10)
    text = "Le Mali vote. La Russie signe."
    value = '[[[0, 7, "LOC"]], [[0, 9, "LOC"]]]'
    reads = []

    def read(item):
        reads.append(item)
        return tuple(item)

    fits = lambda e, n: e[1] <= n  # noqa: E731
    assert memory.remember_chunk(text, value, read, fits) and len(reads) == 2
    assert memory.remember_chunk(text, value, read, fits) and len(reads) == 2  # known: nothing decoded
    assert not memory.remember_chunk(text, "[[], [], []]", read, fits)  # another value is read, and refused
    memory.items.pop("La Russie signe.")  # one sentence left the memory: the chunk is read again
    assert memory.remember_chunk(text, value, read, fits) and len(reads) == 4
    assert memory.get("La Russie signe.") == ((0, 9, "LOC"),)


def test_parse_chunks_gives_one_list_per_sentence():
    class Doc:
        def __init__(self, text):
            self.text = text
            self.ents = [type("E", (), {"start_char": 0, "end_char": 2, "label_": "MISC"})()] if text[:1] == "L" else []

    class Nlp:
        def pipe(self, texts, batch_size=64):
            return (Doc(t) for t in texts)

    got = entities.parse_chunks([TEXT, "Un seul bloc sans point"], Nlp())
    assert [len(x) for x in got] == [len(sentence_spans(TEXT)), 1]
    assert got[0][0] == ((0, 2, "MISC"),) and got[0][2] == () and got[1] == [()]


def test_a_name_ends_before_an_encyclopedia_reference_call():
    """spaCy reads « Niger.[1 » and « Mali[1]. » as names: stored, they would be offered as « Qu'est-ce que
    Niger.[1 ? » (suggested questions, glossary) and said as direct answers. The name ends before the call."""
    def ent(text, name, label):
        i = text.index(name)
        return type("E", (), {"start_char": i, "end_char": i + len(name), "label_": label})()

    class Doc:
        def __init__(self, text, names):
            self.text, self.ents = text, [ent(text, n, lab) for n, lab in names]

    a = "Tombouctou est au nord du fleuve Niger.[1]"
    b = "La ville est conservée à l'Institut Ahmed-Baba.[réf. nécessaire]"
    c = "Bamako est la capitale du Mali[1]."
    d = "[2] seul"
    got = [entities._of_doc(Doc(a, [("Tombouctou", "LOC"), ("Niger.[1", "ORG")])),
           entities._of_doc(Doc(b, [("Institut Ahmed-Baba.[réf", "ORG")])),
           entities._of_doc(Doc(c, [("Mali[1].", "LOC")])), entities._of_doc(Doc(d, [("[2", "MISC")]))]
    assert [[t[s:e] for s, e, _ in g] for t, g in zip((a, b, c, d), got)] == [
        ["Tombouctou", "Niger"], ["Institut Ahmed-Baba"], ["Mali"], []]
