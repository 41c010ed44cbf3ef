"""Split an article's text into its title, sections and paragraph units.

Plain text (the scraped seed): a lone short line without final punctuation,
followed by text, is a section heading (with or without a blank line under it); the first line is the title; lines
before the first heading form the untitled introduction; each line is a
paragraph, unless the text is wrapped at a fixed width (``kalan.rag.sentences.wrapped``). Markdown: ``#`` and
``##`` headings are sections, the first ``#`` is the title when the metadata
gives none. In both, a paragraph ending with ":" keeps the bullet list that
follows it, so a list never loses its lead sentence; a short question on a line of its own (an interview's) heads
the answer under it; a byline opening the text gives the author and is no paragraph. A scraped page's furniture
(menus, bylines, related headlines) goes by its place, and a box of links to other articles (« Sur le même sujet »,
« Les plus lus »: their headlines and one-sentence teasers) goes wherever it stands; a box of dates after the text
(« Repères ») stays, so do a copied table's rows (cells apart by tabs: « Part de l'État⇥35 % »), and a wire
dispatch's dateline (« BAMAKO (AFP) - ») is cut off its first paragraph. The
page ends where its comments, a paywall or an encyclopedia's references begin (in Markdown, the references'
sections go, up to a heading that is the article's again).

Units are character spans of the original text. Nothing is embedded here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from kalan.ingest.clean import MD_HEADING, apparatus_sections, apparatus_start, byline_author, comments_start, \
    date_only, dateline_author, dateline_date, is_byline, is_noise, meta_row, paywall_start, related_start, \
    signature_author, wire_dateline
from kalan.ingest.load import Article, short_title
from kalan.rag.sentences import join_wrapped, sentence_spans, wrapped
from kalan.rag import lexicon as lx
from kalan.rag.text import content_words, fold

INTRO = "Introduction"

_BULLET = re.compile(r"^\s*(?:[•·▪◦‣*+\-–—]|\d{1,2}[.)])\s+")
_END_PUNCT = tuple(".!?…;,:»\")")


@dataclass
class Unit:
    start: int
    end: int
    kind: str = "paragraph"  # paragraph | list


@dataclass
class Section:
    title: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class Structure:
    title: str
    sections: list[Section]
    dropped: list[str] = field(default_factory=list)  # noise lines removed, for the report
    found: dict = field(default_factory=dict)  # author and date read off a plain text's byline and dateline


def _lines(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, line) for each line from ``start``, offsets without the newline."""
    out, pos = [], start
    for line in text[start:].split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _question_line(line: str) -> bool:
    """A short question on a line of its own (« Pourquoi le ticket est-il critiqué ? »): an interview's question or
    an explainer's subheading. It asks and states nothing: the text after it is its section."""
    s = line.strip()
    return (0 < len(s) <= 160 and s.endswith("?") and not _BULLET.match(line) and len(s.split()) <= 20
            and (s[0].isupper() or s[0] in "«\"'"))


_DATED = re.compile(r"^\s*(?:(?:le\s+)?(?:1er|\d{1,2})\s+)?(?:(?:" + "|".join(lx.MONTHS) + r")\s+)?"
                    r"(?:1\d|20)\d\d\s*[:–—-]\s*\S")


def dated_line(line: str) -> bool:
    """A line of a box of dates: a year or a date, a colon or a dash, then what happened (« 2013 : début de
    l'opération Serval », « 12 mars 2024 – … »). Related headlines open on a place or a subject instead."""
    return bool(_DATED.match(fold(line)))


_NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+(?=\S)")


def _looks_like_heading(line: str) -> bool:
    """A short line without final punctuation nor bullet; a numbered one too (« 2. Un delta au milieu du désert »:
    a list article's heading; alone in its block, over text, ``_plain`` reads it as one)."""
    s = line.strip()
    numbered = _NUMBERED.match(line)
    rest = s[numbered.end() - (len(line) - len(line.lstrip())):] if numbered else s
    return (
        0 < len(s) <= 120
        and not table_row(line)
        and not s.endswith(_END_PUNCT)
        and (numbered is not None or not _BULLET.match(line))
        and (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "«\"'")
        and len(s.split()) <= 16
    )


def table_of_contents(lines: list[str]) -> set[int]:
    """The indices of a page's table of contents (« Sommaire » and the headings it lists): a run of two bare lines
    or more (blank lines between them allowed), each written again further down the page, where it heads its
    section; with the bare line of three words at most right before the run, its label."""
    later: dict[str, int] = {}
    for k, line in enumerate(lines):
        later[line.strip()] = k  # the last line with this text
    listed = [k for k, line in enumerate(lines) if _bare(line) and later[line.strip()] > k]
    out: set[int] = set()
    run: list[int] = []
    for k in listed + [len(lines) + 1]:
        if run and any(lines[j].strip() for j in range(run[-1] + 1, min(k, len(lines)))):
            if len(run) >= 2:
                out.update(run)
                label = next((j for j in range(run[0] - 1, -1, -1) if lines[j].strip()), None)
                if label is not None and _bare(lines[label]) and len(lines[label].split()) <= 3:
                    out.add(label)
            run = []
        run.append(k)
    return out


def structure(article: Article) -> Structure:
    text = article.text
    lines = _lines(text, article.body_start)
    contents = table_of_contents([line for _, _, line in lines]) if article.format != "markdown" else set()
    author = article.meta.get("author")
    dropped: list[str] = []
    kept: list[tuple[int, int, str]] = []
    found: dict = {}
    in_text = False  # a sentence was kept: the page's header (site, headline, byline, dateline) is over
    # Markdown: the lines of an apparatus section (« ## Notes et références »), up to the article's next heading
    apparatus = apparatus_sections([line for _, _, line in lines]) if article.format == "markdown" else []
    box = teaser = False  # in a box of related links; the line before was one of its headlines
    for k, (s, e, line) in enumerate(lines):
        if (apparatus and apparatus[k][0]) or k in contents:
            dropped.append(line.strip())
            continue
        if in_text and article.format != "markdown" and related_start(line):
            box = teaser = True
            dropped.append(line.strip())
            continue
        if box and line.strip():
            if _link_line(line) or is_noise(line):
                teaser = True
                dropped.append(line.strip())
                continue
            if teaser and len(sentence_spans(line.strip())) == 1:  # a headline's teaser (one sentence)
                teaser = False
                dropped.append(line.strip())
                continue
            box = False  # the article's text again (a box mid-page)
        if in_text and (comments_start(line) or paywall_start(line)
                        or (article.format != "markdown" and apparatus_start(line))):
            dropped.extend(l.strip() for _, _, l in lines[k:] if l.strip())  # comments, subscription offer, references
            break
        if (parts := meta_row(line)) is not None:  # « Par Mamadou Diallo | Publié le 3 mars 2025 | Lecture 4 min »
            dropped.append(line.strip())
            for part in parts:
                if (date := dateline_date(part)) and "date" not in found:
                    found["date"] = date
                if (name := byline_author(part)) and "author" not in found:
                    found["author"] = name
            continue
        if is_noise(line) or (not in_text and date_only(line)):  # « - 18 juin 2025 » under the byline
            dropped.append(line.strip())
            if (date := dateline_date(line)) and "date" not in found:
                found["date"] = date
            if (name := dateline_author(line)) and "author" not in found:  # « Publié le … par Bakary Coulibaly »
                found["author"] = name
            continue
        kept.append((s, e, line))
        in_text = in_text or not _bare(line)
    # A trailing byline ("La Rédaction") is metadata, not text.
    nonblank = [i for i, (_, _, l) in enumerate(kept) if l.strip()]
    if nonblank and is_byline(kept[nonblank[-1]][2], author):
        dropped.append(kept[nonblank[-1]][2].strip())
        if (name := byline_author(kept[nonblank[-1]][2])) or fold(kept[nonblank[-1]][2]).strip(" .") in (
                "la redaction", "redaction"):
            found["author"] = name or kept[nonblank[-1]][2].strip()
        kept.pop(nonblank[-1])
    elif nonblank and (name := signature_author(kept[nonblank[-1]][2])):  # « Ibrahima Sall, envoyé spécial à Kayes »
        dropped.append(kept[nonblank[-1]][2].strip())
        found.setdefault("author", name)
        kept.pop(nonblank[-1])
    if article.format == "markdown":
        title, sections = _markdown(text, kept)
    else:
        title, sections = _plain(text, kept, dropped, found)
    meta_title = article.meta.get("title")
    if meta_title:
        title = plain_title(str(meta_title))
    else:
        title = without_rubric(without_site_name(title, dropped))
    if sections and sections[0].units:  # a byline opening the text (« Par Aminata Sow, envoyée spéciale à … »)
        first = text[sections[0].units[0].start:sections[0].units[0].end].strip()
        if len(first) <= 200 and (name := byline_author(first)):
            dropped.append(first)
            found.setdefault("author", name)
            sections[0].units.pop(0)
    for sec in sections:
        for u in sec.units:
            if (cut := wire_dateline(text[u.start:u.end])) and cut < u.end - u.start:
                dropped.append(text[u.start:u.start + cut].strip())
                u.start += cut  # « BAMAKO (AFP) - Le Mali a lancé … » says « Le Mali a lancé … »
        sec.units = _attach_lists(text, sec.units)
        sec.title = short_title(sec.title)
    sections = [s for s in sections if s.units]
    return Structure(short_title(title) or article.article_id, sections, dropped, found)


def _blocks(kept):
    """Groups of consecutive non-blank lines."""
    block: list = []
    for item in kept:
        if item[2].strip():
            block.append(item)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _runs(block) -> list:
    """A page copied with no blank line at all (one block) as the blocks its blank lines would have made: the
    header lines before the first sentence together (``headline`` reads them), then each bare line (``_bare``: a
    heading, a caption, a menu, the footer) on its own and the sentences between them together, so that a heading
    heads its text and the furniture goes by its place as on any page. Lines under a lead ending with ":" stay
    with it (its list); a text wrapped at a fixed width (``kalan.rag.sentences.wrapped``) is left whole."""
    lines = [line for _, _, line in block]
    soft = wrapped(lines)
    if 2 * sum(soft) > len(soft):
        return [block]
    k = 0
    while k < len(lines) and (_header_line(lines[k]) or byline_author(lines[k])):
        k += 1
    k = k or int(len(lines[0].strip()) <= 200)  # else the first line is the title, as a first paragraph of one line
    out = [block[:k]] if k else []

    def alone(line: str) -> bool:  # a line that is a block of its own: a heading, a question, a byline, a caption
        return (_bare(line) or _question_line(line) or bool(byline_author(line))
                or bool(_NUMBERED.match(line) and _looks_like_heading(line))) and not dated_line(line)

    listing = False  # under a lead ending with ":", or a box's dates under their heading
    for j in range(k, len(block)):
        line, before = lines[j], lines[j - 1] if j else ""
        listing = (listing and alone(line)) or before.rstrip().endswith(":") or (
            dated_line(line) and j > k and (alone(before) or dated_line(before)))
        if out and (listing or (not alone(line) and j > k and not alone(before))):
            out[-1].append(block[j])
        else:
            out.append([block[j]])
    return out


def _heading_apart(block) -> list:
    """A block that opens on a heading with its text right under it, no blank line between (« Des enseignants
    volontaires » over « Beaucoup d'enseignants avaient fui … »), as two blocks: the heading alone, so that it
    heads its section as it does over a blank line, then its text. A text wrapped at a fixed width stays whole, and
    a short line that the next one goes on (``_opens_sentence``) is no heading."""
    lines = [line for _, _, line in block]
    if (len(lines) < 2 or not (_looks_like_heading(lines[0]) or _question_line(lines[0]))
            or is_byline(lines[0], None) or dated_line(lines[0]) or _bare(lines[1]) or dated_line(lines[1])
            or 2 * sum(wrapped(lines)) > len(lines) or not _opens_sentence(lines[1])):
        return [block]
    return [block[:1], block[1:]]


def _opens_sentence(line: str) -> bool:
    """A line that opens a sentence of its own (a capital, a quote, a digit), not one that goes on with the line
    before it (« plusieurs associations du quartier, … » under « … avec l'aide de la région et de »)."""
    s = line.strip()
    return bool(s) and (s[0].isupper() or s[0].isdigit() or s[0] in "«\"'“")


def _link_line(line: str) -> bool:
    """A line of a box of related links: a headline (``_header_line``), bulleted or numbered or not."""
    return _header_line(_BULLET.sub("", line, count=1)) and not _question_line(line)


def title_line(lines: list[str], limit: int = 200) -> str | None:
    """A plain text's first paragraph (``lines``) as its title: when it is one line, or one line wrapped over
    several (``kalan.rag.sentences.wrapped``), of at most ``limit`` characters; else None."""
    joined = " ".join(line.strip() for line in lines)
    if any(byline_author(line) for line in lines[1:]):
        return None  # « Par Moussa Hamani » under the headline signs it: no line of a title (``headline`` reads it)
    return joined if lines and all(wrapped(lines)) and len(joined) <= limit else None


def _bare(line: str) -> bool:
    """A line that says no sentence: short, no final punctuation, no list bullet (a heading, a site's name, a
    rubric, a player's label, a related link's title); not a table's row either (``table_row``)."""
    s = line.strip()
    return bool(s) and not s.endswith(_END_PUNCT) and not _BULLET.match(line) and len(s) <= 120 \
        and len(s.split()) <= 16 and not table_row(line)


_CELL_GAP = re.compile(r"\t+|\s+\|\s+")  # a copied table's cells: apart by tabs, or by bars between spaces


def table_row(line: str) -> bool:
    """A row of a table copied from a page (« Production prévue⇥506 000 tonnes par an »): two to six cells apart by
    tabs or bars, one holding a number. A fact of the article (« Part de l'État⇥35 % »), neither a heading nor a
    menu."""
    cells = [c for c in _CELL_GAP.split(line.strip()) if c.strip()]
    return 2 <= len(cells) <= 6 and any(ch.isdigit() for c in cells[1:] for ch in c)


def _header_line(line: str) -> bool:
    """A line of a news page's header: a bare line (``_bare``) without its word limit, up to 200 characters, so that
    a headline longer than a heading counts (« Burkina Faso : le vaccin contre le paludisme arrive dans les villages,
    les mères font la queue », 17 words); it still ends on no punctuation."""
    s = line.strip()
    quoted = s.startswith("«") and s.endswith("»")  # a headline that quotes its interviewee
    asks = s.endswith("?") and len(sentence_spans(s)) == 1  # « Le chemin de fer Dakar-Bamako va-t-il renaître ? »
    return bool(s) and (quoted or asks or not s.endswith(_END_PUNCT)) and not _BULLET.match(line) and len(s) <= 200


def headline(block, text: str = "") -> tuple[str, list[str]] | None:
    """A scraped news page's header: the lines before the first sentence of the first block (site name, rubric,
    menu, headline…): (the headline, the other lines). The headline is the line of three words or more, no byline,
    that shares the most words with the page's ``text`` (a headline says what the article says; a site's tagline,
    « Actualités et Infos en France et dans le monde », or a menu's « Créer un compte » does not), the longest
    on a tie."""
    head = []
    for line in block:
        if not _header_line(line):
            break
        head.append(line.strip())
    said = content_words(text)
    lines = [line for line in head if len(line.split()) >= 3 and not byline_author(line)]
    if not lines:
        return None
    best = max(lines, key=lambda line: (len(content_words(line) & said), len(line.split())))
    return best, [line for line in head if line is not best]


def _plain(text: str, kept, dropped: list[str] | None = None, found: dict | None = None) -> tuple[str, list[Section]]:
    """``dropped`` gets the page furniture found here; ``found`` the author of a byline in the page's header."""
    dropped = [] if dropped is None else dropped
    found = {} if found is None else found
    blocks = list(_blocks(kept))
    if len(blocks) == 1 and len(blocks[0]) >= 6:  # a page with no blank line at all
        blocks = _runs(blocks[0])
    title = ""
    if blocks and (first := title_line([line for _, _, line in blocks[0]])):
        title = first
        blocks = blocks[1:]
    elif blocks and (head := headline([line for _, _, line in blocks[0]],
                                      " ".join(line for b in blocks for _, _, line in b if not _bare(line)))):
        title, others = head
        dropped.extend(others)
        if "author" not in found and (name := next(filter(None, map(byline_author, others)), None)):
            found["author"] = name  # « Par Issouf Kaboré (Ouagadougou, correspondance) » under the headline
        blocks[0] = blocks[0][len(others) + 1:]
        for item in [item for item in blocks[0] if byline_author(item[2])]:  # « Propos recueillis par … » below it
            blocks[0].remove(item)
            dropped.append(item[2].strip())
            found.setdefault("author", byline_author(item[2]))
        blocks = [b for b in blocks if b]
    blocks = [part for b in blocks for part in _heading_apart(b)]

    def heading_like(block) -> bool:
        return len(block) == 1 and (_looks_like_heading(block[0][2]) or _question_line(block[0][2]))

    def heading(i: int) -> bool:
        block = blocks[i]
        return (
            heading_like(block)
            and not is_byline(block[0][2], None)
            and i + 1 < len(blocks)
            and not heading_like(blocks[i + 1])
        )

    # Page furniture by its place (its words vary from site to site): before the first block that holds a
    # sentence (caption, byline, reading time), after the last one (newsletter, related links, comments), and a
    # lone line that is no heading between them (a player's label). A heading keeps its place; a list without
    # bullets that a lead ending with ":" announces is text.
    content = [i for i, b in enumerate(blocks)
               if any(not _bare(line) and not is_byline(line, None) for _, _, line in b)
               or 2 * sum(dated_line(line) for _, _, line in b) >= max(2, len(b))]  # a box of dates (« Repères »)
    furniture = set()
    if content:
        for i, block in enumerate(blocks):
            if i in content or (heading(i) and i < content[-1]):
                continue
            lead = blocks[i - 1][-1][2].rstrip() if i else ""
            if i < content[0] or i > content[-1] or (len(block) == 1 and not lead.endswith(":")):
                furniture.add(i)
                for _, _, line in block:
                    dropped.append(line.strip())
                    if (i < content[0] or len(block) == 1) and (name := byline_author(line)) and "author" not in found:
                        found["author"] = name
    sections = [Section(INTRO)]
    for i, block in enumerate(blocks):
        if i in furniture:
            continue
        if heading(i):
            sections.append(Section(block[0][2].strip()))
            continue
        if len(block) > 1 and _looks_like_heading(block[0][2]) and all(dated_line(l) for _, _, l in block[1:]):
            sections.append(Section(block[0][2].strip()))  # « Repères » over its dates
            block = block[1:]
        # each line of a block is a paragraph in scraped text; a text wrapped at a fixed width goes on
        # across its line breaks (kalan.rag.sentences.join_wrapped)
        spans = [(s, e) for s, e, _ in block]
        for s, e in (spans if all(dated_line(l) for _, _, l in block) else join_wrapped(text, spans)):
            s, e = _trim(text, s, e)
            sections[-1].units.append(Unit(s, e, "list" if _BULLET.match(text[s:e]) else "paragraph"))
    return title, sections


def _markdown(text: str, kept) -> tuple[str, list[Section]]:
    title = ""
    sections = [Section(INTRO)]
    blocks = list(_blocks(kept))
    for j, block in enumerate(blocks):
        if len(block) == 1 and _question_line(block[0][2]) and j + 1 < len(blocks) and not (
                MD_HEADING.match(blocks[j + 1][0][2]) or (len(blocks[j + 1]) == 1
                                                           and _question_line(blocks[j + 1][0][2]))):
            sections.append(Section(block[0][2].strip()))  # an interview's question, as the plain text reads it
            continue
        para: list = []

        def flush():
            if para:
                s, e = _trim(text, para[0][0], para[-1][1])
                kind = "list" if all(_BULLET.match(l) or l.startswith((" ", "\t")) for _, _, l in para) else "paragraph"
                sections[-1].units.append(Unit(s, e, kind))
                para.clear()

        for item in block:
            m = MD_HEADING.match(item[2])
            if m:
                flush()
                level, heading = len(m.group(1)), m.group(2).strip()
                if level == 1 and not title:
                    title = heading
                else:
                    sections.append(Section(heading))
                continue
            if _BULLET.match(item[2]) and para and not _BULLET.match(para[-1][2]):
                flush()  # a list starts: keep it as its own unit (merged with its lead below)
            para.append(item)
        flush()
    return title, sections


def _attach_lists(text: str, units: list[Unit]) -> list[Unit]:
    """Merge a lead paragraph ending with ':' with the list items that follow it."""
    out: list[Unit] = []
    for u in units:
        if u.kind == "list" and out and (
            text[out[-1].start : out[-1].end].rstrip().endswith(":") or out[-1].kind == "list"
        ):
            out[-1] = Unit(out[-1].start, u.end, "list")
        else:
            out.append(u)
    return out


def plain_title(title: str) -> str:
    """A metadata title as text: HTML tags dropped and entities decoded ("<i>Moonraker</i> (film)").

    Entities are decoded first and tags dropped after, until nothing changes: an escaped tag
    (``&lt;img onerror=…&gt;``) never comes out as live markup; a ``<`` or ``>`` left alone
    becomes ``‹`` / ``›``."""
    text = title
    for _ in range(5):  # &amp;lt; decodes in two rounds
        decoded = re.sub(r"<[^>]*>", "", html.unescape(text))
        if decoded == text:
            break
        text = decoded
    text = re.sub(r"\s+", " ", text.replace("<", "‹").replace(">", "›")).strip()
    return text or re.sub(r"\s+", " ", title.replace("<", "‹").replace(">", "›")).strip()


_TITLE_SEPARATOR = re.compile(r"\s+[—–|·-]\s+")


def without_site_name(title: str, furniture: list[str]) -> str:
    """``title`` without the site name a browser's title bar appends (« Lac Faguibine — Wikipédia », « … | Jeune
    Afrique »): the part after the last spaced dash or bar, of four words at most, when the page's furniture
    (``furniture``: its menus, footer, copyright lines) names it too. A title whose last part the furniture does
    not name keeps it (« Coopération — Mali »)."""
    last = None
    for last in _TITLE_SEPARATOR.finditer(title):
        pass
    if last is None:
        return title
    head, site = title[:last.start()].strip(), title[last.end():].strip()
    if not site or len(site.split()) > 4 or len(head.split()) < 2:
        return title
    name = re.compile(r"(?<!\w)" + re.escape(fold(site)) + r"(?!\w)")
    return head.strip() if any(name.search(fold(line)) for line in furniture if line.strip() != title.strip()) \
        else title


# a rubric's label before a headline (« EN DIRECT - Élection … », « VIDÉO. Mali : … », « ENTRETIEN – … »): the kind
# of page, not its subject; in capitals, then a dash, a period or a colon
_RUBRIC = re.compile(r"^(?:EN DIRECT|DIRECT|LIVE|VID[ÉE]O|PHOTOS?|ENTRETIEN|INTERVIEW|REPORTAGE|ANALYSE|TRIBUNE|"
                     r"EXCLUSIF|[ÉE]DITO|PORTRAIT|CHRONIQUE|ENQU[ÊE]TE|PODCAST|INFOGRAPHIE|T[ÉE]MOIGNAGES?|URGENT|"
                     r"ALERTE|D[ÉE]CRYPTAGE|INFO \w+|INFO)\s*(?:[-–—:.|]\s+)(?=\S)")


def without_rubric(title: str) -> str:
    """``title`` without a rubric's label in capitals before it (« EN DIRECT - », « VIDÉO. »); an acronym that
    is the subject (« ONU : le Conseil … ») stays."""
    m = _RUBRIC.match(title)
    return title[m.end():] if m and len(title[m.end():].split()) >= 3 else title


def normalized_title_matches(a: str, b: str) -> bool:
    return fold(a).strip(" .") == fold(b).strip(" .")
