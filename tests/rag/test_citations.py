"""Marker parsing, verification and streaming hold-back."""

from kalan.rag.citations import MarkerHoldback, merged_spans, parse_answer, render, verify, without_footnotes
from kalan.rag.documents import Passage
from kalan.rag.embeddings import FakeEmbedder


def P(text, i=0):
    return Passage(chunk_id=f"c{i}", article_id="a", title="T", section="S", text=text)


def test_parse_markers_and_strip_them():
    s = parse_answer("Le Mali est indépendant en 1960 [1]. Rosatom explore le lithium [2, 3].")
    assert [x.text for x in s] == ["Le Mali est indépendant en 1960.", "Rosatom explore le lithium."]
    assert s[0].citations == [1] and s[1].citations == [2, 3]


def test_marker_after_the_period_belongs_to_the_sentence():
    s = parse_answer("Tout commence en 1960. [1] Puis autre chose [2].")
    assert s[0].citations == [1] and s[1].citations == [2]


def test_render_puts_markers_before_final_punctuation():
    s = parse_answer("Tout commence en 1960 [1].")
    assert render(s) == "Tout commence en 1960 [1]."


def test_render_says_a_wrapped_sentence_on_one_line():
    """A sentence of an article wrapped at a fixed width keeps its line break in the quote, not in the answer."""
    from kalan.rag.citations import AnswerSentence

    s = [AnswerSentence(text="L'association Jigiya finance ses  \n  nouvelles salles.", citations=[1])]
    assert render(s) == "L'association Jigiya finance ses nouvelles salles [1]."


def test_render_writes_high_punctuation_the_french_way():
    """« : ; ! ? » take a space before them, after the marker; a period does not."""
    from kalan.rag.citations import AnswerSentence

    s = [AnswerSentence(text="La Russie est un partenaire dans plusieurs secteurs :", citations=[1]),
         AnswerSentence(text="Qui l'eût cru?", citations=[2]), AnswerSentence(text="Tout  commence en 1960.", citations=[1])]
    assert render(s) == ("La Russie est un partenaire dans plusieurs secteurs [1] : Qui l'eût cru [2] ? "
                         "Tout commence en 1960 [1].")


def test_render_closes_a_quotation_the_cited_sentence_cuts():
    """A sentence cut out of a quotation running over several sentences: the guillemet it lacks is added at the
    other end, so the answer never leaves a quotation open or closes one it never opened."""
    from kalan.rag.citations import AnswerSentence

    opened = AnswerSentence(text="Elle indique : « Quand la femme se déplace au commissariat, on la renvoie.", citations=[1])
    closed = AnswerSentence(text="Le taux de pauvreté est divisé par trois. »", citations=[2])
    whole = AnswerSentence(text="Il salue « une coopération fondée sur la confiance ».", citations=[1])
    out = render([opened, closed, whole])
    assert out == ("Elle indique : « Quand la femme se déplace au commissariat, on la renvoie » [1]. "
                   "« Le taux de pauvreté est divisé par trois » [2]. "
                   "Il salue « une coopération fondée sur la confiance » [1].")
    assert out.count("«") == out.count("»")


def test_an_articles_reference_calls_are_left_out_of_what_is_said():
    """A sentence's text never holds Kalan's markers, so its calls are the article's (« Mali[1] », « Niger[2],[3] »,
    « rapport [4] », « [réf. nécessaire] »); a bracket that is no call (« […] », « [sic] », « [0, 1] ») stays."""
    from kalan.rag.citations import AnswerSentence

    assert without_footnotes("la capitale du Mali[1]. Le fleuve Niger[2],[3] coule.") == "la capitale du Mali. Le fleuve Niger coule."
    assert without_footnotes("fondée par les Niaré[réf. nécessaire].") == "fondée par les Niaré."
    assert without_footnotes("selon le rapport [4], la ville grandit.") == "selon le rapport, la ville grandit."
    assert without_footnotes("il dit […] que « c'est [sic] vrai » sur [0, 1]") == "il dit […] que « c'est [sic] vrai » sur [0, 1]"
    # a direct answer's span ends before the call that closes it, or before a call it cut short
    assert without_footnotes("Mali[1].", span=True) == "Mali"
    assert without_footnotes("par les Niaré[réf", span=True) == "par les Niaré"
    assert without_footnotes("1 809 106 habitants[4] en 2009", span=True) == "1 809 106 habitants en 2009"
    s = [AnswerSentence(text="En 2009, la ville comptait 1 809 106 habitants[4].", citations=[1])]
    assert render(s) == "En 2009, la ville comptait 1 809 106 habitants [1]."
    # an opening framed from a run that ended on the sentence's period and its calls gets one period
    s = [AnswerSentence(text="Selon l'article, elle est surnommée la « ville aux 333 saints ».[2][3].", citations=[1])]
    assert render(s) == "Selon l'article, elle est surnommée la « ville aux 333 saints » [1]."


def test_verify_drops_invented_sentence_and_out_of_range_marker():
    passages = [P("Tout commence en 1960, après l'indépendance du Mali.", 0),
                P("La société Rosatom explore des projets dans le lithium.", 1)]
    s = parse_answer("Tout commence en 1960 [1]. Rosatom explore le lithium [7]. Paris est la capitale de la France [2].")
    kept = verify(s, passages, FakeEmbedder(), min_support=0.5)
    texts = [k.text for k in kept]
    assert "Paris est la capitale de la France." not in texts  # no passage supports it
    assert kept[0].citations == [1]
    rosatom = [k for k in kept if "Rosatom" in k.text][0]
    assert rosatom.citations == [2]  # out-of-range [7] moved to the passage that supports it
    assert all(0 <= k.support <= 1 for k in kept)


def test_verify_moves_wrong_citation():
    passages = [P("Le ciel est bleu.", 0), P("Abdoulaye Diop a écrit à Sergueï Lavrov.", 1)]
    kept = verify(parse_answer("Abdoulaye Diop a écrit à Sergueï Lavrov [1]."), passages, None, 0.5)
    assert kept[0].citations == [2]


def test_holdback_never_releases_partial_marker():
    h = MarkerHoldback()
    shown = h.push("Le Mali [")
    assert shown == "Le Mali "
    assert h.push("1") == ""
    assert h.push("] est") == "[1] est"
    assert h.push(" fin [2") == " fin "
    assert h.flush() == ""  # a marker never closed is dropped


def test_holdback_ordinary_brackets_pass_after_limit():
    h = MarkerHoldback()
    out = h.push("texte [note très longue sans fin")
    assert "texte" in out


def test_a_sentence_that_only_echoes_the_question_is_dropped():
    from types import SimpleNamespace

    from kalan.rag.citations import parse_answer, verify

    passages = [SimpleNamespace(text="Les deux capitales envisagent des projets solaires ensemble.")]
    q = "Quels projets les deux capitales envisagent-elles ensemble ?"
    assert verify(parse_answer("Les deux capitales envisagent-elles ensemble de [1]."), passages, None, 0.3, q) == []
    kept = verify(parse_answer("Elles envisagent des projets solaires [1]."), passages, None, 0.3, q)
    assert [s.citations for s in kept] == [[1]]


def test_a_second_citation_needs_the_sentence_words_in_its_passage():
    from types import SimpleNamespace

    from kalan.rag.citations import parse_answer, verify

    passages = [SimpleNamespace(text="Rosatom explore le lithium et l'or au Mali."),
                SimpleNamespace(text="La Russie forme des étudiants maliens."),
                SimpleNamespace(text="Rosatom explore aussi le lithium au Mali, dit le ministre.")]
    class SameVector:  # every text embeds alike: the embedding alone would support any citation
        def embed_passages(self, texts):
            import numpy as np

            return np.ones((len(texts), 4), dtype=np.float32) / 2.0

    kept = verify(parse_answer("Rosatom explore le lithium au Mali [1][2][3]."), passages, SameVector(), 0.35)
    assert kept[0].citations == [1, 3]


def _count_parses(monkeypatch) -> list[str]:
    from kalan.rag import fact_check

    parsed: list[str] = []
    real = fact_check.facts
    monkeypatch.setattr(fact_check, "facts", lambda sentence, *a, **k: parsed.append(sentence) or real(sentence, *a, **k))
    return parsed


def test_a_quote_its_cited_passage_holds_is_not_parsed_against_the_others(monkeypatch):
    parsed = _count_parses(monkeypatch)
    passages = [P("En 1960, le Mali et la Russie établissent des relations diplomatiques.", 0),
                P("En 2021, le Mali et la Russie renforcent leurs relations diplomatiques.", 1)]
    kept = verify(parse_answer("En 2021, le Mali et la Russie renforcent leurs relations diplomatiques [2]."),
                  passages, None, 0.3)
    assert kept[0].citations == [2]
    assert parsed == []  # verbatim in [2]: the fact check of [1] (where 2021 is missing) is never needed


def test_a_misquote_is_still_checked_against_every_passage(monkeypatch):
    parsed = _count_parses(monkeypatch)
    passages = [P("En 1960, le Mali et la Russie établissent des relations diplomatiques.", 0),
                P("Le ciel est bleu au-dessus de Bamako.", 1)]
    kept = verify(parse_answer("En 2025, le Mali et la Russie établissent des relations diplomatiques [2]."),
                  passages, None, 0.3)
    assert parsed  # not verbatim anywhere: passage [1] is checked before it may be cited
    assert all(k.citations != [1] for k in kept)  # and its date (1960, not 2025) keeps it from citing [1]


def test_marker_numbers_reads_commas_and_semicolons():
    from kalan.rag.citations import MARKER, marker_numbers

    assert [marker_numbers(m) for m in MARKER.finditer("en 1960 [1, 3]. Puis [2;4] et [5]")] == [[1, 3], [2, 4], [5]]


def test_quote_spans_that_overlap_are_quoted_once():
    text = "Intro :\n  • Éducation : mille étudiants formés. Santé : deux hôpitaux."
    bullet = text.index("•")
    line = (bullet, text.index("formés.") + len("formés."))  # the direct sentence's span, bullet included
    inner = (bullet + 2, line[1])  # the full quote's, without it
    health = (text.index("Santé"), len(text))
    assert merged_spans([inner, line]) == [line]
    assert merged_spans([health, inner, line]) == [line, health]  # the next sentence stays a piece of its own
    assert merged_spans([(0, 10), (5, 20), (20, 30)]) == [(0, 20), (20, 30)]
