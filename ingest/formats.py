"""Turn a file a teacher brings (web page, PDF, Word, Markdown, text) into cleaned Markdown and its metadata.

``convert(raw, name, upload_settings)`` checks the bytes first and refuses, with a French message
(``CorpusFileError``), what must not reach the corpus: a file over the size limit, a type disguised by its
extension (the magic bytes decide, not the name), a Word file whose archive would unpack to too much (zip
bomb), a PDF carrying JavaScript or a password, a scanned PDF without a text layer, a text with no French.
Then each format is read by the library made for it:

- HTML: ``trafilatura`` keeps the main text and reads title, author, date and site name; scripts, iframes,
  menus, comment threads and cookie banners never come out, and lines of page furniture left in the text
  (« Lire aussi : … », share rows) are dropped with ``kalan.ingest.clean.is_noise``;
- PDF: the text layer through ``pypdf``; running headers and footers (a line at a page's edge that comes back on
  most pages) are dropped, lines are joined back into paragraphs, short unpunctuated lines between paragraphs
  become section headings;
- DOCX: ``python-docx``; Word's « Titre »/« Heading » styles become Markdown headings (sections);
- Markdown: kept as written, less its inline markup (bold, italics, escapes, links said by their text, images
  dropped); plain text: kept as it is (the front matter of either, if any, is read as today).

The result (``Converted``) is what the teachers' preview shows and may edit; writing it into the corpus is
``kalan.ingest.upload``. Nothing here touches the corpus folder, the store or a model.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kalan.ingest import upload_messages as um
from kalan.ingest.clean import MD_HEADING, apparatus_sections, byline_author, is_noise
from kalan.ingest.load import Article, CorpusFileError, article_id_for, clean_meta, decode, split_front_matter
from kalan.ingest.sections import structure
from kalan.rag.text import FRENCH_STOPWORDS, words

SUFFIX_KIND = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
               ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
MIN_WORDS = 20
MIN_FRENCH_SHARE = 0.15  # French prose: ~40 % of its words are function words; English or code: under 8 %
MIN_PDF_CHARS_PER_PAGE = 20
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_ACTIVE = re.compile(r"<\s*(script|iframe|object|embed)\b", re.IGNORECASE)
_LEFTOVER_TAGS = re.compile(r"<\s*(script|iframe|object|embed|style)\b[^>]*>.*?<\s*/\s*\1\s*>|"
                            r"<\s*/?\s*(script|iframe|object|embed|style)\b[^>]*>", re.IGNORECASE | re.DOTALL)
# What trafilatura's Markdown keeps of a page's inline markup, none of which an answer should say:
# an encyclopedia's reference calls in superscript (« Bani<sup>\[1\]</sup> », « [réf. nécessaire] »),
_SUP_CALLS = re.compile(r"\s*<sup>\s*(?:\\?\[[^\]<]{1,40}?\\?\]\s*)+</sup>")
# other superscripts and subscripts (« XV<sup>e</sup> » is « XVe », « CO<sub>2</sub> » « CO2 »),
_SUP_SUB = re.compile(r"<(sup|sub)>(.*?)</\1>", re.DOTALL)
# a heading's edit links (« ## Histoire\[modifier | modifier le code\] »),
_EDIT_LINKS = re.compile(r"^(#{1,6} .*?)[ \t]*\\?\[\s*modifier\b[^\]\n]*\\?\][ \t]*$", re.MULTILINE)
# bold and italics (« **Djenné** », « *fondée* »; an escaped « \* » is a real asterisk), and Markdown's escapes
_EMPHASIS = re.compile(r"(?<![\\*\w])(\*\*|\*)(?=\S)(.+?)(?<=[^\s\\])\1(?![*\w])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
# a table row of trafilatura's Markdown (« | Population | 33 000 hab. (2009) | »)
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*(\n?)", re.MULTILINE)
# a Markdown link says its text, an image nothing (« [le rapport](https://…) » → « le rapport »)
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_END_PUNCT = tuple(".!?…:;»\")")


@dataclass
class Converted:
    """A file read and cleaned: the Markdown ``body`` (no front matter), its metadata and what was noticed."""

    name: str  # the file name as received
    kind: str  # html | pdf | docx | markdown | text
    article_id: str
    body: str
    meta: dict = field(default_factory=dict)  # title, author, date, source, url (text values)
    warnings: list[str] = field(default_factory=list)
    raw_sha256: str = ""
    edited: bool = False  # fixed by a teacher in the preview: a Markdown or text file is then rewritten as Markdown

    @property
    def sections(self) -> list[str]:
        return [m.group(2) for line in self.body.splitlines() if (m := MD_HEADING.match(line)) and len(m.group(1)) > 1]

    def preview(self) -> dict:
        return {"name": self.name, "kind": self.kind, "article_id": self.article_id, "meta": dict(self.meta),
                "sections": self.sections, "body": self.body, "warnings": list(self.warnings)}


# -- what the bytes are ------------------------------------------------------------------------------

def sniff(raw: bytes) -> str:
    """The kind of file the bytes are, whatever its name says."""
    head = raw[:2048]
    if b"%PDF-" in raw[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                return "docx" if "word/document.xml" in zf.namelist() else "zip"
        except zipfile.BadZipFile:
            return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) or head[8:12] == b"WEBP":
        return "image"
    if head.startswith((b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return "executable"
    if b"\x00" in raw[:65536]:
        return "binary"
    if _HTML_SNIFF.search(raw[:8192]):
        return "html"
    return "text"


def expected_kind(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIX_KIND:
        raise CorpusFileError(Path(name), um.UNSUPPORTED.format(suffix=suffix or "sans extension"))
    return SUFFIX_KIND[suffix]


def check_kind(raw: bytes, name: str) -> str:
    """The file's kind when its bytes match its extension; else a French error naming what it really is."""
    want = expected_kind(name)
    got = sniff(raw)
    ok = got == want or (want in ("markdown", "text") and got == "text")
    if not ok:
        raise CorpusFileError(Path(name), um.DISGUISED.format(suffix=Path(name).suffix.lower(),
                                                              actual=um.KIND_NAMES.get(got, got)))
    return want


def article_id_for_name(name: str) -> str:
    """The article id a file will have: its name without extension, folded (« Crue du Niger.pdf » -> crue-du-niger)."""
    return article_id_for(Path(Path(name).stem + ".md"))


# -- conversion ----------------------------------------------------------------------------------------

def convert(raw: bytes, name: str, upload) -> Converted:
    """Check and read one file (``upload``: ``UploadSettings``); ``CorpusFileError`` with a French reason."""
    path = Path(name)
    if not raw or not raw.strip():
        raise CorpusFileError(path, um.EMPTY)
    if len(raw) > upload.max_bytes:
        raise CorpusFileError(path, um.TOO_LARGE.format(size=len(raw) / 1e6, limit=upload.max_bytes / 1e6))
    kind = check_kind(raw, name)
    reader = {"html": _from_html, "pdf": _from_pdf, "docx": _from_docx,
              "markdown": _from_markdown, "text": _from_text}[kind]
    body, meta, warnings = reader(raw, path, upload)
    read = structure(Article("", path, body, 0, "text")) if kind == "text" else None  # as ingestion reads it
    said = read.found if read else {}  # its byline and dateline, before they go as noise
    if kind in ("pdf", "docx") and (name_ := _leading_byline(body)):
        meta = {**meta, "author": name_}  # « Par Aminata Sow, … » above the text: the file's author property
        # names who made the file (a teacher), the byline who wrote the article (ingestion drops the line)
    body, dropped = drop_noise(body)
    if dropped:
        warnings.append(um.NOISE_REMOVED.format(n=dropped))
    body, apparatus = without_apparatus(body)
    if apparatus:
        warnings.append(um.APPARATUS_REMOVED.format(titles=", ".join(f"« {t} »" for t in apparatus)))
    check_french(body, path)
    meta, meta_warnings = clean_meta({**said, **{k: v for k, v in meta.items() if v}}, path)
    if not meta.get("title") and read and read.title:
        meta["title"] = read.title  # its first line, or its headline without the site's name (sections._plain)
    if not meta.get("title"):
        meta["title"] = path.stem.replace("_", " ").strip() or article_id_for_name(name)
        warnings.append(um.NO_TITLE)
    return Converted(name=path.name, kind=kind, article_id=article_id_for_name(name), body=body.strip() + "\n",
                     meta=meta, warnings=warnings + meta_warnings, raw_sha256=hashlib.sha256(raw).hexdigest())


def _leading_byline(body: str) -> str | None:
    """The name a byline opening a converted document's text gives (its first paragraph, before any heading)."""
    first = body.strip().split("\n\n", 1)[0].strip()
    return byline_author(first) if first and len(first) <= 200 and not first.startswith("#") else None


def without_apparatus(body: str) -> tuple[str, list[str]]:
    """``body`` without the sections of an encyclopedia's apparatus (``clean.is_apparatus_heading``: « Notes et
    références », « Bibliographie », « Liens externes »…), each with its subsections, up to the next heading of
    its level or above that is not one; and their titles. The article's own sections stay."""
    lines = body.split("\n")
    marks = apparatus_sections(lines)
    return ("\n".join(line for line, (skipped, _) in zip(lines, marks) if not skipped),
            [title for _, title in marks if title])


def drop_noise(body: str) -> tuple[str, int]:
    """Lines of page furniture (``is_noise``) removed from a converted text; headings are kept."""
    out, dropped = [], 0
    for line in body.splitlines():
        if line.strip() and not MD_HEADING.match(line) and is_noise(line):
            dropped += 1
            continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)), dropped


def check_french(body: str, path: Path) -> None:
    ws = words(re.sub(r"^#{1,6}\s+", "", body, flags=re.MULTILINE))
    if len(ws) < MIN_WORDS:
        raise CorpusFileError(path, um.TOO_SHORT.format(words=len(ws)))
    share = sum(1 for w in ws if w in FRENCH_STOPWORDS) / len(ws)
    if share < MIN_FRENCH_SHARE:
        raise CorpusFileError(path, um.NOT_FRENCH)


def _from_text(raw: bytes, path: Path, upload) -> tuple[str, dict, list[str]]:
    text, warnings = decode(raw, path)
    meta, start = split_front_matter(text, path)
    return text[start:], dict(meta), warnings


def _from_markdown(raw: bytes, path: Path, upload) -> tuple[str, dict, list[str]]:
    """A Markdown file as written, less its inline markup (``_plain_inline``, links said by their text): what an
    answer quotes is the text a reader sees."""
    body, meta, warnings = _from_text(raw, path, upload)
    return _plain_inline(_LINK.sub(lambda m: "" if m.group(1) else m.group(2), body)), meta, warnings


# the page's date from its markup (meta tags, <time>, bylines' attributes) only: a search through the text dated
# an encyclopedia page by a year it mentions (« 2009-01-01 ») or by a reference's « consulté le 3 mars 2020 »
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def _from_html(raw: bytes, path: Path, upload) -> tuple[str, dict, list[str]]:
    import trafilatura

    text, warnings = decode(raw, path)
    active = _ACTIVE.findall(text)
    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=True,
                                      include_formatting=True, include_images=False, include_links=False,
                                      favor_precision=True, output_format="python",
                                      date_extraction_params=_DATE_PARAMS)
    body = (getattr(doc, "text", None) or "") if doc is not None else ""
    body = _plain_inline(_LEFTOVER_TAGS.sub("", body))
    if not body.strip():
        raise CorpusFileError(path, um.HTML_NO_ARTICLE)
    if active:
        kinds = [a.lower() for a in active]
        warnings.append(um.HTML_ACTIVE_REMOVED.format(scripts=sum(k != "iframe" for k in kinds),
                                                      frames=kinds.count("iframe")))
    meta = {"title": doc.title, "author": doc.author, "date": doc.date, "source": doc.sitename or doc.hostname,
            "url": doc.url}
    body, meta["title"] = _first_heading_as_title(body, doc.title)  # trafilatura repeats the title as a heading
    return body, meta, warnings


def _table_row(m: re.Match) -> str:
    """A table row as a list item a reader can quote: « | Pays | Mali | » → « - Pays : Mali », three cells or more
    joined by « ; »; a separator row (« |---|---| ») and an empty one say nothing."""
    cells = [c.strip() for c in m.group(1).split("|")]
    cells = [c for c in cells if c]
    if not cells or all(set(c) <= set("-: ") for c in cells):
        return ""
    return "- " + (f"{cells[0]} : {cells[1]}" if len(cells) == 2 else " ; ".join(cells)) + m.group(2)


def _plain_inline(body: str) -> str:
    """trafilatura's Markdown without the inline markup it keeps (``_SUP_CALLS`` … ``_ESCAPED``): the corpus text is
    what answers say and quote, so « **Djenné** », « Bani<sup>[1]</sup> » and « XV<sup>e</sup> » would be shown
    as such, and a table row with its pipes (``_table_row``). Headings and list items, which make the sections,
    stay."""
    body = _TABLE_ROW.sub(_table_row, _SUP_SUB.sub(r"\2", _SUP_CALLS.sub("", body)))
    body = _EMPHASIS.sub(r"\2", _EDIT_LINKS.sub(r"\1", body))
    return _ESCAPED.sub(r"\1", body)


def _has_javascript(reader) -> bool:
    """JavaScript anywhere in the PDF's object graph (document actions, names tree, page and field actions)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set = set()
    stack = [reader.trailer]
    budget = 200_000
    while stack and budget:
        budget -= 1
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                obj = obj.get_object()
            except Exception:
                continue
        if isinstance(obj, DictionaryObject):
            if "/JS" in obj or "/JavaScript" in obj or obj.get("/S") == NameObject("/JavaScript"):
                return True
            stack.extend(v for k, v in obj.items() if k not in ("/Parent", "/P"))
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


def _from_pdf(raw: bytes, path: Path, upload) -> tuple[str, dict, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if re.search(rb"/(?:JavaScript|JS)\b", raw):
        raise CorpusFileError(path, um.PDF_JAVASCRIPT)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise CorpusFileError(path, um.PDF_ENCRYPTED)
            except (PdfReadError, NotImplementedError) as exc:
                raise CorpusFileError(path, um.PDF_ENCRYPTED) from exc
        if _has_javascript(reader):  # JavaScript inside compressed object streams
            raise CorpusFileError(path, um.PDF_JAVASCRIPT)
        read = [_page_text(p) for p in reader.pages]
        pages = [text for text, _ in read]
        info = reader.metadata or {}
    except CorpusFileError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a broken file
        raise CorpusFileError(path, um.PDF_BROKEN.format(error=str(exc)[:200] or type(exc).__name__)) from exc
    if sum(len(p.strip()) for p in pages) < MIN_PDF_CHARS_PER_PAGE * max(1, len(pages)):
        raise CorpusFileError(path, um.PDF_SCANNED.format(pages=len(pages)))
    # the file's creation date is not the article's publication date: left for the teacher to give
    title = str(info.get("/Title") or "")
    if _FILE_NAME.search(title):
        title = ""  # « muraille.html », « Microsoft Word - cours.docx »: what made the file, not the article's title
    body, title = _first_heading_as_title(
        pdf_paragraphs("\n".join(without_running_lines(pages)), _larger_lines([sizes for _, sizes in read])),
        title or None)
    meta = {"title": title, "author": info.get("/Author")}
    return body, {k: str(v) for k, v in meta.items() if v}, []


# a document title that is a file's name (PDF printers write the page's or the document's file name)
_FILE_NAME = re.compile(r"\.(?:x?html?|pdf|docx?|odt|rtf|txt|md)\s*$|^microsoft word\s*-", re.IGNORECASE)
# a line drawn this much larger than the body text is a heading (the body: the size most characters are drawn at)
HEADING_SIZE_RATIO = 1.15


def _page_text(page) -> tuple[str, dict[str, float]]:
    """A PDF page's text and the size each of its lines is drawn at (by its text, spaces normalised), read in the
    same pass: the font size times the scale of the text and page matrices."""
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        scale = (abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2])) ** 0.5 if tm and cm else 1
        for line in text.split("\n"):
            if (key := " ".join(line.split())) and size:
                sizes[key] = max(sizes.get(key, 0.0), float(size) * (scale or 1.0))

    try:
        text = page.extract_text(visitor_text=visit) or ""
    except TypeError:  # a pypdf without the visitor: the text alone
        text, sizes = page.extract_text() or "", {}
    return text, sizes


def _larger_lines(pages: list[dict[str, float]]) -> dict[str, float]:
    """The lines drawn larger than the body text (``HEADING_SIZE_RATIO``): titles and headings, whatever their
    words. The body's size is the one most characters are drawn at."""
    weight: dict[float, int] = {}
    for sizes in pages:
        for line, size in sizes.items():
            weight[round(size, 1)] = weight.get(round(size, 1), 0) + len(line)
    if not weight:
        return {}
    body = max(weight, key=weight.get)
    return {line: size for sizes in pages for line, size in sizes.items() if size >= HEADING_SIZE_RATIO * body}


RUNNING_EDGE = 2  # lines at the top and at the bottom of a page where a running header or footer stands


def without_running_lines(pages: list[str]) -> list[str]:
    """The pages' text without their running headers and footers: a line among the first or last
    ``RUNNING_EDGE`` of a page that comes back, digits aside (page numbers, dates), on at least half the pages
    and two of them, and that ends no sentence (« https://fr.wikipedia.org/wiki/Djenné 2/3 », « Le Journal du Sahel — 3 mai 2025 »). Left in,
    they were joined into the sentence a page break cut (« … environ https://… 1/3 06/12/2026 18:30 … 33 000
    habitants »)."""
    def key(line: str) -> str:
        return " ".join("".join("#" if ch.isdigit() else ch for ch in line.lower()).split())

    split = [page.split("\n") for page in pages]
    filled = [[i for i, l in enumerate(ls) if l.strip()] for ls in split]  # blank lines stay, and are no edge
    edges = [set(f[:RUNNING_EDGE] + f[-RUNNING_EDGE:]) for f in filled]
    seen: dict[str, int] = {}
    for ls, edge in zip(split, edges):
        for k in {key(ls[i]) for i in edge}:
            seen[k] = seen.get(k, 0) + 1
    running = {k for k, n in seen.items()
               if n >= max(2, (len(pages) + 1) // 2) and not k.endswith((".", "!", "?", "…"))}  # no sentence
    if not running:
        return pages
    return ["\n".join(l for i, l in enumerate(ls) if not (i in edge and key(l) in running))
            for ls, edge in zip(split, edges)]


def pdf_paragraphs(text: str, larger: dict[str, float] | None = None) -> str:
    """A PDF's text lines joined back into paragraphs. A line drawn larger than the body (``larger``: its size,
    from ``_larger_lines``) is a ``##`` heading, joined with the lines right after it drawn at its size (a title
    over two lines; a heading in another size after it is a heading of its own);
    so is a short line with no closing punctuation that follows the end of a sentence and precedes more text. A
    line much shorter than the longest ends its paragraph when it closes a sentence or when the next line opens
    one (a byline, a caption before the text); a word cut by a hyphen at a line end is joined."""
    larger = larger or {}
    lines = [" ".join(l.split()) for l in text.replace("\r", "\n").split("\n")]
    width = max((len(l) for l in lines if l not in larger), default=0)
    blocks: list[str] = []
    para: list[str] = []
    joined = None  # the size of the heading drawn larger that the last block is, which a line at that size goes on

    def flush():
        if para:
            blocks.append(" ".join(para))
            para.clear()

    for i, line in enumerate(lines):
        if not line:
            flush()
            joined = None
            continue
        if line in larger:
            flush()
            if joined is not None and abs(larger[line] - joined) < 0.5:
                blocks[-1] += " " + line
            else:
                blocks.append("## " + line)
            joined = larger[line]
            continue
        joined = None
        ends = line.endswith(_END_PUNCT)
        after_sentence = not para or para[-1].endswith(_END_PUNCT)
        heading = (after_sentence and not ends and len(line) <= min(90, 0.7 * width) and len(line.split()) <= 12
                   and line[0].isupper() and not line.endswith(("-", ","))
                   and i + 1 < len(lines) and lines[i + 1][:1].isupper())
        if heading:
            flush()
            blocks.append("## " + line)
            continue
        if para and len(para[-1]) > 1 and para[-1].endswith("-") and para[-1][-2].isalpha():
            para[-1] = para[-1][:-1] + line  # a word cut at the line end
        else:
            para.append(line)
        if len(line) < 0.7 * width and (ends or (i + 1 < len(lines) and lines[i + 1][:1].isupper())):
            flush()  # a short line closed by punctuation, or before a line opening a sentence, ends its paragraph
    flush()
    return "\n\n".join(blocks)


def _first_heading_as_title(body: str, title: str | None) -> tuple[str, str | None]:
    """A document opening with a heading: it is the title (dropped from the body when it repeats ``title``)."""
    lines = body.lstrip().splitlines()
    m = MD_HEADING.match(lines[0]) if lines else None
    if m and (not title or m.group(2).strip().lower() == title.strip().lower()):
        return "\n".join(lines[1:]).lstrip("\n"), title or m.group(2).strip()
    return body, title


def _check_zip(raw: bytes, path: Path, upload) -> None:
    """Refuse an archive whose entries would unpack to more than ``max_unzipped_bytes`` or at a bomb's ratio."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise CorpusFileError(path, um.DOCX_BROKEN.format(error=exc)) from exc
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(1, i.compress_size) for i in infos if i.file_size > 1_000_000), default=0)
    if total > upload.max_unzipped_bytes or worst > upload.max_zip_ratio or len(infos) > 10_000:
        raise CorpusFileError(path, um.ZIP_BOMB.format(size=total / 1e6, limit=upload.max_unzipped_bytes / 1e6))


# a document's author property that names the software or a default account, not a person
_PRODUCER = re.compile(r"python-docx|microsoft office|^(?:utilisateur|user|admin|administrateur|auteur|author)\b",
                       re.IGNORECASE)


def _bold_line(paragraph, text: str) -> bool:
    """A short paragraph whose every run is bold, ending on no punctuation: a heading typed by hand."""
    runs = [r for r in paragraph.runs if r.text.strip()]
    return (bool(runs) and all(r.bold for r in runs) and len(text.split()) <= 12
            and not text.endswith(_END_PUNCT) and not text.endswith(","))


def _heading_level(style_name: str) -> int | None:
    """1 for Word's « Titre »/« Title » style, n+1 for « Titre n »/« Heading n »; None for body text."""
    s = (style_name or "").strip().lower()
    if s in ("title", "titre"):
        return 1
    m = re.match(r"(?:heading|titre)\s*(\d)$", s)
    return min(6, int(m.group(1)) + 1) if m else None


def _from_docx(raw: bytes, path: Path, upload) -> tuple[str, dict, list[str]]:
    _check_zip(raw, path, upload)
    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:
        raise CorpusFileError(path, um.DOCX_BROKEN.format(error=str(exc)[:200] or type(exc).__name__)) from exc
    title = None
    out: list[str] = []
    for p in document.paragraphs:
        text = " ".join(p.text.split())
        if not text:
            continue
        level = _heading_level(p.style.name if p.style is not None else "")
        if level == 1 and title is None:
            title = text
            continue
        if level is None and _bold_line(p, text):
            level = 2  # a heading typed in bold in a normal paragraph (« Des résultats inégaux »)
        if level:
            out.append("#" * max(2, level) + " " + text)
        elif (p.style is not None and "list" in (p.style.name or "").lower()):
            out.append("- " + text)
        else:
            out.append(text)
    props = document.core_properties  # its dates are the file's (often the template's), not the article's
    author = props.author if props.author and not _PRODUCER.search(props.author) else None
    meta = {"title": title or props.title, "author": author}
    return "\n\n".join(out), {k: v for k, v in meta.items() if v}, []
