"""The teachers' « Corpus » tab (Gradio layout and wiring) and the teachers' page that holds it.

``build_teacher_app(log, settings, service, planted)`` is the page mounted at ``/review`` behind the login:
two tabs, « Relecture » (``kalan.ui.review_app``, unchanged, rendered inside) and « Corpus » (this module).
The Corpus tab lists the articles, takes one or more files (web page, PDF, Word, Markdown, text), shows each
one's cleaned text and detected title, author, date and sections for the teacher to fix before confirming,
shows progress while the passages are embedded, replaces an article (same id) and removes one.

Logic lives in ``kalan.ui.corpus_handlers``; here only layout and wiring. Uploads reach only this page: the
student mount refuses every upload route (``kalan.ui.web_guard``).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr

from kalan.ingest.upload_messages import ACCEPTED
from kalan.ui import corpus_handlers as ch

FILE_TYPES = [s.strip() for s in ACCEPTED.split(",")]


def _frame(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=ch.TABLE_HEADERS)


def _choices(items: list[dict]) -> list[tuple[str, int]]:
    return [(f"{i + 1}. {it['name']}" + (" — refusé" if "error" in it else ""), i) for i, it in enumerate(items)]


def _report(items: list[dict]) -> str:
    """Refusals and warnings of every file, escaped (file names and messages come from the upload)."""
    lines = []
    for it in items:
        name = html.escape(it["name"])
        if "error" in it:
            lines.append(f"<li><b>{name}</b> : <span style='color:#b00020'>{html.escape(it['error'])}</span></li>")
        else:
            notes = "".join(f"<br><i>{html.escape(w)}</i>" for w in it.get("warnings", []))
            lines.append(f"<li><b>{name}</b> → article <code>{html.escape(it['article_id'])}</code>{notes}</li>")
    return f"<ul>{''.join(lines)}</ul>" if lines else ""


def _fields(item: dict | None):
    """Values of the preview form for one item."""
    if not item or "error" in item:
        return ("",) * 5 + ("", "")
    meta = item.get("meta") or {}
    sections = " · ".join(item.get("sections") or []) or "(aucun intertitre : une seule section)"
    return (*(meta.get(k, "") for k in ch.EDITABLE), item.get("body", ""), sections)


def build_corpus_tab(service: Any, settings: Any) -> None:
    """The Corpus tab's components and events, inside the caller's ``gr.Blocks`` / ``gr.Tab`` context."""
    corpus_dir = Path(settings.corpus_dir)

    def refresh():
        try:
            rows, ids = ch.table(service.store, corpus_dir)
        except Exception as exc:
            gr.Warning(html.escape(f"Liste des articles indisponible : {exc}"))
            rows, ids = [], []
        return (_frame(rows), gr.Dropdown(choices=[ch.NEW_ARTICLE] + ids, value=ch.NEW_ARTICLE),
                gr.Dropdown(choices=ids, value=None))

    def do_preview(files, replace_id):
        paths = [getattr(f, "name", f) for f in (files or [])]
        if not paths:
            return [], gr.Dropdown(choices=[], value=None), "Déposez d'abord un ou plusieurs fichiers.", "", \
                *_fields(None)
        out = ch.preview(paths, corpus_dir, settings, replace_id)
        first = next((i for i, it in enumerate(out.items) if "error" not in it), 0 if out.items else None)
        return (out.items, gr.Dropdown(choices=_choices(out.items), value=first), out.message, _report(out.items),
                *_fields(out.items[first] if first is not None else None))

    def keep_edits(items, index, title, author, date, source, url, body):
        if items and index is not None and 0 <= int(index) < len(items) and "error" not in items[int(index)]:
            fields = dict(zip(ch.EDITABLE, (title, author, date, source, url)))
            items = list(items)
            items[int(index)] = ch.edit(items[int(index)], fields, body)
        return items

    def choose(items, index):
        item = items[int(index)] if items and index is not None and 0 <= int(index) < len(items) else None
        return _fields(item)

    def do_confirm(items, index, title, author, date, source, url, body, progress=gr.Progress(track_tqdm=True)):
        items = keep_edits(items, index, title, author, date, source, url, body)
        out = ch.confirm(items, corpus_dir, settings, service, progress=lambda f, d: progress(f, desc=d))
        if not out.ok:
            gr.Warning(html.escape(out.message))
        table, replace_dd, remove_dd = refresh()
        return (out.message, ([] if out.ok else items), table, replace_dd, remove_dd)

    def do_remove(article_id, confirmed):
        if not confirmed:
            message = "Cochez « Je confirme le retrait » pour retirer l'article."
            gr.Warning(html.escape(message))
            return message, *refresh()
        out = ch.remove(article_id, corpus_dir, settings, service)
        if not out.ok:
            gr.Warning(html.escape(out.message))
        return out.message, *refresh()

    gr.Markdown("Articles que les élèves interrogent. Ajoutez une page web enregistrée (.html), un PDF, un document "
                "Word (.docx), un fichier Markdown ou texte : Kalan en garde le texte de l'article, que vous vérifiez "
                "avant de confirmer.")
    articles = gr.Dataframe(headers=ch.TABLE_HEADERS, datatype="str", interactive=False, wrap=True, max_height=320,
                            column_widths=["11%", "22%", "12%", "9%", "12%", "20%", "6%", "8%"],
                            label="Articles du corpus", elem_id="kalan-corpus-table")
    refresh_btn = gr.Button("Rafraîchir la liste", size="sm")
    with gr.Row():
        with gr.Column(scale=3):
            upload = gr.File(label=f"Fichiers à ajouter ({ACCEPTED})", file_count="multiple", file_types=FILE_TYPES,
                             elem_id="kalan-corpus-upload")
        with gr.Column(scale=2):
            replace_dd = gr.Dropdown(choices=[ch.NEW_ARTICLE], value=ch.NEW_ARTICLE, label="Remplacer l'article",
                                     info="Un seul fichier : il remplace l'article choisi (même identifiant).",
                                     elem_id="kalan-corpus-replace")
            preview_btn = gr.Button("Aperçu", variant="secondary", elem_id="kalan-corpus-preview")
    status = gr.Textbox(label="État", interactive=False, lines=2, elem_id="kalan-corpus-status")
    report = gr.HTML("", elem_id="kalan-corpus-report")
    items_state = gr.State([])
    with gr.Group():
        file_dd = gr.Dropdown(choices=[], value=None, label="Fichier affiché", type="value",
                              elem_id="kalan-corpus-file")
        with gr.Row():
            title_box = gr.Textbox(label="Titre", elem_id="kalan-corpus-title", scale=3)
            author_box = gr.Textbox(label="Auteur", elem_id="kalan-corpus-author", scale=2)
            date_box = gr.Textbox(label="Date de publication (AAAA-MM-JJ)", elem_id="kalan-corpus-date", scale=1)
        with gr.Row():
            source_box = gr.Textbox(label="Source (journal, site)", elem_id="kalan-corpus-source")
            url_box = gr.Textbox(label="Adresse (URL)", elem_id="kalan-corpus-url")
        sections_box = gr.Textbox(label="Sections détectées (intertitres « ## » du texte)", interactive=False)
        body_box = gr.Textbox(label="Texte nettoyé (Markdown, modifiable)", lines=14, max_lines=30,
                              elem_id="kalan-corpus-body")
        confirm_btn = gr.Button("Confirmer et indexer", variant="primary", elem_id="kalan-corpus-confirm")
    with gr.Accordion("Retirer un article", open=False):
        with gr.Row():
            remove_dd = gr.Dropdown(choices=[], value=None, label="Article", elem_id="kalan-corpus-remove-id")
            remove_ok = gr.Checkbox(label="Je confirme le retrait", value=False, elem_id="kalan-corpus-remove-ok")
            remove_btn = gr.Button("Retirer l'article", variant="stop", elem_id="kalan-corpus-remove")

    form = [title_box, author_box, date_box, source_box, url_box, body_box]
    listing = [articles, replace_dd, remove_dd]
    private = {"api_visibility": "private"}
    refresh_btn.click(refresh, None, listing, **private)
    preview_btn.click(do_preview, [upload, replace_dd],
                      [items_state, file_dd, status, report, *form, sections_box], **private)
    # the form's fixes are kept in the state before another file is shown
    file_dd.focus(keep_edits, [items_state, file_dd, *form], [items_state], **private)
    # on the teacher's choice only (``input``), not when the preview sets the dropdown (``change``): that second
    # round trip filled the form again after the preview had, and a fix typed in between was lost (the confirm then
    # indexed the author read from the file; seen in a browser test, twice in three CI runs)
    file_dd.input(choose, [items_state, file_dd], [*form, sections_box], **private)
    confirm_btn.click(do_confirm, [items_state, file_dd, *form], [status, items_state, *listing],
                      concurrency_limit=1, **private)
    remove_btn.click(do_remove, [remove_dd, remove_ok], [status, *listing], **private)
    return refresh, listing


def build_teacher_app(log, settings, service, planted=None, promoted_set=None) -> gr.Blocks:
    """The teachers' page: « Relecture » (the review view) and « Corpus » tabs."""
    from kalan.rag import messages as msg
    from kalan.ui.review_app import build_review_app

    kwargs = {"planted": planted} if planted is not None else {}
    if promoted_set is not None:
        kwargs["promoted_set"] = promoted_set
    if getattr(service, "proves", None) is not None:
        kwargs["proves"] = service.proves
    if getattr(service, "articles", None) is not None:  # the queue names articles by their titles
        kwargs["articles"] = service.articles
    review = build_review_app(log, settings, **kwargs)
    max_age = max(1, int(getattr(getattr(settings, "review", None), "export_max_age_s", 600)))
    with gr.Blocks(title=msg.REVIEW_UI_TITLE, analytics_enabled=False,
                   delete_cache=(min(60, max_age), max_age)) as demo:
        with gr.Tabs():
            with gr.Tab("Relecture", id="relecture"):
                review.render()
            with gr.Tab("Corpus", id="corpus", elem_id="kalan-corpus-tab"):
                refresh, listing = build_corpus_tab(service, settings)
        demo.load(refresh, None, listing, api_visibility="private")
    return demo
