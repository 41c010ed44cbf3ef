"""The teachers' side of the quiz (issue #14), inside the review page: generated items, approve / remove,
export of the approved ones for Moodle (GIFT, Moodle XML) or a spreadsheet (CSV).

Scope: plain functions over a ``QuizStore`` (``quiz_rows``, ``decide``, ``export_approved``, ``generate``)
and ``build_quiz_review``, which lays an accordion out inside the review ``gr.Blocks`` (already behind the
teachers' login). Exports go to the page's Gradio cache, like the answer exports (``kalan.ui.review_app``).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone
from pathlib import Path

import gradio as gr  # module level: the gr.Request / gr.SelectData annotations of the handlers must resolve

from kalan.study import messages as smsg

log_ = logging.getLogger(__name__)

HEADERS = ["identifiant", "type", "question", "réponse", "statut"]
STATUS_FILTERS = {"toutes": None, "à relire": "generated", "approuvées": "approved", "retirées": "removed"}
_STATUS_FR = {"generated": "à relire", "approved": "approuvée", "removed": "retirée"}
_KIND_FR = {"cloze": "texte à trous", "mcq": "QCM", "true_false": "vrai/faux"}
_EXT = {"gift": "gift", "moodle-xml": "xml", "csv": "csv"}
GENERATE_N = 10


def quiz_rows(store, status_label: str = "toutes") -> tuple[list[list[str]], list[str], str]:
    """(table rows, their ids, a count line) of the recorded items."""
    items = store.list(status=STATUS_FILTERS.get(status_label))
    every = store.list()
    rows = [[it["id"], _KIND_FR.get(it["kind"], it["kind"]), it["prompt"]
             + (f" ({' / '.join(it['choices'])})" if it.get("choices") else ""), it["answer"],
             _STATUS_FR.get(it["status"], it["status"])] for it in items]
    count = smsg.REVIEW_QUIZ_COUNT.format(n=len(every), approved=sum(i["status"] == "approved" for i in every),
                                          removed=sum(i["status"] == "removed" for i in every))
    return rows, [it["id"] for it in items], count


def decide(store, item_id: str, action: str, reviewer: str | None) -> str:
    """Approve or remove one item; a French line either way."""
    item_id = (item_id or "").strip()
    if not item_id:
        return smsg.REVIEW_QUIZ_NONE
    try:
        if action == "approve":
            store.approve(item_id, reviewer=reviewer)
            return smsg.QUIZ_APPROVED.format(id=item_id)
        store.remove(item_id, reviewer=reviewer)
        return smsg.QUIZ_REMOVED.format(id=item_id)
    except KeyError as exc:
        return exc.args[0]


def export_approved(store, fmt: str, folder: Path) -> tuple[str | None, str]:
    """(path of the written file or None, French line)."""
    from kalan.study.quiz_export import export

    items = store.approved()
    if not items:
        return None, smsg.QUIZ_NOTHING_APPROVED
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = folder / f"kalan-quiz-{stamp}.{_EXT[fmt]}"
    n = export(items, fmt, target)
    return str(target), smsg.QUIZ_EXPORTED.format(n=n, path=target.name, format=fmt)


def generate(store, sentences, n: int = GENERATE_N, seed: int | None = None) -> int:
    """Draw and record ``n`` new items for review; how many were drawn."""
    from kalan.study.quiz import build_quiz

    items = build_quiz(sentences, n=n, seed=secrets.randbelow(10**9) if seed is None else seed,
                       exclude=store.removed_ids())
    store.record(items)
    return len(items)


def build_quiz_review(settings) -> None:
    """The « Questions de quiz générées » accordion, in the current ``gr.Blocks``."""
    from kalan.study.quiz_store import open_quiz_store

    store = open_quiz_store(settings)

    def reviewer(request: gr.Request | None) -> str | None:
        return getattr(request, "username", None) or settings.review.teacher_user

    def table(rows):
        import pandas as pd

        return pd.DataFrame(rows, columns=HEADERS)

    def load(status_label):
        rows, ids, count = quiz_rows(store, status_label)
        return table(rows), ids, count

    def on_select(ids, evt: gr.SelectData):
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        return ids[row] if 0 <= row < len(ids) else ""

    def act(action):
        def run(item_id, status_label, request: gr.Request):
            line = decide(store, item_id, action, reviewer(request))
            rows, ids, count = quiz_rows(store, status_label)
            return table(rows), ids, f"{line} {count}"
        return run

    def on_generate(status_label):
        from kalan.rag.store import read_chunks
        from kalan.study.source import sentences_of_chunks

        try:
            n = generate(store, sentences_of_chunks(read_chunks(settings)))
        except Exception as exc:  # empty or unreachable store: a line, never a traceback
            rows, ids, count = quiz_rows(store, status_label)
            return table(rows), ids, str(exc)
        rows, ids, count = quiz_rows(store, status_label)
        return table(rows), ids, f"{n} question(s) générée(s). {count}"

    with gr.Accordion(smsg.REVIEW_QUIZ_TITLE, open=False, elem_id="kalan-quiz-review"):
        gr.Markdown(smsg.REVIEW_QUIZ_INTRO)
        with gr.Row():
            status_dd = gr.Dropdown(list(STATUS_FILTERS), value="toutes", label="Statut", scale=2)
            refresh = gr.Button("Rafraîchir", scale=1)
            gen_btn = gr.Button(smsg.REVIEW_QUIZ_GENERATE, scale=1, elem_id="kalan-quiz-generate")
        frame = gr.Dataframe(headers=HEADERS, datatype="str", interactive=False, wrap=True, max_height=420,
                             label=smsg.REVIEW_QUIZ_TITLE, elem_id="kalan-quiz-table")
        ids = gr.State([])
        with gr.Row():
            id_box = gr.Textbox(label=smsg.REVIEW_QUIZ_ID, scale=3, elem_id="kalan-quiz-id")
            approve = gr.Button(smsg.REVIEW_QUIZ_APPROVE, variant="primary", scale=1, elem_id="kalan-quiz-approve")
            remove = gr.Button(smsg.REVIEW_QUIZ_REMOVE, variant="stop", scale=1, elem_id="kalan-quiz-remove")
        line = gr.Textbox(label="État", interactive=False, lines=1, max_lines=3, elem_id="kalan-quiz-status")
        with gr.Row():
            buttons = {fmt: gr.Button(f"Exporter {label}") for fmt, label in
                       (("gift", "GIFT (Moodle)"), ("moodle-xml", "XML Moodle"), ("csv", "CSV"))}
        out_file = gr.File(label="Fichier exporté", interactive=False)

    listing = [frame, ids, line]
    status_dd.change(load, [status_dd], listing)
    refresh.click(load, [status_dd], listing)
    gen_btn.click(on_generate, [status_dd], listing)
    frame.select(on_select, [ids], [id_box])
    approve.click(act("approve"), [id_box, status_dd], listing)
    remove.click(act("remove"), [id_box, status_dd], listing)
    def exporter(fmt):
        def run():
            path, text = export_approved(store, fmt, Path(out_file.GRADIO_CACHE) / f"kalan-quiz-{secrets.token_hex(16)}")
            return path, text
        return run

    for fmt, btn in buttons.items():
        btn.click(exporter(fmt), None, [out_file, line])
