"""The answer verifier measured on its own: wrong-fact sentences caught against true sentences dropped.

Cases are made from true sentences that hold a date, a number or a name (``kalan.rag.fact_check.facts``):
the seed corpus's chunks (``corpus/*.txt``, chunked as ingestion does) and PIAF paragraphs. For each sentence:
- ``true``: the sentence as written, checked against its own passage;
- ``paraphrase``: the same fact said with other words around it, made mechanically from the parse: a clause,
  apposition or modifier that holds no fact dropped from the middle, or the fact's phrase moved to the front
  (« Tout commence en 1960, … » -> « En 1960, tout commence, … »); kept only when it is no longer verbatim;
- ``framed``: the sentence opened by a topic phrase built from the passage's most frequent noun (« À propos de
  la coopération, … »): true, with one word that the passage attaches elsewhere, as chat models write;
- ``near``: one fact swapped for another of the same kind from another sentence of the same passage (the hard
  case: the new fact is in the passage, attached to other words);
- ``far``: one fact swapped for one of the same kind from another passage (absent from this one).
Swaps whose new fact stands in the same sentence already (« de 2003 à 2019 » -> « de 2019 à 2019 ») are
counted apart (``role``): a relation check on words cannot see them.

Reported per half (``kalan.evals.split``, by a hash of the passage id, so that tune and test share no passage):
the catch rate on wrong sentences and the false-drop rate on true ones, for the fact check alone and for
``verify`` (lexical support, no embedder) with and without it. ``--sweep`` prints the tune half against
``min_relation``: tune there, report the test half.

Run: ``python -m kalan.evals.fact_swap [--piaf PATH] [--limit N] [--half test] [--sweep] [--json]``.

Not here: the check itself (``kalan.rag.fact_check``), end-to-end answer evaluation (``kalan.evals.runner``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kalan.evals.split import half
from kalan.rag import fact_check
from kalan.rag.citations import AnswerSentence, verify
from kalan.rag.documents import Passage
from kalan.rag.sentences import sentence_spans
from kalan.rag.settings import PROJECT_ROOT, FactCheckSettings
from kalan.rag.text import normalize

DEFAULT_PIAF = Path("/work/shared/data/piaf/piaf-v1.0-dev.json")
KINDS = ("true", "paraphrase", "framed", "near", "far", "role")
# dependents that a paraphrase may leave out: they hold no fact and the sentence stands without them
_DROPPABLE = frozenset({"advcl", "acl", "acl:relcl", "appos", "parataxis", "amod", "nmod"})
_FRONTABLE = frozenset({"obl", "obl:mod", "obl:arg"})


@dataclass(frozen=True)
class Case:
    id: str
    passage_id: str
    kind: str  # one of KINDS
    sentence: str
    passage: str


def _pick(seed: str, items: list):
    """A deterministic choice (SHA-256 of ``seed``), never Python's salted hash."""
    return items[int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16) % len(items)] if items else None


def seed_passages(corpus_dir: Path) -> list[tuple[str, str]]:
    """(id, text) of every chunk of the corpus articles, chunked as ``kalan ingest`` does."""
    from kalan.ingest.chunk import chunk_article
    from kalan.ingest.load import list_corpus, load_article
    from kalan.ingest.sections import structure

    out = []
    for path in list_corpus(corpus_dir):
        article = load_article(path)
        for i, chunk in enumerate(chunk_article(article, structure(article))):
            out.append((f"seed-{article.article_id}-{i}", chunk.text))
    return out


def piaf_passages(path: Path) -> list[tuple[str, str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f"piaf-{a['title']}-{i}", p["context"]) for a in data["data"] for i, p in enumerate(a["paragraphs"])]


def _tokens_text(doc, keep: list[int]) -> str:
    out = "".join(doc[i].text_with_ws for i in keep).strip()
    out = out.replace(" ,", ",").replace(",,", ",").replace(", .", ".").strip(" ,")
    return out[:1].upper() + out[1:]


def paraphrase(sentence: str) -> str | None:
    """The sentence with a fact-free dependent left out of its middle, else its fact's phrase moved to the front;
    None when neither changes it into something that is not in the sentence verbatim."""
    doc = fact_check.parse(normalize(sentence))
    fact_ids = {t.i for f, toks in fact_check.facts_of(doc) for t in toks}
    best = None
    for t in doc:
        if t.dep_ not in _DROPPABLE or t.head.i == t.i:
            continue
        ids = [x.i for x in t.subtree]
        if fact_ids & set(ids) or t.head.i in fact_ids or any(c.i in fact_ids for c in t.children) or ids[0] == 0 or ids[-1] >= len(doc) - 2 or len(ids) > len(doc) - 5:
            continue
        if best is None or len(ids) > len(best):
            best = ids
    if best is not None:
        return _tokens_text(doc, [i for i in range(len(doc)) if i not in best])
    for t in doc:
        ids = [x.i for x in t.subtree]
        if t.dep_ in _FRONTABLE and fact_ids & set(ids) and ids[0] > 2 and doc[ids[-1]].i < len(doc) - 1:
            rest = [i for i in range(len(doc)) if i not in ids]
            body = _tokens_text(doc, rest)
            front = doc[ids[0]:ids[-1] + 1].text
            return f"{front[:1].upper()}{front[1:]}, {body[:1].lower()}{body[1:]}"
    return None


def framed(sentence: str, passage: str) -> str | None:
    """The sentence opened by a topic phrase as chat models write them (« À propos de la coopération, tout
    commence en 1960… »), the topic being the passage's most frequent noun that the sentence does not hold: a
    true sentence with one word the passage attaches elsewhere. None when the passage has no such noun."""
    doc = fact_check.parse(normalize(sentence))
    own = {t.lemma_.lower() for t in doc}
    counts: dict[str, list] = {}
    for s, e in sentence_spans(passage):
        for t in fact_check.parse(passage[s:e]):
            if t.pos_ == "NOUN" and t.text.isalpha() and t.text.islower() and not t.is_stop and t.lemma_.lower() not in own:
                counts.setdefault(t.lemma_.lower(), []).append(t)
    if not counts:
        return None
    noun = max(counts.values(), key=lambda ts: (len(ts), ts[0].lemma_))[0]
    det = next((c.text.lower() for c in noun.children if c.dep_ == "det" and c.text.isalpha()), "")
    phrase = {"le": "du ", "les": "des ", "": "de ", "du": "du ", "des": "des "}.get(det, f"de {det} ")
    phrase = phrase.replace("' ", "'")
    first = sentence[:1] if doc[0].pos_ == "PROPN" else sentence[:1].lower()
    return f"À propos {phrase}{noun.text}, {first}{sentence[1:]}"


def build_cases(passages: list[tuple[str, str]]) -> list[Case]:
    """True, paraphrased and fact-swapped sentences of every passage (see the module docstring)."""
    per_passage = []
    pool: dict[str, list[str]] = {}
    for pid, text in passages:
        norm = normalize(text)
        sents = []
        for s, e in sentence_spans(norm):
            sentence = norm[s:e]
            if not 5 <= len(sentence.split()) <= 60:
                continue
            facts = fact_check.facts(sentence)
            if facts:
                sents.append((sentence, facts))
                for f in facts:
                    pool.setdefault(f.kind, []).append(f.text)
        per_passage.append((pid, norm, sents))
    cases: list[Case] = []
    for pid, norm, sents in per_passage:
        folded = norm.casefold()
        for j, (sentence, facts) in enumerate(sents):
            cid = f"{pid}-{j}"
            cases.append(Case(f"{cid}-true", pid, "true", sentence, norm))
            para = paraphrase(sentence)
            if para and not fact_check.verbatim(para, norm):
                cases.append(Case(f"{cid}-para", pid, "paraphrase", para, norm))
            topic = framed(sentence, norm)
            if topic:
                cases.append(Case(f"{cid}-framed", pid, "framed", topic, norm))
            fact = _pick(cid, facts)
            keys = {f.key for f in facts}
            others = [(f, s) for s, fs in sents if s != sentence for f in fs
                      if f.kind == fact.kind and f.key != fact.key]
            near = _pick(cid + "near", others)
            if near is not None:
                kind = "role" if near[0].key in keys else "near"
                cases.append(Case(f"{cid}-{kind}", pid, kind, _swap(sentence, fact, near[0].text), norm))
            far = _pick(cid + "far", [t for t in pool.get(fact.kind, []) if t.casefold() not in folded])
            if far is not None:
                cases.append(Case(f"{cid}-far", pid, "far", _swap(sentence, fact, far), norm))
    return cases


def _swap(sentence: str, fact: fact_check.Fact, new: str) -> str:
    return sentence[:fact.start] + new + sentence[fact.end:]


def score(cases: list[Case], settings: FactCheckSettings, min_support: float = 0.35) -> dict:
    """Per kind: share of cases dropped by the fact check alone, by ``verify`` without it and with it; and the
    weakest relation share of each case (for the sweep)."""
    off = settings.model_copy(update={"enabled": False})
    out: dict[str, dict] = {}
    for c in cases:
        verdict = fact_check.check(c.sentence, c.passage, settings)
        p = [Passage(chunk_id=c.passage_id, article_id="a", title="", section="", text=c.passage)]
        before = not verify([AnswerSentence(c.sentence, [1])], p, None, min_support, facts=off)
        after = not verify([AnswerSentence(c.sentence, [1])], p, None, min_support, facts=settings)
        row = out.setdefault(c.kind, {"n": 0, "check": 0, "verify_before": 0, "verify_after": 0, "relations": []})
        row["n"] += 1
        row["check"] += not verdict.ok
        row["verify_before"] += before
        row["verify_after"] += after
        row["relations"].append(verdict.relation)
    return out


def report(rows: dict) -> dict:
    """Rates per kind (dropped / n): catch rates for wrong kinds, false-drop rates for true ones."""
    return {k: {"n": r["n"], **{m: round(r[m] / r["n"], 3) for m in ("check", "verify_before", "verify_after")}}
            for k, r in rows.items() if r["n"]}


def sweep(rows: dict, grid=(0.3, 0.4, 0.5, 0.55, 0.6, 0.67, 0.7, 0.75, 0.8)) -> list[dict]:
    """Fact-check drop rates per kind for each ``min_relation`` (a fact absent from the passage scores 0)."""
    return [{"min_relation": g, **{k: round(sum(x < g for x in r["relations"]) / r["n"], 3)
                                   for k, r in rows.items() if r["n"]}} for g in grid]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kalan.evals.fact_swap", description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "corpus")
    ap.add_argument("--piaf", type=Path, default=DEFAULT_PIAF, help="PIAF JSON (absent: seed corpus only)")
    ap.add_argument("--limit", type=int, default=0, help="first N PIAF paragraphs (0: all)")
    ap.add_argument("--half", choices=("tune", "test", "all"), default="test")
    ap.add_argument("--min-relation", type=float, default=None)
    ap.add_argument("--sweep", action="store_true", help="drop rates against min_relation (use on --half tune)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    settings = FactCheckSettings()
    if args.min_relation is not None:
        settings = settings.model_copy(update={"min_relation": args.min_relation})
    passages = seed_passages(args.corpus)
    if args.piaf.exists():
        piaf = piaf_passages(args.piaf)
        passages += piaf[: args.limit] if args.limit else piaf
    passages = [p for p in passages if args.half == "all" or half(p[0]) == args.half]
    cases = build_cases(passages)
    rows = score(cases, settings)
    result = {"half": args.half, "passages": len(passages), "min_relation": settings.min_relation,
              "rates": report(rows)}
    if args.sweep:
        result["sweep"] = sweep(rows)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"moitié {args.half} : {len(passages)} passages, min_relation {settings.min_relation}")
    print(f"{'cas':<11}{'n':>6}{'contrôle seul':>15}{'verify avant':>14}{'verify après':>14}")
    for kind in KINDS:
        r = result["rates"].get(kind)
        if r:
            print(f"{kind:<11}{r['n']:>6}{r['check']:>15.3f}{r['verify_before']:>14.3f}{r['verify_after']:>14.3f}")
    print("(true, paraphrase, framed : taux de phrases vraies écartées ; near, far, role : taux de phrases fausses écartées)")
    for row in result.get("sweep", []):
        print("  ", row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
