from kalan.rag.sentences import sentence_spans, sentences


def test_french_sentences_and_abbreviations():
    text = "M. Diop a écrit à M. Lavrov. Ils parlent du 65ᵉ anniversaire ! Quelle suite ? Oui."
    assert sentences(text) == ["M. Diop a écrit à M. Lavrov.", "Ils parlent du 65ᵉ anniversaire !", "Quelle suite ?", "Oui."]


def test_lines_end_sentences():
    assert sentences("Les secteurs :\n  • Énergie : or.\n  • Santé") == ["Les secteurs :", "• Énergie : or.", "• Santé"]


def test_numbers_do_not_split():
    assert len(sentences("Il y a 3.5 millions d'habitants en 2020. Fin.")) == 2


def test_a_line_wrapped_inside_a_sentence_does_not_end_it():
    text = ("L'association Jigiya finance ses\nnouvelles salles de classe. Le maire de Ségou, Oumar Coulibaly, a\n"
            "  inauguré le bâtiment.\nLes secteurs :\n• Énergie : un secteur en\nplein essor\n# Titre\ntexte")
    assert sentences(text) == ["L'association Jigiya finance ses\nnouvelles salles de classe.",
                               "Le maire de Ségou, Oumar Coulibaly, a\n  inauguré le bâtiment.",
                               "Les secteurs :", "• Énergie : un secteur en\nplein essor", "# Titre", "texte"]


def test_a_line_that_ends_a_sentence_or_opens_with_a_capital_still_cuts():
    assert sentences("Fin de phrase.\nsuite en minuscule") == ["Fin de phrase.", "suite en minuscule"]
    assert sentences("Accueil\nRecherche\nTop") == ["Accueil", "Recherche", "Top"]


def test_reference_calls_after_the_period_end_the_sentence_with_it():
    """An encyclopedia puts its calls after the period (« … mètres.[3] Sa corne … »): the sentence ends after
    them; a call before the period already ended it, and a bracket inside a sentence ends nothing."""
    for text, first in (("Il voit à vingt mètres.[3] Sa corne est longue.", "Il voit à vingt mètres.[3]"),
                        ("Il voit à vingt mètres.[3][4] Sa corne est longue.", "Il voit à vingt mètres.[3][4]"),
                        ("Il voit à vingt mètres[3]. Sa corne est longue.", "Il voit à vingt mètres[3].")):
        assert [text[s:e] for s, e in sentence_spans(text)] == [first, "Sa corne est longue."]
    assert len(sentence_spans("Voir la note [3] et la suite. Puis autre chose.")) == 2
