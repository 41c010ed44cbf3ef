"""Recognise the noise of scraped pages, line by line.

Scraped articles carry navigation ("Skip links", "Accueil", "Recherche", "Top",
"Découvrir", "Drag", share buttons...) and bylines. ``is_noise`` says whether a
whole line is such noise; the text itself is never rewritten, so offsets and
the text shown to users stay faithful to the article.

Does not decide headings or sections (``kalan.ingest.sections``).
"""

from __future__ import annotations

import re

from kalan.rag.text import fold

NAV_LINES = frozenset(
    """skip links|skip to content|aller au contenu|aller au contenu principal|accueil|recherche|rechercher|
    top|haut de page|retour en haut|decouvrir|drag|menu|fermer|partager|partager sur facebook|
    partager sur twitter|facebook|twitter|x|whatsapp|linkedin|telegram|imprimer|email|e-mail|
    copier le lien|lire aussi|a lire aussi|voir aussi|publicite|connexion|se connecter|s'abonner|
    abonnez-vous|newsletter|inscrivez-vous|commentaires|laisser un commentaire|articles similaires|
    plus d'articles|tags|mots-cles|categories|suivez-nous|contact|mentions legales|cookies|
    accepter|refuser|precedent|suivant|article precedent|article suivant|lire la suite|
    en savoir plus|a la une|actualites|politique de confidentialite""".replace("\n", "").split("|")
)
NAV_LINES = frozenset(s.strip() for s in NAV_LINES)

# An encyclopedia's apparatus after the article: its sections hold references and links, not text to learn from
# (a bibliography's « Paris, 1998 » is no event of the timeline, « Éditions Jeune Afrique, _____ » no quiz item)
APPARATUS_HEADINGS = frozenset(s.strip() for s in """notes et references|notes|references|bibliographie|
    liens externes|voir aussi|articles connexes|sources et bibliographie|notes et sources""".split("|"))

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
# Page furniture that carries words of its own: dates of publication, reading time, copyright, links to
# other articles ("Lire aussi : ..."), photo credits, comment counters.
_FURNITURE = re.compile(
    r"^(?:publie|mis a jour|mise a jour|modifie|actualise)(?: le| :|:)\s*.{0,40}\d"
    r"|^temps de lecture\b|^lecture\s*:?\s*\d+\s*min"
    r"|^(?:©|\(c\)|copyright)|tous droits reserves"
    r"|^(?:lire aussi|a lire aussi|lire egalement|a lire egalement|voir aussi|sur le meme sujet)\s*[:\-–—]"
    r"|^(?:photo|photos|credit photo|credits? photo|illustration)\s*[:©]"
    r"|^\d+\s+(?:commentaires?|partages?|reactions?)$"
)


def is_noise(line: str) -> bool:
    """True for a line that is page furniture, not article text."""
    raw = fold(line).strip()
    if raw and _PUNCT_ONLY.match(raw):
        return True
    s = raw.strip(":|>»«•·-\"").strip()
    if not s:
        return False
    if s in NAV_LINES or (len(s) <= 100 and _FURNITURE.search(s)):
        return True
    # "Partager : Facebook | Twitter | WhatsApp" style rows
    parts = [p.strip() for p in re.split(r"[|/•·:]", s) if p.strip()]
    return len(parts) > 1 and all(p in NAV_LINES for p in parts)


def is_byline(line: str, author: str | None) -> bool:
    """A signature line such as "La Rédaction" or "Par Jean Dupont"."""
    s = fold(line).strip().rstrip(".")
    if author and s == fold(author).strip().rstrip("."):
        return True
    return s in ("la redaction", "redaction") or (s.startswith("par ") and len(s.split()) <= 5)


def is_apparatus_heading(heading: str) -> bool:
    """A section title of an encyclopedia's apparatus (« Notes et références », « Liens externes »…)."""
    return fold(heading).strip(" #:.").strip() in APPARATUS_HEADINGS
