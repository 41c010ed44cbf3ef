"""``kalan ask``: one question, or a JSONL batch, through the answer chain.

Contract: ``kalan ask "QUESTION" --json`` prints ``{"question", "answer",
"refused", "citations", "mode", "latency_ms", ...}``; ``--batch FILE`` reads
``{"id", "question", "history"?}`` lines and prints one answer per line with
its ``id``. Answers are logged for teacher review unless ``--no-log``. Every answer carries
``"suggestions"`` (``kalan.study.suggest``) unless ``--no-suggestions``; ``--guided`` prints the guided
shape of ``kalan.study.guided`` instead. ``--article ID`` (an article id or its exact title) answers from that
article only, as a student who studies one article; an unknown one is refused with the list of articles.
"""

from __future__ import annotations

import sys
import uuid

from kalan.cli_common import fail, print_json, read_jsonl
from kalan.rag.settings import LLM_MODES, with_overrides


def _logger(settings, enabled: bool):
    if not enabled:
        return None
    try:
        from kalan.db.answer_log import open_answer_log

        return open_answer_log(settings)
    except Exception as exc:  # logging must never cost the student an answer
        sys.stderr.write(f"kalan : journal des réponses indisponible ({exc})\n")
        return None


def _print_readable(result: dict) -> None:
    from kalan.rag import messages as msg

    if result.get("verified"):
        print(f"✔ {msg.VERIFIED_BADGE}")
    print(result["answer"])
    if result.get("notice"):
        print(f"\n({result['notice']})")
    if result["citations"]:
        print("\nSources :")
        for c in result["citations"]:
            print(f"[{c['n']}] {c['title']} — {c['section']}")
            print(f"    « {c['quote']} »")
    if result.get("suggestions"):
        from kalan.study.messages import SUGGESTIONS_LABEL

        print(f"\n{SUGGESTIONS_LABEL}")
        for q in result["suggestions"]:
            print(f"- {q}")


def _suggester(svc, settings):
    from kalan.study.suggest import Suggester

    return Suggester(svc, settings.study)


def _guided(args, settings) -> bool:
    """``--guided`` / ``--direct``, else the deployment's default (``study.mode``); ``--check`` implies guided."""
    if args.direct:
        return False
    return bool(args.guided or args.check is not None or settings.study.mode == "guided")


def cmd_ask(args, settings):
    from kalan.rag.guards import QuestionError
    from kalan.rag.service import KalanService

    settings = with_overrides(settings, llm={"mode": args.mode} if args.mode else None)
    svc = KalanService(settings)
    log = _logger(settings, not args.no_log)
    suggester = None if args.no_suggestions else _suggester(svc, settings)
    session = "cli-" + uuid.uuid4().hex[:12]
    try:
        article = svc.article_id(args.article)
    except QuestionError as exc:
        fail(str(exc))
    if args.batch:
        for case in read_jsonl(args.batch):
            try:
                result = svc.ask(str(case["question"]), case.get("history"), article)
            except QuestionError as exc:
                result = {"question": case["question"], "answer": str(exc), "refused": True, "citations": [],
                          "mode": settings.llm.mode, "latency_ms": 0.0, "error": str(exc)}
            else:
                if log:
                    log.record(result, session, case.get("history"), source="cli", article=article)
                if suggester:
                    suggester.add_to(result, article)
            print_json({"id": case["id"], **result})
        return 0
    try:
        result = svc.ask(args.question or "", None, article)
    except QuestionError as exc:
        fail(str(exc))
    if log:
        result["log_id"] = log.record(result, session, None, source="cli", article=article)
    if suggester:
        suggester.add_to(result, article)
    if _guided(args, settings):
        from kalan.cli_guided import print_guided

        return print_guided(result, args.check, args.json)
    if args.json:
        print_json(result)
    else:
        _print_readable(result)
    return 0


def register(sub) -> None:
    s = sub.add_parser("ask", help="poser une question (réponse citée)")
    s.add_argument("question", nargs="?")
    s.add_argument("--json", action="store_true")
    s.add_argument("--batch", help="JSONL de {id, question, history?}")
    s.add_argument("--mode", choices=LLM_MODES, help="mode de réponse")
    s.add_argument("--no-log", action="store_true", help="ne pas journaliser pour la relecture")
    s.add_argument("--guided", action="store_true", help="mode guidé (« Guide-moi ») : indices, puis vérification")
    s.add_argument("--direct", action="store_true", help="réponse directe, même si le mode guidé est le défaut")
    s.add_argument("--no-suggestions", action="store_true", help="sans questions suggérées (plus rapide)")
    s.add_argument("--check", metavar="REPONSE", help="mode guidé : vérifier la réponse de l'élève")
    s.add_argument("--article", metavar="ARTICLE",
                   help="répondre à partir de cet article seulement (identifiant ou titre exact ; voir `kalan corpus list`)")
    s.set_defaults(func=cmd_ask)
