"""Recognise the noise of scraped pages, line by line.

Scraped articles carry navigation ("Skip links", "Accueil", "Recherche", "Top",
"Découvrir", "Drag", share buttons...) and bylines. ``is_noise`` says whether a
whole line is such noise; the text itself is never rewritten, so offsets and
the text shown to users stay faithful to the article.

Does not decide headings or sections (``kalan.ingest.sections``).
"""

from __future__ import annotations

import re

from kalan.rag import lexicon as lx
from kalan.rag.text import FRENCH_STOPWORDS, REFERENCE_CALLS, fold

NAV_LINES = frozenset(
    """skip links|skip to content|aller au contenu|aller au contenu principal|accueil|recherche|rechercher|
    top|haut de page|retour en haut|decouvrir|drag|menu|fermer|partager|partager sur facebook|
    partager sur twitter|facebook|twitter|x|whatsapp|linkedin|telegram|imprimer|email|e-mail|
    copier le lien|lire aussi|a lire aussi|voir aussi|publicite|connexion|se connecter|s'abonner|
    abonnez-vous|newsletter|inscrivez-vous|commentaires|laisser un commentaire|articles similaires|
    plus d'articles|tags|mots-cles|categories|suivez-nous|contact|mentions legales|cookies|
    accepter|refuser|precedent|suivant|article precedent|article suivant|lire la suite|
    lire la suite apres cette publicite|ecouter|ecouter l'article|ecouter cet article|je m'abonne|
    en savoir plus|a la une|actualites|politique de confidentialite|offrir cet article|article reserve aux abonnes|
    reserve aux abonnes|partager cet article|abonne|ajouter a vos favoris|ajouter a mes favoris|suivre|commenter|
    lire plus tard|sauvegarder|envoyer par e-mail|envoyer par email|voir les commentaires|contenus sponsorises|
    contenu sponsorise|fermer la publicite|publicite - continuez a lire ci-dessous|continuez a lire ci-dessous|
    photo d'illustration|image d'illustration|image d'archives|photo d'archives|video|photo|legende"""
    .replace("\n", "").split("|")
)
NAV_LINES = frozenset(s.strip() for s in NAV_LINES)

# An encyclopedia's apparatus after the article: its sections hold references and links, not text to learn from
# (a bibliography's « Paris, 1998 » is no event of the timeline, « Éditions Jeune Afrique, _____ » no quiz item)
APPARATUS_HEADINGS = frozenset(s.strip() for s in """notes et references|notes|references|bibliographie|
    liens externes|voir aussi|articles connexes|sources et bibliographie|notes et sources""".split("|"))

# of those, the ones that only ever stand after the text (a news page may put « Voir aussi » or « Articles
# connexes » mid-text, over related links): a plain text ends at them, as at its comments
END_APPARATUS = APPARATUS_HEADINGS - {"voir aussi", "articles connexes"}

# a Markdown heading: its level (the « # »), its title
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
# Page furniture that carries words of its own: dates of publication, reading time, copyright, links to
# other articles ("Lire aussi : ..."), photo credits, comment counters.
_FURNITURE = re.compile(
    r"^(?:publie|mis a jour|mise a jour|modifie|actualise)(?: le| :|:)\s*.{0,40}\d"
    r"|^temps de lecture\b|^lecture\s*:?\s*\d+\s*min"
    r"|^(?:©|\(c\)|copyright)|tous droits reserves"
    r"|^(?:lire aussi|a lire aussi|lire egalement|a lire egalement|voir aussi|sur le meme sujet)\s*[:\-–—|]"
    r"|^(?:photo|photos|credits?|credits? photo|illustration|sources?)\s*[:©]"
    r"|^\(?(?:afp|reuters|ap|getty images|maxppp|xinhua|anadolu|epa|sipa|aps)(?:\s*/\s*[\w ]{2,30})?\)?$"  # an agency
    r"|^ecouter(?: cet article| l'article)?\s*\(\d"  # a player's button with its length
    r"|^\d+\s+(?:commentaires?|partages?|reactions?)$|^(?:reagir|commenter|commentaires?|reactions?)\s*\(\d+\)$"
    r"|^(?:tags?|mots[- ]cles|etiquettes|themes?|sujets?)\s*:"  # « Tags: Mali, Mines, Or »
    r"|^\d{1,3}$"  # a counter alone (comments, shares); a year has four digits
    r"|^\d{1,2}:\d{2}(?::\d{2})?$|^\d+\s*(?:mn|min|minutes?)(?: de lecture)?$"  # a player's length, a reading time
)
# a photo caption ending on its credit (« Vue aérienne de Mopti, le 10 septembre. © A. Keita / AFP », « Des camions
# quittent le site. (Photo : AFP) »)
_CAPTION = re.compile(r"©\s*[^.!?©]{0,60}$|\((?:photos?|credits?(?: photo)?|illustration)\s*:?\s*[^()]{1,60}\)$")
# a photo caption ending on its credit in capitals, author and agencies apart by slashes (« Un champ de coton près de
# Koutiala, en octobre 2023. NICOLAS REMENE / LE PICTORIUM / MAXPPP »): read on the line as written
_CAPS = r"[A-ZÀ-Ý][A-ZÀ-Ý'.\- ]*[A-ZÀ-Ý]"  # a name or an agency in capitals (« LE PICTORIUM », « MAXPPP »)
_CAPS_CREDIT = re.compile(rf"(?:^|[.!?»)]\s+)(?:{_CAPS}\s/\s)+{_CAPS}$")
# « Lire aussiMali : … »: a related link glued to its label, as some sites' text comes out
_GLUED_LINK = re.compile(r"^\s*(?:[ÀA] lire|Lire) (?:aussi|également)(?=[A-ZÀ-Ý0-9«])")
_DATELINE = re.compile(r"^(?:publie|mis en ligne)(?: le)?\s*:?\s*(?:le\s+)?")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
_WORD_DATE = re.compile(r"\b(1er|\d{1,2})\s+([a-z]+)\s+(\d{4})\b")
_BYLINE = re.compile(r"^\s*(?:(?:texte|article|écrit|rédigé|propos recueillis)\s+)?par\s*:?\s+(.+?)\s*\.?\s*$", re.I)
# a signature naming a newsroom and a wire agency (« Le Monde avec AFP », « La rédaction avec Reuters »)
# (the newsroom: up to three words, each a capitalised name, an article or « rédaction »; « Ils ont parlé avec AFP »
# is none)
_AGENCY_BYLINE = re.compile(r"^\s*((?:(?:[A-ZÀ-Ý][\w.'’-]*|la|le|les|l'|de|du|des|rédaction)\s+){1,3}avec\s+"
                            r"(?:l'|l’)?(?:AFP|Reuters|AP|APS|AIP|ANP))\s*\.?\s*$")
# the site talking to its reader about itself (« Nous utilisons des cookies … vous acceptez … », « Inscrivez-vous à
# notre newsletter … »): a thing of the site, and the site's « nous » or the reader's « vous »
_SITE_THING = re.compile(r"\b(?:cookies?|traceurs|newsletters?|lettre d'information|votre navigation|vos preferences|"
                         r"votre compte|votre abonnement)\b")
_TO_READER = re.compile(r"\b(?:nous|vous|votre|vos|notre|nos|inscrivez|abonnez|acceptez|telechargez|parametrer|"
                        r"gerer|accepter|refuser|personnaliser)\b")
# a wire dispatch's dateline opening its first paragraph (« BAMAKO (AFP) - », « Dakar, 3 mars (Reuters) – »,
# « ABIDJAN (APS) — »): where and by whom, not the article's words (« qui a annoncé … ? » read « BAMAKO (AFP) » as
# a name)
_WIRE_DATELINE = re.compile(r"^[A-ZÀ-Ý][\w'’ .-]{1,40}(?:,\s*[^()\n]{1,30})?\s*\((?:AFP|Reuters|AP|APS|AIP|ANP|ATS|"
                            r"Xinhua|MAP|PANA|APA)\)\s*[-–—:]\s+(?=\S)")


def wire_dateline(text: str) -> int:
    """The length of the wire dateline that opens ``text`` (« BAMAKO (AFP) - »), else 0."""
    m = _WIRE_DATELINE.match(text)
    return m.end() if m else 0


# a row of links scraped onto one line, its items apart by runs of spaces (« Actualités  Politique  Sport »,
# « Partager sur Facebook  Partager sur X  Envoyer par e-mail »)
_MENU_GAP = re.compile(r"\s{2,}|\t")
_MENU_BARS = re.compile(r"\s+[|›>]\s+")


# a line that is a date and nothing else (« - 18 juin 2025 », « 18/06/2025 à 10:32 »): a page's dateline
_DATE_ONLY = re.compile(r"^[-–—•·|]?\s*(?:le\s+)?(?:(?:1er|\d{1,2})\s+[a-z]+\s+\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})"
                        r"(?:\s*(?:a|-|,)?\s*\d{1,2}\s*[h:]\s*\d{2})?\s*$")
# the comments under an article: where the article ends (« Laisser un commentaire », « 3 commentaires »)
_COMMENTS = re.compile(r"^(?:laisser|ajouter|poster|ecrire) un commentaire|^laisser une reponse$|^commentaires?$"
                       r"|^\d+\s+commentaires?$|^reagir(?:\s*\(\d+\))?$|^leave a reply$")


# the heading of a box of links to other articles (« Sur le même sujet », « Les plus lus »): their headlines and
# teasers are other articles' words. Not « Lire aussi » nor « Voir aussi », which a page may put mid-text over one
# link and go on (the link alone is furniture by its place)
RELATED_HEADINGS = frozenset(s.strip() for s in """sur le meme sujet|les plus lus|articles les plus lus|
    les articles les plus lus|les plus partages|les plus commentes|les plus populaires|dans la meme rubrique|
    articles similaires|articles lies|a lire egalement sur le meme sujet|vous aimerez aussi|
    vous pourriez aussi aimer|vous aimerez egalement|nos derniers articles|derniers articles|
    les derniers articles|plus d'articles|recommande pour vous|ces articles peuvent vous interesser|
    a decouvrir aussi|a decouvrir egalement|les articles recents|articles recents|sur le meme theme|
    pour aller plus loin|a lire sur le meme sujet""".split("|"))


def related_start(line: str) -> bool:
    """A line that heads a box of links to other articles (``RELATED_HEADINGS``, « Sur le même sujet : »)."""
    return _heading_key(line) in RELATED_HEADINGS


def comments_start(line: str) -> bool:
    """The line that opens the comments under an article: nothing after it is the article."""
    return bool(_COMMENTS.match(fold(line).strip(" :.")))


# where a paywall cuts the article (« Il vous reste 62.15% de cet article à lire. La suite est réservée aux
# abonnés. »)
# (« Abonnez-vous pour lire la suite de nos entretiens » may stand mid-page, over more text: no end)
_PAYWALL = re.compile(r"^il vous reste \d[\d.,]*\s?% de cet article"
                      r"|^la suite (?:de cet article )?est reservee aux abonnes")


def paywall_start(line: str) -> bool:
    """The line where a paywall cuts a copied page: what follows is the subscription offer, not the article."""
    return bool(_PAYWALL.match(fold(line).strip()))


def without_reference_calls(text: str) -> str:
    """``text`` without an encyclopedia's reference calls (``kalan.rag.text.REFERENCE_CALLS``: ``[1]``, ``[note 2]``,
    ``[réf. nécessaire]``): not the article's words, and a student would read one as a citation of Kalan's, or
    « [4] » as a number of the article."""
    def gap(m: re.Match) -> str:  # « mètres.[1]Sa corne » → « mètres. Sa corne », « jusqu'[1]au » → « jusqu'au »
        return " " if m.start() and text[m.start() - 1] in ".!?;:»)" and text[m.end():m.end() + 1].isalnum() else ""

    return REFERENCE_CALLS.sub(gap, text)


def apparatus_start(line: str) -> bool:
    """A line that opens an encyclopedia's apparatus (« Notes et références », « Bibliographie », « Liens
    externes »): a page copied from an encyclopedia ends there; its references are no text to learn from."""
    return _heading_key(line) in END_APPARATUS


def apparatus_sections(lines: list[str]) -> list[tuple[bool, str | None]]:
    """For each line of a Markdown text: whether it stands in an apparatus section (``is_apparatus_heading``),
    each with its subsections, up to the next heading of its level or above that is not one; and the section's
    title on the heading that opens it (else None). The article's own sections stay."""
    out, level = [], 0  # level: the skipped section's heading level (0: not skipping)
    for line in lines:
        m = MD_HEADING.match(line)
        opens = None
        if m and (not level or len(m.group(1)) <= level):  # a subsection of a skipped section is skipped too
            level = len(m.group(1)) if is_apparatus_heading(m.group(2)) else 0
            opens = m.group(2).strip() if level else None
        out.append((bool(level), opens))
    return out


def date_only(line: str) -> bool:
    """A line that is a date and nothing else (« - 18 juin 2025 »): a dateline in a page's header; further down, a
    chronology's date over its event, which stays text (``kalan.ingest.sections`` decides by the line's place)."""
    return _alone_date(fold(line).strip()) is not None


def _alone_date(folded: str) -> str | None:
    """The ISO date of a folded line that is a date and nothing else, else None."""
    return _date_of(folded.lstrip("-–—•·| ")) if folded and _DATE_ONLY.match(folded) else None


def is_noise(line: str) -> bool:
    """True for a line that is page furniture, not article text."""
    raw = fold(line).strip()
    if raw and _PUNCT_ONLY.match(raw):
        return True
    s = raw.strip(":|>»«•·-\"").strip()
    if not s:
        return False
    if s in NAV_LINES or (len(s) <= 100 and _FURNITURE.search(s)) or _GLUED_LINK.match(line):
        return True
    if len(s) <= 200 and _CAPTION.search(s) or len(s) <= 300 and _CAPS_CREDIT.search(line.strip()):
        return True
    if len(s) <= 300 and _SITE_THING.search(s) and _TO_READER.search(s):
        return True  # the site talking to its reader: a cookie banner, a newsletter's pitch
    items = _MENU_GAP.split(line.strip())
    if len(items) < 3 and not any(c.isdigit() for c in line):  # « Accueil | Politique | Sport », a breadcrumb
        items = _MENU_BARS.split(line.strip())  # (with a number, a table's row: ``sections.table_row``)
    if len(items) >= 3 and all(len(i.split()) <= 4 and not i.endswith(tuple(".!?…;,:»")) for i in items):
        return True
    # "Partager : Facebook | Twitter | WhatsApp" style rows
    parts = [p.strip() for p in re.split(r"[|/•·:]", s) if p.strip()]
    return len(parts) > 1 and all(p in NAV_LINES for p in parts)


def is_byline(line: str, author: str | None) -> bool:
    """A signature line such as "La Rédaction" or "Par Jean Dupont"."""
    s = fold(line).strip().rstrip(".")
    if author and s == fold(author).strip().rstrip("."):
        return True
    return (s in ("la redaction", "redaction") or (s.startswith("par ") and len(s.split()) <= 5)
            or byline_author(line) is not None)


def byline_author(line: str) -> str | None:
    """The name a signature line gives (« Par Jean Dupont », « Texte par : Serge Daniel »), else None."""
    if (agency := _AGENCY_BYLINE.match(line)):
        return agency.group(1).strip()
    m = _BYLINE.match(line)
    # the name before what the line says of its author: « Aminata Sow, envoyée spéciale à … », « … (Ouagadougou) »
    name = re.split(r"\s*[,(]", m.group(1), maxsplit=1)[0].strip() if m else ""
    # two authors (« Fatoumata Keïta et Ibrahim Traoré »): each a name
    names = [n.strip() for n in re.split(r"\s+(?:et|and|&)\s+", name)] if name else []
    return name if names and all(n and len(n.split()) <= 4 and n[0].isupper() for n in names) else None


# a signature closing a page: two to four capitalised words, a comma, what the author is (« Ibrahima Sall, envoyé
# spécial à Kayes », « Aminata Sow, à Bamako »), no final punctuation
_SIGNATURE = re.compile(r"^\s*((?:[A-ZÀ-Ý][\w'’-]+)(?:\s+[A-ZÀ-Ý][\w'’-]+){1,3}),\s+[a-zà-ÿ][^.!?]{0,60}$")


def signature_author(line: str) -> str | None:
    """The author's name of a page's closing signature (``_SIGNATURE``), else None; read on the last line only."""
    m = _SIGNATURE.match(line.rstrip())
    if not m or any(fold(w) in FRENCH_STOPWORDS for w in m.group(1).split()):
        return None  # « Le Mali, la Russie et … » is no name
    return m.group(1)


_META_GAP = re.compile(r"\s+[|·•]\s+")


def meta_row(line: str) -> list[str] | None:
    """A row of a page's metadata, its parts apart by bars or dots (« Par Mamadou Diallo | Publié le 3 mars 2025 |
    Lecture 4 min »): the parts, when every one is a byline, a date line or furniture; else None."""
    parts = [p.strip() for p in _META_GAP.split(line.strip()) if p.strip()]
    if len(parts) < 2 or not all(byline_author(p) or dateline_date(p) or is_noise(p) for p in parts):
        return None
    return parts


def dateline_date(line: str) -> str | None:
    """The ISO date of a publication line (« Publié le : 12/09/2024 - 08:45 », « Publié le 3 mars 2024 à 10 h »),
    else None; an update line (« Modifié le … ») gives none: the card says when the article was published."""
    s = fold(line).strip()
    m = _DATELINE.match(s)
    if not m:
        return _alone_date(s)  # « - 18 juin 2025 » alone
    return _date_of(s[m.end():])


_BY_AFTER_DATE = re.compile(r"\s+par\s+(?=[A-ZÀ-Ý])")


def dateline_author(line: str) -> str | None:
    """The author a publication line names after its date (« Publié le 14 mars 2025 par Bakary Coulibaly »), else
    None."""
    if dateline_date(line) is None or not (m := _BY_AFTER_DATE.search(line)):
        return None
    return byline_author("Par " + line[m.end():])


def _date_of(rest: str) -> str | None:
    """The ISO date a dateline's text gives (numeric or in words), else None."""
    if (n := _NUMERIC_DATE.search(rest)):
        day, month, year = (n.group(1), n.group(2), n.group(3)) if n.group(1) else (n.group(6), n.group(5), n.group(4))
    elif (w := _WORD_DATE.search(rest)) and w.group(2) in lx.MONTHS:
        day, month, year = ("1" if w.group(1) == "1er" else w.group(1)), str(lx.MONTHS.index(w.group(2)) + 1), w.group(3)
    else:
        return None
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


def is_apparatus_heading(heading: str) -> bool:
    """A section title of an encyclopedia's apparatus (« Notes et références », « Liens externes »…), or of a
    box of links to other articles (``RELATED_HEADINGS``: a web page converted to Markdown keeps « ## Sur le même
    sujet » and its teasers)."""
    key = _heading_key(heading)
    return key in APPARATUS_HEADINGS or key in RELATED_HEADINGS


def _heading_key(heading: str) -> str:
    """A heading as the apparatus lists write it: folded, without Markdown's « # » nor a final colon or period."""
    return fold(heading).strip(" #:.").strip()
