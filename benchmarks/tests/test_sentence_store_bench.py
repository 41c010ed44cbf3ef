"""benchmarks.bench_sentence_store on a few chunks: both backends write, read and delete the same sentences."""

from benchmarks import bench_sentence_store, common


def test_both_backends_end_with_the_same_count(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "WORK", tmp_path)
    got = [bench_sentence_store.run(kind, 40, 8) for kind in ("chroma", "file")]
    assert got[0]["sentences"] == got[1]["sentences"] > 40
    gone = sum(len(t) for _, t in bench_sentence_store._items(40)[0][::10])
    assert got[0]["count_after"] == got[1]["count_after"] == got[0]["sentences"] - gone
    assert list(tmp_path.iterdir()) == []  # scratch folders removed
