"""Each format read by its library into cleaned Markdown and metadata; every bad file refused in French."""

from __future__ import annotations

import io
from pathlib import Path
import zipfile

import pytest

from kalan.ingest.formats import convert, pdf_paragraphs, sniff, without_running_lines
from kalan.ingest.load import CorpusFileError
from kalan.rag.settings import UploadSettings


UP = UploadSettings()


def refused(raw: bytes, name: str, upload=UP) -> str:
    with pytest.raises(CorpusFileError) as err:
        convert(raw, name, upload)
    return str(err.value)


def test_html_keeps_the_article_and_its_metadata_only(samples):
    c = convert(samples.html.encode(), "crue-du-niger.html", UP)
    assert c.kind == "html" and c.article_id == "crue-du-niger"
    assert c.meta["title"] == "Le fleuve Niger en crue"
    assert c.meta["author"] == "Awa Traoré"
    assert c.meta["date"] == "2025-09-03"
    assert c.meta["source"] == "Journal du Sahel"
    assert c.sections == ["Des quartiers inondés", "Une saison des pluies exceptionnelle"]
    assert "niveau record de 7,2 mètres" in c.body
    for noise in ("code-de-suivi", "publicité injectée", "Accueil", "Menu des sports", "cookies", "Lire aussi",
                  "prix du riz", "Quelle tristesse", "Mentions légales", "<script", "<iframe", "# Le fleuve"):
        assert noise not in c.body, noise
    assert any("script" in w and "iframe" in w for w in c.warnings)


WIKI_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Djenné — Wikipédia</title></head><body>
<div id="mw-navigation"><a href="/">Accueil</a> <a href="/hasard">Article au hasard</a></div>
<div id="content"><h1>Djenné</h1><div class="mw-parser-output">
<table class="infobox_v2"><caption>Djenné</caption><tr><th>Pays</th><td>Mali</td></tr>
<tr><th>Population</th><td>33 000 hab. (2009)</td></tr></table>
<p><b>Djenné</b> est une ville du Mali située dans la région de Mopti, sur une île du Bani<sup class="reference">
<a href="#cite_note-1">[1]</a></sup>. Elle compte environ 33 000 habitants en 2009<sup class="reference">
<a href="#cite_note-2">[2]</a></sup>, un chiffre à vérifier<sup>[réf. nécessaire]</sup>.</p>
<h2><span class="mw-headline">Histoire</span><span class="mw-editsection">[<a href="/e">modifier</a> | <a href="/e2">modifier
le code</a>]</span></h2>
<p>La ville, <i>Djenné-Djeno</i> à l'origine, a été fondée vers 800 par les Bozos. Elle devient un grand centre du
commerce transsaharien au XV<sup>e</sup> siècle<sup class="reference"><a href="#cite_note-3">[3]</a></sup>.</p>
<p>La Grande Mosquée, le plus grand édifice en terre crue du monde, a été reconstruite en 1907 (voir *note*).</p>
</div></div></body></html>"""


def test_an_encyclopedia_page_says_its_text_without_its_markup():
    """A page saved from an encyclopedia: trafilatura's Markdown kept « **Djenné** », « Bani<sup>\\[1\\]</sup> »,
    « XV<sup>e</sup> » and « ## Histoire\\[modifier | modifier le code\\] », which every answer then said. The
    corpus text is plain: calls out, superscripts read, emphasis and escapes dropped, table rows said as items;
    sections stay."""
    c = convert(WIKI_PAGE.encode(), "djenne.html", UP)
    assert c.sections == ["Histoire"] and not c.meta.get("date")  # no date in its markup: none read from its text
    assert "Djenné est une ville du Mali" in c.body and "sur une île du Bani." in c.body
    assert "en 2009, un chiffre à vérifier." in c.body and "au XVe siècle." in c.body
    assert "La ville, Djenné-Djeno à l'origine" in c.body and "(voir *note*)" in c.body
    assert "- Pays : Mali\n- Population : 33 000 hab. (2009)\n" in c.body  # the infobox's rows, quotable
    for markup in ("<sup", "\\[", "[1]", "réf. nécessaire", "**", "modifier", "\\*", "|", "---"):
        assert markup not in c.body, markup


def test_an_encyclopedia_s_apparatus_is_not_article_text():
    """« Notes et références », « Bibliographie », « Liens externes » (with their subsections) are dropped with a
    warning; a section after them that is the article's stays. A bibliography's « Paris, 1998 » would otherwise be a
    timeline event and a quiz item."""
    text = ("La ville de Djenné est au Mali, sur une île du Bani, et compte environ 33 000 habitants en 2009. " * 3)
    md = (f"# Djenné\n\n{text}\n\n## Histoire\n\nLa ville a été fondée vers 800 par les Bozos.\n\n"
          "## Notes et références\n\n1. Atlas du Mali, Éditions Jeune Afrique, 2010.\n\n### Ouvrages\n\n"
          "Jean Dupont, Histoire de Djenné, Paris, 1998.\n\n## Économie\n\nLe commerce du riz fait vivre la ville.\n\n"
          "## Liens externes\n\n- Site de la mairie\n")
    c = convert(md.encode(), "djenne.md", UP)
    assert c.sections == ["Histoire", "Économie"]
    assert "fondée vers 800" in c.body and "commerce du riz" in c.body
    assert not any(w in c.body for w in ("Atlas", "Dupont", "1998", "Ouvrages", "mairie"))
    assert any("« Notes et références », « Liens externes »" in w for w in c.warnings)


def test_a_web_page_s_box_of_related_articles_is_not_article_text():
    """A news page's « Sur le même sujet » inside its article: the converter keeps its heading and a teaser, which is
    another article's fact (« 40 000 manuscrits »); it goes with the same warning as an apparatus."""
    html = ("<html><body><article><h1>Les écoles du Nord rouvrent</h1>"
            "<p>Au moins 412 écoles ont rouvert depuis la rentrée dans les régions du Nord et du Sahel, selon le "
            "ministère de l'Éducation nationale. Mais plus de 5 300 établissements restent fermés.</p>"
            "<h2>Des enseignants volontaires</h2><p>Beaucoup d'enseignants avaient fui vers Ouagadougou. Pour les "
            "remplacer, le ministère a recruté 1 500 enseignants volontaires.</p>"
            "<h2>Sur le même sujet</h2><ul><li><a href='/a'>Mali : les manuscrits de Tombouctou</a></li></ul>"
            "<p>Plus de 40 000 manuscrits ont été numérisés grâce à un programme soutenu par l'Allemagne.</p>"
            "</article></body></html>")
    c = convert(html.encode(), "ecoles.html", UP)
    assert "1 500 enseignants volontaires" in c.body and c.sections == ["Des enseignants volontaires"]
    assert "manuscrits" not in c.body
    assert any("« Sur le même sujet »" in w for w in c.warnings)


def test_pdf_text_layer_becomes_paragraphs_and_sections(samples):
    c = convert(samples.pdf(), "coton.pdf", UP)
    assert c.kind == "pdf"
    assert c.meta["title"] == samples.pdf_title and c.meta["author"] == "Ibrahim Ouédraogo"
    assert "date" not in c.meta  # the file's creation date is not the article's
    assert c.sections == ["Les prix payés aux producteurs"]
    assert samples.pdf_title not in c.body
    assert "sept cent mille tonnes cette année dans l'ouest du pays, selon la société cotonnière" in c.body


def test_a_pdf_s_running_header_and_footer_are_not_read_into_its_sentences():
    """A page printed from a browser or a newspaper's PDF repeats a header and a footer on every page; pypdf reads
    them between the lines a page break cut, and they were joined into that sentence."""
    from fpdf import FPDF

    class Printed(FPDF):
        def header(self):
            self.set_font("helvetica", size=8)
            self.cell(0, 5, "06/12/2026 18:30   Djenné - Wikipédia", new_x="LMARGIN", new_y="NEXT")
            self.ln(3)

        def footer(self):
            self.set_y(-12)
            self.set_font("helvetica", size=8)
            self.cell(0, 5, f"https://fr.wikipedia.org/wiki/Djenne   {self.page_no()}/3")

    towns = "Mopti Ségou Kayes Sikasso Gao Kidal Bamako Koulikoro Ménaka Taoudeni Bougouni Kita Nioro Bandiagara"
    pdf = Printed()
    pdf.set_title("Djenné")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 10, "Djenné", new_x="LMARGIN", new_y="NEXT")
    for heading in ("Histoire", "Architecture", "Économie"):
        pdf.set_font("helvetica", "B", 14)
        pdf.multi_cell(0, 9, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=12)
        for town in towns.split():
            pdf.multi_cell(0, 7, f"{heading} : la ville de {town} est au Mali, dans la région du fleuve. Elle compte "
                                 f"environ 33 000 habitants en 2009 et reste un centre du commerce au XVe siècle.",
                           new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    c = convert(bytes(pdf.output()), "djenne.pdf", UP)
    assert pdf.page_no() >= 3 and c.sections == ["Histoire", "Architecture", "Économie"]
    assert "wikipedia.org" not in c.body and "18:30" not in c.body
    assert c.body.count("Elle compte environ 33 000 habitants en 2009 et reste") == 42


def test_running_lines_are_lines_at_the_edges_that_come_back():
    pages = ["Le Journal — 3 mai\nUn texte qui dit Le Journal — 3 mai au milieu.\nSuite.\np. 1",
             "Le Journal — 4 mai\nAutre texte.\nEncore.\np. 2", "Le Journal — 5 mai\nFin du texte.\nFin.\np. 3"]
    assert without_running_lines(pages) == ["Un texte qui dit Le Journal — 3 mai au milieu.\nSuite.",
                                             "Autre texte.\nEncore.", "Fin du texte.\nFin."]
    assert without_running_lines(["Une seule page\nde texte."]) == ["Une seule page\nde texte."]


def test_pdf_paragraphs_join_cut_words_and_lines():
    text = ("Le gouvernement du pays a annoncé hier soir une réforme des écoles primaires an-\n"
            "noncée depuis longtemps, qui concerne les maîtres et leurs élèves dans toutes les\n"
            "régions.\nUne réforme attendue\nLes syndicats d'enseignants ont salué la décision.")
    assert pdf_paragraphs(text) == (
        "Le gouvernement du pays a annoncé hier soir une réforme des écoles primaires annoncée depuis longtemps, "
        "qui concerne les maîtres et leurs élèves dans toutes les régions.\n\n## Une réforme attendue\n\n"
        "Les syndicats d'enseignants ont salué la décision.")


def test_docx_headings_become_sections(samples):
    c = convert(samples.docx(), "marches.docx", UP)
    assert c.kind == "docx"
    assert c.meta["title"] == "Les marchés de Dakar" and c.meta["author"] == "Fatou Diallo"
    assert c.sections == ["Un marché reconstruit", "Les commerçants relogés"]
    assert "## Un marché reconstruit" in c.body and "### Les commerçants relogés" in c.body
    assert "date" not in c.meta


def test_markdown_and_text_are_read_as_today():
    md = "---\ntitle: Un titre\nauthor: Moi\n---\n# Un titre\n\n" + "Le texte de cet article est en français et il est assez long pour être lu. " * 3
    c = convert(md.encode(), "note.md", UP)
    assert c.kind == "markdown" and c.meta["title"] == "Un titre" and c.meta["author"] == "Moi"
    # its inline markup is not said: links by their text, images not at all; headings and items stay
    md = ("# Un titre\n\n## Une partie\n\nLe **texte** de cet [article](https://exemple.org/a \"titre\") est en "
          "*français* ![photo](p.jpg) et il est assez long pour être lu, avec 2 * 3 = 6.\n\n- un élément\n" * 3)
    c = convert(md.encode(), "note.md", UP)
    assert "Le texte de cet article est en français  et il est assez long" in c.body and "2 * 3 = 6" in c.body
    assert "## Une partie" in c.body and "- un élément" in c.body
    assert not any(m in c.body for m in ("**", "](", "photo", "*français*"))
    assert "Le **texte** de cet [article](" in convert(md.encode(), "note.txt", UP).body  # plain text: as it is


@pytest.mark.parametrize("raw,name,actual", [
    ("pdf", "article.docx", "un PDF"),
    ("docx", "article.pdf", "un document Word"),
    ("html", "article.pdf", "une page HTML"),
    (b"MZ\x90\x00" + b"\x00" * 200, "article.txt", "un programme exécutable"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "article.html", "une image"),
    (("Un texte brut sans balise, mais dont le nom dit HTML, de la part du journal et de ses lecteurs. " * 3).encode(),
     "page.html", "du texte brut"),
])
def test_a_type_disguised_by_its_extension_is_refused(samples, raw, name, actual):
    if isinstance(raw, str):
        raw = samples.html.encode() if raw == "html" else getattr(samples, raw)()
    message = refused(raw, name)
    assert "ne correspond pas à l'extension" in message and actual in message


def test_unknown_extension_is_refused():
    assert "format non pris en charge" in refused(b"du texte", "article.odt")


def test_size_limit_is_a_setting(samples):
    message = refused(samples.pdf(), "coton.pdf", UploadSettings(max_bytes=500))
    assert "trop volumineux" in message and "upload.max_bytes" in message


def test_docx_zip_bomb_is_refused_before_reading(samples):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(samples.docx())) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("word/media/bombe.bin", "w") as fh:
            for _ in range(8):
                fh.write(b"\x00" * 1_000_000)
    message = refused(buf.getvalue(), "piege.docx", UploadSettings(max_unzipped_bytes=5_000_000))
    assert "décompressé" in message


def test_pdf_with_javascript_is_refused(samples):
    from pypdf import PdfReader, PdfWriter

    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    from kalan.ingest.formats import _has_javascript

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf())))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('bonjour');")})
    out = io.BytesIO()
    writer.write(out)
    assert "JavaScript" in refused(out.getvalue(), "coton.pdf")
    assert _has_javascript(PdfReader(io.BytesIO(out.getvalue())))  # also found by walking the objects
    assert not _has_javascript(PdfReader(io.BytesIO(samples.pdf())))


def test_scanned_pdf_gets_a_clear_message(samples):
    message = refused(samples.scanned_pdf(), "scan.pdf")
    assert "scanné" in message and "OCR" in message and "2 page(s)" in message


def test_text_in_another_language_is_refused(samples):
    english = samples.html.replace('lang="fr"', 'lang="en"')
    english = english.split("<article>")[0] + "<article><h1>River floods</h1>" + "".join(
        f"<p>The river reached a record level of {n} metres on Monday, according to the national water "
        "authority which monitors the gauges along the river and warns the people living nearby.</p>"
        for n in range(5)) + "</article></body></html>"
    assert "pas être en français" in refused(english.encode(), "flood.html")


def test_empty_and_tiny_files():
    assert "vide" in refused(b"  \n", "vide.txt")
    assert "trop peu de texte" in refused("Bonjour à tous.".encode(), "court.txt")


def test_sniff_names_what_the_bytes_are(samples):
    assert sniff(samples.pdf()) == "pdf" and sniff(samples.docx()) == "docx" and sniff(samples.html.encode()) == "html"
    assert sniff(b"juste du texte") == "text"


def test_a_text_file_s_first_line_is_its_title_even_wrapped():
    """The preview shows the title ingestion will read (the first paragraph, one line or one wrapped over two),
    not the file name with a « no title » warning."""
    body = ("Le fleuve Niger en crue : les habitants de Mopti quittent les quartiers bas de la ville\n"
            "inondée\n\n" + "Le texte de cet article est en français et il est assez long pour être lu. " * 3)
    c = convert(body.encode(), "crue.txt", UP)
    assert c.meta["title"] == ("Le fleuve Niger en crue : les habitants de Mopti quittent les quartiers bas de la "
                               "ville inondée")
    assert not any("aucun titre" in w for w in c.warnings)
    untitled = convert((("Le texte de cet article est en français et il est assez long pour être lu. " * 4)
                        + "\n" + "Une seconde ligne.\n").encode(), "sans-titre.txt", UP)
    assert untitled.meta["title"] == "sans-titre" and any("aucun titre" in w for w in untitled.warnings)


def test_a_pasted_news_page_gives_its_headline_byline_and_dateline_to_the_preview():
    from tests.ingest.test_sections_and_chunks import NEWS_PAGE

    conv = convert(NEWS_PAGE.encode("utf-8"), "crue.txt", UploadSettings())
    assert conv.meta["title"] == "Mali : la crue du fleuve menace plusieurs quartiers de Mopti"
    assert conv.meta["author"] == "Awa Traoré" and conv.meta["date"] == "2024-09-12"
    with_front = convert(("---\nauthor: Rédaction du Journal\n---\n" + NEWS_PAGE).encode("utf-8"), "crue.txt",
                         UploadSettings())
    assert with_front.meta["author"] == "Rédaction du Journal"  # the file's own metadata wins


def test_a_printed_page_s_title_is_its_larger_lines_and_its_byline_gives_the_author():
    """A page printed to PDF from a browser: the title drawn larger over two lines, a file name as the document's
    title, a byline over two lines above the text. The title was the file name, and the title, the byline and the
    first paragraph were one paragraph (no blank lines in a PDF's text)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("muraille.html")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 22)
    title = "Sénégal : la Grande Muraille verte avance, mais les arbres peinent à survivre dans le Ferlo"
    pdf.multi_cell(0, 11, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "I", 12)
    pdf.multi_cell(0, 7, "Par Aminata Sow, envoyée spéciale à Widou Thiengoly, dans le nord du Sénégal, le 12 "
                         "septembre 2025", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 7, "Lancée en 2007 par l'Union africaine, la Grande Muraille verte devait relier Dakar à Djibouti "
                         "par une bande de végétation de sept mille huit cents kilomètres de long. Onze pays sont "
                         "concernés par ce projet.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, "Des résultats inégaux", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 7, "Selon l'agence sénégalaise de la reforestation, près de quarante mille hectares ont été "
                         "plantés depuis 2008, mais beaucoup de jeunes plants meurent avant leur troisième année.",
                   new_x="LMARGIN", new_y="NEXT")
    c = convert(bytes(pdf.output()), "muraille-verte.pdf", UP)
    assert c.meta["title"] == title and c.meta["author"] == "Aminata Sow"
    paragraphs = c.body.split("\n\n")
    assert paragraphs[0].startswith("Par Aminata Sow") and paragraphs[0].endswith("2025")
    assert paragraphs[1].startswith("Lancée en 2007")
    assert c.sections == ["Des résultats inégaux"]


@pytest.mark.parametrize("given", ["Microsoft Word - cours.docx", "article.html", "Scan 12.pdf"])
def test_a_pdf_title_that_is_a_file_name_is_no_title(samples, given):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf())))
    writer.add_metadata({"/Title": given})
    out = io.BytesIO()
    writer.write(out)
    assert convert(out.getvalue(), "coton.pdf", UP).meta["title"] == samples.pdf_title  # its first heading


def test_a_word_file_typed_by_hand_gives_its_bold_headings_and_its_byline_s_author():
    """A teacher's Word file: headings typed in bold in normal paragraphs, the article's byline in italics, the
    file's author property left as the software wrote it."""
    import docx

    d = docx.Document()  # python-docx writes « python-docx » as the author property
    d.add_heading("Les marchés de Dakar", level=0)
    d.add_paragraph().add_run("Par Awa Ndiaye, correspondante à Dakar").italic = True
    d.add_paragraph("Le marché Sandaga, au centre de Dakar, accueille chaque jour des milliers de commerçants qui "
                    "vendent des tissus, des fruits et des téléphones aux habitants de la capitale.")
    d.add_paragraph().add_run("Un marché reconstruit").bold = True
    d.add_paragraph("La mairie a décidé de reconstruire le bâtiment principal, qui date de 1933, après un incendie.")
    d.add_paragraph().add_run("La mairie l'a dit en conseil.").bold = True  # a sentence in bold stays text
    buf = io.BytesIO()
    d.save(buf)
    c = convert(buf.getvalue(), "marches.docx", UP)
    assert c.meta["author"] == "Awa Ndiaye" and c.sections == ["Un marché reconstruit"]
    assert "La mairie l'a dit en conseil." in c.body


def test_a_word_file_s_author_property_that_names_the_software_is_no_author():
    import docx

    d = docx.Document()
    d.add_heading("Les marchés de Dakar", level=0)
    d.add_paragraph("Le marché Sandaga, au centre de Dakar, accueille chaque jour des milliers de commerçants qui "
                    "vendent des tissus, des fruits et des téléphones aux habitants de la capitale.")
    buf = io.BytesIO()
    d.save(buf)
    assert "author" not in convert(buf.getvalue(), "marches.docx", UP).meta


def test_an_uploaded_encyclopedia_page_copied_without_blank_lines_gets_its_title_without_the_site():
    """The preview's title is the one ingestion reads: « Lac Faguibine », not « Lac Faguibine — Wikipédia »."""
    raw = (Path(__file__).resolve().parents[2] / "evals" / "corpora" / "news" / "lac-faguibine-wikipedia.txt").read_bytes()
    c = convert(raw, "lac.txt", UP)
    assert c.meta["title"] == "Lac Faguibine" and not any("aucun titre" in w for w in c.warnings)
