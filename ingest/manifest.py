"""What the last successful ingest stored, per article: ``<data_dir>/manifest.json``.

``{"key": {...}, "articles": {article_id: {"sha256", "body", "warnings", "ids"}}}``:
``sha256`` covers the file's bytes and its side-car metadata file, ``body`` is the hash
of the article's text used to detect duplicates between files, ``warnings`` those of
reading it, ``ids`` its stored chunk ids. The ``key`` holds the format version, the
store it describes, the chunk settings and a hash of the code that makes chunk ids, so
any change there makes the manifest unusable.

With it, an ingest reads and chunks only new or changed files and does not scan the
store. It is trusted only when its key matches and its number of chunk ids equals the
store's count; it is removed before an ingest writes to the store and written again
(atomically) at its end, so a killed ingest or a store changed by other means leads to
the full plan and store scan of before.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from kalan.ingest.load import sidecar_for

log = logging.getLogger(__name__)

# 2: chunks also carry their sentences' phrases (kalan.rag.roles); 3: and their parse (kalan.rag.parses). A store
# of an older format is scanned once, which gives its chunks what they lack
FORMAT = 3
NAME = "manifest.json"
# modules whose code decides chunk ids, duplicates and errors: a change to any of them invalidates the manifest
_CODE = ("kalan.ingest.load", "kalan.ingest.clean", "kalan.ingest.sections", "kalan.ingest.chunk",
         "kalan.ingest.pipeline", "kalan.ingest.manifest", "kalan.rag.documents", "kalan.rag.text",
         "kalan.rag.sentences", "kalan.rag.planted")


def manifest_path(settings) -> Path:
    return Path(settings.data_dir) / NAME


def _hash_of(modules, *extra: str) -> str:
    """A short hash of the code of ``modules`` (names or modules) and of ``extra`` strings."""
    h = hashlib.sha256()
    for module in modules:
        module = importlib.import_module(module) if isinstance(module, str) else module
        h.update(Path(module.__file__).read_bytes())
    for value in extra:
        h.update(value.encode())
    return h.hexdigest()[:16]


def _code_hash() -> str:
    return _hash_of(_CODE)


@lru_cache(maxsize=1)
def readers_key() -> str:
    """The readers whose values a chunk's parse stores (``kalan.rag.store.PARSED``: entities, roles, parses): a
    hash of their code and of spaCy's model version. Stored with each parse (``pipeline.PARSED_BY``) and part of
    the manifest's key: when it changes, the next ingest plans in full and parses the stored chunks again."""
    from kalan.rag.nlp import MODEL
    from kalan.rag.store import PARSED

    try:
        model = importlib.metadata.version(MODEL)
    except importlib.metadata.PackageNotFoundError:  # no model: nothing is parsed anyway
        model = ""
    return _hash_of(PARSED.values(), model)


def manifest_key(settings) -> dict:
    return {"format": FORMAT, "store": f"{settings.store.url or settings.chroma_dir}|{settings.store.collection}",
            "chunk": settings.chunk.model_dump(), "code": _code_hash(), "readers": readers_key()}


def file_digest(path: Path) -> str | None:
    """sha256 of an article file and of its side-car metadata file; None if it cannot be read."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            h.update(hashlib.file_digest(fh, "sha256").digest())
        side = sidecar_for(path)
        if side is not None:
            h.update(b"\x00" + side.name.encode() + b"\x00" + side.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


def _valid_entry(e) -> bool:
    return (isinstance(e, dict) and isinstance(e.get("ids"), list) and all(isinstance(i, str) for i in e["ids"])
            and isinstance(e.get("warnings", []), list))


def read_manifest(settings, store) -> dict[str, dict] | None:
    """The manifest's articles if it describes this store and this chunking, else None."""
    try:
        data = json.loads(manifest_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    articles = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(articles, dict) or not all(_valid_entry(e) for e in articles.values()):
        log.info("manifeste illisible : plan complet")
        return None
    if data.get("key") != manifest_key(settings):
        log.info("manifeste d'autres réglages ou d'un autre code de découpage : plan complet")
        return None
    n = len({i for e in articles.values() for i in e["ids"]})
    count = store.count()
    if n != count:
        log.info("manifeste de %d passages, base de %d : plan complet", n, count)
        return None
    return articles


def drop_manifest(settings) -> None:
    """Before writing to the store: a run killed from then on leaves no manifest to trust."""
    try:
        manifest_path(settings).unlink()
    except FileNotFoundError:
        pass


def write_manifest(settings, store, articles: dict[str, dict]) -> bool:
    """Write the manifest (temp file + rename) if it accounts for every stored chunk; else drop it."""
    n = len({i for e in articles.values() for i in e["ids"]})
    count = store.count()
    path = manifest_path(settings)
    if n != count:
        log.warning("manifeste non écrit : %d passages prévus, %d dans la base", n, count)
        drop_manifest(settings)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{NAME}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"key": manifest_key(settings), "articles": articles}, fh, ensure_ascii=False,
                      separators=(",", ":"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True
