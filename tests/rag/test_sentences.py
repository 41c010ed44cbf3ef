from kalan.rag.sentences import sentences


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
