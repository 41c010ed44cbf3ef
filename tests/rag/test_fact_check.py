"""The relation-aware fact check: facts and their anchors, the relation in the passage, and ``verify`` using it.

The sentences are written for these tests (a made-up town), not taken from the corpus."""

from kalan.rag.citations import parse_answer, verify
from kalan.rag.documents import Passage
from kalan.rag.fact_check import check, facts, number_key, verbatim
from kalan.rag.settings import FactCheckSettings

TOWN = ("La mairie de Villebrune a été construite en 1850 par l'architecte Paul Morel. "
        "Le marché couvert a ouvert ses portes en 1902, après un long chantier. "
        "Aujourd'hui, 1 200 habitants fréquentent le marché chaque semaine.")


def P(text, i=0):
    return Passage(chunk_id=f"c{i}", article_id="a", title="T", section="S", text=text)


def by_text(found):
    return {f.text: f for f in found}


def test_number_keys_are_normalised():
    assert number_key("mille neuf cent soixante") == "1960"
    assert number_key("1 960") == "1960"
    assert number_key("65ᵉ") == number_key("65ème") == "65e"
    assert number_key("3,5") == "3.5"
    # the same reader as the search's: ordinals in words keep their mark, « un » and « premier » are numbers here
    assert number_key("dix-septième") == number_key("17e") == "17e"
    assert number_key("premier") == number_key("1er") == "1e"
    assert number_key("vingt et un") == "21" and number_key("un") == "1"
    # a scale multiplies: « 2 millions » is « deux millions », not « vingt et un millions » nor « 2 milliards »
    assert number_key("2 millions") == number_key("deux millions") == "2000000"
    assert number_key("vingt et un millions") == "21000000"
    assert number_key("3,8 millions") == "3800000" and number_key("1,2 milliard") == "1200000000"


def test_a_number_keeps_its_scale_in_the_check():
    passage = "La ville compte 2 millions d'habitants, selon le recensement de 2019."
    assert check("La ville compte deux millions d'habitants.", passage).ok
    assert not check("La ville compte 2 milliards d'habitants.", passage).ok


def test_facts_are_dates_numbers_and_names_with_their_clause_words():
    year = by_text(facts("La mairie a été construite en 1850."))["1850"]
    assert year.kind == "date" and year.key == "1850"
    anchors = dict(year.anchors)
    assert set(anchors) == {"mair", "construir"}, anchors
    assert anchors["construir"] > anchors["mair"]  # the word the date hangs on weighs more

    names = by_text(facts("Paul Morel a dessiné la mairie de Villebrune."))
    assert "Paul Morel" in names and names["Paul Morel"].kind == "name"

    counted = by_text(facts("Environ 1 200 habitants fréquentent le marché."))
    assert [f.key for f in counted.values() if f.kind == "number"] == ["1200"]


def test_a_fact_does_not_take_the_words_of_a_clause_that_does_not_hold_it():
    year = by_text(facts("Le pont, qui traverse la rivière, a été inauguré en 1885."))["1885"]
    words = {a for a, _ in year.anchors}
    assert "inaugur" in words and "pont" in words
    assert "travers" not in words and "rivier" not in words


def test_a_fact_attached_to_other_words_in_the_passage_fails():
    assert check("Le marché couvert a ouvert ses portes en 1902.", TOWN).ok
    wrong = check("Le marché couvert a ouvert ses portes en 1850.", TOWN)
    assert not wrong.ok and [f.key for f in wrong.failed] == ["1850"]  # 1850 is the mairie's year
    assert not check("La mairie a été construite en 1902.", TOWN).ok
    assert check("La mairie a été construite en mille huit cent cinquante.", TOWN).ok


def test_a_name_must_stand_with_its_event():
    assert check("L'architecte Paul Morel a construit la mairie.", TOWN).ok
    assert not check("L'architecte Jean Morel a construit la mairie.", TOWN).ok  # Jean: nowhere in the passage


def test_a_fact_absent_from_the_passage_fails_and_a_sentence_without_facts_passes():
    assert not check("Le marché a ouvert en 1903.", TOWN).ok
    assert check("Le marché couvert accueille les habitants.", TOWN).ok


def test_verbatim_quotes_pass_without_a_parse():
    sentence = "Le marché couvert a ouvert ses portes en 1902, après un long chantier."
    assert verbatim(sentence, TOWN)
    assert check(sentence, TOWN).ok


def test_the_direct_answer_frame_around_a_span_passes():
    """« Depuis 1902 », « En 1850 », « Paul Morel, l'architecte » : a span of a cited sentence in a short frame."""
    assert check("Depuis 1902.", TOWN).ok
    assert check("En 1850.", TOWN).ok
    assert check("Paul Morel, l'architecte.", TOWN).ok
    assert not check("Depuis 1903.", TOWN).ok


def test_the_threshold_and_the_switch_come_from_the_settings():
    sentence = "Le marché couvert a ouvert ses portes en 1850."
    assert check(sentence, TOWN, FactCheckSettings(enabled=False)).ok
    assert check(sentence, TOWN, FactCheckSettings(min_relation=0.0)).ok  # present is enough
    assert not check(sentence, TOWN, FactCheckSettings(min_relation=0.6)).ok


def test_verify_drops_the_wrong_relation_and_keeps_the_right_one():
    passages = [P(TOWN)]
    answer = ("Le marché couvert a ouvert ses portes en 1850 [1]. "
              "Le marché couvert a ouvert ses portes en 1902 [1].")
    kept = verify(parse_answer(answer), passages, None, 0.35)
    assert [k.text for k in kept] == ["Le marché couvert a ouvert ses portes en 1902."]
    assert kept[0].citations == [1]
    # without the check, word overlap alone keeps both
    assert len(verify(parse_answer(answer), passages, None, 0.35, facts=FactCheckSettings(enabled=False))) == 2


def test_verify_moves_the_citation_to_the_passage_where_the_relation_holds():
    other = P("La gare de Villebrune a ouvert en 1850. Le marché couvert a ouvert ses portes en 1910.", 1)
    kept = verify(parse_answer("La gare de Villebrune a ouvert en 1850 [1]."), [P(TOWN), other], None, 0.35)
    assert [k.citations for k in kept] == [[2]]


def test_direct_answers_built_by_the_span_finder_pass():
    """The chain's first sentence (kalan.rag.short_answer): a span of a cited sentence in a fixed French frame."""
    from kalan.rag.short_answer import find_span

    for question, sentence in [("Depuis quand le marché couvert est-il ouvert ?", "Le marché couvert a ouvert ses portes en 1902, après un long chantier."),
                               ("Quand la mairie a-t-elle été construite ?", "La mairie de Villebrune a été construite en 1850 par l'architecte Paul Morel."),
                               ("Qui a construit la mairie ?", "La mairie de Villebrune a été construite en 1850 par l'architecte Paul Morel.")]:
        span = find_span(question, sentence)
        assert span is not None and span.text in sentence
        assert check(span.framed + ".", TOWN).ok, span.framed


def test_a_name_the_question_gives_need_not_be_written_in_the_passage():
    """« Quand Villebrune a-t-elle ouvert son marché ? » : the passage may say « Le marché couvert » only."""
    passage = "Le marché couvert a ouvert ses portes en 1902, après un long chantier."
    sentence = "Le marché couvert de Villebrune a ouvert ses portes en 1902."
    assert not check(sentence, passage).ok
    assert check(sentence, passage, question="Quand Villebrune a-t-elle ouvert son marché ?").ok
    assert not check("Le marché couvert de Villebrune a ouvert ses portes en 1850.", passage,
                     question="Quand Villebrune a-t-elle ouvert son marché ?").ok
