"""Write converted files into the corpus folder: cleaned Markdown with YAML front matter, the original kept.

``prepare(paths_or_bytes, corpus_dir, settings)`` converts each file (``kalan.ingest.formats``) and checks it
against the corpus: the same text as an article already there (or as another file of the same batch) is
refused as « déjà présent ». ``save(converted, corpus_dir, settings)`` then writes ``<corpus>/<id>.md`` (its
front matter holds title, author, date, source, url and the original's name) and keeps the original bytes
under ``<data_dir>/originals/<id><suffix>``; an article of the same id is replaced (its other corpus files
with that id are removed, so one id is one file). Markdown and text files are copied as they are.

Indexing is the existing pipeline's (``kalan.ingest.pipeline.ingest_corpus``): these functions only write
files, so a refused file leaves the corpus and the store as they were.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kalan.ingest import upload_messages as um
from kalan.ingest.formats import SUFFIX_KIND, Converted, convert
from kalan.ingest.load import META_SUFFIX, CorpusFileError, article_id_for, list_corpus, load_article
from kalan.rag.text import words

META_ORDER = ("title", "author", "date", "source", "url", "language")


@dataclass
class Prepared:
    ready: list[tuple[Converted, bytes]] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"file", "error"} as the ingest report's


def text_key(text: str) -> str:
    """Identity of an article's text, whatever its markup: its folded words."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


def corpus_keys(corpus_dir: Path, max_bytes: int) -> dict[str, tuple[str, str]]:
    """text key -> (article id, title) of the articles already in the corpus folder."""
    out: dict[str, tuple[str, str]] = {}
    if not Path(corpus_dir).is_dir():
        return out
    for path in list_corpus(corpus_dir):
        try:
            art = load_article(path, max_bytes)
        except CorpusFileError:
            continue
        out.setdefault(text_key(art.text[art.body_start:]), (art.article_id, art.title or art.article_id))
    return out


def prepare(files: list[tuple[str, bytes]], corpus_dir: Path, settings) -> Prepared:
    """Convert ``(name, bytes)`` pairs and refuse duplicates; nothing is written."""
    out = Prepared()
    known = corpus_keys(corpus_dir, settings.chunk.max_article_bytes)
    batch: dict[str, str] = {}
    for name, raw in files:
        try:
            conv = convert(raw, name, settings.upload)
            key = text_key(conv.body)
            if key in known:
                aid, title = known[key]
                raise CorpusFileError(Path(name), um.DUPLICATE.format(title=title, article_id=aid))
            if key in batch:
                raise CorpusFileError(Path(name), um.DUPLICATE_BATCH.format(other=batch[key]))
            batch[key] = Path(name).name
            if any(aid == conv.article_id for aid, _ in known.values()):
                conv.warnings.append(um.REPLACED.format(article_id=conv.article_id))
        except CorpusFileError as exc:
            out.errors.append({"file": str(name), "error": str(exc)})
            continue
        out.ready.append((conv, raw))
    return out


def _article_paths(paths: list[Path]) -> tuple[list[Path], list[dict]]:
    """``paths`` with each folder replaced by the articles it holds (its files of an accepted format, by name; not
    its subfolders, hidden files or ``.meta.yaml`` sidecars); a folder holding none is an error."""
    out, errors = [], []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        inside = sorted(c for c in p.iterdir()
                        if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in SUFFIX_KIND)
        if not inside:
            errors.append({"file": str(p), "error": f"{p.name} : {um.EMPTY_FOLDER}"})
        out.extend(inside)
    return out, errors


def read_files(paths: list[Path], settings) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """Bytes of each path (the size limit checked before reading; a folder stands for the articles in it, see
    ``_article_paths``); unreadable ones as errors."""
    paths, errors = _article_paths(paths)
    files = []
    for p in paths:
        try:
            size = p.stat().st_size
            if size > settings.upload.max_bytes:
                raise CorpusFileError(p, um.TOO_LARGE.format(size=size / 1e6, limit=settings.upload.max_bytes / 1e6))
            files.append((str(p), p.read_bytes()))
        except CorpusFileError as exc:
            errors.append({"file": str(p), "error": str(exc)})
        except OSError as exc:
            errors.append({"file": str(p), "error": f"{p.name} : lecture impossible : {exc.strerror or exc}."})
    return files, errors


def markdown_file(conv: Converted) -> str:
    """The corpus file: YAML front matter then the cleaned Markdown body."""
    meta = {k: conv.meta[k] for k in META_ORDER if conv.meta.get(k)}
    meta.update({k: v for k, v in conv.meta.items() if k not in meta and v})
    meta.setdefault("language", "fr")
    meta["original"] = conv.name
    meta["format"] = conv.kind
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return f"---\n{head}\n---\n\n{conv.body.strip()}\n"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def files_of(article_id: str, corpus_dir: Path) -> list[Path]:
    """The corpus files of one article id (with their side-car metadata files)."""
    out = []
    for p in list_corpus(corpus_dir):
        if article_id_for(p) == article_id:
            out.append(p)
            for side in (p.with_name(article_id + META_SUFFIX), p.with_name(p.name.rsplit(".", 1)[0] + META_SUFFIX)):
                if side.exists() and side not in out:
                    out.append(side)
    return out


def originals_dir(settings) -> Path:
    return Path(settings.data_dir) / "originals"


def save(conv: Converted, raw: bytes, corpus_dir: Path, settings) -> Path:
    """Write one converted file into ``corpus_dir`` (replacing the article of the same id) and keep its original."""
    corpus_dir = Path(corpus_dir)
    suffix = Path(conv.name).suffix.lower()
    if conv.kind in ("markdown", "text") and not conv.edited:
        target = corpus_dir / f"{conv.article_id}{suffix}"
        data = raw
    else:
        target = corpus_dir / f"{conv.article_id}.md"
        data = markdown_file(conv).encode("utf-8")
    for old in files_of(conv.article_id, corpus_dir):
        if old != target:
            old.unlink(missing_ok=True)
    if conv.kind not in ("markdown", "text"):
        _atomic_write(originals_dir(settings) / f"{conv.article_id}{suffix}", raw)
    _atomic_write(target, data)
    return target


def with_edits(conv: Converted, meta: dict | None = None, body: str | None = None) -> Converted:
    """The converted file as the teacher fixed it in the preview (metadata fields, text)."""
    new_meta = dict(conv.meta)
    for k, v in (meta or {}).items():
        v = (v or "").strip() if isinstance(v, str) else v
        if v:
            new_meta[k] = v
        else:
            new_meta.pop(k, None)
    edited = new_meta != conv.meta or (body is not None and body.strip() != conv.body.strip())
    return Converted(conv.name, conv.kind, conv.article_id, (body if body is not None else conv.body).strip() + "\n",
                     new_meta, list(conv.warnings), conv.raw_sha256, edited=conv.edited or edited)


def add_files(paths: list[Path], corpus_dir: Path, settings) -> tuple[list[Path], list[dict], list[dict]]:
    """``kalan ingest FILE…``: read, check, convert and write each file into ``corpus_dir``.

    Returns (written corpus files, errors, warnings) in the ingest report's shapes; indexing is the caller's."""
    files, errors = read_files(paths, settings)
    prepared = prepare(files, corpus_dir, settings)
    errors += prepared.errors
    written, warnings = [], []
    for conv, raw in prepared.ready:
        try:
            written.append(save(conv, raw, corpus_dir, settings))
        except OSError as exc:
            errors.append({"file": conv.name, "error": f"{conv.name} : écriture impossible : {exc.strerror or exc}."})
            continue
        warnings += [{"file": conv.name, "warning": w} for w in conv.warnings]
    return written, errors, warnings
