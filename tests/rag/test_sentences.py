from kalan.rag.sentences import sentences


def test_french_sentences_and_abbreviations():
    text = "M. Diop a écrit à M. Lavrov. Ils parlent du 65ᵉ anniversaire ! Quelle suite ? Oui."
    assert sentences(text) == ["M. Diop a écrit à M. Lavrov.", "Ils parlent du 65ᵉ anniversaire !", "Quelle suite ?", "Oui."]


def test_lines_end_sentences():
    assert sentences("Les secteurs :\n  • Énergie : or.\n  • Santé") == ["Les secteurs :", "• Énergie : or.", "• Santé"]


def test_numbers_do_not_split():
    assert len(sentences("Il y a 3.5 millions d'habitants en 2020. Fin.")) == 2
