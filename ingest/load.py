"""Read one corpus file into an ``Article``: decoding, front matter, side-car metadata.

Accepted: Markdown (``.md``, optional YAML front matter between ``---`` lines)
and plain text (``.txt``, metadata optionally in a side-car ``<name>.meta.yaml``
or in front matter). A file that cannot be used raises ``CorpusFileError`` with
a French message naming it; the caller goes on with the others.

An encyclopedia's reference calls (« [1] ») are taken out of the text, so every offset is read without them;
otherwise the text is not cleaned nor split here (``clean``, ``sections``).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kalan.ingest.clean import without_reference_calls

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
META_SUFFIX = ".meta.yaml"
KNOWN_META = ("title", "date", "author", "source", "url", "licence", "license", "language", "lang")


class CorpusFileError(Exception):
    """A corpus file that cannot be ingested; ``str()`` is a French message naming it."""

    def __init__(self, path: Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name} : {reason}")


@dataclass
class Article:
    article_id: str
    path: Path
    text: str  # the article's text as received (after decoding), offsets refer to it
    body_start: int  # where the body starts (after front matter)
    format: str  # "markdown" | "text"
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or "")

    @property
    def content_hash(self) -> str:
        meta = repr(sorted((k, str(v)) for k, v in self.meta.items()))
        return hashlib.sha256((meta + "\x1e" + self.text).encode("utf-8")).hexdigest()[:16]


def article_id_for(path: Path) -> str:
    """Stable id from the file name: accents folded, lower case, dashes."""
    stem = path.name
    for suffix in ARTICLE_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "article"


def list_corpus(corpus_dir: Path) -> list[Path]:
    """Article files of a corpus folder (recursive), sorted; side-cars and docs excluded."""
    out = []
    for p in sorted(Path(corpus_dir).rglob("*")):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(corpus_dir).parts):
            continue
        if p.name.upper() in ("SOURCES.MD", "README.MD") or p.name.endswith(META_SUFFIX):
            continue
        if p.suffix.lower() in ARTICLE_SUFFIXES:
            out.append(p)
    return out


def sidecar_for(path: Path) -> Path | None:
    """The side-car metadata file of an article (``<id>.meta.yaml``, else ``<stem>.meta.yaml``), if any."""
    for name in (article_id_for(path), path.name.rsplit(".", 1)[0]):
        side = path.with_name(name + META_SUFFIX)
        if side.exists():
            return side
    return None


def decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """UTF-8 first, then Windows-1252 / Latin-1 with a warning; binary refused."""
    if not raw.strip():
        raise CorpusFileError(path, "le fichier est vide.")
    if b"\x00" in raw[:65536]:
        raise CorpusFileError(path, "fichier binaire (octets nuls) : ce n'est pas un article texte.")
    warnings: list[str] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
            warnings.append("encodage non UTF-8 : lu comme Windows-1252/Latin-1.")
        except UnicodeDecodeError as exc:
            raise CorpusFileError(path, f"impossible de décoder le texte (ni UTF-8 ni Latin-1) : {exc}.") from exc
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(10, len(text[:20000]) // 50):
        raise CorpusFileError(path, "trop de caractères de contrôle : fichier binaire ou corrompu.")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_ISO_DATE = re.compile(r"\A\d{4}-\d{1,2}-\d{1,2}(?!\d)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
TEXT_FIELDS = ("title", "author", "source", "url", "licence", "language")  # one line of text each
MAX_TITLE_CHARS = 200  # a title is repeated in the page header and in every refusal
MAX_FIELD_CHARS = 1000


class _TextLoader(yaml.SafeLoader):
    """YAML without timestamps: a date stays the text it was, checked by ``clean_meta`` (a bad one is a
    French error naming the file, not a ``ValueError`` out of the YAML library)."""


_TextLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(text: str):
    """Safe YAML, dates as text; a value its tag cannot build (``!!timestamp 2025-13-45``) is a ``YAMLError``."""
    try:
        return yaml.load(text, Loader=_TextLoader)  # noqa: S506 - a SafeLoader subclass
    except (ValueError, TypeError, OverflowError) as exc:
        raise yaml.YAMLError("une valeur marquée d'un type YAML (« !! ») est invalide") from exc


def split_front_matter(text: str, path: Path) -> tuple[dict, int]:
    """Parse a leading YAML block; returns (metadata, offset where the body starts)."""
    if not text.startswith("---"):
        return {}, 0
    m = _FRONT.match(text)
    if not m:
        raise CorpusFileError(path, "en-tête YAML (front matter) ouvert par « --- » mais jamais refermé.")
    try:
        meta = read_yaml(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise CorpusFileError(path, f"en-tête YAML illisible : {str(exc).splitlines()[0]}.") from exc
    if not isinstance(meta, dict):
        raise CorpusFileError(path, "l'en-tête YAML doit être une suite de champs « clé: valeur ».")
    return meta, m.end()


def one_line(value: str) -> str:
    """Control characters (NUL included) and runs of white space become one space."""
    return " ".join(_CONTROL.sub(" ", value).split())


def short_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``title`` cut at a word boundary to at most ``limit`` characters (an ellipsis marks the cut)."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _iso_date(value, path: Path) -> str:
    """A date field as ISO text; an impossible date (``2025-13-45``) is a French error naming the file."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = one_line(str(value))
    m = _ISO_DATE.match(text)
    if not m:
        return text  # free text ("mars 2025"): kept as written
    try:
        day = datetime.date(*(int(x) for x in m.group(0).split("-")))
    except ValueError:
        raise CorpusFileError(path, f"date invalide « {text[:40]} » dans les métadonnées : "
                                    "attendu une date réelle AAAA-MM-JJ (par exemple 2025-09-01).") from None
    if m.end() == len(text):
        return day.isoformat()
    try:
        return datetime.datetime.fromisoformat(text).isoformat()
    except ValueError:
        return text


def _text_field(key: str, value, path: Path) -> str:
    """A text field: numbers become text, a list of texts is joined; a mapping is refused."""
    if isinstance(value, list) and all(v is None or isinstance(v, (str, int, float)) for v in value):
        value = ", ".join(str(v) for v in value if v is not None)
    elif isinstance(value, (dict, list, set)):
        kind = "une liste imbriquée" if isinstance(value, list) else "une structure « clé: valeur »"
        raise CorpusFileError(path, f"le champ « {key} » des métadonnées doit être un texte, pas {kind}.")
    return one_line(str(value))


def clean_meta(meta: dict, path: Path | None = None) -> tuple[dict, list[str]]:
    """Metadata with normalised keys and text values; and the French warnings it raised.

    Raises ``CorpusFileError`` for a value that cannot be used (an impossible date, a mapping
    where a text is expected)."""
    path = Path(path or "?")
    out: dict = {}
    warnings: list[str] = []
    for key, value in meta.items():
        key = one_line(str(key)).lower()
        key = {"license": "licence", "lang": "language"}.get(key, key)
        if value is None:
            continue
        if key == "date":
            value = _iso_date(value, path)
        elif key in TEXT_FIELDS:
            value = _text_field(key, value, path)
        else:
            try:
                value = _text_field(key, value, path)
            except CorpusFileError as exc:  # a field Kalan does not use: skipped, not fatal
                warnings.append(f"{exc.reason[:-1]} : champ ignoré.")
                continue
        if key == "title" and len(value) > MAX_TITLE_CHARS:
            warnings.append(f"titre de {len(value)} caractères tronqué à {MAX_TITLE_CHARS}.")
            value = short_title(value)
        if len(value) > MAX_FIELD_CHARS:
            warnings.append(f"champ « {key[:40]} » de {len(value)} caractères tronqué à {MAX_FIELD_CHARS}.")
            value = value[:MAX_FIELD_CHARS]
        if value:
            out[key] = value
    return out, warnings


def load_article(path: Path, max_bytes: int = 3_000_000) -> Article:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusFileError(
                path, f"article trop volumineux ({size / 1e6:.1f} Mo > {max_bytes / 1e6:.1f} Mo) : découpez-le."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusFileError(path, f"lecture impossible : {exc.strerror or exc}.") from exc
    text, warnings = decode(raw, path)
    meta, body_start = split_front_matter(text, path)
    text = text[:body_start] + without_reference_calls(text[body_start:])  # offsets are read on this text
    side = sidecar_for(path)
    if side is not None:
        try:
            side_meta = read_yaml(side.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CorpusFileError(path, f"métadonnées illisibles dans {side.name} : {exc}.") from exc
        if not isinstance(side_meta, dict):
            raise CorpusFileError(path, f"{side.name} doit contenir des champs « clé: valeur ».")
        meta = {**side_meta, **meta}
    if not text[body_start:].strip():
        raise CorpusFileError(path, "l'article n'a pas de texte après son en-tête.")
    fmt = "markdown" if path.suffix.lower() in (".md", ".markdown") else "text"
    meta, meta_warnings = clean_meta(meta, path)
    return Article(article_id_for(path), path, text, body_start, fmt, meta, warnings + meta_warnings)
