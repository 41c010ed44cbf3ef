"""``kalan timeline``, ``kalan glossary`` and ``kalan quiz``: study items built from the stored corpus.

Each prints JSON with ``--json`` (the shapes of issue #14), else French lines. The corpus is read from the
store (no embedding model is loaded); an empty store or an unknown article ends with a French message.
"""

from __future__ import annotations

from kalan.cli_common import fail, print_json


def _sentences(args, settings):
    from kalan.study.source import load_sentences

    try:
        return load_sentences(settings, getattr(args, "article", None))
    except KeyError as exc:
        fail(exc.args[0])


def _show(args, key: str, items: list[dict], line) -> int:
    """``{key: items}`` as JSON, or two French lines per item: ``line(item)`` and where its quote comes from."""
    if args.json:
        print_json({key: items})
        return 0
    for item in items:
        c = item["citation"]
        print(line(item))
        print(f"    — « {c['quote']} » ({c['title']}, {c['section']})")
    return 0


def cmd_timeline(args, settings):
    from kalan.study.timeline import build_timeline

    return _show(args, "events", build_timeline(_sentences(args, settings)), lambda e: f"{e['date']:10}  {e['text']}")


def cmd_glossary(args, settings):
    from kalan.study.glossary import build_glossary

    return _show(args, "entries", build_glossary(_sentences(args, settings)),
                 lambda e: f"{e['term']} ({e['kind']}, {e['mentions']} mention(s)) : {e['definition']}")


def _quiz_store(settings):
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    from kalan.study.quiz_store import open_quiz_store, quiz_db_path

    try:
        return open_quiz_store(settings)
    except (sqlite3.Error, SQLAlchemyError, RuntimeError, OSError) as exc:
        fail(f"base des questions de quiz illisible ({quiz_db_path(settings)}) : {exc}")


def _quiz_line(it: dict) -> str:
    choices = f"\n    choix : {' / '.join(it['choices'])}" if it.get("choices") else ""
    status = f" [{it['status']}]" if it.get("status") else ""
    return f"{it['id']}{status} ({it['kind']}) {it['prompt']}{choices}\n    réponse : {it['answer']}"


def cmd_quiz(args, settings):
    from kalan.study import messages as smsg

    action = args.action
    if action in ("approve", "remove"):
        if not args.id:
            fail(smsg.QUIZ_ACTION_NEEDS_ID.format(action=action))
        store = _quiz_store(settings)
        try:
            item = (store.approve if action == "approve" else store.remove)(args.id, reviewer=args.reviewer)
        except KeyError as exc:
            fail(exc.args[0])
        if args.json:
            print_json(item)
        else:
            print((smsg.QUIZ_APPROVED if action == "approve" else smsg.QUIZ_REMOVED).format(id=args.id))
        return 0
    if action == "list":
        try:
            items = _quiz_store(settings).list(status=args.status)
        except ValueError as exc:
            fail(str(exc))
        return _show(args, "items", items, _quiz_line)
    if action == "export":
        from kalan.study.quiz_export import export

        if not args.format or not args.output:
            fail(smsg.QUIZ_EXPORT_NEEDS)
        items = _quiz_store(settings).approved()
        if not items:
            fail(smsg.QUIZ_NOTHING_APPROVED)
        try:
            n = export(items, args.format, args.output)
        except (ValueError, OSError) as exc:
            fail(str(exc))
        if args.json:
            print_json({"count": n, "path": str(args.output), "format": args.format})
        else:
            print(smsg.QUIZ_EXPORTED.format(n=n, path=args.output, format=args.format))
        return 0
    from kalan.study.quiz import build_quiz

    if args.n < 1:
        fail("--n doit être au moins 1.")
    store = _quiz_store(settings)
    items = build_quiz(_sentences(args, settings), n=args.n, seed=args.seed, exclude=store.removed_ids())
    if not items and not args.json:
        fail(smsg.QUIZ_EMPTY)
    store.record(items)
    return _show(args, "items", items, _quiz_line)


def register(sub) -> None:
    for name, func, helptext in (
        ("timeline", cmd_timeline, "chronologie citée des articles"),
        ("glossary", cmd_glossary, "lexique cité : personnes, organisations, lieux et termes clés"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--article", help="identifiant d'un article (défaut : tout le corpus)")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=func)

    s = sub.add_parser("quiz", help="quiz cité (texte à trous, QCM, vrai/faux) ; approve|remove ID ; list ; export")
    s.add_argument("action", nargs="?", choices=["approve", "remove", "list", "export"],
                   help="sans action : générer un quiz ; approve/remove ID : décision de l'enseignant ; "
                        "list : questions enregistrées ; export : questions approuvées vers Moodle ou un tableur")
    s.add_argument("id", nargs="?", help="identifiant d'une question (approve, remove)")
    s.add_argument("--article", help="identifiant d'un article (défaut : tout le corpus)")
    s.add_argument("--n", type=int, default=10, help="nombre de questions (défaut : 10)")
    s.add_argument("--seed", type=int, default=0, help="graine : la même graine donne le même quiz")
    s.add_argument("--format", choices=["gift", "moodle-xml", "csv"], help="format d'export")
    s.add_argument("--output", help="fichier d'export")
    s.add_argument("--status", choices=["generated", "approved", "removed"], help="list : seulement ce statut")
    s.add_argument("--reviewer", help="nom de l'enseignant (approve, remove)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_quiz)
