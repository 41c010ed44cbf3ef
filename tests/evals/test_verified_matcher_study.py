"""The matcher study (evals/verified_matcher_study.py): its scoring and its choice of threshold on the tune half."""

from __future__ import annotations

from kalan.evals.verified_matcher_study import score, study


def _row(kind, id, half, cosine, right=False, **signals):
    base = {"same_kind": True, "same_word": True, "names_ok": True, "added": 0, "dropped": 0,
            "top_in_evidence": False, "top_as_source": False, "same_short": True, "same_refusal": True,
            "uncovered": 0, "in_article": 0}
    return {"kind": kind, "id": id, "half": half, "cosine": cosine, "right": right, **base, **signals}


def test_score_serves_the_closest_accepted_candidate_only():
    rows = [
        _row("paraphrase", "p1", "test", 0.95, right=False, added=1),  # closest, refused by the word check
        _row("paraphrase", "p1", "test", 0.90, right=True),
        _row("different", "d1", "test", 0.93, added=0),  # accepted: a false match
        _row("other", "o1", "test", 0.93, right=True),  # a served answer its own facts accept: not false
        _row("other", "o2", "test", 0.80),  # under the threshold
    ]
    words = lambda r: r["added"] == 0  # noqa: E731
    got = score(rows, words, 0.85, "test")
    assert got["paraphrases"] == 1.0 and got["false_different"] == 1.0 and got["false_all"] == round(1 / 3, 4)
    assert score(rows, words, 0.95, "test")["paraphrases"] == 0.0
    assert score(rows, words, 0.85, "tune")["paraphrases"] == 0.0  # no tune rows


def test_study_picks_the_threshold_on_the_tune_half_and_reports_the_test_half():
    rows = []
    for half in ("tune", "test"):
        rows += [_row("paraphrase", f"p-{half}", half, 0.91, right=True),
                 _row("different", f"d-{half}", half, 0.87)]
    report = {r["rule"]: r for r in study(rows)}
    default = report["… + same words (default)"]
    assert default["goal_met_on_tune"] and 0.87 < default["threshold"] <= 0.91  # above the different question
    assert default["test"] == {"paraphrases": 1.0, "reworded": 1.0, "retyped": 0.0, "false_all": 0.0,
                               "false_different": 0.0}
