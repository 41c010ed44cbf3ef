"""The teacher-review view (Gradio Blocks): queue, one answer in detail, review actions.

``build_review_app(log, settings)`` returns a ``gr.Blocks`` that the server mounts at
``/review`` behind a login (``gr.mount_gradio_app(app, blocks, "/review", auth=...)``);
this module starts no server itself. All logic lives in ``kalan.ui.review_handlers``
(plain functions, tested without a server) and all HTML in ``kalan.ui.review_render``
(escaped); here only the layout and the wiring.

Exports are written into this page's own Gradio cache, served only through the login
(the student mount refuses every file route, see ``kalan.ui.web_guard``) and deleted
``review.export_max_age_s`` seconds later.

The reviewer recorded with each action is the logged-in user (``gr.Request.username``)
when the mount has a login, else ``settings.review.teacher_user``. Errors from the log
are shown as a warning toast and in the status line, never as a traceback.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from kalan.rag import messages as msg
from kalan.db.answer_log import AnswerLog
from kalan.rag.settings import PROJECT_ROOT
from kalan.ui import review_handlers as h
from kalan.ui import study_review
from kalan.ui.review_render import render_message, render_planted

DEFAULT_PROMOTED_SET = PROJECT_ROOT / h.DEFAULT_PROMOTED_SET
log_ = logging.getLogger(__name__)

# Scoped to the detail component (gr.HTML css_template): no ${…} in here, it is a JS template.
_DETAIL_CSS = """
.kalan-review h3 { margin: 14px 0 4px 0; font-size: 1.05em; }
.kalan-review mark { background: #fff1a8; color: inherit; padding: 0 1px; }
.kalan-review sup.kalan-cite { color: #1f5fa8; }
.kalan-review table.kalan-support { border-collapse: collapse; width: 100%; }
.kalan-review table.kalan-support td, .kalan-review table.kalan-support th {
  border: 1px solid #d0d0d0; padding: 4px 6px; vertical-align: top; text-align: left;
}
.kalan-review .kalan-passage-head { font-size: 0.9em; margin-bottom: 4px; }
"""

_EMPTY_DETAIL = "<p><i>Choisissez une réponse dans la file pour la relire.</i></p>"


def _warn(message: str) -> None:
    """A toast (Gradio renders toast text as HTML: escape it)."""
    gr.Warning(render_message(message))


def _frame(view: h.QueueView):
    import pandas as pd

    return pd.DataFrame(view.rows, columns=h.QUEUE_HEADERS)


def build_review_app(log: AnswerLog, settings: Any, promoted_set: Path | None = None,
                     planted: Callable[[], dict] | None = None,
                     proves: Callable[[dict], bool] | None = None,
                     articles: Callable[[], dict[str, str]] | None = None) -> gr.Blocks:
    """The review page over ``log``; promoted cases go to ``promoted_set`` (default evals/sets/promoted.jsonl).

    ``planted``: returns the articles holding sentences aimed at an AI assistant (``KalanService.planted_articles``),
    shown as a « Corpus » notice at the top of the page each time it opens. ``proves``: whether a corrected record's
    chosen passages prove it (``KalanService.proves``); a correction they do not prove is saved with a warning.
    ``articles``: article id -> title of the stored articles (``KalanService.articles``, cached by the service), the
    names of the queue's « article » column and filter; without it, the titles the answers' passages give, or ids."""
    set_path = Path(promoted_set) if promoted_set is not None else DEFAULT_PROMOTED_SET
    threshold = h.min_support_threshold(settings)

    def reviewer(request: gr.Request | None) -> str | None:
        return h.reviewer_name(request, settings)

    def titles() -> dict[str, str]:
        if articles is None:
            return {}
        try:
            return dict(articles())
        except Exception:  # the store down: the queue names its articles by the answers' passages, or ids
            log_.warning("relecture : titres des articles indisponibles", exc_info=True)
            return {}

    def queue(status, feedback, max_support, refused_only, article) -> h.QueueView:
        return h.queue_rows(log, status, feedback, max_support, bool(refused_only), article=article, titles=titles())

    # -- handlers (thin: call review_handlers, turn Outcomes into component values) ---------------

    def corpus_notice():
        if planted is None:
            return gr.update(value="", visible=False)
        try:
            html_ = render_planted(planted())
        except Exception:  # the notice is a help: the queue must open without it
            log_.exception("relecture : articles signalés illisibles")
            return gr.update(value="", visible=False)
        return gr.update(value=html_, visible=bool(html_))

    def load_queue(status, feedback, max_support, refused_only, article):
        view = queue(status, feedback, max_support, refused_only, article)
        if not view.ok:
            _warn(view.message)
        return _frame(view), view.ids, view.message

    def article_choices():  # the articles present in the log now (students keep asking): on load and refresh
        return gr.update(choices=h.article_filter_choices(log, titles()))

    def open_answer(id_value):
        out = h.show(log, id_value, threshold)
        if not out.ok:
            _warn(out.message)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), out.message, gr.skip(), gr.skip()
        text, chunks = h.correction_defaults(out.record)
        return (
            out.html,
            out.record["id"],
            out.record["id"],
            text,
            gr.Dropdown(choices=h.passage_choices(out.record), value=chunks),
            out.message,
            "",
            "",
        )

    def on_select(ids, evt: gr.SelectData):
        row_value = getattr(evt, "row_value", None)
        return open_answer(h.id_from_selection(evt.index, row_value, ids))

    def after_action(out: h.Outcome, filters):
        view = queue(*filters)
        if not out.ok:
            _warn(out.message)
            return gr.skip(), out.message, _frame(view), view.ids, gr.skip()
        return out.html, out.message, _frame(view), view.ids, ""

    def do_approve(id_value, comment_text, status, feedback, max_support, refused_only, article, request: gr.Request):
        out = h.approve(log, id_value, comment_text, reviewer(request), threshold)
        return after_action(out, (status, feedback, max_support, refused_only, article))

    def do_reject(id_value, comment_text, status, feedback, max_support, refused_only, article, request: gr.Request):
        out = h.reject(log, id_value, comment_text, reviewer(request), threshold)
        return after_action(out, (status, feedback, max_support, refused_only, article))

    def do_withdraw(id_value, comment_text, status, feedback, max_support, refused_only, article, request: gr.Request):
        out = h.withdraw(log, id_value, comment_text, reviewer(request), threshold)
        return after_action(out, (status, feedback, max_support, refused_only, article))

    def do_comment(id_value, comment_text, status, feedback, max_support, refused_only, article, request: gr.Request):
        out = h.comment(log, id_value, comment_text, reviewer(request), threshold)
        return after_action(out, (status, feedback, max_support, refused_only, article))

    def do_correct(id_value, answer_text, chunk_ids, comment_text, status, feedback, max_support, refused_only,
                   article, request: gr.Request):
        out = h.correct(log, id_value, answer_text, chunk_ids, comment_text, reviewer(request), threshold, proves)
        return after_action(out, (status, feedback, max_support, refused_only, article))

    def do_export(fmt, include_unreviewed):
        # written straight into this page's Gradio cache (no copy left elsewhere), served behind the login,
        # deleted after review.export_max_age_s by the page's delete_cache sweep
        folder = Path(export_file.GRADIO_CACHE) / f"kalan-export-{secrets.token_hex(16)}"
        out = h.export(log, fmt, bool(include_unreviewed), out_dir=folder)
        if not out.ok:
            _warn(out.message)
            return None, out.message
        return out.path, out.message

    def export_csv(include_unreviewed):
        return do_export("csv", include_unreviewed)

    def export_jsonl(include_unreviewed):
        return do_export("jsonl", include_unreviewed)

    def do_promote(id_value):
        out = h.promote(log, id_value, set_path)
        if not out.ok:
            _warn(out.message)
            return "", out.message, gr.skip()
        shown = h.show(log, id_value, threshold)  # the review history now lists the promotion
        return (json.dumps(out.case, ensure_ascii=False, indent=2), out.message,
                shown.html if shown.ok else gr.skip())

    # -- layout ------------------------------------------------------------------------------------

    max_age = max(1, int(getattr(getattr(settings, "review", None), "export_max_age_s", 600)))
    with gr.Blocks(title=msg.REVIEW_UI_TITLE, analytics_enabled=False,
                   delete_cache=(min(60, max_age), max_age)) as demo:
        gr.Markdown(f"## {msg.REVIEW_UI_TITLE}\n\n{msg.REVIEW_UI_INTRO}")
        notice = gr.HTML("", visible=False, elem_id="kalan-corpus-notice")

        with gr.Row():
            status_dd = gr.Dropdown(list(h.STATUS_FILTERS), value="tous", label="Statut", scale=2)
            feedback_dd = gr.Dropdown(list(h.FEEDBACK_FILTERS), value=h.FEEDBACK_ALL, label="Avis des élèves",
                                      scale=2)
            support_sl = gr.Slider(0, 1, value=h.NO_SUPPORT_FILTER, step=0.05, label="Appui maximal",
                                   info="Réponses dont la phrase la plus faible a un appui ≤ cette valeur "
                                        "(1 : pas de filtre).", scale=3)
            refused_cb = gr.Checkbox(label="Refus seulement", value=False, scale=1)
            article_dd = gr.Dropdown(list(h.ARTICLE_FIXED_CHOICES), value=h.ARTICLE_ALL,
                                     label=msg.REVIEW_UI_ARTICLE_FILTER, elem_id="kalan-review-article", scale=2)
            refresh_btn = gr.Button("Rafraîchir", variant="secondary", scale=1)
        queue_info = gr.Textbox(label="File", interactive=False, lines=1, max_lines=2)
        queue_df = gr.Dataframe(
            headers=h.QUEUE_HEADERS,
            datatype="str",
            interactive=False,
            wrap=True,
            max_height=420,
            column_widths=["11%", "30%", "9%", "8%", "6%", "5%", "7%", "12%", "12%"],
            label="Réponses servies (cliquez une ligne pour la relire)",
            elem_id="kalan-review-queue",
        )
        ids_state = gr.State([])
        current_id = gr.State("")  # the answer on display: the actions act on it, never on a half-typed id

        with gr.Row():
            id_box = gr.Textbox(label="Identifiant de la réponse", placeholder="collez un identifiant…", scale=4)
            open_btn = gr.Button("Afficher", scale=1)
        status_line = gr.Textbox(label="État", interactive=False, lines=1, max_lines=3)

        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                detail = gr.HTML(_EMPTY_DETAIL, css_template=_DETAIL_CSS, js_on_load=None)
            with gr.Column(scale=2):
                comment_box = gr.Textbox(label="Commentaire de l'enseignant",
                                         info="Facultatif pour Approuver / Marquer faux ; requis pour Commenter.",
                                         lines=3)
                with gr.Row():
                    approve_btn = gr.Button("Approuver", variant="primary")
                    reject_btn = gr.Button("Marquer faux", variant="stop")
                    comment_btn = gr.Button("Commenter")
                withdraw_btn = gr.Button("Retirer la vérification", variant="secondary", size="sm")
                with gr.Accordion("Corriger", open=False):
                    correction_box = gr.Textbox(label="Réponse attendue", lines=6,
                                                info="Pré-remplie avec la réponse servie ; l'originale est conservée.")
                    chunks_dd = gr.Dropdown(choices=[], value=[], multiselect=True,
                                            label="Passages qui justifient la réponse")
                    correct_btn = gr.Button("Corriger", variant="primary")
                with gr.Accordion("Promouvoir en cas d'évaluation", open=False):
                    gr.Markdown(f"Jeu d'évaluation : `{set_path.name}` (réponses relues seulement).")
                    promote_btn = gr.Button("Promouvoir en cas d'évaluation")
                    case_code = gr.Code(language="json", label="Cas ajouté", interactive=False)
                with gr.Accordion("Exporter", open=False):
                    include_cb = gr.Checkbox(label="Inclure les réponses non relues", value=False)
                    with gr.Row():
                        csv_btn = gr.Button("Exporter CSV")
                        jsonl_btn = gr.Button("Exporter JSONL")
                    export_file = gr.File(label="Fichier exporté", interactive=False)
        study_review.build_quiz_review(settings)  # generated quiz items: approve, remove, export (issue #14)

        # -- wiring --------------------------------------------------------------------------------
        filters = [status_dd, feedback_dd, support_sl, refused_cb, article_dd]  # the article last: older API calls
        queue_out = [queue_df, ids_state, queue_info]
        show_out = [detail, current_id, id_box, correction_box, chunks_dd, status_line, case_code, comment_box]
        action_out = [detail, status_line, queue_df, ids_state, comment_box]

        demo.load(load_queue, filters, queue_out)
        demo.load(corpus_notice, None, [notice], api_visibility="private")
        demo.load(article_choices, None, [article_dd])
        refresh_btn.click(load_queue, filters, queue_out)
        refresh_btn.click(article_choices, None, [article_dd], api_visibility="private")
        for comp in (status_dd, feedback_dd, refused_cb, article_dd):
            comp.change(load_queue, filters, queue_out)
        support_sl.release(load_queue, filters, queue_out)

        queue_df.select(on_select, [ids_state], show_out)
        open_btn.click(open_answer, [id_box], show_out)
        id_box.submit(open_answer, [id_box], show_out)

        approve_btn.click(do_approve, [current_id, comment_box, *filters], action_out)
        reject_btn.click(do_reject, [current_id, comment_box, *filters], action_out)
        comment_btn.click(do_comment, [current_id, comment_box, *filters], action_out)
        withdraw_btn.click(do_withdraw, [current_id, comment_box, *filters], action_out)
        correct_btn.click(do_correct, [current_id, correction_box, chunks_dd, comment_box, *filters], action_out)

        csv_btn.click(export_csv, [include_cb], [export_file, status_line])
        jsonl_btn.click(export_jsonl, [include_cb], [export_file, status_line])
        promote_btn.click(do_promote, [current_id], [case_code, status_line, detail])

    return demo
