"""The answerability model: a stored logistic calibration per embedder, read back and applied."""

import json

import pytest

from kalan.rag import answerability as A


def _calibration(**weights):
    n = len(A.FEATURES)
    return A.Calibration("test", (0.0,) * n, (1.0,) * n, tuple(weights.get(f, 0.0) for f in A.FEATURES), 0.0)


def test_probability_rises_with_a_positively_weighted_feature():
    cal = _calibration(dense_top=2.0)
    assert cal.probability({"dense_top": 1.0}) > 0.85 > 0.15 > cal.probability({"dense_top": -1.0})
    assert abs(cal.probability({}) - 0.5) < 1e-9


@pytest.mark.parametrize("embedder", ["e5", "gemma"])
def test_the_shipped_calibrations_fit_the_features(embedder):
    cal = A.load_calibration(embedder)
    assert cal is not None and cal.embedder == embedder and len(cal.weights) == len(cal.features)
    assert set(cal.features) <= set(A.INPUTS)
    assert 0.0 < cal.probability({f: 0.5 for f in A.INPUTS}) < 1.0
    assert 0.0 < cal.threshold < 0.5  # a gate fitted with a bounded loss of answers (fit_answerability)


def test_a_calibration_fitted_on_other_features_is_ignored(tmp_path, monkeypatch):
    data = _calibration().as_json() | {"features": ["autre"]}
    (tmp_path / "vieux.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(A, "CALIBRATION_DIR", tmp_path)
    A.load_calibration.cache_clear()
    try:
        assert A.load_calibration("vieux") is None
        assert A.load_calibration("absent") is None  # no calibration: the gate is off
    finally:
        A.load_calibration.cache_clear()


def test_a_calibration_names_the_features_it_was_fitted_on(tmp_path, monkeypatch):
    """A fit without some features (``fit_answerability --without``) weighs only those it names."""
    data = {"embedder": "part", "features": ["dense_top"], "mean": [0.0], "scale": [1.0], "weights": [3.0],
            "bias": 0.0, "threshold": 0.3}
    (tmp_path / "part.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(A, "CALIBRATION_DIR", tmp_path)
    A.load_calibration.cache_clear()
    try:
        cal = A.load_calibration("part")
        assert cal is not None and cal.features == ("dense_top",) and cal.as_json()["features"] == ["dense_top"]
        assert cal.probability({"dense_top": 1.0, "best_score": -50.0}) > 0.95  # best_score is not weighed
    finally:
        A.load_calibration.cache_clear()


def test_features_read_the_best_candidate_and_the_passages():
    from types import SimpleNamespace as N

    cands = [N(score=0.8, cosine=0.9, lexical=0.5, passage_index=0), N(score=0.4, cosine=0.8, lexical=0.1, passage_index=1)]
    passages = [N(dense_score=0.86), N(dense_score=0.84)]
    f = A.features({"a", "b"}, {"a", "b"}, {"a"}, cands, cands[:1], passages, True, False, False)
    assert set(f) == set(A.FEATURES)
    assert f["second_ratio"] == 0.5 and f["coverage_all"] == 1.0 and f["coverage_chosen"] == 0.5
    assert abs(f["dense_margin"] - 0.02) < 1e-9 and f["typed"] == 1.0 and f["span_found"] == 0.0


def test_one_cosine_calibration_per_embedder_with_explicit_overrides():
    from kalan.rag.settings import load_settings

    e5 = load_settings(embedding={"mode": "e5"})
    gemma = load_settings(embedding={"mode": "gemma"})
    assert e5.answer.min_retrieval_score == e5.embedding.cosine.min_retrieval == 0.80
    assert gemma.answer.min_retrieval_score == gemma.embedding.cosine.min_retrieval < 0.5
    assert gemma.answer.strong_similarity < e5.answer.strong_similarity
    assert load_settings(answer={"min_retrieval_score": 0.5}).answer.min_retrieval_score == 0.5
    cal = e5.embedding.cosine
    assert cal.scale(cal.sentence_low, cal.sentence_low, cal.sentence_high) == 0.0
    assert cal.scale(0.99, cal.sentence_low, cal.sentence_high) == 1.0


def test_command_options_derive_new_settings_and_leave_the_loaded_ones_alone():
    from kalan.rag.settings import load_settings, with_overrides

    loaded = load_settings()
    derived = with_overrides(loaded, llm={"mode": "openai"}, ui={"port": 9999}, answer=None)
    assert derived.llm.mode == "openai" and derived.ui.port == 9999
    assert loaded.llm.mode == "extractive" and loaded.ui.port == 7860
    assert with_overrides(loaded, llm=None) is loaded
