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


def _show(args, key: str, items: list[dict], line) -> int:
    """``{key: items}`` as JSON, or two French lines per item: ``line(item)`` and where its quote comes from."""
    if args.json:
        _print_json({key: items})
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


def register(sub) -> None:
    for name, func, helptext in (
        ("timeline", cmd_timeline, "chronologie citée des articles"),
        ("glossary", cmd_glossary, "lexique cité : personnes, organisations, lieux et termes clés"),
    ):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--article", help="identifiant d'un article (défaut : tout le corpus)")
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=func)
