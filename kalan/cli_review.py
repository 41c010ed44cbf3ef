"""``kalan review``: the teacher-review log from the command line.

Sub-actions: list, show, approve, reject, correct, withdraw, comment, export, promote.
The log is ``AnswerLog(settings.review_db)`` (default ``<data_dir>/kalan.sqlite3``).
An unknown id, an item that cannot be promoted or an unreadable database ends
with a French message on stderr and exit code 1.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from kalan.cli_common import fail, print_json
from kalan.rag import messages as msg

DEFAULT_SET = Path("evals") / "sets" / "promoted.jsonl"
SUMMARY_FIELDS = ("id", "time", "question", "answer", "refused", "status", "feedback", "min_support", "mode",
                  "withdrawn_time", "verified_from", "article")
ARTICLE_WIDTH = 24  # the list's article column: an id, « Tous les articles » for the whole corpus


def _open(settings):
    from kalan.db.answer_log import AnswerLog

    try:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        return AnswerLog(settings.review_db)
    except NotImplementedError as exc:
        fail(str(exc))
    except (sqlite3.DatabaseError, RuntimeError) as exc:  # AnswerLog's messages are already French
        fail(str(exc))
    except OSError as exc:
        fail(msg.REVIEW_DB_ERROR.format(path=settings.review_db, error=exc))


def _run(settings, fn):
    from sqlalchemy.exc import SQLAlchemyError

    """Open the log, run ``fn(log)``, turn the log's errors into French exits."""
    log = _open(settings)
    try:
        return fn(log)
    except KeyError as exc:
        fail(exc.args[0] if exc.args else msg.REVIEW_UNKNOWN_ID.format(id="?"))
    except (ValueError, PermissionError) as exc:
        fail(str(exc))
    except sqlite3.DatabaseError as exc:
        fail(msg.REVIEW_DB_ERROR.format(path=settings.review_db, error=exc))
    except SQLAlchemyError as exc:  # the database's own words, never the SQL nor a password
        fail(msg.REVIEW_DB_ERROR.format(path=log.path, error=str(getattr(exc, "orig", exc)).splitlines()[0]))
    except RuntimeError as exc:  # AnswerLogBusy and schema errors carry a French message
        fail(str(exc))
    finally:
        log.close()


def _summary(rec: dict) -> dict:
    return {k: rec.get(k) for k in SUMMARY_FIELDS}


def _one_line(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


_STATUS_FR = {"unreviewed": "à relire", "approved": "approuvée", "rejected": "rejetée", "corrected": "corrigée"}
_FEEDBACK_FR = {"up": "+1", "down": "-1", None: ""}


def _reviewer(args, settings):
    return getattr(args, "reviewer", None) or settings.review.teacher_user


# -- actions ---------------------------------------------------------------------------------------

def cmd_list(args, settings):
    from kalan.db.answer_log import WHOLE_CORPUS

    refused = True if args.refused else (False if args.answered else None)
    article = WHOLE_CORPUS if args.whole_corpus else args.article

    def listed(log):
        records = log.list(
            status=args.status, feedback=args.feedback, refused=refused, max_support=args.max_support,
            session_id=args.session, limit=args.limit, offset=args.offset, thumbs_down_first=args.thumbs_down_first,
            article=article)
        served = log.served_counts(r["id"] for r in records)
        return [dict(r, served=served.get(r["id"], 0)) for r in records]

    records = _run(settings, listed)
    if args.json:  # "served": answers served to students from this verified one since
        print_json([dict(_summary(r), served=r["served"]) for r in records])
        return 0
    if not records:
        print(msg.REVIEW_LIST_EMPTY)
        return 0
    print(msg.REVIEW_LIST_HEADER.format(n=len(records)))
    print(f"{'identifiant':32}  {'date (UTC)':16}  {'statut':9}  {'avis':4}  {'refus':5}  {'appui':5}  "
          f"{'resservie':9}  {'article':{ARTICLE_WIDTH}}  question")
    for r in records:
        support = "-" if r["min_support"] is None else f"{r['min_support']:.2f}"
        status = _STATUS_FR.get(r["status"], r["status"]) + ("*" if r.get("withdrawn_time") else "")
        article = _one_line(r.get("article") or msg.UI_ALL_ARTICLES, ARTICLE_WIDTH)
        print(
            f"{r['id']:32}  {r['time'][:16].replace('T', ' '):16}  {status:9}  "
            f"{_FEEDBACK_FR.get(r['feedback'], r['feedback']):4}  {'oui' if r['refused'] else 'non':5}  "
            f"{support:5}  {r['served']:9}  {article:{ARTICLE_WIDTH}}  {_one_line(r['question'], 70)}"
        )
    if any(r.get("withdrawn_time") for r in records):
        print(msg.REVIEW_WITHDRAWN_MARK)
    return 0


def cmd_show(args, settings):
    from kalan.ui.review_render import article_label

    rec = _run(settings, lambda log: log.get(args.id))
    if rec is None:
        fail(msg.REVIEW_UNKNOWN_ID.format(id=args.id))
    if args.json:
        print_json(rec)
        return 0
    print(f"Identifiant : {rec['id']}")
    print(f"Date (UTC)  : {rec['time']}    session : {rec['session_id']}    source : {rec['source']}")
    print(f"Statut      : {_STATUS_FR.get(rec['status'], rec['status'])}"
          + (f" (par {rec['reviewer']})" if rec.get("reviewer") else ""))
    if rec.get("feedback"):
        print(f"Avis élève  : {rec['feedback']}" + (f" — {rec['feedback_comment']}" if rec.get("feedback_comment") else ""))
    print(f"{msg.UI_ARTICLE_LABEL} : {article_label(rec)}")
    for turn in rec.get("history") or []:
        print(f"Historique  : {turn}")
    print(f"Question    : {rec['question']}")
    if rec.get("standalone_question") and rec["standalone_question"] != rec["question"]:
        print(f"Reformulée  : {rec['standalone_question']}")
    print(f"Réponse ({rec.get('mode') or '?'}{', refus' if rec['refused'] else ''}) :")
    print("    " + (rec["answer"] or "").replace("\n", "\n    "))
    for s in rec.get("sentences") or []:
        if isinstance(s, dict) and s.get("support") is not None:
            print(f"    appui {float(s['support']):.2f} : {_one_line(s.get('text'), 90)}")
    if rec.get("citations"):
        print(msg.SOURCES_HEADER)
        for c in rec["citations"]:
            print(f"  [{c.get('n')}] {c.get('title')} — {c.get('section')} ({c.get('chunk_id')})")
            if c.get("quote"):
                print(f"      « {_one_line(c['quote'], 200)} »")
    if rec.get("corrected_answer"):
        print("Réponse corrigée :")
        print("    " + rec["corrected_answer"].replace("\n", "\n    "))
        if rec.get("corrected_chunk_ids"):
            print(f"    passages : {', '.join(rec['corrected_chunk_ids'])}")
    if rec.get("review_comment"):
        print(f"Commentaire : {rec['review_comment']}")
    return 0


def _review_action(args, settings, fn, done_msg, then=None):
    """Run a review action on the log, print its result; ``then`` gets the updated record afterwards."""
    rec = _run(settings, fn)
    if getattr(args, "json", False):
        print_json(_summary(rec))
    else:
        print(done_msg.format(id=rec["id"]))
    if then is not None:
        then(rec)
    return 0


def cmd_approve(args, settings):
    return _review_action(args, settings, lambda log: log.approve(
        args.id, comment=args.comment, reviewer=_reviewer(args, settings)), msg.REVIEW_APPROVED)


def cmd_reject(args, settings):
    return _review_action(args, settings, lambda log: log.reject(
        args.id, comment=args.comment, reviewer=_reviewer(args, settings)), msg.REVIEW_REJECTED)


def cmd_correct(args, settings):
    chunks = [c.strip() for c in args.chunks.split(",") if c.strip()] if args.chunks else None
    return _review_action(args, settings, lambda log: log.correct(
        args.id, args.answer, chunk_ids=chunks, comment=args.comment, reviewer=_reviewer(args, settings)),
        msg.REVIEW_CORRECTED, then=lambda rec: _warn_unproven(settings, rec))


def _warn_unproven(settings, rec: dict) -> None:
    """A correction its chosen passages do not prove is saved, but never served again: say so on stderr."""
    from kalan.rag.service import KalanService

    try:
        if not KalanService(settings).proves(rec):
            sys.stderr.write(msg.REVIEW_CORRECTION_UNPROVEN + "\n")
    except Exception:  # the store or the model unavailable: the correction itself is saved
        pass


def cmd_withdraw(args, settings):
    return _review_action(args, settings, lambda log: log.withdraw(
        args.id, comment=args.comment, reviewer=_reviewer(args, settings)), msg.REVIEW_WITHDRAWN)


def cmd_comment(args, settings):
    return _review_action(args, settings, lambda log: log.comment(
        args.id, args.comment, reviewer=_reviewer(args, settings)), msg.REVIEW_COMMENTED)


def cmd_export(args, settings):
    statuses = None if args.all else ("approved", "corrected", "rejected")
    n = _run(settings, lambda log: log.export(args.format, args.output, statuses=statuses))
    if args.json:
        print_json({"count": n, "path": str(args.output), "format": args.format})
    else:
        print(msg.REVIEW_EXPORTED.format(n=n, path=args.output))
    return 0


def cmd_promote(args, settings):
    from kalan.rag.settings import PROJECT_ROOT

    target = Path(args.set) if args.set else PROJECT_ROOT / DEFAULT_SET
    case = _run(settings, lambda log: log.promote(args.id, target))
    if args.json:
        print_json(case)
    else:
        print(msg.REVIEW_PROMOTED.format(case_id=case["id"], path=target))
    return 0


# -- parser ----------------------------------------------------------------------------------------

def register(sub) -> None:
    p = sub.add_parser("review", help="relecture enseignante des réponses servies")
    actions = p.add_subparsers(dest="review_action", metavar="ACTION", parser_class=type(p))
    actions.required = True

    s = actions.add_parser("list", help="lister les réponses (les plus récentes d'abord)")
    s.add_argument("--status", choices=["unreviewed", "approved", "rejected", "corrected"])
    s.add_argument("--feedback", choices=["up", "down", "none"], help="avis des élèves (none : sans avis)")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--refused", action="store_true", help="seulement les refus")
    g.add_argument("--answered", action="store_true", help="seulement les réponses (pas les refus)")
    s.add_argument("--max-support", type=float, help="appui minimal des phrases inférieur ou égal à")
    s.add_argument("--session", help="seulement cette session")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--article", metavar="ID", help="seulement les questions posées dans cet article (son identifiant)")
    g.add_argument("--whole-corpus", action="store_true",
                   help="seulement les questions posées sur tous les articles (aucun article choisi)")
    s.add_argument("--thumbs-down-first", action="store_true", help="les avis négatifs (down) en tête")
    s.add_argument("--limit", type=int, default=200)
    s.add_argument("--offset", type=int, default=0)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = actions.add_parser("show", help="afficher une réponse en entier")
    s.add_argument("id")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    for name, func, helptext in (
        ("approve", cmd_approve, "approuver une réponse"),
        ("reject", cmd_reject, "marquer une réponse comme fausse"),
        ("withdraw", cmd_withdraw, "retirer une vérification (la réponse n'est plus resservie aux élèves)"),
    ):
        s = actions.add_parser(name, help=helptext)
        s.add_argument("id")
        s.add_argument("--comment")
        s.add_argument("--reviewer", help="nom de l'enseignant (défaut : KALAN_REVIEW__TEACHER_USER)")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=func)

    s = actions.add_parser("correct", help="corriger une réponse (l'originale est conservée)")
    s.add_argument("id")
    s.add_argument("--answer", required=True, help="la réponse attendue")
    s.add_argument("--chunks", help="identifiants des passages justificatifs, séparés par des virgules")
    s.add_argument("--comment")
    s.add_argument("--reviewer")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_correct)

    s = actions.add_parser("comment", help="commenter une réponse sans changer son statut")
    s.add_argument("id")
    s.add_argument("--comment", required=True)
    s.add_argument("--reviewer")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_comment)

    s = actions.add_parser("export", help="exporter les réponses relues (CSV ou JSONL)")
    s.add_argument("--format", choices=["csv", "jsonl"], required=True)
    s.add_argument("--output", required=True, help="fichier de sortie")
    s.add_argument("--all", action="store_true", help="aussi les réponses non relues")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_export)

    s = actions.add_parser("promote", help="ajouter une réponse relue à un jeu d'évaluation")
    s.add_argument("id")
    s.add_argument("--set", help=f"jeu JSONL (défaut : {DEFAULT_SET})")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_promote)
