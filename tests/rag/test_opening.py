"""The opening of an open question's answer: a run of a long sentence's own clauses, framed in French."""

from kalan.rag.extractive import question_words
from kalan.rag.opening import FRAME, balanced, choose, segments

LONG = ("Bien que la ville de Lanvoz ait longtemps vécu de la pêche côtière, de la conserverie et du petit commerce "
        "portuaire, la municipalité a choisi en 2019 de financer une école de voile, afin d'attirer des familles "
        "venues de l'intérieur des terres pendant toute la saison estivale.")


def test_clauses_are_cut_at_commas_colons_dashes_and_brackets_but_not_inside_words_or_numbers():
    s = "Le pont mesure 12,5 mètres (hors rampes) ; il relie deux quartiers — nord-est et sud : un ouvrage utile."
    assert [s[a:b] for a, b in segments(s)] == [
        "Le pont mesure 12,5 mètres", "hors rampes", "il relie deux quartiers", "nord-est et sud", "un ouvrage utile"]


def test_the_opening_is_the_clause_run_that_answers_and_the_sentence_own_characters():
    q = "Pourquoi la municipalité finance-t-elle une école de voile ?"
    chosen = choose(LONG, question_words(q), max_words=26)
    assert chosen is not None
    assert LONG[chosen.start:chosen.end] == chosen.text
    assert "attirer des familles" in chosen.text and "financer une école de voile" in chosen.text
    assert "pêche" not in chosen.text
    assert len(chosen.text.split()) <= 26
    assert chosen.framed == FRAME + chosen.text


def test_a_short_sentence_or_a_single_clause_gets_no_opening():
    q = "Pourquoi la municipalité finance-t-elle une école de voile ?"
    assert choose("La municipalité finance une école de voile pour attirer des familles.", question_words(q)) is None
    one_clause = " ".join(["mot"] * 40) + " école de voile"
    assert choose(one_clause, question_words(q)) is None


def test_no_opening_when_the_quote_own_first_words_already_hold_more_of_the_question():
    s = ("Les pêcheurs de Lanvoz réclament une école de voile depuis des années pour leurs enfants et les enfants "
         "des saisonniers, mais le conseil municipal, prudent, a toujours remis la décision à plus tard.")
    q = "Que réclament les pêcheurs de Lanvoz pour leurs enfants ?"
    assert choose(s, question_words(q), max_words=20, prefix_words=26) is None


def test_a_run_never_leaves_a_bracket_or_a_quote_open():
    assert balanced("la ville (au nord) et « le port »")
    assert not balanced("von Berlin), parlement")
    assert not balanced("« Charles Gesualdo")
    s = ("Le musée (ouvert en 1990 après de longs travaux dans l'ancienne halle aux grains de la ville basse) expose "
         "surtout des outils agricoles anciens, des charrues et des herses, prêtés par les fermes des environs.")
    chosen = choose(s, question_words("Qu'expose le musée de la ville basse ?"), max_words=20)
    assert chosen is None or balanced(chosen.text)


ARTICLE = """Lanvoz et la mer

Une ville qui change de cap

Lanvoz est une petite ville du littoral breton.
Bien que la ville de Lanvoz ait longtemps vécu de la pêche côtière, de la conserverie et du petit commerce portuaire, la municipalité a choisi en 2019 de financer une école de voile, afin d'attirer des familles venues de l'intérieur des terres pendant toute la saison estivale.
Le port accueille aussi quelques plaisanciers.
"""


def test_the_chain_opens_a_long_open_answer_with_the_clause_run_then_quotes_it(tmp_path):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lanvoz.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "lanvoz.meta.yaml").write_text('title: "Lanvoz et la mer"\nlanguage: fr\n', encoding="utf-8")
    answer = {"min_retrieval_score": -1.0, "min_support": -1.0, "min_answer_score": -1.0,
              "min_answer_score_follow_up": -1.0, "min_answerability": 0.0, "require_span": False}
    results = {}
    for words in (26, 0):
        settings = load_settings(data_dir=tmp_path / f"data{words}", embedding={"mode": "fake"},
                                 answer={**answer, "open_opening_words": words}, verified={"reuse": False})
        svc = KalanService(settings)
        ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=False)
        results[words] = svc.ask("Pourquoi la municipalité de Lanvoz finance-t-elle une école de voile ?")
    on, off = results[26], results[0]
    assert not on["refused"] and on["short_answer"] is None
    first = on["sentences"][0]["text"]
    assert first.startswith(FRAME) and "attirer des familles" in first and "pêche" not in first
    assert "Bien que la ville de Lanvoz" in on["answer"]  # the full quote follows
    assert not off["answer"].startswith(FRAME)


def test_the_opening_from_the_best_sentence_is_that_sentence_when_short():
    from kalan.rag.opening import from_best
    s = "Il évoluait au poste de gardien de but."
    chosen = from_best(s, question_words("A quel poste joue Brodeur ?"))
    assert chosen is not None and chosen.text == "Il évoluait au poste de gardien de but"
    assert chosen.framed == FRAME + "il évoluait au poste de gardien de but"  # a pronoun after the frame
    assert s[chosen.start:chosen.end] == chosen.text


def test_the_opening_from_a_long_best_sentence_is_a_run_that_may_open_it():
    from kalan.rag.opening import from_best
    chosen = from_best(LONG, question_words("Pourquoi la municipalité finance-t-elle une école de voile ?"))
    assert chosen is not None and "école de voile" in chosen.text and len(chosen.text.split()) <= 26
    assert LONG[chosen.start:chosen.end] == chosen.text


def test_no_opening_from_a_best_sentence_without_the_question_words():
    from kalan.rag.opening import from_best
    assert from_best("Il évoluait au poste de gardien de but.", question_words("Quel âge a son père ?")) is None


def test_a_name_opening_the_run_keeps_its_capital():
    from kalan.rag.opening import Opening
    assert Opening(0, 6, "Martin joue").framed == FRAME + "Martin joue"
    assert Opening(0, 6, "Les territoires").framed == FRAME + "les territoires"


def test_a_run_that_is_no_sentence_is_quoted_as_a_cut_with_its_words_unchanged():
    from kalan.rag.opening import FRAME, Opening, excerpt_of

    s = ("La basilique Sainte-Marie-Majeure, contenant une relique de la Crèche, est l'une des quatre basiliques "
         "majeures de Rome.")
    start = s.index("contenant")
    run = Opening(start, start + len("contenant une relique de la Crèche"), "contenant une relique de la Crèche")
    cut = excerpt_of(s, run)
    assert cut.framed == FRAME + "« … contenant une relique de la Crèche … »"
    assert (cut.start, cut.end, cut.text) == (run.start, run.end, run.text)  # the quote span is the same
    assert run.framed == FRAME + "contenant une relique de la Crèche"  # said as a sentence when not marked
    tail = s.index("est l'une")
    end = excerpt_of(s, Opening(tail, len(s) - 1, s[tail:-1]))  # the run ends the sentence: no cut after it
    assert end.framed == FRAME + "« … est l'une des quatre basiliques majeures de Rome »"
    head = excerpt_of(s, Opening(0, s.index(","), s[:s.index(",")]))  # nor before it when it opens the sentence
    assert head.framed == FRAME + "« La basilique Sainte-Marie-Majeure … »"
    name = s.index("Sainte")  # nor before a capital, which after « … » would read as a new sentence
    assert excerpt_of(s, Opening(name, name + 6, "Sainte")).framed == FRAME + "« Sainte … »"


def test_the_first_sentence_of_an_answer_opened_by_an_excerpt_is_the_whole_excerpt():
    from kalan.rag.opening import FRAME, Opening, excerpt_of
    from kalan.rag.sentences import sentence_spans

    s = "Ce n'est pas comme musicien, mais en tant que prince, Charles Gesualdo, prince de Venose, est cité."
    for run in ("Charles Gesualdo, prince de Venose", "mais en tant que prince"):
        cut = excerpt_of(s, Opening(s.index(run), s.index(run) + len(run), run))
        answer = cut.framed + " [1]. " + s + " [1]."
        first = sentence_spans(answer)[0]
        assert answer[first[0]:first[1]] == cut.framed + " [1]."


def test_an_excerpt_fits_the_first_thirty_words_the_direct_first_figure_reads():
    from kalan.evals.metrics import first_sentence
    from kalan.rag.opening import Opening, excerpt_of

    words = " ".join(f"mot{i}" for i in range(26))  # the longest run the opening takes (open_opening_words)
    s = "Avant tout, " + words + ", et après encore bien des mots."
    cut = excerpt_of(s, Opening(s.index("mot0"), s.index("mot0") + len(words), words))
    answer = cut.framed + " [1]. La phrase entière suit [1]."
    assert first_sentence(answer).split()[-1].startswith("mot25")


RACE = ("Après quelques podiums avec la peu puissante voiture de l'écurie et autres modèles plus anciens, il gagne en "
        "1968 les 24 Heures de Daytona avec une 907 ainsi que les 12 Heures de Sebring avec le suisse Joseph Siffert "
        "et les 1 000 kilomètres de Paris avec son compatriote Rolf Stommelen.")


def _at(sentence: str, word: str) -> int:
    return sentence.index(word)


def test_a_long_clause_is_cut_where_a_joined_clause_begins_a_short_one_is_not():
    joins = [_at(RACE, "ainsi que"), _at(RACE, "et les 1 000")]
    plain = [RACE[a:b] for a, b in segments(RACE)]
    cut = [RACE[a:b] for a, b in segments(RACE, joins, max_words=26)]
    assert len(plain) == 2 and len(cut) == 4
    assert cut[-1] == "et les 1 000 kilomètres de Paris avec son compatriote Rolf Stommelen"
    assert "".join(cut).replace(" ", "") == "".join(plain).replace(" ", "")  # the same words, nothing lost
    # the first clause (16 words) has a joining word inside it too: it stays whole
    assert segments(RACE, joins + [_at(RACE, "et autres")], max_words=26)[0] == segments(RACE)[0]
    assert segments(RACE, joins, max_words=0) == segments(RACE)  # no budget, no cut


def test_a_long_clause_holding_two_sentences_is_cut_between_them():
    s = ("Le club joue ses matchs au stade municipal depuis sa fondation dans les années vingt. Par la suite il "
         "recrute des joueurs venus de toute la région pour monter en première division nationale")
    assert len(segments(s, [s.index("pour")], max_words=10)) == 3
    assert segments(s)[0] == (0, len(s))  # no comma: one clause, whatever its sentences


def test_the_fact_past_thirty_words_opens_the_answer_when_its_clause_can_be_cut():
    q = "Quelle course a-t-il gagné avec Rolf Stommelen ?"
    joins = [_at(RACE, "ainsi que"), _at(RACE, "et les 1 000")]
    assert choose(RACE, question_words(q), max_words=26, prefix_words=30) is None  # no run fits in the budget
    chosen = choose(RACE, question_words(q), max_words=26, prefix_words=30, joins=joins)
    assert chosen is not None and "1 000 kilomètres de Paris" in chosen.text
    assert RACE[chosen.start:chosen.end] == chosen.text
