from kalan.rag.retrieval import fuse
from kalan.rag.settings import RetrievalSettings


def test_rrf_rewards_agreement():
    rs = RetrievalSettings(fusion="rrf")
    out = fuse([("a", 0.9), ("b", 0.8), ("c", 0.7)], [("b", 9.0), ("c", 5.0)], rs)
    assert [x for x, _ in out] == ["b", "c", "a"]


def test_weighted_fusion_uses_scores():
    rs = RetrievalSettings(fusion="weighted", dense_weight=0.5)
    out = dict(fuse([("a", 0.90), ("b", 0.80)], [("b", 10.0), ("c", 1.0)], rs, floor=0.70))
    assert out["b"] > out["a"] > out["c"]
    assert abs(out["a"] - 0.5) < 1e-9 and abs(out["b"] - (0.25 + 0.5)) < 1e-9


def test_weighted_fusion_pure_dense():
    rs = RetrievalSettings(fusion="weighted", dense_weight=1.0)
    out = fuse([("a", 0.9), ("b", 0.8)], [("b", 10.0)], rs)
    assert out[0][0] == "a"
