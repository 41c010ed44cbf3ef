"""The « Quiz », « Chronologie » and « Lexique » tabs of the student page (issue #14).

Scope: the tabs' behaviour as plain functions (a quiz's state, checking an answer, HTML of the timeline and
the glossary) and ``build_study_tabs``, which lays them out inside the page's ``gr.Blocks``. The items come
from ``kalan.study`` over the stored corpus, read when a tab is first opened (``StudyCorpus``) and again
only when the store's size changes.

- Quiz: five items at a time; the student answers (a choice, or typed text checked without case, accents
  or one typo), gets the score, and feedback that shows the quote proving the answer. Items shown are
  recorded for the teachers' review (``kalan.study.quiz_store``); items a teacher removed never come back.
- Chronologie: each event opens, in one click, its passage with the quoted sentence highlighted.
- Lexique: each entry with its definition and quote; clicking its question (« Qui est … ? ») asks Kalan in
  the chat (wired by ``kalan.ui.app``).

Every string from the corpus is escaped (``kalan.ui.render``).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading

from kalan.rag.answer_types import near_spelling
from kalan.rag.text import fold
from kalan.study import messages as smsg
from kalan.ui import render

log_ = logging.getLogger(__name__)

QUIZ_SIZE = 5
_MONTHS_FR = ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre").split()


class StudyCorpus:
    """The stored corpus's sentences and chunk texts, re-read when the store's chunk count changes."""

    def __init__(self, settings, count=None, chunks=None):
        self.settings = settings
        self._count = count  # () -> int, the store's size; None: read once
        self._chunks = chunks  # () -> chunks; default: kalan.rag.store.read_chunks
        self._lock = threading.Lock()
        self._cached: tuple | None = None
        self._derived: dict = {}

    def _load(self):
        from kalan.study.source import sentences_of_chunks

        stamp = self._count() if self._count else 0
        with self._lock:
            if self._cached is None or self._cached[0] != stamp:
                if self._chunks is not None:
                    chunks = self._chunks()
                else:
                    from kalan.rag.store import read_chunks

                    chunks = read_chunks(self.settings)
                self._cached = (stamp, sentences_of_chunks(chunks), {c.chunk_id: c.text for c in chunks})
                self._derived = {}
            return self._cached

    @property
    def sentences(self):
        return self._load()[1]

    @property
    def passages(self) -> dict[str, str]:
        return self._load()[2]

    def derived(self, name: str, build):
        """``build(sentences)`` computed once per corpus state (the timeline, the glossary)."""
        sentences = self.sentences
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build(sentences)
            return self._derived[name]


# -- quiz --------------------------------------------------------------------------------------------

def new_quiz(corpus: StudyCorpus, store=None, seed: int | None = None, n: int = QUIZ_SIZE) -> dict:
    """A fresh quiz state: ``items``, the current index ``i``, ``score``, whether ``i`` is ``answered``."""
    from kalan.study.quiz import build_quiz

    seed = secrets.randbelow(10**9) if seed is None else seed
    removed = set()
    if store is not None:
        try:
            removed = store.removed_ids()
        except Exception as exc:  # a quiz without the teachers' decisions beats no quiz
            log_.warning("décisions des enseignants illisibles : %s", exc)
    items = build_quiz(corpus.sentences, n=n, seed=seed, exclude=removed)
    if store is not None and items:
        try:
            store.record(items)
        except Exception as exc:
            log_.warning("questions de quiz non enregistrées : %s", exc)
    return {"items": items, "i": 0, "score": 0, "answered": False, "seed": seed}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%]+", " ", fold(text or "")).split())


def is_right(item: dict, given: str) -> bool:
    """Case, accents and spacing aside; one typo allowed in a typed answer of 5+ letters."""
    want, got = _norm(item["answer"]), _norm(given)
    if not got:
        return False
    if want == got or want.replace(" ", "") == got.replace(" ", ""):
        return True
    return item["kind"] == "cloze" and not want.replace(" ", "").isdigit() and near_spelling(want, got, 1)


def question_html(state: dict) -> str:
    items = state.get("items") or []
    if not items:
        return f'<p class="kalan-study-empty">{render.esc(smsg.UI_QUIZ_START)}</p>'
    if state["i"] >= len(items):
        return f'<p class="kalan-quiz-done">{render.esc(smsg.UI_QUIZ_DONE.format(score=state["score"], n=len(items)))}</p>'
    it = items[state["i"]]
    return f'<p class="kalan-quiz-prompt" data-kind="{render.esc(it["kind"])}">{render.text_html(it["prompt"])}</p>'


def choices_of(state: dict) -> list[str] | None:
    """The radio's choices for the current item (None: a typed answer)."""
    items = state.get("items") or []
    if state.get("i", 0) >= len(items):
        return None
    it = items[state["i"]]
    if it["kind"] == "true_false":
        return [smsg.UI_TRUE, smsg.UI_FALSE]
    return list(it["choices"]) if it["kind"] == "mcq" else None


def score_text(state: dict) -> str:
    items = state.get("items") or []
    if not items:
        return ""
    done = state["i"] + (1 if state["answered"] else 0)
    return smsg.UI_QUIZ_SCORE.format(score=state["score"], done=done, i=min(state["i"] + 1, len(items)), n=len(items))


def check(state: dict, given: str) -> tuple[dict, str]:
    """Grade the current item once: the new state and the feedback HTML (verdict and proving quote)."""
    items = state.get("items") or []
    if state.get("i", 0) >= len(items) or state.get("answered"):
        return state, ""
    if not (given or "").strip():
        return state, f'<p class="kalan-quiz-feedback">{render.esc(smsg.UI_QUIZ_NO_ANSWER)}</p>'
    it = items[state["i"]]
    right = is_right(it, given)
    state = {**state, "answered": True, "score": state["score"] + (1 if right else 0)}
    verdict = smsg.UI_QUIZ_RIGHT if right else smsg.UI_QUIZ_WRONG.format(answer=it["answer"])
    c = it["citation"]
    html = (f'<div class="kalan-quiz-feedback {"kalan-right" if right else "kalan-wrong"}">'
            f'<p><strong>{render.esc(verdict)}</strong></p><p>{render.esc(smsg.UI_QUIZ_PROOF)}</p>'
            f'<blockquote class="kalan-passage kalan-quiz-quote"><mark>{render.text_html(c["quote"])}</mark></blockquote>'
            f'<p class="kalan-source-section">{render.esc(c["title"])} — {render.esc(c["section"])}</p></div>')
    return state, html


def advance(state: dict) -> dict:
    items = state.get("items") or []
    if not state.get("answered") or state.get("i", 0) >= len(items):
        return state
    return {**state, "i": state["i"] + 1, "answered": False}


# -- timeline and glossary ------------------------------------------------------------------------------

def french_date(iso: str) -> str:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        return f"{'1er' if parts[2] == 1 else parts[2]} {_MONTHS_FR[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{_MONTHS_FR[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def timeline_html(events: list[dict], passages: dict[str, str]) -> str:
    if not events:
        return f'<p class="kalan-study-empty">{render.esc(smsg.UI_TIMELINE_EMPTY)}</p>'
    rows = []
    for i, ev in enumerate(events, 1):
        c = ev["citation"]
        source = render.source_html({**c, "n": i, "text": passages.get(c["chunk_id"], c["quote"])})
        anchor = ""
        if "anchor" in ev:
            anchor = f' <span class="kalan-event-anchor">({render.esc(smsg.UI_TIMELINE_ANCHOR.format(anchor=ev["anchor"]["as_written"]))})</span>'
        rows.append(f'<details class="kalan-event"><summary><strong class="kalan-event-date">'
                    f'{render.esc(french_date(ev["date"]))}</strong> — {render.esc(ev["text"])}{anchor}</summary>'
                    f"{source}</details>")
    return f'<div class="kalan-timeline">{"".join(rows)}</div>'


def glossary_html(entries: list[dict]) -> str:
    if not entries:
        return f'<p class="kalan-study-empty">{render.esc(smsg.UI_GLOSSARY_EMPTY)}</p>'
    rows = []
    for e in entries:
        c = e["citation"]
        kind = smsg.KIND_LABELS.get(e["kind"], e["kind"])
        definition = "" if e["definition"] == c["quote"].strip() else f' : {render.esc(e["definition"])}'
        rows.append(f'<div class="kalan-term" data-kind="{render.esc(e["kind"])}"><p><strong>{render.esc(e["term"])}'
                    f'</strong> <span class="kalan-term-kind">({render.esc(kind)}, {int(e["mentions"])} mention(s))</span>'
                    f'{definition}</p><blockquote class="kalan-passage">{render.text_html(c["quote"])}</blockquote></div>')
    return f'<div class="kalan-glossary">{"".join(rows)}</div>'


def glossary_questions(entries: list[dict]) -> list[list[str]]:
    return [[e["question"]] for e in entries]


STUDY_CSS = """
.kalan-event summary { cursor: pointer; padding: .25em 0; }
.kalan-event-date { white-space: nowrap; }
.kalan-event-anchor, .kalan-term-kind { opacity: .75; font-size: .9em; }
.kalan-term { margin: 0 0 .6em 0; }
.kalan-term p { margin: 0 0 .2em 0; }
.kalan-quiz-prompt { font-size: 1.05em; }
.kalan-right { border-left: 4px solid #15803d; padding: .2em .8em; }
.kalan-wrong { border-left: 4px solid #b91c1c; padding: .2em .8em; }
"""


def open_store(settings):
    """The teachers' quiz decisions, or None when they cannot be opened (the quiz still works)."""
    try:
        from kalan.study.quiz_store import open_quiz_store

        return open_quiz_store(settings)
    except Exception as exc:
        log_.warning("base des questions de quiz indisponible : %s", exc)
        return None


# -- layout ---------------------------------------------------------------------------------------------

def build_study_tabs(corpus: StudyCorpus, store=None):
    """Lay the three tabs out in the current ``gr.Blocks``; returns the glossary's question ``gr.Dataset``
    (the page wires its click to the chat)."""
    import gradio as gr

    def unavailable(exc) -> str:
        log_.warning("onglet d'étude indisponible : %s", exc)
        return f'<p class="kalan-error">{render.esc(smsg.UI_STUDY_UNAVAILABLE.format(error=exc))}</p>'

    def quiz_view(state, feedback=""):
        choices = choices_of(state)
        over = state.get("i", 0) >= len(state.get("items") or [])
        return (state, question_html(state), gr.update(choices=choices or [], value=None, visible=choices is not None),
                gr.update(value="", visible=choices is None and not over), feedback, score_text(state),
                gr.update(visible=not over), gr.update(visible=False))

    def on_new():
        try:
            return quiz_view(new_quiz(corpus, store))
        except Exception as exc:
            return quiz_view({"items": [], "i": 0, "score": 0, "answered": False}, unavailable(exc))

    def on_check(state, choice, typed):
        state = state or {}
        given = choice if choices_of(state) is not None else typed
        state, feedback = check(state, given or "")
        done = state.get("answered", False)
        return state, feedback, score_text(state), gr.update(visible=not done), gr.update(visible=done)

    def on_next(state):
        return quiz_view(advance(state or {}))

    def on_timeline():
        from kalan.study.timeline import build_timeline

        try:
            return timeline_html(corpus.derived("timeline", build_timeline), corpus.passages)
        except Exception as exc:
            return unavailable(exc)

    def on_glossary():
        from kalan.study.glossary import build_glossary

        try:
            entries = corpus.derived("glossary", build_glossary)
        except Exception as exc:
            return unavailable(exc), gr.Dataset(samples=[])
        return glossary_html(entries), gr.Dataset(samples=glossary_questions(entries))

    private = {"api_visibility": "private"}
    with gr.Tabs(elem_id="kalan-study"):
        with gr.Tab(smsg.UI_TAB_QUIZ, elem_id="kalan-tab-quiz"):
            gr.Markdown(smsg.UI_QUIZ_INTRO)
            state = gr.State({"items": [], "i": 0, "score": 0, "answered": False})
            new_btn = gr.Button(smsg.UI_QUIZ_NEW, variant="primary", size="sm", elem_id="kalan-quiz-new")
            prompt = gr.HTML(question_html({}), elem_id="kalan-quiz-prompt")
            radio = gr.Radio([], label=smsg.UI_QUIZ_CHOICES, visible=False, elem_id="kalan-quiz-choices")
            typed = gr.Textbox(label=smsg.UI_QUIZ_ANSWER, visible=False, elem_id="kalan-quiz-typed", max_length=200)
            check_btn = gr.Button(smsg.UI_QUIZ_CHECK, visible=False, elem_id="kalan-quiz-check")
            next_btn = gr.Button(smsg.UI_QUIZ_NEXT, visible=False, elem_id="kalan-quiz-next")
            feedback = gr.HTML("", elem_id="kalan-quiz-feedback")
            score = gr.Markdown("", elem_id="kalan-quiz-score")
        with gr.Tab(smsg.UI_TAB_TIMELINE, elem_id="kalan-tab-timeline") as timeline_tab:
            gr.Markdown(smsg.UI_TIMELINE_INTRO)
            timeline = gr.HTML("", elem_id="kalan-timeline")
        with gr.Tab(smsg.UI_TAB_GLOSSARY, elem_id="kalan-tab-glossary") as glossary_tab:
            gr.Markdown(smsg.UI_GLOSSARY_INTRO)
            questions = gr.Dataset(components=["textbox"], samples=[], label=smsg.UI_GLOSSARY_ASK,
                                   samples_per_page=60, elem_id="kalan-glossary-questions")
            glossary = gr.HTML("", elem_id="kalan-glossary")

    view = [state, prompt, radio, typed, feedback, score, check_btn, next_btn]
    new_btn.click(on_new, None, view, **private)
    check_btn.click(on_check, [state, radio, typed], [state, feedback, score, check_btn, next_btn], **private)
    typed.submit(on_check, [state, radio, typed], [state, feedback, score, check_btn, next_btn], **private)
    next_btn.click(on_next, [state], view, **private)
    timeline_tab.select(on_timeline, None, [timeline], **private)
    glossary_tab.select(on_glossary, None, [glossary, questions], **private)
    return questions
