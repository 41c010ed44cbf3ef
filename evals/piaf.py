"""PIAF (French SQuAD) as a Kalan corpus and as retrieval cases.

``convert`` writes one Markdown article per PIAF article (front matter with
title, source and licence; one paragraph per block, so each paragraph stays
its own unit) and a JSONL of cases ``{"id", "question", "answerable": true,
"expected_facts": [[answer, ...]], "evidence": [answer, ...], "paragraph",
"article_id", "tags": ["piaf"]}``.

Case ids are the PIAF question ids, unique across the files written, so every
output can be cut into tune/test halves by ``kalan eval --half`` (``kalan.evals.split``);
``main`` prints each file's half sizes under ``"halves"``.

``is_hit`` is the yardstick of the foundation issue: a retrieved chunk is a hit
when its text lies inside the gold paragraph and contains the gold answer.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

from kalan.rag.text import normalize

LICENCE = "CC BY-SA (Wikipédia) ; PIAF v1.0, MIT (DINUM/Etalab)"


def slug(title: str) -> str:
    s = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "article"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", normalize(text)).strip()


def held_out(paragraph: str, percent: int) -> bool:
    """A stable choice of about ``percent`` % of the paragraphs (by a hash of their text)."""
    return percent > 0 and int(hashlib.sha1(paragraph.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def paragraphs(article: dict, percent: int) -> list[tuple[str, bool]]:
    """``(paragraph on one line, kept)`` for each paragraph of a PIAF article: of articles with 3+ paragraphs,
    those ``held_out`` leaves out of the corpus are not kept."""
    paras = [re.sub(r"\s*\n\s*", " ", p["context"]).strip() for p in article["paragraphs"]]
    return [(para, len(paras) < 3 or not held_out(para, percent)) for para in paras]


def convert(piaf_json: Path, corpus_dir: Path, cases_path: Path, limit_articles: int | None = None,
            holdout_percent: int = 0, heldout_path: Path | None = None) -> dict:
    """With ``holdout_percent``, about that share of the paragraphs of articles with 3+ paragraphs is left out
    of the corpus; their questions, whose answer appears nowhere in the corpus that remains, go to
    ``heldout_path`` as unanswerable cases (tag ``unanswerable-on-topic``: the article is there, the paragraph
    that answered is not)."""
    data = json.loads(Path(piaf_json).read_text(encoding="utf-8"))["data"]
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    n_par = n_q = 0
    used: set[str] = set()
    dropped: list[tuple[str, dict]] = []
    kept_text: list[str] = []
    with open(cases_path, "w", encoding="utf-8") as out:
        for art in data[:limit_articles]:
            aid = slug(art["title"])
            while aid in used:
                aid += "-2"
            used.add(aid)
            split = paragraphs(art, holdout_percent)
            title = art["title"].replace('"', "'")
            body = "\n\n".join(para for para, k in split if k)
            kept_text.append(_squash(title + " " + body).lower())
            (corpus_dir / f"{aid}.md").write_text(
                f'---\ntitle: "{title}"\nsource: "PIAF / Wikipédia"\nlicence: "{LICENCE}"\nlanguage: fr\n---\n\n{body}\n',
                encoding="utf-8",
            )
            for (para, k), p in zip(split, art["paragraphs"]):
                if not k:
                    dropped.extend((aid, qa) for qa in p["qas"])
                    continue
                n_par += 1
                for qa in p["qas"]:
                    answers = _answers(qa)
                    if not answers:
                        continue
                    n_q += 1
                    out.write(json.dumps({
                        "id": qa["id"], "question": qa["question"].strip(), "answerable": True,
                        "expected_facts": [answers], "evidence": answers, "paragraph": para,
                        "article_id": aid, "tags": ["piaf"],
                    }, ensure_ascii=False) + "\n")
    n_held = 0
    if heldout_path is not None:
        corpus_text = "\n".join(kept_text)
        with open(heldout_path, "w", encoding="utf-8") as out:
            for aid, qa in dropped:
                answers = _answers(qa)
                if not answers or any(_squash(a).lower() in corpus_text for a in answers):
                    continue  # the answer is still somewhere in the corpus: not surely unanswerable
                n_held += 1
                out.write(json.dumps({
                    "id": qa["id"], "question": qa["question"].strip(), "answerable": False,
                    "expected_facts": [], "evidence": [], "article_id": aid,
                    "tags": ["piaf", "unanswerable-on-topic"],
                }, ensure_ascii=False) + "\n")
    return {"articles": len(used), "paragraphs": n_par, "questions": n_q, "held_out_questions": n_held}


def _answers(qa: dict) -> list[str]:
    return sorted({a["text"].strip() for a in qa["answers"] if a["text"].strip()})


def is_hit(chunk_text: str, paragraph: str, answers: list[str]) -> bool:
    c, p = _squash(chunk_text), _squash(paragraph)
    return c in p and any(_squash(a) in c for a in answers)


def _halves(out: Path, names: list[str]) -> dict:
    """``{file name: {"tune": n, "test": n}}`` for the case files ``names`` written in ``out``."""
    from kalan.evals.split import sizes

    return {name: sizes(json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines() if line.strip())
            for name in names}


def main(argv: list[str] | None = None) -> int:
    """``python -m kalan.evals.piaf --piaf FILE --out DIR``: writes DIR/corpus/*.md and DIR/piaf.jsonl."""
    import argparse

    from kalan.rag.settings import PROJECT_ROOT

    ap = argparse.ArgumentParser(description="Convertit PIAF en corpus Kalan et en cas de recherche.")
    ap.add_argument("--piaf", default=str(PROJECT_ROOT.parent / "shared/data/piaf/piaf-v1.0-dev.json"))
    ap.add_argument("--out", required=True, help="dossier de sortie")
    ap.add_argument("--limit-articles", type=int, default=None)
    ap.add_argument("--holdout-percent", type=int, default=0,
                    help="retire ce %% des paragraphes ; leurs questions deviennent des cas sans réponse (heldout.jsonl)")
    ap.add_argument("--sample", default=None,
                    help="jeu de cas PIAF (ex. evals/sets/piaf-sample.jsonl) : réécrit dans --out sans les cas "
                         "dont le paragraphe a été retiré")
    args = ap.parse_args(argv)
    out = Path(args.out)
    stats = convert(Path(args.piaf), out / "corpus", out / "piaf.jsonl", args.limit_articles,
                    args.holdout_percent, out / "piaf-heldout.jsonl" if args.holdout_percent else None)
    if args.sample:
        kept = {json.loads(line)["id"] for line in (out / "piaf.jsonl").read_text(encoding="utf-8").splitlines()}
        lines = [l for l in Path(args.sample).read_text(encoding="utf-8").splitlines() if l.strip() and json.loads(l)["id"] in kept]
        (out / Path(args.sample).name).write_text("".join(l + "\n" for l in lines), encoding="utf-8")
        stats["sample_cases"] = len(lines)
    written = ["piaf.jsonl"] + (["piaf-heldout.jsonl"] if args.holdout_percent else [])
    stats["halves"] = _halves(out, written + ([Path(args.sample).name] if args.sample else []))
    print(json.dumps(stats, ensure_ascii=False))
    print(f"Ensuite : KALAN_DATA_DIR={out}/data kalan ingest --corpus {out}/corpus && "
          f"KALAN_DATA_DIR={out}/data kalan search --batch {out}/piaf.jsonl --k 5 --json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
