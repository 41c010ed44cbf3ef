"""PIAF (French SQuAD) as a Kalan corpus and as retrieval cases.

``convert`` writes one Markdown article per PIAF article (front matter with
title, source and licence; one paragraph per block, so each paragraph stays
its own unit) and a JSONL of cases ``{"id", "question", "answerable": true,
"expected_facts": [[answer, ...]], "evidence": [answer, ...], "paragraph",
"article_id", "tags": ["piaf"]}``.

``is_hit`` is the yardstick of the foundation issue: a retrieved chunk is a hit
when its text lies inside the gold paragraph and contains the gold answer.
"""

from __future__ import annotations

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


def convert(piaf_json: Path, corpus_dir: Path, cases_path: Path, limit_articles: int | None = None) -> dict:
    data = json.loads(Path(piaf_json).read_text(encoding="utf-8"))["data"]
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    n_par = n_q = 0
    used: set[str] = set()
    with open(cases_path, "w", encoding="utf-8") as out:
        for art in data[:limit_articles]:
            aid = slug(art["title"])
            while aid in used:
                aid += "-2"
            used.add(aid)
            paras = [re.sub(r"\s*\n\s*", " ", p["context"]).strip() for p in art["paragraphs"]]
            title = art["title"].replace('"', "'")
            body = "\n\n".join(paras)
            (corpus_dir / f"{aid}.md").write_text(
                f'---\ntitle: "{title}"\nsource: "PIAF / Wikipédia"\nlicence: "{LICENCE}"\nlanguage: fr\n---\n\n{body}\n',
                encoding="utf-8",
            )
            for para, p in zip(paras, art["paragraphs"]):
                n_par += 1
                for qa in p["qas"]:
                    answers = sorted({a["text"].strip() for a in qa["answers"] if a["text"].strip()})
                    if not answers:
                        continue
                    n_q += 1
                    out.write(json.dumps({
                        "id": qa["id"], "question": qa["question"].strip(), "answerable": True,
                        "expected_facts": [answers], "evidence": answers, "paragraph": para,
                        "article_id": aid, "tags": ["piaf"],
                    }, ensure_ascii=False) + "\n")
    return {"articles": len(used), "paragraphs": n_par, "questions": n_q}


def is_hit(chunk_text: str, paragraph: str, answers: list[str]) -> bool:
    c, p = _squash(chunk_text), _squash(paragraph)
    return c in p and any(_squash(a) in c for a in answers)


def main(argv: list[str] | None = None) -> int:
    """``python -m kalan.evals.piaf --piaf FILE --out DIR``: writes DIR/corpus/*.md and DIR/piaf.jsonl."""
    import argparse

    from kalan.rag.settings import PROJECT_ROOT

    ap = argparse.ArgumentParser(description="Convertit PIAF en corpus Kalan et en cas de recherche.")
    ap.add_argument("--piaf", default=str(PROJECT_ROOT.parent / "shared/data/piaf/piaf-v1.0-dev.json"))
    ap.add_argument("--out", required=True, help="dossier de sortie")
    ap.add_argument("--limit-articles", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out)
    stats = convert(Path(args.piaf), out / "corpus", out / "piaf.jsonl", args.limit_articles)
    print(json.dumps(stats, ensure_ascii=False))
    print(f"Ensuite : KALAN_DATA_DIR={out}/data kalan ingest --corpus {out}/corpus && "
          f"KALAN_DATA_DIR={out}/data kalan search --batch {out}/piaf.jsonl --k 5 --json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
