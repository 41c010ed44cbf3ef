"""``kalan timeline``, ``kalan glossary`` and ``kalan quiz``: study items built from the stored corpus.

Each prints JSON with ``--json`` (the shapes of issue #14), else French lines. The corpus is read from the
store (no embedding model is loaded); an empty store or an unknown article ends with a French message.
"""

from __future__ import annotations

from kalan.cli import _fail, _print_json


def _sentences(args, settings):
    from kalan.study.source import load_sentences

    try:
        return load_sentences(settings, getattr(args, "article", None))
    except KeyError as exc:
        _fail(exc.args[0])


def cmd_timeline(args, settings):
    from kalan.study.timeline import build_timeline

    events = build_timeline(_sentences(args, settings))
    if args.json:
        _print_json({"events": events})
        return 0
    for ev in events:
        print(f"{ev['date']:10}  {ev['text']}")
        print(f"{'':10}  — {ev['citation']['title']}, {ev['citation']['section']}")
    return 0


def cmd_glossary(args, settings):
    from kalan.study.glossary import build_glossary

    entries = build_glossary(_sentences(args, settings))
    if args.json:
        _print_json({"entries": entries})
        return 0
    for e in entries:
        print(f"{e['term']} ({e['kind']}, {e['mentions']} mention(s)) : {e['definition']}")
        print(f"    — « {e['citation']['quote']} » ({e['citation']['title']}, {e['citation']['section']})")
    return 0


def register(sub) -> None:
    s = sub.add_parser("timeline", help="chronologie citée des articles")
    s.add_argument("--article", help="identifiant d'un article (défaut : tout le corpus)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("glossary", help="lexique cité : personnes, organisations, lieux et termes clés")
    s.add_argument("--article", help="identifiant d'un article (défaut : tout le corpus)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_glossary)
