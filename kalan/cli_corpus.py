"""``kalan corpus list [--json]`` and ``kalan corpus remove ARTICLE_ID [--corpus DIR] [--json]``.

``list --json`` prints ``[{"article_id", "title", "author", "date", "source", "url", "chunks"}]`` (what the
store holds); ``remove`` deletes one article's chunks, sentence vectors, BM25 entries and manifest entry and
moves its corpus files aside (``kalan.ingest.corpus_admin``). An unknown id is a French error, exit 1.
"""

from __future__ import annotations

from pathlib import Path

from kalan.cli_common import fail, print_json


def cmd_corpus(args, settings):
    from kalan.ingest import upload_messages as um
    from kalan.ingest.corpus_admin import LIST_FIELDS, UnknownArticle, list_articles, remove_article
    from kalan.rag.service import KalanService

    svc = KalanService(settings)
    if args.action == "list":
        articles = list_articles(svc.store)
        if args.json:
            print_json([{k: a[k] for k in LIST_FIELDS} for a in articles])
        elif not articles:
            print(um.LIST_EMPTY)
        for a in articles if not args.json else ():
            line = " · ".join(x for x in (a["author"], a["date"], a["source"]) if x)
            print(f"{a['article_id']}\t{a['title']}" + (f" — {line}" if line else "") + f" ({a['chunks']} passages)")
        return 0
    if not args.article_id:
        fail("indiquez l'identifiant de l'article à retirer (kalan corpus list les donne).", 2)
    try:
        done = remove_article(settings, svc.store, args.article_id, Path(args.corpus or settings.corpus_dir))
    except UnknownArticle as exc:
        fail(str(exc))
    if args.json:
        print_json(done)
    else:
        print(um.REMOVED.format(article_id=done["article_id"], chunks=done["chunks"],
                                files=", ".join(done["files"]) or "aucun"))
    return 0


def register(sub) -> None:
    s = sub.add_parser("corpus", help="articles indexés : kalan corpus list | kalan corpus remove ID")
    s.add_argument("action", choices=["list", "remove"])
    s.add_argument("article_id", nargs="?", help="identifiant de l'article à retirer (remove)")
    s.add_argument("--corpus", help="dossier des articles, d'où le fichier retiré est mis de côté (défaut : corpus/)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_corpus)
