"""The memory-mapped sentence file: write, read, replace, delete, compaction, and runs killed midway."""

import hashlib

import numpy as np
import pytest

from kalan.rag.sentence_file import SentenceFile

DIM = 8


def _vectors(texts: list[str]) -> np.ndarray:
    """A deterministic vector per text (from its SHA-256), so a row read back can be checked against its text."""
    rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:DIM], dtype=np.uint8).astype(np.float32) for t in texts]
    return np.stack(rows) / 255.0


def _items(n_chunks: int, per: int = 3, tag: str = "") -> list[tuple[str, list[str]]]:
    return [(f"c{i}", [f"phrase {j} du passage {i}{tag}" for j in range(per + i % 2)]) for i in range(n_chunks)]


def _add(f: SentenceFile, items) -> None:
    f.add(items, _vectors([t for _, texts in items for t in texts]))


def _check(f: SentenceFile, items) -> None:
    got = f.get([cid for cid, _ in items])
    assert sorted(got) == sorted(cid for cid, _ in items)
    for cid, texts in items:
        assert [t for t, _ in got[cid]] == texts
        assert np.array_equal(np.stack([v for _, v in got[cid]]), _vectors(texts))


def test_written_sentences_are_read_back_by_chunk_id(tmp_path):
    f = SentenceFile(tmp_path / "s")
    items = _items(5)
    _add(f, items[:2])
    _add(f, items[2:])
    _check(f, items)
    assert f.count() == sum(len(t) for _, t in items)
    assert f.get(["c1", "absent"]).keys() == {"c1"} and f.get([]) == {}
    _check(SentenceFile(tmp_path / "s"), items)  # another opener (another process) reads the same


def test_a_chunk_written_again_is_replaced(tmp_path):
    f = SentenceFile(tmp_path / "s")
    _add(f, _items(3))
    again = _items(2, per=5, tag=" (nouveau)")
    _add(f, again[1:])
    assert [t for t, _ in f.get(["c1"])["c1"]] == again[1][1]
    assert f.count() == 3 + 6 + 3  # c0, the new c1 (5 + 1 sentences), c2: the old c1's 4 rows are dead
    _check(f, [_items(3)[0], again[1], _items(3)[2]])


def test_deleted_chunks_are_gone_and_the_file_is_compacted(tmp_path):
    f = SentenceFile(tmp_path / "s", compact_ratio=0.5)
    items = _items(10)
    _add(f, items)
    f.delete(["c0", "c3", "inconnu"])
    assert f.get(["c0", "c3"]) == {}
    _check(f, [it for it in items if it[0] not in ("c0", "c3")])
    assert sorted(p.name for p in f.folder.glob("vectors-*.f32")) == ["vectors-0.f32"]  # under the ratio: not yet
    f.delete([f"c{i}" for i in range(4, 8)])
    kept = [items[i] for i in (1, 2, 8, 9)]
    _check(f, kept)
    assert [p.name for p in f.folder.glob("vectors-*.f32")] == ["vectors-1.f32"]  # compacted, the old file removed
    assert (f.folder / "vectors-1.f32").stat().st_size == f.count() * DIM * 4
    _check(SentenceFile(tmp_path / "s"), kept)


def test_a_reader_opened_before_a_compaction_follows_it(tmp_path):
    writer, reader = SentenceFile(tmp_path / "s", compact_ratio=0.1), SentenceFile(tmp_path / "s")
    items = _items(6)
    _add(writer, items)
    _check(reader, items)  # mapped now
    writer.delete(["c0", "c1", "c2"])
    _add(writer, _items(1, tag=" bis"))
    _check(reader, items[3:] + _items(1, tag=" bis"))


def test_rows_of_a_write_killed_before_its_index_are_ignored_then_overwritten(tmp_path, monkeypatch):
    f = SentenceFile(tmp_path / "s")
    items = _items(4)
    _add(f, items[:2])

    def killed(*a, **kw):
        raise KeyboardInterrupt  # stands for the process killed between the rows and the index

    with monkeypatch.context() as m:
        m.setattr(SentenceFile, "_entries", killed)  # called once the rows are synced, before the index is written
        with pytest.raises(KeyboardInterrupt):
            _add(f, items[2:])
    size = (f.folder / "vectors-0.f32").stat().st_size
    assert size > f.count() * DIM * 4  # the rows were written, the index does not know them
    again = SentenceFile(tmp_path / "s")
    assert again.get(["c2", "c3"]) == {}
    _check(again, items[:2])
    _add(again, items[2:])  # the resumed run writes them again, over the orphan rows
    _check(again, items)
    assert (f.folder / "vectors-0.f32").stat().st_size == again.count() * DIM * 4


def test_a_compaction_killed_before_its_switch_loses_nothing(tmp_path, monkeypatch):
    f = SentenceFile(tmp_path / "s", compact_ratio=100)  # no compaction by itself
    items = _items(6)
    _add(f, items)
    f.delete(["c0"])

    def killed(self, **values):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(SentenceFile, "_set", killed)
        with pytest.raises(KeyboardInterrupt):
            f.compact()
    assert (f.folder / "vectors-1.f32").exists()  # the half-done next generation is there, unused
    again = SentenceFile(tmp_path / "s")
    _check(again, items[1:])
    again.compact()
    # the next generation is written again from the start (the killed one never counted), the old one removed
    assert [p.name for p in again.folder.glob("vectors-*.f32")] == ["vectors-1.f32"]
    _check(again, items[1:])


def test_bad_input_is_refused_and_loses_nothing(tmp_path):
    f = SentenceFile(tmp_path / "s")
    items = _items(2)
    _add(f, items)
    with pytest.raises(ValueError, match="vecteurs pour"):
        f.add(_items(1, tag=" x"), np.zeros((1, DIM), dtype=np.float32))
    with pytest.raises(ValueError, match="dimension"):
        f.add([("c9", ["une phrase"])], np.zeros((1, DIM + 1), dtype=np.float32))
    _check(f, items)
    assert f.count() == sum(len(t) for _, t in items)


def test_a_dropped_file_object_closes_its_descriptor(tmp_path):
    import gc
    import os

    def open_on_vectors() -> int:
        fds = os.listdir("/proc/self/fd")
        return sum(1 for fd in fds if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(tmp_path / "s" / "vectors")))

    f = SentenceFile(tmp_path / "s")
    _add(f, _items(2))
    f.get(["c0"])
    assert open_on_vectors() == 1
    del f
    gc.collect()
    assert open_on_vectors() == 0


def _writer(folder, rounds: int) -> None:
    f = SentenceFile(folder, compact_ratio=0.2)
    for r in range(rounds):  # replaces, deletes and compactions while the reader reads
        _add(f, _items(6, tag=f" v{r}"))
        f.delete([f"c{r % 6}"])


def test_a_reader_in_another_process_always_reads_whole_chunks(tmp_path):
    import multiprocessing

    folder = tmp_path / "s"
    reader = SentenceFile(folder)
    _add(reader, _items(6))
    writer = multiprocessing.get_context("fork").Process(target=_writer, args=(folder, 60))
    writer.start()
    reads = 0
    while writer.is_alive() or reads < 10:
        for cid, sents in reader.get([f"c{i}" for i in range(6)]).items():
            texts = [t for t, _ in sents]
            assert np.array_equal(np.stack([v for _, v in sents]), _vectors(texts))  # each row with its own text
            assert len({t.rsplit(" du passage ", 1)[1] for t in texts}) == 1  # one version of the chunk, whole
        reads += 1
    writer.join()
    assert writer.exitcode == 0 and reads >= 10
    assert reader.count() == sum(len(t) for _, t in _items(6)) - len(_items(6)[59 % 6][1])  # the last round's
