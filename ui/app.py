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

import gradio as gr  # noqa: E402  (module level: event annotations such as gr.LikeData must resolve)

from kalan.rag import messages as msg  # noqa: E402
from kalan.ui import handlers, render  # noqa: E402

log_ = logging.getLogger(__name__)

ANSWER_CONCURRENCY_ID = "kalan-answer"  # chat and /ask share the same answer slots


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


def build_app(service, log, settings):
    """The student chat page (French), with its ``/ask`` API endpoint and its queue configured."""
    from kalan.rag.guards import QuestionError

    titles = _titles(service)
    store_errors = handlers._store_errors()

    def on_submit(question, messages, session):
        session = handlers.ensure_session(session)
        q = question or ""
        first = True
        for step in handlers.respond(service, log, q, messages, session["id"], session["turns"], titles):
            if step.done:
                handlers.remember(session, q, step)
            if first:  # clear the box; the previous rating's status and comment box go away
                yield step.messages, session, "", "", gr.update(visible=False)
            else:
                yield step.messages, session, gr.skip(), gr.skip(), gr.skip()
            first = False

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
        session.update(turns=[], answers={}, rated=None)
        return [], session, "", gr.update(visible=False), ""

    def ask(question: str, history: list | str | None = None) -> dict:
        """Pose une question sur les articles du corpus ; renvoie la réponse citée (JSON).

        history : liste facultative de paires [question, réponse] (ou la même liste en JSON)
        pour les questions de suivi.
        """
        try:
            return handlers.ask_api(service, log, question, history, settings.answer)
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
            label=msg.UI_CHAT_LABEL, elem_id="kalan-chat", height=520, layout="bubble",
            render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
            feedback_options=("Like", "Dislike"), buttons=["copy"], group_consecutive_messages=True,
            placeholder=f'<div class="kalan-placeholder">{render.esc(msg.UI_CHAT_PLACEHOLDER)}</div>',
        )
        with gr.Row():
            question = gr.Textbox(
                show_label=False, placeholder=msg.UI_QUESTION_PLACEHOLDER, lines=1, max_lines=4,
                scale=8, autofocus=True, elem_id="kalan-question", submit_btn=False,
            )
            send = gr.Button(msg.UI_SEND, variant="primary", scale=1, min_width=100, elem_id="kalan-send")
        status = gr.Markdown("", elem_id="kalan-status")
        with gr.Group(visible=False, elem_id="kalan-comment") as comment_group:
            comment_box = gr.Textbox(label=msg.UI_COMMENT_LABEL, placeholder=msg.UI_COMMENT_PLACEHOLDER,
                                     lines=2, max_lines=6, max_length=2000, elem_id="kalan-comment-text")
            comment_btn = gr.Button(msg.UI_COMMENT_SEND, size="sm", elem_id="kalan-comment-send")
        new_btn = gr.Button(msg.UI_NEW_CONVERSATION, variant="secondary", size="sm", elem_id="kalan-new")
        gr.Examples(examples=[[q] for q in msg.UI_EXAMPLES], inputs=[question], label=msg.UI_EXAMPLES_LABEL)

        private = {"api_visibility": "private"}
        for trigger in (question.submit, send.click):
            trigger(on_submit, [question, chatbot, session], [chatbot, session, question, status, comment_group],
                    concurrency_id=ANSWER_CONCURRENCY_ID, show_progress="hidden", **private)
        chatbot.like(on_like, [session], [session, status, comment_group], queue=False, **private)
        comment_btn.click(on_comment, [session, comment_box], [session, status, comment_box], queue=False, **private)
        new_btn.click(on_new, [session], [chatbot, session, status, comment_group, question], queue=False, **private)
        chatbot.clear(on_new, [session], [chatbot, session, status, comment_group, question], queue=False, **private)
        gr.api(ask, api_name="ask", concurrency_id=ANSWER_CONCURRENCY_ID)

    demo.queue(default_concurrency_limit=settings.ui.concurrency_limit, max_size=settings.ui.max_queue)
    return demo


def _mount(app, blocks, path: str, css: str | None = None, max_file_size: str | int = "1mb", **kwargs):
    from kalan.ui.web_guard import exception_handlers

    return gr.mount_gradio_app(
        app, blocks, path=path, ssr_mode=False, theme=theme(), css=css,
        footer_links=["api", "settings"], run_history=False, max_file_size=max_file_size,
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

    from kalan.ui.web_guard import GuardMiddleware

    app = FastAPI(title="Kalan", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(GuardMiddleware, review_prefix="/review")  # headers, closed student routes, login names
    planted = getattr(service, "planted_articles", None)  # articles with planted instructions, for the teachers
    # before "/": the first matching mount wins
    mount_review(app, log, settings, echo=echo, planted=planted, service=service)
    _mount(app, build_app(service, log, settings), "/", css=render.CSS)
    return app


def open_log(settings, echo=say):
    """The answer log, or None (with a French line) if it cannot be opened: answers still flow."""
    try:
        from kalan.rag.answer_log import open_answer_log

        return open_answer_log(settings)
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
