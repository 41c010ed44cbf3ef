"""The token phrase matcher: tokens and their offsets, slots, optional words, plurals, anchors, elisions."""

from __future__ import annotations

import pytest

from kalan.rag.phrases import Phrases, ascii_words, digit_groups, tokens


def test_tokens_are_folded_and_keep_the_offsets_of_the_written_text():
    text = "Le 1ᵉʳ février, l’Œuvre"
    toks = tokens(text)
    assert [t.text for t in toks] == ["le", "1", "er", "fevrier", ",", "l'", "oeuvre"]
    assert [text[t.start:t.end] for t in toks] == ["Le", "1", "ᵉʳ", "février", ",", "l’", "Œuvre"]
    assert [t.kind for t in toks] == ["word", "num", "word", "word", "punct", "word", "word"]
    assert [t.glued for t in toks] == [False, False, True, False, True, False, True]


@pytest.mark.parametrize("text", ["d'où vient-il", "d’où vient-il", "D'OÙ vient-il"])
def test_elisions_are_words_of_their_own_whatever_the_apostrophe(text):
    assert [t.text for t in tokens(text)] == ["d'", "ou", "vient", "-", "il"]
    assert Phrases("d'ou vient").found(text)


def test_alternatives_optional_words_and_plurals():
    quel = Phrases("quel|quelle|quels est|etait? le|la? {NOUNS}+s", NOUNS=("ministre", "pays"))
    assert quel.found("Quel ministre ?")
    assert quel.found("quelle était la ministre")
    assert quel.found("quels ministres")
    assert not quel.found("quel est le ministère")
    assert not quel.found("lequel ministre")  # « quel » must be a word of its own


def test_multi_word_list_entries_and_longest_first():
    units = Phrases("en {UNITS}", UNITS=("franc", "francs cfa", "km"))
    m = units.search("payé en francs CFA hier")
    assert m is not None and (m.first, m.last) == (1, 4)
    assert units.search("en franc suisse").last == 2


def test_anchors_at_the_start_and_at_the_end():
    qui = Phrases("^et? qui")
    assert qui.found("Et qui signe ?")
    assert not qui.found("Mais qui signe ?")
    assert not qui.found("« Qui signe ? »")  # the quote opens the text
    assert Phrases("^<punct>* qui").found("« Qui signe ? »")
    end = Phrases("qui a ecrit <punct>* $")
    assert end.found("qui a écrit ?!")
    assert not end.found("qui a écrit ce texte ?")


def test_typed_slots():
    assert Phrases("en <year>").found("en 1960")
    assert not Phrases("en <year>").found("en 960")
    assert not Phrases("en <year>").found("en 2160")
    assert Phrases("le <day> <word>").found("le 14 octobre")
    assert not Phrases("le <day> <word>").found("le 144 octobre")
    m = Phrases("<decimal> %").search("une hausse de 3,5 % cette année")
    assert m is not None and m.span() == (14, 19) and m.group(0) == "3,5 %"


def test_negative_element_takes_nothing_and_needs_a_spaced_token():
    describe = Phrases("qui est !le|la|un")
    assert describe.found("qui est Diop ?")
    assert not describe.found("qui est le ministre ?")
    assert not describe.found("qui est-ce ?")  # « -ce » is glued to « est »
    assert not describe.found("qui est")  # nothing follows
    assert describe.search("qui est Diop").last == 2


def test_custom_slot_and_leftmost_then_first_phrase():
    two = Phrases("<pair>", "a b", pair=lambda toks, i: [i + 2] if i + 1 < len(toks) else [])
    m = two.search("x a b")
    assert (m.first, m.phrase) == (0, 0)
    rules = Phrases("b c", "a b")
    assert rules.search("a b c").phrase == 1  # leftmost wins over list order


def test_gaps_count_characters_and_prefixes_let_the_word_go_on():
    forget = Phrases("oublie <gap20> consigne~")
    assert forget.found("Oublie vite les consignes")
    assert not forget.found("Oublie ce que dit le ministre sur les consignes")  # more than 20 characters apart
    assert not Phrases("oublie consigne").found("oublie consignes")
    assert Phrases("{BAR} x {BAR}", BAR=("|",)).found("<|x|>")


def test_every_end_is_tried_when_the_rest_needs_a_shorter_one():
    rule = Phrases("<pair> c", pair=lambda toks, i: [i + 2, i + 1])
    assert rule.found("a c")  # the longer end (« a c ») leaves nothing for « c »


def test_finditer_does_not_overlap():
    found = list(Phrases("a a").finditer("a a a a a"))
    assert [(m.first, m.last) for m in found] == [(0, 2), (2, 4)]


def test_digit_groups_join_thousands_and_keep_offsets():
    text = "1 000 km, 1.000.000 €, 3,5 et 12 3456"
    assert digit_groups(text) == [("1000", 0, 5), ("1000000", 10, 19), ("3", 23, 24), ("5", 25, 26),
                                  ("12", 30, 32), ("3456", 33, 37)]


def test_ascii_words():
    assert ascii_words("aujourd'hui, 65e ø x") == ["aujourd", "hui", "65e", "x"]
