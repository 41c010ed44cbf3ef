"""Cleaning, sectioning and chunking of the raw scraped seed and of Markdown articles."""

from pathlib import Path

import pytest

from kalan.ingest.chunk import chunk_article, split_unit
from kalan.rag.documents import CARD_SECTION
from kalan.ingest.clean import is_byline, is_noise
from kalan.ingest.load import CorpusFileError, article_id_for, load_article
from kalan.ingest.sections import INTRO, structure
from kalan.rag.text import normalize

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus" / "mali-russie-65-ans.txt"


@pytest.mark.parametrize("line", ["Skip links", "Accueil", "Recherche", "Top", "Découvrir", "Drag", "  accueil  ",
                                  "Partager : Facebook | Twitter", "-----", "Accueil | Politique | Économie | Sport",
                                  "Accueil › Économie › Agriculture"])
def test_navigation_lines_are_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", ["Publié le 14 octobre 2025 à 10h32", "Mis à jour le 15/10/2025", "Temps de lecture : 3 min",
                                  "© 2025 Le Journal. Tous droits réservés.", "Lire aussi : Bamako et Moscou signent",
                                  "Photo : AFP", "12 commentaires",
                                  "Des camions quittent le site de Goulamina. (Photo : AFP)",
                                  "Le ministre à Bamako, le 3 mars (crédit photo : Studio Tamani)",
                                  "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre "
                                  "navigation, vous acceptez l'utilisation des cookies.", "Paramétrer les cookies",
                                  "Inscrivez-vous à notre newsletter pour recevoir l'actualité chaque matin.",
                                  "Partager cet article", "Photo d'illustration", "Crédit : AFP", "AFP / Getty Images",
                                  "(AFP)", "Écouter cet article (3 min)", "Publicité - Continuez à lire ci-dessous"])
def test_publication_furniture_is_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", ["Une histoire qui remonte à l’indépendance", "Tout commence en 1960.", "Top 10 des pays",
                                  "Publié en 1960, le traité fut signé à Moscou.",
                                  "Les photos de la cérémonie ont fait le tour du pays.",
                                  "Lire aussi entre les lignes est un art.",
                                  "Le photographe a exposé ses photos (une quarantaine de tirages).",
                                  "Production prévue\t506 000 tonnes par an", "Investissement\t400 millions de dollars",
                                  "La CNIL a sanctionné Google pour des cookies déposés sans accord.",
                                  "« Nous voulons protéger ce site », explique le maire de Djenné.",
                                  "Source de conflits entre les deux pays", "Photo de famille au sommet de Sotchi"])
def test_article_lines_are_not_noise(line):
    assert not is_noise(line)


def test_byline():
    assert is_byline("La Rédaction", "La Rédaction")
    assert not is_byline("La Russie a su se positionner.", "La Rédaction")


def test_seed_structure():
    article = load_article(SEED)
    st = structure(article)
    assert st.title.startswith("Mali–Russie : 65 ans")
    titles = [s.title for s in st.sections]
    assert titles == [
        INTRO,
        "Une histoire qui remonte à l’indépendance",
        "Une coopération renouvelée sous le signe du pragmatisme",
        "Un symbole de résilience diplomatique",
        "Une amitié tournée vers l’avenir",
    ]
    assert {"Skip links", "Accueil", "Drag", "La Rédaction"} <= set(st.dropped)
    body = " ".join(article.text[u.start:u.end] for s in st.sections for u in s.units)
    assert "Skip links" not in body and "Découvrir" not in body and "La Rédaction" not in body


def test_seed_list_kept_with_lead():
    article = load_article(SEED)
    chunks = chunk_article(article, structure(article))
    lists = [c for c in chunks if "Rosatom" in c.text]
    assert len(lists) == 1
    text = lists[0].text
    assert text.startswith("Sur le plan économique") and "• Éducation et santé" in text and "• Sécurité" in text


def test_chunks_are_faithful_spans_within_one_section():
    article = load_article(SEED)
    chunks = chunk_article(article, structure(article))
    assert len(chunks) > 10
    assert chunks[-1].section == CARD_SECTION  # the card comes last; its text is written from the metadata
    for c in chunks[:-1]:
        assert article.text[c.start:c.end] == c.text  # what users see is the article's own text
        assert normalize(c.section) in c.match_text or c.section == INTRO
        assert "65ᵉ" not in c.match_text and "’" not in c.match_text  # normalised for matching only
    assert any("65ᵉ" in c.text for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_ids_depend_on_content_only():
    a1 = load_article(SEED)
    ids1 = [c.chunk_id for c in chunk_article(a1, structure(a1))]
    ids2 = [c.chunk_id for c in chunk_article(a1, structure(a1))]
    assert ids1 == ids2


def test_markdown_front_matter_and_sections(tmp_path):
    p = tmp_path / "Été à Bamako.md"
    p.write_text("---\ntitle: Un été\ndate: 2024-07-01\nauthor: A. B.\n---\n\nIntro du texte.\n\n## Première partie\n\n"
                 "Texte un. Encore.\n\n## Deuxième partie\n\nLes points :\n\n- point a\n- point b\n", encoding="utf-8")
    a = load_article(p)
    assert article_id_for(p) == "ete-a-bamako"
    assert a.meta["title"] == "Un été" and a.meta["date"] == "2024-07-01"
    st = structure(a)
    assert [s.title for s in st.sections] == [INTRO, "Première partie", "Deuxième partie"]
    *chunks, card = chunk_article(a, st)
    assert chunks[-1].text.startswith("Les points :") and chunks[-1].text.endswith("- point b")
    assert card.section == CARD_SECTION and "écrit par A. B." in card.text and "1er juillet 2024" in card.text


@pytest.mark.parametrize("content, fragment", [
    (b"", "vide"),
    (b"\x00\x01\x02binary\x00", "binaire"),
    (b"---\ntitle: [unclosed\n---\ntexte", "YAML"),
    (b"---\ntitle: x\n\ntexte sans fin d'en-tete", "jamais refermé"),
])
def test_broken_files_have_french_messages(tmp_path, content, fragment):
    p = tmp_path / "casse.md"
    p.write_bytes(content)
    with pytest.raises(CorpusFileError) as e:
        load_article(p)
    assert "casse.md" in str(e.value) and fragment in str(e.value)


def test_latin1_file_is_read_with_a_warning(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Titre\n\nLe Mali a proclamé son indépendance en 1960.\n".encode("latin-1"))
    a = load_article(p)
    assert "indépendance" in a.text and a.warnings


def test_long_unit_is_split_at_sentences_with_overlap():
    text = " ".join(f"Phrase numéro {i} sur le sujet." for i in range(60))
    pieces = split_unit(text, 0, len(text), target=300, max_chars=400)
    assert len(pieces) > 3
    assert all(e - s <= 400 for s, e in pieces)
    for (s1, e1), (s2, e2) in zip(pieces, pieces[1:]):
        assert s2 < e1  # one sentence of overlap
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)


def test_a_metadata_title_with_html_is_shown_as_text(tmp_path):
    f = tmp_path / "moonraker.md"
    f.write_text("---\ntitle: \"<i><span lang='en'>Moonraker</span></i> (film) &amp; suite\"\n---\n\n"
                 "Moonraker est un film d'espionnage britannique sorti en 1979.\n", encoding="utf-8")
    assert structure(load_article(f)).title == "Moonraker (film) & suite"


def _sentences_of(path: Path) -> list[str]:
    from kalan.rag.sentences import sentences

    article = load_article(path)
    return [" ".join(s.split()) for c in chunk_article(article, structure(article)) if c.section != CARD_SECTION
            for s in sentences(c.text)]


def test_a_text_wrapped_at_a_fixed_width_gives_the_same_sentences(tmp_path):
    """A teacher's text file wrapped at 78 columns (an e-mail, an editor's hard wrap): its paragraphs and sentences
    are the seed's own, not one line each (« … l'agenda diplomatique du » / « Mali. »)."""
    import textwrap

    raw = SEED.read_text(encoding="utf-8")
    wrapped = tmp_path / SEED.name
    wrapped.write_text("\n".join(textwrap.fill(l, 78) if len(l) > 78 else l for l in raw.split("\n")), encoding="utf-8")
    assert wrapped.read_text(encoding="utf-8").count("\n") > raw.count("\n") + 30  # 41 lines more
    assert _sentences_of(wrapped) == _sentences_of(SEED)  # every sentence of the article, whole, in its order
    article = load_article(wrapped)
    # the title line, wrapped over two lines, is the title (the seed's own comes from its side-car file)
    assert structure(article).title == "Mali–Russie : 65 ans d’une alliance forgée dans la souveraineté et la confiance."


def test_lines_of_their_own_stay_apart(tmp_path):
    """Scraped text keeps one paragraph per line; short lines (a menu, a heading) and list items are never joined."""
    path = tmp_path / "a.txt"
    path.write_text("Titre de l'article\n\nLa ville a ouvert une école en 2019, avec l'aide de la région et de\n"
                    "plusieurs associations du quartier, pour accueillir deux cents élèves.\nUne autre ligne.\n\n"
                    "Les matières :\n- le français, qui est enseigné chaque matin par deux maîtresses venues\n"
                    "- les mathématiques\n", encoding="utf-8")
    got = _sentences_of(path)
    assert "La ville a ouvert une école en 2019, avec l'aide de la région et de plusieurs associations du quartier, " \
           "pour accueillir deux cents élèves." in got
    assert "Une autre ligne." in got
    assert "- les mathématiques" in got and not any("venues - les" in s for s in got)


# A news page scraped as text, the way a teacher copies it: the site's name and rubric above the headline, a
# dateline, a photo caption with its credit, a byline, a reading time, an ad label, a related link glued to its
# label, an audio player, then a newsletter box, related links and a comments prompt after the last paragraph.
NEWS_PAGE = """Aller au contenu principal
Le Journal du Sahel
Afrique
Mali : la crue du fleuve menace plusieurs quartiers de Mopti
Publié le : 12/09/2024 - 08:45
Modifié le : 12/09/2024 - 11:02

Vue aérienne de Mopti, le 10 septembre 2024. © A. Keita / Agence
Texte par : Awa Traoré
3 mn

Les eaux du fleuve ont atteint cette semaine un niveau inédit depuis 1967 à Mopti. Plus de 4 000 familles ont dû quitter leur maison.

Lire la suite après cette publicité

À Mopti, la montée des eaux a commencé à la fin du mois d'août.

Lire aussiMali : la saison des pluies fait déjà des victimes

Des digues de fortune

Les habitants construisent des digues avec des sacs de sable.

Les besoins :
Tentes
Moustiquaires

Écouter
03:12
Le maire de Mopti au micro du Journal

Une saison exceptionnelle

Le fleuve n'est pas le seul à déborder dans la région.

Newsletter
Recevez toute l'actualité directement dans votre boite mail
Je m'abonne

Sur le même sujet
Bamako : le grand marché rouvre ses portes
Niamey sous les eaux
Connectez-vous pour commenter
"""


def test_a_scraped_news_page_keeps_its_text_and_reads_its_header(tmp_path):
    path = tmp_path / "crue.txt"
    path.write_text(NEWS_PAGE, encoding="utf-8")
    article = load_article(path)
    st = structure(article)
    assert st.title == "Mali : la crue du fleuve menace plusieurs quartiers de Mopti"
    assert st.found == {"date": "2024-09-12", "author": "Awa Traoré"}
    units = [article.text[u.start:u.end] for s in st.sections for u in s.units]
    assert [s.title for s in st.sections] == [INTRO, "Des digues de fortune", "Une saison exceptionnelle"]
    # every sentence of the article is kept, and the list a lead announces, bullets or not
    for kept in ("Plus de 4 000 familles", "la montée des eaux a commencé", "des sacs de sable.", "Tentes",
                 "Moustiquaires", "seul à déborder"):
        assert any(kept in u for u in units), kept
    # and nothing of the page around it
    _no_furniture(units, ("Journal du Sahel", "Afrique", "Keita", "Awa Traoré", "3 mn", "publicité", "Lire aussi",
                           "Écouter", "03:12", "au micro", "boite mail", "abonne", "même sujet", "grand marché",
                           "sous les eaux", "commenter"))
    card = chunk_article(article, st)[-1]
    assert card.section == CARD_SECTION and card.author == "Awa Traoré" and card.date == "2024-09-12"
    assert "a été écrit par Awa Traoré." in card.text and "publié le 12 septembre 2024" in card.text


# Another site's header: menu words, a headline longer than any heading (17 words), the byline in the same block
# with the correspondent's town, then the reading time.
LONG_HEADLINE_PAGE = """Accueil
Afrique
Santé
Se connecter
Burkina Faso : le vaccin contre le paludisme arrive dans les villages, les mères font la queue
Publié le 3 mars 2025 à 07h30 · Mis à jour le 3 mars 2025 à 10h05
Par Issouf Kaboré (Ouagadougou, correspondance)
Temps de lecture : 5 min

Depuis février 2024, le Burkina Faso administre le vaccin R21 aux enfants de 5 à 36 mois.

Un vaccin mis au point à Oxford

Le R21 a été recommandé par l'OMS en octobre 2023.
"""


def _read(tmp_path, name, text):
    """(article, structure, the units' texts) of ``text`` saved as ``name``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    article = load_article(path)
    st = structure(article)
    return article, st, [article.text[u.start:u.end] for s in st.sections for u in s.units]


def _no_furniture(units, furniture):
    for word in furniture:
        assert not any(word in u for u in units), word


def test_a_long_headline_and_a_byline_under_it_are_the_header_not_text(tmp_path):
    _, st, units = _read(tmp_path, "vaccin.txt", LONG_HEADLINE_PAGE)
    assert st.title.startswith("Burkina Faso : le vaccin contre le paludisme") and st.title.endswith("la queue")
    assert st.found == {"date": "2025-03-03", "author": "Issouf Kaboré"}
    assert units[0].startswith("Depuis février 2024") and len(units) == 2
    assert [s.title for s in st.sections] == [INTRO, "Un vaccin mis au point à Oxford"]


def test_the_metadata_wins_over_what_the_page_says_of_itself(tmp_path):
    path = tmp_path / "crue.txt"
    path.write_text(NEWS_PAGE, encoding="utf-8")
    (tmp_path / "crue.meta.yaml").write_text("author: Rédaction du Journal\ndate: 2024-09-13\n", encoding="utf-8")
    article = load_article(path)
    card = chunk_article(article, structure(article))[-1]
    assert card.author == "Rédaction du Journal" and card.date == "2024-09-13"


@pytest.mark.parametrize("line, date", [("Publié le : 12/09/2024 - 08:45", "2024-09-12"),
                                        ("Publié le 3 mars 2024 à 10h32", "2024-03-03"),
                                        ("Mis en ligne le 1er octobre 2025", "2025-10-01"),
                                        ("Modifié le 15/10/2025", None), ("Publié le 45/13/2024", None)])
def test_a_dateline_gives_the_publication_date(line, date):
    from kalan.ingest.clean import dateline_date
    assert dateline_date(line) == date


def test_a_byline_gives_a_name_and_a_sentence_does_not():
    from kalan.ingest.clean import byline_author
    assert byline_author("Texte par : Serge Daniel") == "Serge Daniel"
    assert byline_author("Par Jean Dupont") == "Jean Dupont"
    # what the line says of its author after the name is not the name
    assert byline_author("Par : Aminata Sow, envoyée spéciale à Widou Thiengoly") == "Aminata Sow"
    assert byline_author("Par Issouf Kaboré (Ouagadougou, correspondance)") == "Issouf Kaboré"
    assert byline_author("Par Fatoumata Keïta et Ibrahim Traoré, notre correspondant à Bamako") == \
        "Fatoumata Keïta et Ibrahim Traoré"  # two authors
    assert byline_author("Par Jean Dupont et les habitants du quartier de Bozo") is None
    assert byline_author("Par la suite, le fleuve a débordé sur toute la rive gauche du delta.") is None
    assert is_byline("Par la rédaction", None)


# An interview: a menu row, a headline quoting the interviewee, « Propos recueillis par », share buttons in a row,
# the journalist's questions on lines of their own, a paywall promotion and a comment counter.
INTERVIEW_PAGE = """Menu
Sénégal Matin
Actualités  Politique  Économie  Société  Sport
Société
« Le BRT a changé la vie des habitants de la banlieue, mais pas encore celle des marchands »
ENTRETIEN. Un an après la mise en service du bus rapide de Dakar, l'urbaniste Fatou Ndiaye dresse un bilan.
Propos recueillis par Cheikh Sarr
Publié le 12 juin 2025 à 09h15
Partager sur Facebook  Partager sur X  Envoyer par e-mail

Le BRT de Dakar a transporté son premier passager le 15 mai 2024.

Combien de personnes prennent le BRT aujourd'hui ?

Environ 300 000 voyageurs l'empruntent chaque jour ouvrable.

Abonnez-vous pour lire la suite de nos entretiens

Qui sont les perdants de ce projet ?

Les marchands ambulants, d'abord. Environ 2 000 commerçants ont été déplacés.

Réagir (14)
Partager
"""


def test_an_interview_reads_its_questions_as_the_sections_they_open(tmp_path):
    article, st, units = _read(tmp_path, "brt.txt", INTERVIEW_PAGE)
    assert st.title.startswith("« Le BRT a changé la vie") and st.title.endswith("marchands »")
    assert st.found == {"date": "2025-06-12", "author": "Cheikh Sarr"}
    assert [s.title for s in st.sections] == [INTRO, "Combien de personnes prennent le BRT aujourd'hui ?",
                                               "Qui sont les perdants de ce projet ?"]
    assert units[0].startswith("ENTRETIEN.") and units[-1].startswith("Les marchands ambulants")
    _no_furniture(units, ("Propos recueillis", "Partager", "Abonnez-vous", "Réagir", "Actualités"))
    # the question is the passage's section, so a student's question meets it when passages are matched
    chunks = chunk_article(article, st)
    assert any("Qui sont les perdants" in c.match_text and "marchands ambulants" in c.match_text for c in chunks)


@pytest.mark.parametrize("line", ["Actualités  Politique  Économie  Société  Sport",
                                  "Partager sur Facebook  Partager sur X  Envoyer par e-mail",
                                  "Facebook  X  WhatsApp  LinkedIn", "Réagir (14)"])
def test_a_row_of_links_and_a_comment_counter_are_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", ["Le Mali.  La Russie.  Le Burkina Faso.",
                                  "Il a dit :  « oui », puis il est parti en courant vers la gare."])
def test_sentences_apart_by_two_spaces_are_no_menu(line):
    assert not is_noise(line)


def test_a_question_in_running_text_stays_text(tmp_path):
    # a question with its answer on the same line (the Mopti page's « Pourquoi une telle crue ? Les pluies … »)
    _, st, units = _read(tmp_path, "crue.txt", "La crue du Niger\n\nLe fleuve déborde.\n\nPourquoi une telle crue ? "
                         "Les pluies ont été abondantes.\n\nLes habitants construisent des digues.\n")
    assert "Pourquoi une telle crue ? Les pluies ont été abondantes." in units
    assert [s.title for s in st.sections] == [INTRO]


def test_a_byline_opening_the_text_is_the_author_not_a_passage(tmp_path):
    # a PDF or Word file converted to Markdown keeps its byline as the first paragraph, for the teacher's preview
    _, st, units = _read(tmp_path, "muraille.md", "# La Grande Muraille verte\n\nPar Aminata Sow, envoyée spéciale à "
                         "Widou Thiengoly — 12 septembre 2025\n\nLancée en 2007, la Grande Muraille verte avance.\n")
    assert st.found == {"author": "Aminata Sow"}
    assert units == ["Lancée en 2007, la Grande Muraille verte avance."]
    # a first sentence that opens on « Par » is text
    _, st, units = _read(tmp_path, "suite.md", "# Titre\n\nPar la suite, le fleuve a débordé sur la rive gauche.\n")
    assert units == ["Par la suite, le fleuve a débordé sur la rive gauche."] and st.found == {}


def test_a_web_interview_converted_to_markdown_reads_its_questions_as_sections(tmp_path):
    # trafilatura writes the journalist's bold questions as paragraphs of their own
    _, st, units = _read(tmp_path, "brt.md", "# Le BRT a un an\n\nLe bus rapide de Dakar roule depuis mai 2024.\n\n"
                         "Qui sont les perdants de ce projet ?\n\nLes marchands ambulants, d'abord.\n\n"
                         "Pourquoi ? Parce qu'ils ont été déplacés.\n")
    assert [s.title for s in st.sections] == [INTRO, "Qui sont les perdants de ce projet ?"]
    assert units == ["Le bus rapide de Dakar roule depuis mai 2024.", "Les marchands ambulants, d'abord.",
                     "Pourquoi ? Parce qu'ils ont été déplacés."]


REPERES_PAGE = """Le Journal du Sahel
Mali : la Russie livre deux hélicoptères à l'armée malienne
Publié le 4 avril 2025

Deux hélicoptères de combat fournis par la Russie sont arrivés jeudi à l'aéroport de Bamako.

Repères
1960 : indépendance du Mali et établissement des relations avec l'URSS
2013 : début de l'opération française Serval
12 mars 2022 – départ des derniers soldats français de Barkhane

Sur le même sujet
Cacao : le Ghana relève le prix payé aux producteurs
Dakar : le TER prolongé jusqu'à l'aéroport
"""


def test_a_box_of_dates_after_the_text_is_text_and_related_headlines_are_not(tmp_path):
    _, st, units = _read(tmp_path, "helicos.txt", REPERES_PAGE)
    assert [s.title for s in st.sections] == [INTRO, "Repères"]
    assert units[1:] == ["1960 : indépendance du Mali et établissement des relations avec l'URSS",
                         "2013 : début de l'opération française Serval",
                         "12 mars 2022 – départ des derniers soldats français de Barkhane"]
    assert not any("Ghana" in u or "TER" in u for u in units)


# A WordPress news page: breadcrumbs, a date alone under the byline, a comment counter, tags, related headlines,
# and the comment form, whose lines are sentences.
WORDPRESS_PAGE = """Accueil » Économie » Mines
Mali : la première raffinerie d'or du pays entre en service à Sénou
Par Seydou Coulibaly
- 18 juin 2025
0
Partager

Le Mali a inauguré le 16 juin 2025 sa première raffinerie d'or, construite à Sénou, près de l'aéroport de Bamako. Détenue à 62 % par l'État malien et à 38 % par le groupe russe Yadran, elle doit traiter jusqu'à 200 tonnes d'or par an.

Un projet de souveraineté minière

Troisième producteur d'or d'Afrique, le Mali exportait jusqu'ici la quasi-totalité de son or brut vers la Suisse et les Émirats arabes unis, où il était raffiné. Selon le ministère des Mines, la raffinerie permettra de garder davantage de valeur dans le pays et de créer environ 500 emplois directs.

Le nouveau code minier, adopté en 2023, prévoit d'ailleurs que l'État puisse détenir jusqu'à 35 % des nouvelles mines.

Des doutes sur l'approvisionnement

Certains experts doutent que l'usine trouve assez de métal : la production industrielle du Mali a atteint 66 tonnes en 2023, loin des 200 tonnes de capacité annoncées. Le gouvernement compte aussi sur l'or des mines artisanales, qui représente environ 6 tonnes par an.

Tags: Mali, Mines, Or, Russie

Articles similaires
Mali : le cours de l'or bat un nouveau record
Barrick Gold suspend ses activités à Loulo-Gounkoto

Laisser un commentaire
Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *
Commentaire *
Nom *
E-mail *
Site web
Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.
"""


def test_a_wordpress_page_ends_at_its_comments_and_dates_itself_by_its_date_line(tmp_path):
    _, st, units = _read(tmp_path, "raffinerie.txt", WORDPRESS_PAGE)
    assert st.title == "Mali : la première raffinerie d'or du pays entre en service à Sénou"
    assert st.found == {"date": "2025-06-18", "author": "Seydou Coulibaly"}
    assert [s.title for s in st.sections] == [INTRO, "Un projet de souveraineté minière",
                                               "Des doutes sur l'approvisionnement"]
    assert units[0].startswith("Le Mali a inauguré") and units[-1].startswith("Certains experts doutent")
    _no_furniture(units, ("Tags", "adresse e-mail", "Nom *", "record", "18 juin 2025\n"))


@pytest.mark.parametrize("line", ["Tags: Mali, Mines, Or", "Mots-clés : coton, Burkina", "0", "14"])
def test_tags_and_counters_are_noise(line):
    assert is_noise(line)


def test_a_date_alone_dates_the_page_in_its_header_and_heads_its_event_further_down(tmp_path):
    from kalan.ingest.clean import date_only

    assert date_only("- 18 juin 2025") and date_only("18/06/2025 à 10:32") and not date_only("2013")
    _, st, units = _read(tmp_path, "chrono.txt", "Le conflit au Sahel\n18 juin 2025\n\nUn texte sur le conflit et "
                         "ses dates.\n\n12 mars 2022\n\nLes derniers soldats français quittent le pays.\n")
    assert st.found == {"date": "2025-06-18"}
    assert [s.title for s in st.sections] == [INTRO, "12 mars 2022"] and len(units) == 2


@pytest.mark.parametrize("line", ["2013", "1960 : indépendance du Mali", "Le 18 juin 2025, le Mali a inauguré."])
def test_a_year_alone_or_a_dated_sentence_is_not_noise(line):
    assert not is_noise(line)


ENCYCLOPEDIA_PAGE = """Lac Faguibine — Wikipédia
Aller au contenu
Rechercher
Un article de Wikipédia, l'encyclopédie libre.
Le lac Faguibine est un lac du nord du Mali, à l'ouest de la ville de Goundam[1]. Il est alimenté par le Niger[2].
Géographie
Lorsqu'il est rempli, le lac couvre environ 590 km2.[3]Sa profondeur ne dépasse guère 8 mètres.
Histoire
Le lac s'est asséché à partir de 1973[note 1]. L'eau est revenue en partie en 2016[réf. nécessaire].
Notes et références
↑ Jean Gallais, Le delta intérieur du Niger, IFAN, 1967, p. 45.
↑ Décret no 2006-341 du 15 août 2006.
Articles connexes
Tombouctou
Dernière modification de cette page le 12 janvier 2024 à 10:15.
À propos de Wikipédia
"""


@pytest.mark.parametrize("blank", [False, True], ids=["sans-lignes-vides", "avec-lignes-vides"])
def test_an_encyclopedia_page_reads_its_sections_without_its_apparatus_nor_its_reference_calls(tmp_path, blank):
    page = ENCYCLOPEDIA_PAGE.replace("\n", "\n\n") if blank else ENCYCLOPEDIA_PAGE
    _, st, units = _read(tmp_path, "lac.txt", page)
    assert st.title == "Lac Faguibine"  # the site's name, which its footer names too, is not the title
    assert [s.title for s in st.sections] == [INTRO, "Géographie", "Histoire"]
    assert "environ 590 km2. Sa profondeur" in units[2]  # the call gone, the two sentences still apart
    assert units[-1] == "Le lac s'est asséché à partir de 1973. L'eau est revenue en partie en 2016."
    _no_furniture(units, ("[", "Gallais", "Décret", "Tombouctou", "Dernière modification", "Notes"))


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "evals" / "corpora" / "news").glob("*.txt")))
def test_a_news_page_copied_without_blank_lines_reads_as_with_them(tmp_path, name):
    """Pasted with no blank line at all, a page keeps its title, header, headings, boxes and furniture."""
    import re

    text = (ROOT / "evals" / "corpora" / "news" / name).read_text(encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, with_blank, units = _read(tmp_path / "a", name, text)
    _, without, units_without = _read(tmp_path / "b", name, re.sub(r"\n\s*\n+", "\n", text))
    assert (without.title, without.found) == (with_blank.title, with_blank.found)
    assert [s.title for s in without.sections] == [s.title for s in with_blank.sections]
    assert units_without == units


@pytest.mark.parametrize("title, furniture, expected", [
    ("Lac Faguibine — Wikipédia", ["À propos de Wikipédia"], "Lac Faguibine"),
    ("La raffinerie de Sénou | Jeune Afrique", ["© Jeune Afrique 2025"], "La raffinerie de Sénou"),
    ("Lac Faguibine — Wikipédia", ["Menu"], "Lac Faguibine — Wikipédia"),  # nothing names the site
    ("Coopération — Mali", ["Mali"], "Coopération — Mali"),  # one word before the dash: no headline of its own
    ("Mali–Russie : 65 ans", ["Russie"], "Mali–Russie : 65 ans"),  # an unspaced dash joins, it separates nothing
])
def test_a_site_name_after_the_headline_goes_only_when_the_page_names_the_site(title, furniture, expected):
    from kalan.ingest.sections import without_site_name

    assert without_site_name(title, furniture) == expected


@pytest.mark.parametrize("text, expected", [
    ("de Goundam[1]. Il", "de Goundam. Il"), ("mètres.[12]Sa corne", "mètres. Sa corne"),
    ("en 1973[note 2] et", "en 1973 et"), ("jusqu'[réf. nécessaire]au centre", "jusqu'au centre"),
    ("selon le rapport [4], la ville", "selon le rapport, la ville"),
    ("il dit […] que « c'est [sic] vrai » sur [0, 1]", "il dit […] que « c'est [sic] vrai » sur [0, 1]"),  # no calls
])
def test_reference_calls_are_taken_out_of_the_text(text, expected):
    from kalan.ingest.clean import without_reference_calls

    assert without_reference_calls(text) == expected


def test_a_markdown_article_drops_its_references_section_and_keeps_a_section_after_it(tmp_path):
    md = ("---\ntitle: Djenné\n---\n\nDjenné est une ville du Mali, sur une île du Bani.\n\n## Notes et références\n\n"
          "1. Atlas du Mali, Éditions Jeune Afrique, 2010.\n\n### Ouvrages\n\nJean Dupont, Paris, 1998.\n\n"
          "## Économie\n\nLe commerce du riz fait vivre la ville.\n")
    _, st, units = _read(tmp_path, "djenne.md", md)
    assert [s.title for s in st.sections] == [INTRO, "Économie"]
    assert units == ["Djenné est une ville du Mali, sur une île du Bani.", "Le commerce du riz fait vivre la ville."]


def test_a_paywalled_page_reads_its_headline_byline_and_text_up_to_the_paywall(tmp_path):
    """A page copied from a subscriber's site (evals/corpora/news/coton-mali-abonnes.txt): the site's tagline is longer
    than the headline but shares no word with the text; the photo's credit is in capitals; « Lire aussi | … »; the
    text stops where the paywall cuts it."""
    text = (ROOT / "evals" / "corpora" / "news" / "coton-mali-abonnes.txt").read_text(encoding="utf-8")
    _, st, units = _read(tmp_path, "coton.txt", text)
    assert st.title == "Le Mali redevient le premier producteur de coton d'Afrique"
    assert st.found == {"date": "2024-05-14", "author": "Le Monde avec AFP"}
    assert [s.title for s in st.sections] == [INTRO, "Un prix garanti relevé"]
    assert units[0].startswith("Avec près de 780 000 tonnes") and units[-1].startswith("Le prix des engrais")
    _no_furniture(units, ("MAXPPP", "Lire aussi", "Il vous reste", "abonné", "Offrir", "Services"))


@pytest.mark.parametrize("line, end", [
    ("Il vous reste 62.15% de cet article à lire. La suite est réservée aux abonnés.", True),
    ("La suite est réservée aux abonnés.", True),
    ("Abonnez-vous pour lire la suite de nos entretiens", False),  # a promotion mid-page: the text goes on
    ("Il vous reste du temps pour vous inscrire.", False)])
def test_a_paywall_ends_the_page(line, end):
    from kalan.ingest.clean import paywall_start

    assert paywall_start(line) is end


@pytest.mark.parametrize("line, noise", [
    ("Un champ de coton près de Koutiala, en octobre 2023. NICOLAS REMENE / LE PICTORIUM / MAXPPP", True),
    ("Lire aussi | Au Burkina Faso, les producteurs de coton abandonnent leurs champs", True),
    ("Le Mali et la Russie / le Burkina Faso : deux alliances.", False),  # a slash in a sentence
    ("La CMDT / SOFITEX", False)])  # capitals and a slash, but no sentence before them: no caption
def test_a_caption_credited_in_capitals_and_a_related_link_after_a_bar_are_noise(line, noise):
    assert is_noise(line) is noise


@pytest.mark.parametrize("line, author", [("Le Monde avec AFP", "Le Monde avec AFP"),
                                          ("La rédaction avec Reuters", "La rédaction avec Reuters"),
                                          ("Ils ont parlé avec AFP", None)])
def test_a_newsroom_with_a_wire_agency_signs_the_article(line, author):
    from kalan.ingest.clean import byline_author

    assert byline_author(line) == author


@pytest.mark.parametrize("blank", [True, False], ids=["avec-lignes-vides", "sans-lignes-vides"])
def test_a_list_article_reads_its_numbered_headings_as_sections(tmp_path, blank):
    """« 1. Un fleuve qui tourne le dos à la mer » alone over its text heads a section (evals/corpora/news/
    fleuve-niger-cinq-choses.txt); a numbered list under a lead ending with ":" stays the lead's list."""
    import re

    text = (ROOT / "evals" / "corpora" / "news" / "fleuve-niger-cinq-choses.txt").read_text(encoding="utf-8")
    _, st, units = _read(tmp_path, "niger.txt", text if blank else re.sub(r"\n\s*\n+", "\n", text))
    assert st.title == "Sahel : cinq choses à savoir sur le fleuve Niger" and st.found == {"author": "Awa Traoré"}
    assert [s.title for s in st.sections][:3] == [INTRO, "1. Un fleuve qui tourne le dos à la mer",
                                                 "2. Un delta au milieu du désert"]
    assert len(st.sections) == 6 and all(len(s.units) == 1 for s in st.sections)
    assert units[1].startswith("Le Niger prend sa source en Guinée")
    _, st, units = _read(tmp_path, "liste.txt", "Un titre d'article\n\nLes trois secteurs sont :\n1. La sécurité\n"
                         "2. L'énergie\n3. L'éducation\n\nLa coopération se poursuit depuis 1960.\n")
    assert [s.title for s in st.sections] == [INTRO] and units[0].endswith("3. L'éducation")


# A news page whose headings stand right over their text (no blank line between them), ending on boxes of links to
# other articles: their headlines and one-sentence teasers are other articles' words.
RELATED_PAGE = """Accueil
Éducation
Burkina Faso : les écoles du Nord rouvrent une à une
Par Aminata Ouédraogo
Au moins 412 écoles ont rouvert depuis la rentrée. Plus de 5 300 établissements restent fermés.

Des enseignants volontaires
Le ministère a recruté 1 500 enseignants volontaires. Ils reçoivent une formation de trois semaines.

Sur le même sujet
Mali : à Tombouctou, les manuscrits anciens numérisés
Plus de 40 000 manuscrits ont été numérisés grâce à un programme soutenu par l'Allemagne.
Les plus lus
1. Côte d'Ivoire : le prix du cacao atteint un record
"""


def test_a_heading_right_over_its_text_heads_it_and_a_box_of_related_links_is_not_text(tmp_path):
    _, st, units = _read(tmp_path, "ecoles.txt", RELATED_PAGE)
    assert st.title == "Burkina Faso : les écoles du Nord rouvrent une à une"
    assert [s.title for s in st.sections] == [INTRO, "Des enseignants volontaires"]
    assert units == ["Au moins 412 écoles ont rouvert depuis la rentrée. Plus de 5 300 établissements restent fermés.",
                     "Le ministère a recruté 1 500 enseignants volontaires. Ils reçoivent une formation de trois semaines."]
    assert "Sur le même sujet" in st.dropped and "Les plus lus" in st.dropped


def test_a_box_of_related_links_mid_page_leaves_the_text_after_it(tmp_path):
    page = RELATED_PAGE.replace("Les plus lus\n1. Côte d'Ivoire : le prix du cacao atteint un record\n",
                                "\nL'Unicef a fourni 800 tentes. Les parents paient le repas de midi.\n")
    _, st, units = _read(tmp_path, "ecoles.txt", page)
    assert units[-1] == "L'Unicef a fourni 800 tentes. Les parents paient le repas de midi."
    _no_furniture(units, ("Tombouctou", "manuscrits"))


def test_a_short_line_that_the_next_one_goes_on_is_no_heading(tmp_path):
    page = "Titre\n\nIntro du texte, assez longue pour être une phrase.\n\nLa ville a ouvert une école en 2019 avec\n" \
           "l'aide de la région. Elle accueille deux cents élèves.\n"
    _, st, units = _read(tmp_path, "ecole.txt", page)
    assert [s.title for s in st.sections] == [INTRO]
    assert any(u.startswith("La ville a ouvert une école en 2019 avec") for u in units)


# A wire dispatch with a key-figures table copied from the page (its cells apart by tabs), a photo caption credited
# in parentheses and the agency's desk signature under the text.
TABLE_PAGE = """Mali : la première mine de lithium entre en production à Goulamina
Publié le 15/12/2024 à 18h40
Des camions chargés de minerai quittent le site de Goulamina. (Photo : AFP)
BAMAKO (AFP) - Le Mali a lancé la production de sa première mine de lithium, à Goulamina. Le premier chargement a \
quitté le site pour le port d'Abidjan.
Un marché en baisse
Le prix du lithium a chuté de près de 80 % depuis son record de 2022.
Chiffres clés
Production prévue\t506 000 tonnes par an
Investissement\t400 millions de dollars
Part de l'État\t35 %
Une deuxième mine, à Bougouni, doit entrer en production en 2025.
bur-ml/sba
"""


@pytest.mark.parametrize("blank", [False, True], ids=["sans-lignes-vides", "avec-lignes-vides"])
def test_a_table_s_rows_are_text_under_their_heading_and_a_credited_caption_is_not(tmp_path, blank):
    page = TABLE_PAGE
    if blank:  # a blank line between paragraphs, the table's rows kept together
        page = page.replace("\n", "\n\n").replace("\n\nProduction", "\nProduction").replace(
            "\n\nInvestissement", "\nInvestissement").replace("\n\nPart de", "\nPart de")
    _, st, units = _read(tmp_path, "lithium.txt", page)
    assert [s.title for s in st.sections] == [INTRO, "Un marché en baisse", "Chiffres clés"]
    assert units[-4:-1] == ["Production prévue\t506 000 tonnes par an", "Investissement\t400 millions de dollars",
                            "Part de l'État\t35 %"]
    _no_furniture(units, ("Photo", "bur-ml"))
    assert units[0].startswith("Le Mali a lancé la production") and "BAMAKO (AFP) -" in st.dropped  # the dateline


@pytest.mark.parametrize("text, cut", [("BAMAKO (AFP) - Le Mali a lancé", "BAMAKO (AFP) - "),
                                       ("Dakar, 3 mars (Reuters) – Le Sénégal a voté", "Dakar, 3 mars (Reuters) – "),
                                       ("Le Mali (AFP) a dit", ""), ("Selon l'AFP, le Mali a lancé", "")])
def test_a_wire_dispatch_s_dateline_is_not_its_text(text, cut):
    from kalan.ingest.clean import wire_dateline

    assert text[:wire_dateline(text)] == cut


@pytest.mark.parametrize("title, expected", [
    ("EN DIRECT - Élection présidentielle au Sénégal : les résultats attendus", "Élection présidentielle au Sénégal : "
     "les résultats attendus"),
    ("VIDÉO. Mali : la crue du fleuve Niger à Mopti", "Mali : la crue du fleuve Niger à Mopti"),
    ("INFO RFI - Le Mali quitte la Cédéao", "Le Mali quitte la Cédéao"),
    ("ONU : le Conseil de sécurité vote la fin de la mission", "ONU : le Conseil de sécurité vote la fin de la mission"),
    ("DIRECT. Sénégal", "DIRECT. Sénégal"),  # nothing left that says what the page is about
])
def test_a_rubric_s_label_before_the_headline_is_no_part_of_the_title(title, expected):
    from kalan.ingest.sections import without_rubric

    assert without_rubric(title) == expected


def test_a_live_page_s_title_is_its_headline_and_its_times_head_its_entries(tmp_path):
    page = ("Accueil\nEN DIRECT - Élection présidentielle au Sénégal : les résultats attendus ce soir\n\n"
            "21h40\nLa commission électorale annonce un taux de participation de 61 %.\n\n"
            "20h15\nLe candidat de l'opposition revendique la victoire dès le premier tour.\n")
    _, st, units = _read(tmp_path, "direct.txt", page)
    assert st.title == "Élection présidentielle au Sénégal : les résultats attendus ce soir"
    assert [s.title for s in st.sections] == ["21h40", "20h15"]


@pytest.mark.parametrize("blank", [False, True], ids=["sans-lignes-vides", "avec-lignes-vides"])
def test_a_byline_right_under_the_headline_signs_it_and_is_no_part_of_the_title(tmp_path, blank):
    page = ("Niger : Niamey coupe l'électricité six heures par jour\nPublié le 02/05/2024\nPar Moussa Hamani\n"
            + ("\n" if blank else "")
            + "Les habitants de Niamey subissent des coupures d'électricité de six heures par jour.\n"
            "La Nigelec explique ces délestages par la baisse des importations du Nigeria.\n"
            "Le Niger achète environ 70 % de son électricité à son voisin.\n"
            "Une centrale solaire en construction\n"
            "Le gouvernement construit une centrale solaire de 50 mégawatts à Gorou Banda.\n"
            "Les travaux doivent s'achever en décembre 2024.\n")
    _, st, units = _read(tmp_path, "niamey.txt", page)
    assert st.title == "Niger : Niamey coupe l'électricité six heures par jour"
    assert st.found == {"date": "2024-05-02", "author": "Moussa Hamani"}
    assert units[0].startswith("Les habitants de Niamey")


def test_a_row_of_byline_date_and_reading_time_signs_and_dates_the_page(tmp_path):
    page = ("Guinée : la bauxite de Boké fait exploser les exportations\n"
            "Les exportations de bauxite ont atteint un record en 2024, portées par la demande chinoise.\n"
            "Par Mamadou Diallo | Publié le 3 mars 2025 à 11h20 | Lecture 4 min\n\n"
            "La Guinée a exporté 145 millions de tonnes de bauxite en 2024, selon le ministère des Mines.\n")
    _, st, units = _read(tmp_path, "bauxite.txt", page)
    assert st.found == {"author": "Mamadou Diallo", "date": "2025-03-03"}
    assert not any("Mamadou" in u for u in units) and len(units) == 2


@pytest.mark.parametrize("line", ["Mali | Économie | Société", "Par la suite | le fleuve a débordé",
                                  "Le prix a doublé · les familles souffrent"])
def test_a_row_apart_by_bars_is_metadata_only_when_every_part_is(line):
    from kalan.ingest.clean import meta_row

    assert meta_row(line) is None


def test_a_cookie_banner_above_the_page_leaves_its_headline_and_byline_to_the_header(tmp_path):
    page = ("Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre "
            "navigation, vous acceptez l'utilisation des cookies.\nAccepter\nParamétrer les cookies\nSénégal Actu\n"
            "Sénégal : le port de Dakar bat un record de trafic en 2024\nPar Awa Ndiaye\nPublié le 8 janvier 2025\n\n"
            "Le port autonome de Dakar a traité 24 millions de tonnes de marchandises en 2024.\n")
    _, st, units = _read(tmp_path, "port.txt", page)
    assert st.title == "Sénégal : le port de Dakar bat un record de trafic en 2024"
    assert st.found == {"date": "2025-01-08", "author": "Awa Ndiaye"}
    assert units == ["Le port autonome de Dakar a traité 24 millions de tonnes de marchandises en 2024."]


def test_a_share_button_between_two_paragraphs_heads_nothing(tmp_path):
    page = ("Mali : la saison des pluies commence tôt\n\nLes premières pluies sont tombées à Kayes le 2 mai.\n\n"
            "Partager cet article\n\nLes paysans ont commencé les semis de mil et de sorgho.\n")
    _, st, units = _read(tmp_path, "pluies.txt", page)
    assert [s.title for s in st.sections] == [INTRO] and len(units) == 2


@pytest.mark.parametrize("line", ["Or | 66 t | 2023", "Le Mali | la Russie | une histoire de soixante ans, racontée."])
def test_a_row_apart_by_bars_with_a_number_or_a_sentence_is_no_menu(line):
    assert not is_noise(line)


@pytest.mark.parametrize("blank", [False, True], ids=["sans-lignes-vides", "avec-lignes-vides"])
def test_a_table_of_contents_goes_and_a_question_headline_is_the_title(tmp_path, blank):
    gap = "\n" if blank else ""
    page = ("Le Journal du Sahel\nAccueil | Politique | Économie | Sport\n"
            "Le chemin de fer Dakar-Bamako va-t-il renaître ?\nPar Ibrahima Sall\nPublié le 2 juin 2025\n"
            "Sommaire\nUne ligne à l'arrêt depuis 2018\nUn chantier de 1 500 milliards\n"
            "Fermée depuis 2018, la ligne pourrait reprendre du service d'ici à 2030.\n" + gap
            + "Une ligne à l'arrêt depuis 2018\nLa ligne mesure 1 287 kilomètres.\n" + gap
            + "Un chantier de 1 500 milliards\nLe coût des travaux est estimé à 1 500 milliards de francs CFA.\n")
    _, st, units = _read(tmp_path, "rail.txt", page)
    assert st.title == "Le chemin de fer Dakar-Bamako va-t-il renaître ?"
    assert st.found == {"author": "Ibrahima Sall", "date": "2025-06-02"}
    assert [s.title for s in st.sections] == [INTRO, "Une ligne à l'arrêt depuis 2018", "Un chantier de 1 500 milliards"]
    assert units[0].startswith("Fermée depuis 2018") and not any("Sommaire" in u for u in units)


def test_headings_written_once_are_no_table_of_contents():
    from kalan.ingest.sections import table_of_contents

    lines = ["Titre", "", "Une eau plus rare", "Le niveau a baissé.", "", "Vendre sans intermédiaires",
             "La coopérative vend.", "Une eau plus rare"]
    assert table_of_contents(lines) == set()  # one line written again is no list of headings
    assert table_of_contents(["Sommaire", "A propos", "Les chiffres", "Texte.", "A propos", "x.", "Les chiffres",
                              "y."]) == {0, 1, 2}


@pytest.mark.parametrize("reader, line, name", [
    ("dateline_author", "Publié le 14 mars 2025 par Bakary Coulibaly", "Bakary Coulibaly"),
    ("dateline_author", "Mis en ligne le 2 mai 2024 par Awa Sow, envoyée spéciale", "Awa Sow"),
    ("dateline_author", "Publié le 3 mars 2024 à 10 h par la rédaction", None),
    ("dateline_author", "Publié le 12/09/2024 - 08:45", None),
    ("dateline_author", "Il est publié par Awa Sow", None),
    ("signature_author", "Ibrahima Sall, envoyé spécial à Kayes", "Ibrahima Sall"),
    ("signature_author", "Aminata Sow, à Bamako", "Aminata Sow"),
    ("signature_author", "Bamako, le 3 mars", None),
    ("signature_author", "Le Mali, la Russie et la Chine", None),
    ("signature_author", "Awa Diarra, présidente de l'union des producteurs.", None),
])
def test_a_dateline_after_its_date_and_a_closing_signature_name_the_author(reader, line, name):
    from kalan.ingest import clean
    assert getattr(clean, reader)(line) == name


def test_a_signature_on_the_last_line_signs_the_page_and_is_no_text(tmp_path):
    page = ("Mali : à Kayes, la mangue attend ses acheteurs\n\n"
            "La récolte de mangues de la région de Kayes a atteint 120 000 tonnes cette année.\n\n"
            "Le gouvernement promet une unité de séchage à Kita.\n\nIbrahima Sall, envoyé spécial à Kayes\n")
    _, st, units = _read(tmp_path, "mangue.txt", page)
    assert st.found == {"author": "Ibrahima Sall"}
    assert not any("Ibrahima" in u for u in units) and len(units) == 2
