"""The tuning protocol in two commands: run every evaluation set of one half with some settings changed, then
compare two such runs case by case.

    python -m kalan.evals.protocol run base --half tune
    python -m kalan.evals.protocol run essai --half tune --option answer.second_sentence=0.7
    python -m kalan.evals.protocol compare base essai --cases

``run`` answers, in one process, the sets the passes in BENCHMARKS.md report, grouped as they are:
- « dix jeux »: seed, students, students-fresh (the default data dir) and students-piaf 1–4 and 6, the PIAF
  sample and the PIAF held-out questions (the PIAF store of ``make eval-piaf``);
- « PIAF gardé »: every PIAF question whose paragraph stayed in that store (``piaf.jsonl``);
- « en conversation »: the standalone questions of seed, students, students-fresh and students-piaf 1–4 and 6
  asked after the previous one (``kalan.evals.conversation``; the PIAF ones from the PIAF store). Until the
  thirty-fourth pass it held the three seed-article sets only (tune 144, test 167 cases).
- « suivis après ses réponses »: the follow-up cases of those sets (and of students-chains and students-news), asked
  after the answers Kalan itself gives to their history (``with_own_answers``), as in a chat: the sets' own
  histories hold a short answer, Kalan's hold a direct answer and its quotes, which the follow-up rules read
  (added in the forty-fifth pass);
- « presse »: students-news, questions on fifteen pages scraped as text (an interview, a box of dates, a
  WordPress page, an encyclopedia page copied without blank lines, a paywalled page, numbered headings, headings
  glued to their text over boxes of related articles, a wire dispatch with a table, a page under a cookie banner,
  namesakes quoted on one page, a menu bar and a table of contents over a question headline among them), from the
  store of ``make eval-news``
  (those pages and the seed article; added in the forty-fifth pass, so earlier passes' figures do not hold it).
  With ``--scoped`` each news case is asked within the article it is about (its ``article`` field), as from a chat
  where the student chose that article (« Article étudié »); without it, over the whole store (the figures the
  passes report).
The blind sets (students-piaf5, 7, 8, students-seed3) are not in it: they are run by hand, once, and never tuned
on. A group whose store or file is missing is skipped with a French message. ``--option section.field=value``
(repeatable; the value read as JSON, else as text) derives the settings with ``with_overrides``, which refuses a
misspelt field or a wrong value: the loaded settings never change. Each set's rows (``kalan.evals.runner.run_case``)
go to ``OUT/NAME/<set>.json`` with the half and the options.

``compare A B`` prints, per group, the passes, answerable right, unanswerable refused, direct-first (right answers
whose first sentence gives the fact), answers wrong under a citation, and the right answers' quotes that hold
nothing asked (``metrics.quotes_off_question``: padding the pass figure cannot see), and for « en conversation »
the cases answered exactly as the same question asked alone (``same_as_alone``), for both runs; ``--cases``
lists the cases whose verdict or answer changed (« corrigé », « perdu », « changé »). Teacher-verified answers are
not served: the engine is measured. Not here: the metrics (``kalan.evals.metrics``), one set's report
(``kalan eval``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kalan.evals.conversation import mid_conversation, with_own_answers
from kalan.evals.metrics import short_answer_right
from kalan.evals.runner import load_cases, off_question_counts, run_case, spanned
from kalan.evals.split import select

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "evals" / "sets"
TEN, KEPT, CONVERSATION, NEWS = "dix jeux", "PIAF gardé", "en conversation", "presse"
LIVE = "suivis après ses réponses"
GROUPS = (TEN, KEPT, CONVERSATION, NEWS, LIVE)
NEWS_DIR = ROOT / ".kalan" / "news-eval"  # the store of ``make eval-news``: fifteen pages and the seed article
SEED_SETS = ("seed", "students", "students-fresh")
PIAF_STUDENT_SETS = ("students-piaf", "students-piaf2", "students-piaf3", "students-piaf4", "students-piaf6")


@dataclass(frozen=True)
class Planned:
    group: str
    name: str  # the rows' file name in the run folder
    path: Path
    piaf: bool  # answered from the PIAF store
    conversation: bool = False  # the set's standalone questions asked mid-conversation
    news: bool = False  # answered from the news store (``make eval-news``)
    live: bool = False  # the set's follow-ups only, asked after Kalan's own answers to their history

    @property
    def store(self) -> str:
        return "piaf" if self.piaf else "news" if self.news else "seed"


def plan(piaf_dir: Path) -> list[Planned]:
    """Every set of the protocol, in the order they are run."""
    out = [Planned(TEN, s, SETS / f"{s}.jsonl", False) for s in SEED_SETS]
    out += [Planned(TEN, s, SETS / f"{s}.jsonl", True) for s in PIAF_STUDENT_SETS]
    out += [Planned(TEN, "piaf-sample", SETS / "piaf-sample.jsonl", True),
            Planned(TEN, "piaf-heldout", piaf_dir / "piaf-heldout.jsonl", True),
            Planned(KEPT, "piaf-kept", piaf_dir / "piaf.jsonl", True)]
    out += [Planned(CONVERSATION, f"conv-{s}", SETS / f"{s}.jsonl", False, conversation=True) for s in SEED_SETS]
    out += [Planned(CONVERSATION, f"conv-{s}", SETS / f"{s}.jsonl", True, conversation=True)
            for s in PIAF_STUDENT_SETS]
    out.append(Planned(NEWS, "students-news", SETS / "students-news.jsonl", False, news=True))
    out += [Planned(LIVE, f"live-{s}", SETS / f"{s}.jsonl", s in PIAF_STUDENT_SETS, live=True)
            for s in SEED_SETS + PIAF_STUDENT_SETS + ("students-chains",)]
    out.append(Planned(LIVE, "live-students-news", SETS / "students-news.jsonl", False, news=True, live=True))
    return out


def parse_options(options: list[str]) -> dict[str, dict]:
    """``["answer.second_sentence=0.7"]`` → ``{"answer": {"second_sentence": 0.7}}`` (JSON values, else text)."""
    out: dict[str, dict] = {}
    for option in options:
        key, sep, raw = option.partition("=")
        section, dot, field = key.strip().partition(".")
        if not sep or not dot or not section or not field:
            raise ValueError(f"option mal formée : « {option} » (attendu : section.champ=valeur, "
                             "par exemple answer.second_sentence=0.7)")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        out.setdefault(section, {})[field] = value
    return out


def run(name: str, half: str, options: list[str], out_dir: Path, piaf_dir: Path, progress: bool = True,
        news_dir: Path = NEWS_DIR, scoped: bool = False) -> Path:
    """Answer every planned set of ``half`` with ``options``; the rows go to ``out_dir/name``. ``scoped``: a news
    case is asked within the article it is about (its ``article`` field), as from a chat scoped to that article."""
    from kalan.rag.chain import AnswerChain
    from kalan.rag.service import KalanService
    from kalan.rag.settings import load_settings, with_overrides

    sections = parse_options(options)
    with_overrides(load_settings(), **sections)  # a misspelt option stops the run before anything is written
    folder = out_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    chains: dict[str, tuple] = {}
    stores = {"seed": None, "piaf": piaf_dir / "data", "news": news_dir / "data"}
    for item in plan(piaf_dir):
        data = stores[item.store]
        if not item.path.exists() or (data is not None and not data.exists()):
            _say(f"{item.name} : sauté ({item.path if not item.path.exists() else data} absent ; "
                 f"ce magasin se fabrique avec `make eval-{item.store}`)", progress)
            continue
        if item.store not in chains:
            base = load_settings(**({"data_dir": data} if data is not None else {}), verified={"reuse": False})
            settings = with_overrides(base, **sections)
            chains[item.store] = (AnswerChain(KalanService(settings), settings), settings)
        chain, settings = chains[item.store]
        cases = select(mid_conversation(load_cases(item.path)), half) if item.conversation \
            else load_cases(item.path, half)
        within = (lambda c: c.get("article")) if scoped and item.store == "news" else (lambda c: None)
        if item.live:
            cases = [with_own_answers(lambda q, h, chain=chain, c=c: chain.ask(q, h, within(c))["answer"], c)
                     for c in cases if c.get("history")]
        rows = [run_case(chain, case, settings.answer.min_support, within(case)) for case in cases]
        record = {"group": item.group, "set": item.name, "half": half, "options": options, "rows": rows}
        (folder / f"{item.name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        _say(f"{item.name} ({len(rows)} cas, moitié {half}) : {sum(r['passed'] for r in rows)} réussis", progress)
    return folder


def load_run(folder: Path) -> dict[str, dict]:
    """``{set: record}`` of a run folder."""
    if not folder.is_dir():
        raise FileNotFoundError(f"aucun passage nommé « {folder.name} » dans {folder.parent}")
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def totals(rows: list[dict]) -> dict[str, int]:
    """The counts the passes report, over ``rows``."""
    answerable = [r for r in rows if r["answerable"]]
    off, quotes = off_question_counts(rows)
    return {
        "cas": len(rows),
        "réussis": sum(bool(r["passed"]) for r in rows),
        "répondables justes": sum(bool(r["passed"]) for r in answerable),
        "répondables": len(answerable),
        "refus justes": sum(bool(r["refused"]) for r in rows if not r["answerable"]),
        "non répondables": len(rows) - len(answerable),
        "fait en tête": sum(bool(r["passed"] and r.get("direct_first")) for r in answerable),
        "faux sous citation": sum(not r["refused"] and not r["passed"] for r in rows),
        "citations des réponses justes": quotes,
        "citations hors question": off,
        WRONG_DIRECT: sum(not short_answer_right(r["expected_facts"], r["short_answer"]) for r in spanned(answerable)),
    }


# A direct answer in bold that does not say the expected fact, on an answerable case answered, passed or not:
# « fait en tête » cannot tell it from no direct answer, yet the student reads it first (« Depuis 2017 [1]. » above
# a quote that says 1999)
WRONG_DIRECT = "réponses directes fausses"


SAME_AS_ALONE = "même réponse que seule"


def same_as_alone(run_records: dict[str, dict]) -> int:
    """Mid-conversation cases answered exactly as the same question asked alone in the same run (its set's own
    rows): a question that asks its own question should not depend on the one before it."""
    same = 0
    for name, rec in run_records.items():
        alone = run_records.get(name.removeprefix("conv-")) if rec["group"] == CONVERSATION else None
        if alone is None:
            continue
        answers = {r["id"]: r["answer"] for r in alone["rows"]}
        same += sum(answers.get(r["id"]) == r["answer"] for r in rec["rows"])
    return same


def by_group(run_records: dict[str, dict]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for group in GROUPS:
        rows = [r for rec in run_records.values() if rec["group"] == group for r in rec["rows"]]
        if rows:
            out[group] = totals(rows)
    if CONVERSATION in out:
        out[CONVERSATION][SAME_AS_ALONE] = same_as_alone(run_records)
    return out


def changes(a: dict[str, dict], b: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(verdict, set, id, question) for each case of both runs whose verdict or answer changed."""
    out = []
    for name in a.keys() & b.keys():
        before = {r["id"]: r for r in a[name]["rows"]}
        for r in b[name]["rows"]:
            old = before.get(r["id"])
            if old is None or (old["passed"] == r["passed"] and old["answer"] == r["answer"]):
                continue
            verdict = "corrigé" if r["passed"] and not old["passed"] else \
                "perdu" if old["passed"] and not r["passed"] else "changé"
            out.append((verdict, name, r["id"], r["question"]))
    return sorted(out, key=lambda c: (c[1], c[2]))


def table(runs: dict[str, dict[str, dict]]) -> str:
    """A Markdown table of each run's counts per group (one column per run; the last says its difference with
    the first)."""
    groups = {name: by_group(records) for name, records in runs.items()}
    halves = sorted({rec["half"] for records in runs.values() for rec in records.values()})
    names = list(runs)
    lines = [f"moitié : {' / '.join(halves)}", "", "| groupe | mesure | " + " | ".join(names) + " |",
             "| --- | --- |" + " --- |" * len(names)]
    for group in GROUPS:
        if not any(group in g for g in groups.values()):
            continue
        for key in list(totals([])) + ([SAME_AS_ALONE] if group == CONVERSATION else []):
            values = [groups[n].get(group, {}).get(key) for n in names]
            cells = ["—" if v is None else str(v) for v in values]
            if len(values) > 1 and None not in (values[0], values[-1]) and values[-1] != values[0]:
                cells[-1] += f" ({values[-1] - values[0]:+d})"
            lines.append(f"| {group} | {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare(a: dict[str, dict], b: dict[str, dict], names: tuple[str, str], cases: bool = False) -> str:
    """Both runs' counts per group, then (``cases``) the changed cases."""
    lines = [table({names[0]: a, names[1]: b})]
    if cases:
        lines += ["", "Cas changés :"] + [f"- [{v}] {s} {i} : {q}" for v, s, i, q in changes(a, b)]
    return "\n".join(lines)


def _say(text: str, progress: bool) -> None:
    if progress:
        print(text, file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=".kalan/protocol", help="dossier des passages (défaut : .kalan/protocol)")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="répondre à tous les jeux d'une moitié")
    r.add_argument("name", help="nom du passage (un dossier sous --out)")
    r.add_argument("--half", choices=["tune", "test"], required=True)
    r.add_argument("--option", action="append", default=[], help="section.champ=valeur (répétable)")
    r.add_argument("--piaf", default=".kalan/piaf-eval", help="dossier de `make eval-piaf`")
    r.add_argument("--no-progress", action="store_true")
    r.add_argument("--scoped", action="store_true",
                   help="les cas « presse » posés dans l'article qu'ils visent (champ article), comme d'un chat limité "
                        "à cet article")
    c = sub.add_parser("compare", help="comparer deux passages")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--cases", action="store_true", help="lister les cas changés")
    args = ap.parse_args(argv)
    out = Path(args.out)
    try:
        if args.command == "run":
            folder = run(args.name, args.half, args.option, out, Path(args.piaf), progress=not args.no_progress,
                         scoped=args.scoped)
            print(table({args.name: load_run(folder)}))
        else:
            print(compare(load_run(out / args.a), load_run(out / args.b), (args.a, args.b), args.cases))
    except (ValueError, FileNotFoundError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
