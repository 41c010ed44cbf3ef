"""The Kalan web server: the student chat (Gradio) at ``/`` and the teacher review at ``/review/``.

Scope: page layout and wiring (``build_app``), the FastAPI application that
mounts the chat without login and the review app behind the teachers' login
(``create_app``, ``mount_review``), and running it with uvicorn (``serve``).
Behaviour lives in ``kalan.ui.handlers``, HTML in ``kalan.ui.render``.

The chat also exposes one named API endpoint, ``/ask`` (question, optional
history of [question, answer] pairs) returning the answer dict as JSON::

    from gradio_client import Client
    client = Client("http://127.0.0.1:7860")
    answer = client.predict("Qui a écrit à Sergueï Lavrov ?", api_name="/ask")

No external calls: analytics are off, the theme uses system fonts (no CDN),
server-side rendering (Node) is off. Headers, the routes the student page does not
need (upload, files) and unknown API names are handled by ``kalan.ui.web_guard``.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import logging  # noqa: E402
import threading  # noqa: E402

import gradio as gr  # noqa: E402  (module level: event annotations such as gr.LikeData must resolve)

from kalan.rag import messages as msg  # noqa: E402
from kalan.study import messages as study_msg  # noqa: E402
from kalan.ui import handlers, render, study_handlers, study_tabs  # noqa: E402

log_ = logging.getLogger(__name__)

ANSWER_CONCURRENCY_ID = "kalan-answer"  # chat and /ask share the same answer slots
# Gradio's own labels that its French translation lacks (the copy button said « Copy message »)
FRENCH_LABELS = gr.I18n(fr={"chatbot.copy_message": msg.UI_COPY_MESSAGE, "chatbot.copy": msg.UI_COPY_MESSAGE})


def say(text: str) -> None:
    """Print a French line at once (the server's stdout is often a pipe)."""
    print(text, flush=True)


def theme():
    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])


def _titles(service) -> list[str]:
    try:
        return list(service.titles())
    except Exception as exc:  # the page still opens; answers will say what is wrong
        log_.warning("titres du corpus indisponibles : %s", exc)
        return []


def _suggester(service, settings):
    """Suggested questions over this service's corpus (``kalan.study.suggest``), or None if it cannot be built."""
    try:
        from kalan.study.suggest import Suggester

        return Suggester(service, settings.study)
    except Exception as exc:
        log_.warning("questions suggérées indisponibles : %s", exc)
        return None


class _Examples:
    """The landing page's example questions, generated from the loaded corpus (``kalan.study.suggest``) when a
    page first opens, not at start-up (each is checked through the answer path), and kept while the store's
    size does not change; those of one article when a student chooses it (« Article étudié »), kept alike per
    article. None can be had: an empty list, and the page opens without examples."""

    def __init__(self, suggester, service, n: int):
        self.suggester, self.service, self.n = suggester, service, n
        self._lock = threading.Lock()
        self._count: int | None = None  # the store's size the cached examples were made for
        self._cached: dict[str | None, list[str]] = {}  # article id (None: every article) -> its examples

    def get(self, article: str | None = None) -> list[str]:
        """The examples over every article, or within ``article`` (an article id)."""
        if self.suggester is None or self.n <= 0:
            return []
        article = article or None
        with self._lock:
            try:
                count = self.service.store.count()
                if count != self._count:  # an article added or removed: every list is made anew
                    self._count, self._cached = count, {}
                if article not in self._cached:
                    self._cached[article] = self.suggester.examples(self.n, article)
                return list(self._cached[article])
            except Exception as exc:  # the page still opens without examples
                log_.warning("exemples de questions indisponibles : %s", exc)
                return []


def build_app(service, log, settings):
    """The student chat page (French), with its ``/ask`` API endpoint and its queue configured."""
    from kalan.rag.guards import QuestionError

    titles = _titles(service)
    store_errors = handlers.store_errors()

    suggester = _suggester(service, settings)
    examples = _Examples(suggester, service, settings.study.examples)
    n_examples = max(0, settings.study.examples)
    n_suggest = max(0, settings.study.suggestions)

    def suggestion_updates(answer: dict | None, article: str | None) -> list:
        """The « Pour aller plus loin » row and its buttons, filled with the answer's suggestions (from ``article``,
        the article the student studies, when one is chosen)."""
        found = [] if suggester is None or answer is None else suggester.add_to(dict(answer), article)["suggestions"]
        found = found[:n_suggest]
        return [gr.update(visible=bool(found))] + [
            gr.update(value=found[i], visible=True) if i < len(found) else gr.update(value="", visible=False)
            for i in range(n_suggest)]

    hidden_suggestions = [gr.update(visible=False)] + [gr.update(visible=False)] * n_suggest

    def on_submit(question, messages, session, guided_on):
        session = handlers.ensure_session(session)
        q = question or ""
        no_suggestion_change = [gr.skip()] * (n_suggest + 1)

        def box(clear: bool):  # the question box: emptied (or not), its placeholder following the guided state
            ph = study_handlers.placeholder(session)
            return gr.update(value="", placeholder=ph) if clear else gr.update(placeholder=ph)

        if study_handlers.pending(session):  # the student's answer to the guided question
            shown, answer = study_handlers.guided_answer(messages, session, q)
            more = suggestion_updates(answer, session.get("article")) if answer is not None else no_suggestion_change
            yield (shown, session, box(answer is not None), "", gr.update(visible=False),
                   gr.update(visible=study_handlers.pending(session)), *more)
            return
        if guided_on and q.strip():
            thinking = list(messages or []) + [{"role": "user", "content": render.user_html(q)},
                                               {"role": "assistant", "content": render.thinking_html()}]
            yield (thinking, session, "", "", gr.update(visible=False), gr.update(visible=False),
                   *hidden_suggestions)
            try:
                shown = study_handlers.guided_start(service, log, q, messages, session, titles)
            except (QuestionError, *store_errors) as exc:
                shown = thinking[:-1] + [{"role": "assistant", "content": render.error_html(str(exc))}]
            except Exception:
                log_.exception("erreur pendant une question guidée")
                shown = thinking[:-1] + [{"role": "assistant", "content": render.error_html(msg.UI_ERROR)}]
            more = hidden_suggestions if study_handlers.pending(session) else \
                suggestion_updates(session.get("last_answer"), session.get("article"))
            yield (shown, session, box(False), gr.skip(), gr.skip(),
                   gr.update(visible=study_handlers.pending(session)), *more)
            return
        first = True
        for step in handlers.respond(service, log, q, messages, session["id"], session["turns"], titles,
                                     session.get("article")):
            if step.done:
                handlers.remember(session, q, step)
            if first:  # clear the box; the previous rating's status and comment box go away
                yield step.messages, session, "", "", gr.update(visible=False), gr.skip(), *hidden_suggestions
            else:
                yield step.messages, session, gr.skip(), gr.skip(), gr.skip(), gr.skip(), *no_suggestion_change
            first = False
            if step.done and step.answer is not None:  # the answer is shown first; its suggestions follow
                yield (step.messages, session, gr.skip(), gr.skip(), gr.skip(), gr.skip(),
                       *suggestion_updates(step.answer, session.get("article")))

    def on_pick(question, messages, session, guided_on):
        """A suggestion or an example clicked: a new question, even while a guided one waits for its answer."""
        session = handlers.ensure_session(session)
        session["guided"] = None
        yield from on_submit(question, messages, session, guided_on)

    def example_updates(article: str | None) -> list:
        """The examples row and its buttons: questions over every article, or within ``article`` (an id)."""
        found = examples.get(article)[:n_examples]
        return [gr.update(visible=bool(found))] + [
            gr.update(value=found[i], visible=True) if i < len(found) else gr.update(visible=False)
            for i in range(n_examples)]

    def on_load():
        return example_updates(None)

    def article_choices() -> list[tuple[str, str]]:
        """« Tous les articles », then each article by its title (its id as the value), as the store holds them."""
        try:
            known = service.articles()
        except Exception as exc:  # the store is down: the chat still answers over every article
            log_.warning("liste des articles indisponible : %s", exc)
            known = {}
        return [(msg.UI_ALL_ARTICLES, "")] + sorted(((t or a, a) for a, t in known.items()), key=lambda x: x[0])

    def on_articles():  # the page opens: the articles as they are now (a teacher may have added one)
        return gr.update(choices=article_choices())

    def on_article(choice, session):
        session = handlers.ensure_session(session)
        session["article"] = choice or None
        return session

    def on_article_examples(choice):  # the examples follow the chosen article (« Tous les articles »: every one)
        return example_updates(choice or None)

    def on_hint(messages, session):
        session = handlers.ensure_session(session)
        return study_handlers.guided_hint(messages, session), session, gr.update(visible=False)

    def on_like(session, data: gr.LikeData):
        session = handlers.ensure_session(session)
        text = handlers.rate(log, session, data.index, data.liked)
        return session, text, gr.update(visible=True)

    def on_comment(session, text):
        session = handlers.ensure_session(session)
        result = handlers.comment(log, session, text)
        return session, result, ("" if result == msg.UI_COMMENT_SAVED else gr.skip())

    def on_new(session):
        session = handlers.ensure_session(session)
        session.update(turns=[], answers={}, rated=None, guided=None, last_answer=None)
        return [], session, "", gr.update(visible=False), gr.update(value="", placeholder=msg.UI_QUESTION_PLACEHOLDER), \
            gr.update(visible=False), *hidden_suggestions

    def ask(question: str, history: list | str | None = None) -> dict:
        """Pose une question sur les articles du corpus ; renvoie la réponse citée (JSON).

        history : liste facultative de paires [question, réponse] (ou la même liste en JSON)
        pour les questions de suivi.
        """
        return _answered(question, history, None)

    def ask_in_article(question: str, article: str, history: list | str | None = None) -> dict:
        """Pose une question sur un seul article (celui qu'étudie l'élève) ; renvoie la réponse citée (JSON).

        article : l'identifiant de l'article (kalan corpus list) ou son titre exact.
        history : comme pour /ask.
        """
        return _answered(question, history, article)

    def _answered(question, history, article) -> dict:
        """/ask and /ask_in_article: the answer, or a French gr.Error (the endpoints' signatures stay apart: a raw
        HTTP call to /ask sends two values, and Gradio refuses a call with fewer values than inputs)."""
        try:
            return handlers.ask_api(service, log, question, history, settings.answer, suggester, article)
        except QuestionError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except store_errors as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:
            log_.exception("erreur de l'API /ask")
            raise gr.Error(msg.UI_ERROR, print_exception=False) from None

    with gr.Blocks(title="Kalan", analytics_enabled=False) as demo:
        session = gr.State(None)
        gr.HTML(render.header_html(titles), elem_id="kalan-header")
        chatbot = gr.Chatbot(
            label=msg.UI_CHAT_LABEL, elem_id="kalan-chat", height="min(520px, 55vh)", layout="bubble",
            render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
            feedback_options=("Like", "Dislike"), buttons=["copy"], group_consecutive_messages=True,
            placeholder=f'<div class="kalan-placeholder">{render.esc(msg.UI_CHAT_PLACEHOLDER)}</div>',
        )
        hint_btn = gr.Button(study_msg.GUIDED_HINT_BUTTON, visible=False, size="sm", elem_id="kalan-hint")
        with gr.Row(elem_id="kalan-input-row"):
            question = gr.Textbox(
                show_label=False, placeholder=msg.UI_QUESTION_PLACEHOLDER, lines=1, max_lines=4,
                scale=8, autofocus=True, elem_id="kalan-question", submit_btn=False,
            )
            send = gr.Button(msg.UI_SEND, variant="primary", scale=1, min_width=100, elem_id="kalan-send")
        guided = gr.Checkbox(value=settings.study.mode == "guided", label=study_msg.GUIDED_TOGGLE,
                             elem_id="kalan-guided", container=False)
        article_pick = gr.Dropdown(choices=article_choices(), value="", label=msg.UI_ARTICLE_LABEL,
                                   info=msg.UI_ARTICLE_INFO, elem_id="kalan-article", interactive=True)
        with gr.Column(visible=False, elem_id="kalan-suggestions") as suggest_box:
            gr.HTML(f'<p class="kalan-legend">{render.esc(study_msg.SUGGESTIONS_LABEL)}</p>')
            suggest_btns = [gr.Button("", visible=False, size="sm", elem_id=f"kalan-suggest-{i}",
                                      elem_classes=["kalan-suggest"]) for i in range(n_suggest)]
        status = gr.Markdown("", elem_id="kalan-status")
        with gr.Group(visible=False, elem_id="kalan-comment") as comment_group:
            comment_box = gr.Textbox(label=msg.UI_COMMENT_LABEL, placeholder=msg.UI_COMMENT_PLACEHOLDER,
                                     lines=2, max_lines=6, max_length=2000, elem_id="kalan-comment-text")
            comment_btn = gr.Button(msg.UI_COMMENT_SEND, size="sm", elem_id="kalan-comment-send")
        new_btn = gr.Button(msg.UI_NEW_CONVERSATION, variant="secondary", size="sm", elem_id="kalan-new")
        with gr.Column(visible=False, elem_id="kalan-examples") as examples_box:  # filled when the page opens
            gr.HTML(f'<p class="kalan-legend">{render.esc(msg.UI_EXAMPLES_LABEL)}</p>')
            example_btns = [gr.Button("", visible=False, size="sm", elem_id=f"kalan-example-{i}",
                                      elem_classes=["kalan-suggest"]) for i in range(n_examples)]
        # « Quiz », « Chronologie », « Lexique » (issue #14): a glossary question clicked is asked in the chat
        term_questions = study_tabs.build_study_tabs(
            study_tabs.StudyCorpus(settings, count=lambda: service.store.count()), study_tabs.open_store(settings))

        private = {"api_visibility": "private"}
        outputs = [chatbot, session, question, status, comment_group, hint_btn, suggest_box, *suggest_btns]
        # « always_last »: a question sent while the last answer's suggestions are still being computed runs
        # once they are done. Gradio's default (« once ») drops it silently: under load a student's Enter was lost.
        for trigger in (question.submit, send.click):
            trigger(on_submit, [question, chatbot, session, guided], outputs, trigger_mode="always_last",
                    concurrency_id=ANSWER_CONCURRENCY_ID, show_progress="hidden", **private)
        for b in suggest_btns + example_btns:
            b.click(on_pick, [b, chatbot, session, guided], outputs, trigger_mode="always_last",
                    concurrency_id=ANSWER_CONCURRENCY_ID, show_progress="hidden", **private)
        demo.load(on_load, None, [examples_box, *example_btns], concurrency_id=ANSWER_CONCURRENCY_ID,
                  show_progress="hidden", **private)
        demo.load(on_articles, None, [article_pick], queue=False, **private)
        # the session first, at once (a question asked next reads it); the examples, checked, in the answer slots
        article_pick.change(on_article, [article_pick, session], [session], queue=False, **private).then(
            on_article_examples, [article_pick], [examples_box, *example_btns], concurrency_id=ANSWER_CONCURRENCY_ID,
            show_progress="hidden", **private)
        hint_btn.click(on_hint, [chatbot, session], [chatbot, session, hint_btn], queue=False, **private)
        term_questions.click(lambda sample: sample[0], [term_questions], [question], queue=False, **private).then(
            on_submit, [question, chatbot, session, guided], outputs,
            concurrency_id=ANSWER_CONCURRENCY_ID, show_progress="hidden", **private)
        chatbot.like(on_like, [session], [session, status, comment_group], queue=False, **private)
        comment_btn.click(on_comment, [session, comment_box], [session, status, comment_box], queue=False, **private)
        reset = [chatbot, session, status, comment_group, question, hint_btn, suggest_box, *suggest_btns]
        new_btn.click(on_new, [session], reset, queue=False, **private)
        chatbot.clear(on_new, [session], reset, queue=False, **private)
        gr.api(ask, api_name="ask", concurrency_id=ANSWER_CONCURRENCY_ID)
        gr.api(ask_in_article, api_name="ask_in_article", concurrency_id=ANSWER_CONCURRENCY_ID)

    demo.queue(default_concurrency_limit=settings.ui.concurrency_limit, max_size=settings.ui.max_queue)
    return demo


def _mount(app, blocks, path: str, css: str | None = None, max_file_size: str | int = "1mb", **kwargs):
    from kalan.ui.web_guard import exception_handlers

    return gr.mount_gradio_app(
        app, blocks, path=path, ssr_mode=False, theme=theme(), css=css,
        footer_links=["api", "settings"], run_history=False, max_file_size=max_file_size, i18n=FRENCH_LABELS,
        app_kwargs={"exception_handlers": exception_handlers()}, **kwargs,
    )


def mount_review(app, log, settings, echo=say, planted=None, service=None) -> bool:
    """Mount the teacher review (``kalan.ui.review_app.build_review_app``) at ``/review`` behind a login.

    Skipped (returns False, with a French line through ``echo``) when the module is missing or
    the teacher credentials are not set. ``planted``: see ``build_review_app``. Must be called before the chat is mounted at ``/``.
    """
    from fastapi.responses import PlainTextResponse, RedirectResponse

    user = settings.review.teacher_user
    secret = settings.review.teacher_password
    password = secret.get_secret_value() if secret is not None else None

    def _off(reason: str) -> bool:
        echo(reason)

        @app.get("/review", include_in_schema=False)
        @app.get("/review/{rest:path}", include_in_schema=False)
        def review_off(rest: str = ""):
            return PlainTextResponse(msg.SERVE_REVIEW_OFF_PAGE, status_code=404)

        return False

    if not user or not password:
        return _off(msg.SERVE_REVIEW_DISABLED)
    try:
        from kalan.ui.review_app import build_review_app
    except ImportError as exc:  # missing module, or one of its imports broken
        if getattr(exc, "name", None) == "kalan.ui.review_app":
            return _off(msg.SERVE_REVIEW_MISSING)
        log_.exception("vue de relecture non importable")
        return _off(msg.SERVE_REVIEW_FAILED.format(error=exc))

    try:
        if service is not None:
            from kalan.ui.corpus_tab import build_teacher_app

            blocks = build_teacher_app(log, settings, service, planted)
        else:
            blocks = build_review_app(log, settings, **({"planted": planted} if planted is not None else {}))
    except Exception as exc:  # a broken review view must not take the student chat down
        log_.exception("vue de relecture non construite")
        return _off(msg.SERVE_REVIEW_FAILED.format(error=exc))

    @app.get("/review", include_in_schema=False)
    def review_slash():
        return RedirectResponse("/review/", status_code=307)

    _mount(app, blocks, "/review", auth=[(user, password)], auth_message=msg.SERVE_REVIEW_LOGIN,
           max_file_size=settings.upload.max_bytes if service is not None else "1mb")
    echo(msg.SERVE_REVIEW_READY.format(host=settings.ui.host, port=settings.ui.port, user=user))
    return True


def create_app(service, log, settings, echo=say):
    """FastAPI app: review at ``/review/`` (if enabled), student chat at ``/`` (no login)."""
    from fastapi import FastAPI

    from kalan.db.login_throttle import login_throttle
    from kalan.ui.web_guard import GuardMiddleware, LoginThrottle

    app = FastAPI(title="Kalan", docs_url=None, redoc_url=None, openapi_url=None)
    # headers, closed student routes, login names; failed logins counted across instances with a shared database
    app.add_middleware(GuardMiddleware, review_prefix="/review", throttle=login_throttle(settings, LoginThrottle()))
    planted = getattr(service, "planted_articles", None)  # articles with planted instructions, for the teachers
    # before "/": the first matching mount wins
    mount_review(app, log, settings, echo=echo, planted=planted, service=service)
    _mount(app, build_app(service, log, settings), "/", css=render.CSS + study_tabs.STUDY_CSS, head=render.HEAD)
    return app


def open_log(settings, echo=say):
    """The answer log, or None (with a French line) if it cannot be opened: answers still flow."""
    try:
        from kalan.db.answer_log import open_answer_log

        return open_answer_log(settings, tolerate_outage=True)  # a database restarting now: logged on its return
    except Exception as exc:
        echo(msg.SERVE_LOG_UNAVAILABLE.format(error=exc))
        return None


def serve(settings, service=None, log=None, sock=None, echo=say) -> None:
    """Run the server until interrupted; prints ``Kalan est prêt sur …`` once it accepts connections.

    ``sock``: an already bound socket (``kalan serve`` binds first to report a busy port in French).
    """
    import uvicorn

    if service is None:
        from kalan.rag.service import KalanService

        service = KalanService(settings)
    if log is None:
        log = open_log(settings, echo)
    app = create_app(service, log, settings, echo=echo)
    host, port = settings.ui.host, settings.ui.port
    ready = msg.SERVE_READY.format(host=host, port=port)

    class _Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started:
                echo(ready)

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    _Server(config).run(sockets=[sock] if sock is not None else None)
