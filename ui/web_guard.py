"""HTTP hardening of the served app: headers, routes the student page does not need, login names, unknown APIs.

``GuardMiddleware`` (pure ASGI, around both Gradio mounts):

- every response carries ``X-Frame-Options: DENY`` and a Content-Security-Policy fit for
  a Gradio page (same-origin scripts, styles, images and connections; ``frame-ancestors
  'none'``), plus ``nosniff`` and a same-origin referrer policy;
- the student page (everything outside ``/review/``) uploads nothing and shows no file:
  its ``/gradio_api/upload`` and ``/gradio_api/file=…`` routes answer 403. Gradio serves
  any file of its shared upload cache from either mount, so without this a teacher's
  export was downloadable from the public page;
- a teacher login whose user name has surrounding spaces (« prof ») is refused before
  Gradio, which strips it and accepted it.

``exception_handlers()``: a call to an API name or function index the app does not have
gets a 404 with a French message instead of a 500 and a traceback.

Not here: the login itself (Gradio's ``auth``) and what the pages show.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from kalan.rag import messages as msg

log = logging.getLogger(__name__)

CSP = "; ".join([
    "default-src 'self'",
    # Gradio's page boots from an inline script (its config), and gr.HTML compiles its template at run time
    # (without 'unsafe-eval' the student page's header reads "Error rendering HTML": checked in Chromium)
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
STUDENT_BLOCKED = ("/gradio_api/upload", "/gradio_api/file=", "/upload", "/file=")
MAX_LOGIN_BODY = 64 * 1024


class GuardMiddleware:
    def __init__(self, app, review_prefix: str = "/review"):
        self.app = app
        self.review_prefix = review_prefix.rstrip("/")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        in_review = path == self.review_prefix or path.startswith(self.review_prefix + "/")
        if not in_review and path.startswith(STUDENT_BLOCKED):
            return await _reply(send_with_headers, 403, msg.SERVE_STUDENT_ROUTE_CLOSED)
        if in_review and scope.get("method") == "POST" and path.rstrip("/") == self.review_prefix + "/login":
            body = await _read_body(receive)
            if body is None:
                return await _reply(send_with_headers, 413, msg.SERVE_BAD_LOGIN_NAME)
            name = _login_name(scope, body)
            if name is not None and (name != name.strip() or not name.isprintable()):
                return await _reply(send_with_headers, 400, msg.SERVE_BAD_LOGIN_NAME)
            receive = _replay(body, receive)
        return await self.app(scope, receive, send_with_headers)


async def _reply(send, status: int, text: str) -> None:
    body = json.dumps({"detail": text, "error": text}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive) -> bytes | None:
    """The whole request body, or None past ``MAX_LOGIN_BODY`` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_LOGIN_BODY:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _login_name(scope, body: bytes) -> str | None:
    """The ``username`` field of a login form (URL-encoded or multipart), None when absent or unreadable."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    ctype = headers.get("content-type", "")
    text = body.decode("utf-8", "replace")
    if ctype.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(text, keep_blank_values=True).get("username")
        return values[0] if values else None
    if ctype.startswith("multipart/form-data") and "boundary=" in ctype:
        boundary = "--" + ctype.split("boundary=", 1)[1].split(";")[0].strip('"')
        for part in text.split(boundary):
            head, _, value = part.partition("\r\n\r\n")
            if 'name="username"' in head:
                return value[:-2] if value.endswith("\r\n") else value
    return None


def exception_handlers() -> dict:
    """FastAPI exception handlers for a Gradio mount: unknown API names and function indexes get a 404."""
    from fastapi.responses import JSONResponse
    from gradio.route_utils import FnIndexInferError

    def unknown(request, exc):
        log.info("API inconnue demandée : %s", request.url.path)
        return JSONResponse({"detail": msg.SERVE_UNKNOWN_API, "error": msg.SERVE_UNKNOWN_API}, status_code=404)

    def key_error(request, exc):
        if request.url.path.endswith("/queue/join"):  # a fn_index the app does not have
            return unknown(request, exc)
        raise exc

    return {FnIndexInferError: unknown, KeyError: key_error}
