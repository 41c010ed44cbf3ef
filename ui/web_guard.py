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
  Gradio, which strips it and accepted it;
- logins are rate-limited per client address (``LoginThrottle``): after ``MAX_LOGIN_FAILURES`` failures
  within ``LOGIN_WINDOW_S`` seconds, the next attempts get a 429 with a French message giving the wait,
  until the oldest failure leaves the window. Every attempt is logged (address, success or failure).

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
MAX_LOGIN_FAILURES = 5
LOGIN_WINDOW_S = 60.0


class LoginThrottle:
    """Failed logins per client address within a sliding window (in memory: one server process)."""

    def __init__(self, max_failures: int = MAX_LOGIN_FAILURES, window_s: float = LOGIN_WINDOW_S, clock=None):
        import time

        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock or time.monotonic
        self._failures: dict[str, list[float]] = {}

    def _recent(self, address: str) -> list[float]:
        now = self.clock()
        kept = [t for t in self._failures.get(address, []) if now - t < self.window_s]
        if kept:
            self._failures[address] = kept
        else:
            self._failures.pop(address, None)
        return kept

    def wait_s(self, address: str) -> int:
        """Seconds before this address may try again (0: now)."""
        recent = self._recent(address)
        if len(recent) < self.max_failures:
            return 0
        return max(1, int(recent[-self.max_failures] + self.window_s - self.clock() + 0.999))

    def failed(self, address: str) -> None:
        self._recent(address)
        self._failures.setdefault(address, []).append(self.clock())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


class GuardMiddleware:
    def __init__(self, app, review_prefix: str = "/review", throttle: LoginThrottle | None = None):
        self.app = app
        self.review_prefix = review_prefix.rstrip("/")
        self.throttle = throttle or LoginThrottle()

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
            address = (scope.get("client") or ("?", 0))[0]
            wait = self.throttle.wait_s(address)
            if wait:
                log.warning("connexion enseignant refusée (trop d'échecs) depuis %s : attente %d s", address, wait)
                return await _reply(send_with_headers, 429, msg.SERVE_LOGIN_THROTTLED.format(wait=wait),
                                    [(b"retry-after", str(wait).encode())])
            name = _login_name(scope, body)
            if name is not None and (name != name.strip() or not name.isprintable()):
                self.throttle.failed(address)
                log.warning("connexion enseignant manquée depuis %s (identifiant mal formé)", address)
                return await _reply(send_with_headers, 400, msg.SERVE_BAD_LOGIN_NAME)
            status = {}

            async def send_observed(message):
                if message["type"] == "http.response.start":
                    status["code"] = message.get("status", 0)
                await send_with_headers(message)

            await self.app(scope, _replay(body, receive), send_observed)
            if status.get("code") == 200:
                self.throttle.succeeded(address)
                log.info("connexion enseignant réussie depuis %s", address)
            else:
                self.throttle.failed(address)
                log.warning("connexion enseignant manquée depuis %s (réponse %s)", address, status.get("code"))
            return None
        return await self.app(scope, receive, send_with_headers)


async def _reply(send, status: int, text: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": text, "error": text}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + (headers or [])})
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
