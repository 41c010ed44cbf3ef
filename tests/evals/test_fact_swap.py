"""The verifier's own evaluation (kalan.evals.fact_swap): the cases it builds, and a floor on a small fixed sample."""

from kalan.evals import fact_swap
from kalan.evals.split import half
from kalan.rag.settings import PROJECT_ROOT, FactCheckSettings

TOWN = ("La mairie de Villebrune a été construite en 1850 par l'architecte Paul Morel. "
        "Le marché couvert a ouvert ses portes en 1902, après un long chantier. "
        "Aujourd'hui, 1 200 habitants fréquentent le marché chaque semaine.")
RIVER = "Le pont de Saint-Aubin, qui enjambe la Vire, a été inauguré en 1885 par le préfet Louis Girard."


def test_cases_swap_a_fact_for_one_of_the_same_kind():
    cases = fact_swap.build_cases([("town", TOWN), ("river", RIVER)])
    assert cases == fact_swap.build_cases([("town", TOWN), ("river", RIVER)])  # deterministic
    by_kind = {}
    for c in cases:
        by_kind.setdefault(c.kind, []).append(c)
    assert {"true", "near", "far"} <= set(by_kind)
    trues = {c.sentence for c in by_kind["true"]}
    for c in by_kind["near"] + by_kind["far"]:
        assert c.sentence not in trues
    near = [c.sentence for c in by_kind["near"] if c.passage_id == "town"]
    assert any("1850" in s and "marché" in s for s in near) or any("1902" in s and "mairie" in s for s in near)
    for c in by_kind.get("paraphrase", []) + by_kind.get("framed", []):
        assert c.sentence not in c.passage


def test_floor_on_the_seed_test_half():
    """Floors under the figures measured on the seed corpus's test half (BENCHMARKS.md, issue #13): wrong facts
    caught 17/19, true sentences dropped 0/35; word overlap alone caught none."""
    passages = [p for p in fact_swap.seed_passages(PROJECT_ROOT / "corpus") if half(p[0]) == "test"]
    rows = fact_swap.score(fact_swap.build_cases(passages), FactCheckSettings())
    wrong = [rows[k] for k in ("near", "far") if k in rows]
    right = [rows[k] for k in ("true", "paraphrase", "framed") if k in rows]
    caught = sum(r["verify_after"] for r in wrong) / sum(r["n"] for r in wrong)
    dropped = sum(r["verify_after"] for r in right) / sum(r["n"] for r in right)
    before = sum(r["verify_before"] for r in wrong) / sum(r["n"] for r in wrong)
    assert sum(r["n"] for r in wrong) >= 10 and sum(r["n"] for r in right) >= 20
    assert caught >= 0.75
    assert dropped <= 0.05
    assert caught > before + 0.5
