"""A small reverse proxy spreading students over several ``kalan serve`` instances (aiohttp).

Scope: a new student (no affinity cookie) goes to the next instance in turn (round robin); the cookie then
keeps them on it, because a Gradio page talks to one process (its queue, its session state). An instance
that refuses the connection is set aside for ``down_s`` seconds and the request, not yet seen by anyone,
goes to the next one with the cookie rewritten: a student whose instance died loses at most the request it
had in flight. Bodies are buffered (questions are small), responses streamed (Gradio's server-sent events).

A request that changes something (POST: a question, a review, an upload) is sent on a connection of its own,
never a pooled one, so a broken connection means one of two things: it could not be opened (nothing was sent:
the next instance gets it), or it broke after the request went out. Then the instance may have taken it, and
sending it to another would ask the question twice: the student gets a French 502 instead. A GET is sent
again to the next instance either way.

A Gradio event stream (``GET /gradio_api/call/<api>/<event_id>``, ``/gradio_api/queue/data``) exists only on the
instance that took the question: it is never given to another one, which would answer « 404: Not Found ». A
stream whose connection breaks (a pooled connection the instance just closed, a connect timeout while it is busy)
is tried again on the same instance for up to ``bound_retry_s`` seconds; an instance that refuses the connection
is dead, and the question it held is lost (a French 502: ask again). A dead instance, and one that breaks off a
response it was streaming, is set aside at once: the student's next question goes to another one.

Not here: TLS, access control, caching, WebSockets (Gradio 5 does not need them). For a real deployment put
nginx or a cloud load balancer with sticky sessions in front (README, "Plusieurs instances").
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import time

import aiohttp
from aiohttp import web

from kalan.deploy import messages as msg

log = logging.getLogger(__name__)

COOKIE = "kalan_instance"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})  # safe to send again to another instance
# a connection that could not be opened (refused, unreachable, connect timeout): the request never left
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "content-length", "host"}


class Proxy:
    def __init__(self, backends: list[str], down_s: float = 5.0, connect_timeout_s: float = 2.0,
                 bound_retry_s: float = 20.0):
        if not backends:
            raise ValueError("au moins une instance Kalan est nécessaire")
        self.backends = [b.rstrip("/") for b in backends]
        self.down_s = down_s
        self.connect_timeout_s = connect_timeout_s
        self.bound_retry_s = bound_retry_s
        self._down_until = [0.0] * len(self.backends)
        self._turn = itertools.cycle(range(len(self.backends)))
        self._session: aiohttp.ClientSession | None = None
        self._fresh: aiohttp.ClientSession | None = None  # one connection per request that changes something
        self.served = [0] * len(self.backends)  # requests answered per instance (for tests and logs)

    def _own(self, sticky: str | None) -> int | None:
        """The instance the affinity cookie names, or None (no cookie, or not an instance of this proxy)."""
        return int(sticky) if sticky is not None and sticky.isdigit() and int(sticky) < len(self.backends) else None

    def order(self, sticky: str | None) -> list[int]:
        """Instances to try, in order: the student's own first, else the next in turn; set-aside ones last."""
        n = len(self.backends)
        own = self._own(sticky)
        first = own if own is not None else next(self._turn)
        ring = [(first + i) % n for i in range(n)]
        now = time.monotonic()
        return [i for i in ring if self._down_until[i] <= now] + [i for i in ring if self._down_until[i] > now]

    def bound(self, request: web.Request) -> int | None:
        """The instance a request must go to, whatever its state: the student's own, for a Gradio event stream
        (only the instance that took the question holds its events); None: any instance may serve it."""
        own = self._own(request.cookies.get(COOKIE))
        if request.method != "GET" or own is None:
            return None
        parts = request.path.strip("/").split("/")
        stream = (parts[:2] == ["gradio_api", "call"] and len(parts) in (4, 5)) or parts[-2:] == ["queue", "data"]
        return own if stream else None

    async def _bound_upstream(self, session: aiohttp.ClientSession, i: int, request: web.Request, headers: dict):
        """The event stream from instance ``i``, retried on a broken connection until ``bound_retry_s``; None when
        the instance refuses connections (dead) or never answers."""
        deadline = time.monotonic() + self.bound_retry_s
        while True:
            try:
                return await session.request("GET", self.backends[i] + str(request.rel_url), headers=headers,
                                             allow_redirects=False)
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                refused = isinstance(getattr(exc, "os_error", None), ConnectionRefusedError)
                if refused or time.monotonic() >= deadline:
                    log.warning("flux de l'instance %s perdu (%s)", self.backends[i], exc)
                    if refused:
                        self._set_aside(i)
                    return None
                await asyncio.sleep(0.2)

    def _set_aside(self, i: int) -> None:
        """Instance ``i`` gets no new request for ``down_s`` seconds (its students go to the next one)."""
        self._down_until[i] = time.monotonic() + self.down_s

    def _new_session(self, force_close: bool) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            auto_decompress=False, cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout_s),
            connector=aiohttp.TCPConnector(force_close=force_close),
        )

    async def _client(self, idempotent: bool = True) -> aiohttp.ClientSession:
        """The pooled session for reads; for a request that changes something, a session whose connections
        are never reused (``force_close``): a pooled connection the instance has just closed cannot break it
        after it was sent."""
        if self._session is None:  # both made on first use, inside the event loop
            self._session, self._fresh = self._new_session(False), self._new_session(True)
        return self._session if idempotent else self._fresh

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = request.host  # the instance builds its links for the address the student used
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        sticky = request.cookies.get(COOKIE)
        idempotent = request.method in IDEMPOTENT
        session = await self._client(idempotent)
        bound = self.bound(request)
        if bound is not None:  # an event stream: its own instance or nothing
            upstream = await self._bound_upstream(session, bound, request, headers)
            if upstream is None:
                return web.Response(status=502, text=msg.PROXY_EVENT_LOST, content_type="text/plain", charset="utf-8")
            return await self._relay(request, upstream, bound, sticky)
        for i in self.order(sticky):
            try:
                upstream = await session.request(request.method, self.backends[i] + str(request.rel_url),
                                                 headers=headers, data=body or None, allow_redirects=False)
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                self._set_aside(i)
                if not (idempotent or isinstance(exc, NOT_SENT)):  # it may have taken it: never ask twice
                    log.warning("instance %s perdue pendant une requête %s (%s) : écartée %.0f s",
                                self.backends[i], request.method, exc, self.down_s)
                    return web.Response(status=502, text=msg.PROXY_REQUEST_LOST, content_type="text/plain",
                                        charset="utf-8")
                # nothing reached the instance, or a read: the request is safe to give to the next one
                log.warning("instance %s injoignable (%s) : écartée %.0f s", self.backends[i], exc, self.down_s)
                continue
            return await self._relay(request, upstream, i, sticky)
        return web.Response(status=503, text=msg.PROXY_ALL_DOWN, content_type="text/plain", charset="utf-8")

    async def _relay(self, request: web.Request, upstream, i: int, sticky: str | None) -> web.StreamResponse:
        """Instance ``i``'s response streamed to the student, with the affinity cookie set to ``i``. A response
        the instance breaks off (killed while it streamed an answer) sets the instance aside before the student
        sees the break: the student's next question must not go to an instance that may still accept
        connections for the instant it takes to die, and lose a second question there."""
        try:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for k, v in upstream.headers.items():
                if k.lower() not in HOP_BY_HOP:
                    response.headers.add(k, v)
            if sticky != str(i):
                response.set_cookie(COOKIE, str(i), httponly=True, samesite="Lax", path="/")
            await response.prepare(request)
            chunks = upstream.content.iter_any()
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # the instance broke off (reading)
                    self._set_aside(i)
                    log.warning("instance %s coupée pendant une réponse (%s) : écartée %.0f s",
                                self.backends[i], exc, self.down_s)
                    raise
                await response.write(chunk)  # a student who left raises here: not the instance's fault
            await response.write_eof()
            self.served[i] += 1
            return response
        finally:
            upstream.release()

    async def close(self, _app=None) -> None:
        for session in (self._session, self._fresh):
            if session is not None:
                await session.close()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)  # teachers upload articles through it
        app.router.add_route("*", "/{tail:.*}", self.handle)
        app.on_cleanup.append(self.close)
        return app


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m kalan.deploy.proxy", description="répartiteur devant plusieurs "
                                "instances Kalan (round robin, affinité par cookie, bascule si une instance tombe)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--backend", action="append", required=True, help="http://hôte:port d'une instance (répéter)")
    p.add_argument("--down-s", type=float, default=5.0, help="secondes d'écart d'une instance injoignable")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    proxy = Proxy(args.backend, args.down_s)
    print(msg.PROXY_READY.format(listen=f"{args.host}:{args.port}", backends=", ".join(proxy.backends)), flush=True)
    web.run_app(proxy.app(), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
