"""The reverse proxy against two tiny loopback backends: round robin for new students, the cookie keeps a
student on their instance, a dead instance is skipped (cookie rewritten), all dead is a French 503, and
bodies, statuses, headers and streamed responses go through unchanged."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from aiohttp import web

from kalan.db.local_postgres import free_port
from kalan.deploy import messages as msg
from kalan.deploy.proxy import COOKIE, Proxy


def backend(name: str) -> web.Application:
    async def echo(request):
        body = await request.read()
        return web.json_response({"name": name, "path": request.path_qs, "body": body.decode(),
                                  "host": request.host}, status=201, headers={"X-Backend": name})

    async def stream(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        for i in range(3):
            await resp.write(f"data: {name}-{i}\n\n".encode())
            await asyncio.sleep(0.01)
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/stream", stream)
    app.router.add_route("*", "/{tail:.*}", echo)
    return app


async def start(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@contextlib.asynccontextmanager
async def two_backends_behind_a_proxy(**options):
    """(backend runners, proxy, the proxy's address) on loopback, all stopped afterwards."""
    ports = [free_port(), free_port()]
    runners = [await start(backend(f"b{i}"), p) for i, p in enumerate(ports)]
    proxy = Proxy([f"http://127.0.0.1:{p}" for p in ports], **options)
    front_port = free_port()
    front = await start(proxy.app(), front_port)
    try:
        yield runners, proxy, f"http://127.0.0.1:{front_port}"
    finally:
        await front.cleanup()
        for r in runners:
            await r.cleanup()


async def replace_first(runners: list, proxy: Proxy, app: web.Application) -> None:
    """The first backend stopped, ``app`` serving on its port instead."""
    port = int(proxy.backends[0].rsplit(":", 1)[1])
    await runners[0].cleanup()
    runners[0] = await start(app, port)


def test_round_robin_stickiness_failover_and_all_down():
    async def scenario():
        async with two_backends_behind_a_proxy(down_s=60) as (runners, proxy, base):
            front_port = int(base.rsplit(":", 1)[1])
            # new students (no cookie) alternate; each gets the cookie of its instance
            names = []
            for _ in range(4):
                async with aiohttp.ClientSession() as s, s.post(base + "/gradio_api/call/ask?x=1", data="Q ?") as r:
                    data = await r.json()
                    assert r.status == 201 and r.headers["X-Backend"] == data["name"]
                    assert data["path"] == "/gradio_api/call/ask?x=1" and data["body"] == "Q ?"
                    assert data["host"] == f"127.0.0.1:{front_port}"  # links are built for the proxy's address
                    assert r.cookies[COOKIE].value == data["name"][1:]
                    names.append(data["name"])
            assert names == ["b0", "b1", "b0", "b1"]
            # one student keeps their instance, and a stream comes through whole
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:  # a browser's jar
                first = (await (await s.get(base + "/a")).json())["name"]
                assert {(await (await s.get(base + "/b")).json())["name"] for _ in range(5)} == {first}
                async with s.get(base + "/stream") as r:
                    assert (await r.text()) == "".join(f"data: {first}-{i}\n\n" for i in range(3))
                # their instance dies: the next request goes to the other one, with a new cookie
                await runners[int(first[1:])].cleanup()
                async with s.get(base + "/c") as r:
                    other = (await r.json())["name"]
                    assert other != first and r.cookies[COOKIE].value == other[1:]
                assert (await (await s.get(base + "/d")).json())["name"] == other
            await runners[int(other[1:])].cleanup()
            async with aiohttp.ClientSession() as s, s.get(base + "/e") as r:
                assert r.status == 503 and await r.text() == msg.PROXY_ALL_DOWN

    asyncio.run(scenario())


def test_an_event_stream_stays_on_the_instance_that_holds_it():
    """Gradio's event stream (GET /gradio_api/call/<api>/<event_id>) exists only on the instance that took the
    question: set aside after a busy moment, that instance still gets it (another would answer « 404: Not
    Found »); dead, the student gets a French 502 saying the question is lost, never the other instance's 404."""
    async def scenario():
        async with two_backends_behind_a_proxy(down_s=60, bound_retry_s=1.0) as (runners, proxy, base):
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                first = (await (await s.post(base + "/gradio_api/call/ask", data="Q ?")).json())["name"]
                own = int(first[1:])
                proxy._down_until[own] = float("inf")  # set aside, as after a connect timeout under load
                async with s.get(base + "/gradio_api/call/ask/ev123") as r:
                    assert (await r.json())["name"] == first  # the stream still goes to its own instance
                async with s.get(base + "/gradio_api/info") as r:
                    assert (await r.json())["name"] != first  # any other request fails over as before
            await runners[own].cleanup()  # its instance dies with the question
            async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}={own}"}) as s:
                async with s.get(base + "/gradio_api/call/ask/ev123") as r:
                    assert r.status == 502 and await r.text() == msg.PROXY_EVENT_LOST

    asyncio.run(scenario())


def test_which_requests_are_bound_to_their_instance():
    from aiohttp.test_utils import make_mocked_request

    proxy = Proxy(["http://a", "http://b"])

    def bound(method, path, cookie="1"):
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie is not None else {}
        return proxy.bound(make_mocked_request(method, path, headers=headers))

    assert bound("GET", "/gradio_api/call/ask/abc") == 1
    assert bound("GET", "/gradio_api/call/v2/ask/abc") == 1
    assert bound("GET", "/gradio_api/queue/data?session_hash=x") == 1
    assert bound("POST", "/gradio_api/call/ask") is None  # a new question: any instance
    assert bound("GET", "/gradio_api/info") is None
    assert bound("GET", "/gradio_api/call/ask/abc", cookie=None) is None  # no instance of one's own yet
    assert bound("GET", "/gradio_api/call/ask/abc", cookie="7") is None  # not an instance of this proxy


def test_a_question_is_never_sent_to_two_instances():
    """A POST whose instance breaks the connection after receiving it may have been taken: it is not sent again
    to the other instance (the question would be asked twice), the student gets a French 502. A POST that could
    not reach its instance (refused) and a GET still go to the other one."""
    received = []

    def dying() -> web.Application:
        async def die(request):
            received.append(("dying", request.method, await request.read()))
            request.transport.close()  # the instance dies with the request in hand
            await asyncio.sleep(1)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", die)
        return app

    async def scenario():
        async with two_backends_behind_a_proxy(down_s=0) as (runners, proxy, base):
            await replace_first(runners, proxy, dying())
            served_before = proxy.served[1]
            async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}=0"}) as s:
                async with s.post(base + "/gradio_api/call/ask", data="Q ?") as r:
                    assert r.status == 502 and await r.text() == msg.PROXY_REQUEST_LOST
                assert received == [("dying", "POST", b"Q ?")] and proxy.served[1] == served_before
                async with s.get(base + "/gradio_api/info") as r:  # a read is safe to send again
                    assert r.status == 201 and (await r.json())["name"] == "b1"
            await runners[0].cleanup()  # now refused: nothing was sent, the question goes to the other one
            async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}=0"}) as s:
                async with s.post(base + "/gradio_api/call/ask", data="Q2 ?") as r:
                    data = await r.json()
                    assert (data["name"], data["body"]) == ("b1", "Q2 ?") and r.cookies[COOKIE].value == "1"

    asyncio.run(scenario())


def test_an_instance_that_breaks_off_a_stream_is_set_aside_for_the_next_question():
    """An instance killed while it streams an answer may still accept connections for the instant it takes to
    die: the student's next question, sent right after the break, goes to the other instance (a question in
    flight is lost, never a second one)."""
    def breaking() -> web.Application:
        async def stream(request):
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            await resp.write(b"event: heartbeat\n\n")
            await asyncio.sleep(0.05)
            request.transport.abort()  # the process is killed mid-answer
            await asyncio.sleep(1)
            return resp

        async def echo(request):
            await request.read()
            return web.json_response({"name": "b0"})

        app = web.Application()
        app.router.add_get("/gradio_api/call/ask/{event}", stream)
        app.router.add_route("*", "/{tail:.*}", echo)
        return app

    async def scenario():
        async with two_backends_behind_a_proxy(down_s=60) as (runners, proxy, base):
            await replace_first(runners, proxy, breaking())
            async with aiohttp.ClientSession(headers={"Cookie": f"{COOKIE}=0"}) as s:
                broken = False
                try:
                    async with s.get(base + "/gradio_api/call/ask/ev1") as r:
                        await r.read()
                except aiohttp.ClientError:
                    broken = True
                assert broken  # the student sees the break, not a complete stream
                async with s.post(base + "/gradio_api/call/ask", data="Q suivante ?") as r:
                    data = await r.json()
                    assert data["name"] == "b1" and data["body"] == "Q suivante ?"  # not the breaking instance

    asyncio.run(scenario())
