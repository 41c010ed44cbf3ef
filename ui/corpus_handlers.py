"""The teachers' « Corpus » tab as plain functions (no Gradio): list, preview, confirm (ingest), remove.

``preview(paths, corpus_dir, settings)`` reads and checks the uploaded files and returns, per file, what the
teacher sees and may fix (title, author, date, source, URL, text, sections, warnings), or the French reason a
file is refused; nothing is written. ``confirm(items, ...)`` writes the accepted files into the corpus folder
(``kalan.ingest.upload``) and runs the usual ingest on it, so the store, the BM25 index and the manifest move
together; the service then sees the new BM25 index on its next question (``KalanService.lexical`` reloads
when the saved index changes), so the student page answers from the new article without a restart.
``remove(article_id, ...)`` is ``kalan corpus remove``.

One ingest or removal at a time (a lock): two teachers confirming at once would plan against the same store.
Every function returns an ``Outcome``-like value with a French message and never raises.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from kalan.ingest import upload_messages as um
from kalan.ingest.corpus_admin import UnknownArticle, list_articles, remove_article
from kalan.ingest.formats import Converted
from kalan.ingest.upload import files_of, prepare, read_files, save, with_edits

log = logging.getLogger(__name__)

_WRITE_LOCK = threading.Lock()
TABLE_HEADERS = ["identifiant", "titre", "auteur", "date", "source", "sections", "passages", "ajouté le"]
EDITABLE = ("title", "author", "date", "source", "url")
NEW_ARTICLE = "— nouvel article —"


@dataclass
class CorpusOutcome:
    ok: bool
    message: str
    items: list[dict] = field(default_factory=list)  # previews (confirm: what was indexed)
    report: dict | None = None


def table(store, corpus_dir: Path) -> tuple[list[list[str]], list[str]]:
    """Rows of the article table (``TABLE_HEADERS``) and the article ids, in the same order."""
    rows, ids = [], []
    for a in list_articles(store):
        files = files_of(a["article_id"], Path(corpus_dir)) if Path(corpus_dir).is_dir() else []
        added = datetime.fromtimestamp(files[0].stat().st_mtime).strftime("%Y-%m-%d %H:%M") if files else ""
        rows.append([a["article_id"], a["title"], a["author"], a["date"], a["source"], " · ".join(a["sections"]),
                     str(a["chunks"]), added])
        ids.append(a["article_id"])
    return rows, ids


def preview(paths: list[str | Path], corpus_dir: Path, settings, replace_id: str | None = None) -> CorpusOutcome:
    """Convert the uploaded files for the teacher to check; ``replace_id``: the one file replaces that article."""
    try:
        files, errors = read_files([Path(p) for p in paths or []], settings)
        files = [(_original_name(name), raw) for name, raw in files]
        prepared = prepare(files, corpus_dir, settings)
    except Exception as exc:  # the page shows a sentence, never a traceback
        log.exception("corpus : aperçu en échec")
        return CorpusOutcome(False, f"Aperçu impossible : {type(exc).__name__}.")
    items = []
    for conv, raw in prepared.ready:
        if replace_id and replace_id != NEW_ARTICLE and len(prepared.ready) == 1:
            conv.article_id = replace_id
            conv.warnings.append(um.REPLACED.format(article_id=replace_id))
        items.append({**conv.preview(), "raw": raw, "raw_sha256": conv.raw_sha256})
    for e in errors + prepared.errors:
        items.append({"name": Path(e["file"]).name, "error": e["error"].split(" : ", 1)[-1]})
    ok = [i for i in items if "error" not in i]
    message = (f"{len(ok)} fichier(s) prêt(s) : vérifiez le titre, l'auteur, la date et le texte, puis confirmez."
               if ok else "Aucun fichier utilisable.")
    refused = len(items) - len(ok)
    if refused:
        message += f" {refused} fichier(s) refusé(s) (voir ci-dessous)."
    return CorpusOutcome(bool(ok), message, items)


def _original_name(name: str) -> str:
    """Gradio keeps an upload under its own folder with the original file name."""
    return Path(name).name


def edit(item: dict, fields: dict[str, Any], body: str | None) -> dict:
    """The item with the teacher's fixes (empty field: removed; body: the text as typed)."""
    out = dict(item)
    meta = dict(item.get("meta") or {})
    changed = False
    for key in EDITABLE:
        if key in fields:
            value = (fields[key] or "").strip()
            if value != (meta.get(key) or ""):
                changed = True
            if value:
                meta[key] = value
            else:
                meta.pop(key, None)
    if body is not None and body.strip() != (item.get("body") or "").strip():
        out["body"] = body.strip() + "\n"
        changed = True
    out["meta"] = meta
    out["edited"] = bool(item.get("edited") or changed)
    return out


def _converted(item: dict) -> Converted:
    base = Converted(item["name"], item["kind"], item["article_id"], item["body"], {}, list(item.get("warnings", [])),
                     item.get("raw_sha256", ""))
    conv = with_edits(base, {k: v for k, v in (item.get("meta") or {}).items()}, item["body"])
    conv.edited = bool(item.get("edited"))
    return conv


def confirm(items: list[dict], corpus_dir: Path, settings, service,
            progress: Callable[[float, str], None] | None = None) -> CorpusOutcome:
    """Write the previewed files into the corpus folder and index them (one run of the ingest pipeline)."""
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.ingest.load import clean_meta, CorpusFileError

    ready = [i for i in items or [] if "error" not in i and i.get("raw") is not None]
    if not ready:
        return CorpusOutcome(False, "Rien à indexer : déposez d'abord un fichier et vérifiez son aperçu.")
    step = progress or (lambda f, d: None)
    with _WRITE_LOCK:
        try:
            corpus_dir = Path(corpus_dir)
            corpus_dir.mkdir(parents=True, exist_ok=True)
            written = []
            for n, item in enumerate(ready):
                step(0.1 + 0.2 * n / len(ready), f"Écriture de {item['name']}…")
                conv = _converted(item)
                try:
                    conv.meta, _ = clean_meta(conv.meta, Path(conv.name))  # a date typed in the preview is checked
                except CorpusFileError as exc:
                    return CorpusOutcome(False, str(exc))
                written.append(save(conv, item["raw"], corpus_dir, settings))
            step(0.35, "Calcul des vecteurs des passages (embedding)…")
            report = ingest_corpus(settings, corpus_dir, service.store, service.embedder, progress=True)
            service.invalidate()
            step(1.0, "Terminé.")
        except Exception as exc:
            log.exception("corpus : indexation en échec")
            return CorpusOutcome(False, f"Indexation impossible : {exc}")
    mine = {p.name for p in written}
    errors = [e["error"] for e in report.errors if Path(e["file"]).name in mine]
    message = (f"{len(written)} article(s) ajouté(s) ou remplacé(s) : {report.added} passage(s) indexé(s), "
               f"{report.removed} retiré(s). Les élèves peuvent poser leurs questions dès maintenant.")
    if errors:
        message += " Problèmes : " + " ; ".join(errors)
    return CorpusOutcome(not errors, message, ready, report.as_json())


def remove(article_id: str, corpus_dir: Path, settings, service) -> CorpusOutcome:
    if not article_id or article_id == NEW_ARTICLE:
        return CorpusOutcome(False, "Choisissez l'article à retirer.")
    with _WRITE_LOCK:
        try:
            done = remove_article(settings, service.store, article_id, corpus_dir)
            service.invalidate()
        except UnknownArticle as exc:
            return CorpusOutcome(False, str(exc))
        except Exception as exc:
            log.exception("corpus : retrait en échec")
            return CorpusOutcome(False, f"Retrait impossible : {exc}")
    return CorpusOutcome(True, um.REMOVED.format(article_id=done["article_id"], chunks=done["chunks"],
                                                 files=", ".join(done["files"]) or "aucun"))
