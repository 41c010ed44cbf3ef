"""``kalan serve [--host H] [--port P]``: the student chat at ``/``, the teacher review at ``/review/``.

Binds the port first (a busy port is a French error, before any model is
loaded), checks the store is not empty (else: run ``kalan ingest`` first),
warms the service (embedding model, BM25 index, answer chain: one full answer,
not logged; spaCy) so the first student does not wait, then serves with uvicorn and
prints ``Kalan est prêt sur http://HOST:PORT`` once connections are accepted.
Host and port default to ``settings.ui`` (127.0.0.1:7860).
"""

from __future__ import annotations

import errno
import logging
import socket

from kalan.cli_common import fail
from kalan.rag import messages as msg
from kalan.rag.settings import with_overrides

log = logging.getLogger(__name__)

WARM_QUESTION = "Quels sont les sujets de ces articles ?"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port; ``OSError`` if it is taken."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT only, not a live server
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(addr)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def warm(service) -> None:
    """Load the model, the store and the BM25 index, build the chain with one answer, and load spaCy when the
    answers will need it (a chat model's sentences are fact-checked on their parse)."""
    from kalan.rag.store import StoreEmpty

    if service.store.count() == 0:
        raise StoreEmpty(msg.STORE_EMPTY)
    service.search(WARM_QUESTION, k=1)
    try:
        service.ask(WARM_QUESTION)
    except Exception as exc:  # the chain will report it to the student; the server can still start
        log.warning("préchauffage de la chaîne incomplet : %s", exc)
    if service.settings.llm.mode != "extractive" or not service.settings.chunk.entities:
        from kalan.rag.nlp import french

        french()  # spaCy, for the fact check of generated sentences: loaded now, not on the first question
    # extractive with entities stored at ingestion: name questions and suggestions read them, no spaCy (-410 MB)


def cmd_serve(args, settings):
    from kalan.rag.service import KalanService
    from kalan.ui.app import open_log, say, serve

    host = args.host or settings.ui.host
    port = settings.ui.port if args.port is None else args.port
    settings = with_overrides(settings, ui={"host": host, "port": port})
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            fail(msg.SERVE_PORT_TAKEN.format(host=host, port=port, other=port + 1))
        fail(msg.SERVE_BIND_ERROR.format(host=host, port=port, error=exc.strerror or exc))
    try:
        say(msg.SERVE_WARMING)
        service = KalanService(settings)
        warm(service)
        answer_log = open_log(settings, say)
        serve(settings, service, answer_log, sock=sock, echo=say)
    finally:
        sock.close()
    return 0


def register(sub) -> None:
    s = sub.add_parser("serve", help="lancer la page élève (et /review pour les enseignants)")
    s.add_argument("--host", help="adresse d'écoute (défaut : 127.0.0.1, KALAN_UI__HOST)")
    s.add_argument("--port", type=int, help="port HTTP (défaut : 7860, KALAN_UI__PORT)")
    s.set_defaults(func=cmd_serve)
