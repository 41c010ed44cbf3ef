"""The Python Unigram tokeniser gives the ids and character offsets of ``tokenizers``' own.

Fast tests build small ``tokenizer.json`` files with ``tokenizers`` itself (a Unigram model, the
XLM-R-style Metaspace pre-tokeniser, an NFKC normaliser, ``<s> … </s>``) and compare both tokenisers on
texts chosen for the search's corner cases: unknown characters (alone and in runs), ties between
segmentations, special tokens written in the text, truncation, characters of several UTF-8 lengths. The
slow test does the same with the real model's 250 002 pieces and compares the ONNX embedder's vectors
through both tokenisers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kalan.rag.unigram_tokenizer import UnigramTokenizer, load_tokenizer, reproducible

TEXTS = [
    "le chat mange",
    "  le   chat  ",
    "",
    "   ",
    "xyz qqq chatxchat",
    "<s>le</s> chat <mask>mange",
    "ｃｈａｔ ﬁn №",  # NFKC changes lengths: offsets must still point into the original text
    "chat😀😀 日本 le",
    "L’élève écrit à l'école.",
    "chat " * 40,
    "tab\tnew\nline\u00a0nbsp",
]


def _tokenizer_json(tmp_path: Path, vocab: list[tuple[str, float]], normalizer=None) -> Path:
    from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(vocab, unk_id=3))
    tok.normalizer = normalizer or normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(" {2,}", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                       special_tokens=[("<s>", 0), ("</s>", 2)])
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    return path


VOCAB = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0),
         ("▁", -2.0), ("▁le", -3.0), ("▁chat", -4.0), ("▁ch", -3.0), ("at", -1.0),  # ▁ch+at (-4) ties ▁chat (-4)
         ("chat", -4.5), ("x", -6.0), ("▁man", -5.0), ("ge", -2.5), ("▁mange", -7.6), ("c", -8.0), ("h", -8.0),
         ("a", -8.0), ("t", -8.0), ("l", -8.0), ("e", -8.0), ("é", -7.0), ("▁é", -6.5), ("cole", -5.0),
         ("fi", -4.0), ("n", -5.0), ("No", -6.0), ("▁L", -5.0), ("’", -4.0), ("'", -4.0), (".", -3.0),
         ("▁à", -4.0), ("😀", -5.0), ("<mask>", 0.0)]


def _reference(path: Path, limit: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=limit)
    return tok


def _same(reference, ours, texts) -> list[str]:
    """The texts on which the two tokenisers differ (ids or offsets)."""
    differ = []
    for text, a, b in zip(texts, reference.encode_batch(texts), ours.encode_batch(texts)):
        if list(a.ids) != list(b.ids) or [tuple(o) for o in a.offsets] != [tuple(o) for o in b.offsets]:
            differ.append(text)
    return differ


@pytest.mark.parametrize("limit", [512, 12])
def test_same_ids_and_offsets_as_tokenizers(tmp_path, limit):
    path = _tokenizer_json(tmp_path, VOCAB)
    ours = load_tokenizer(path, limit)
    assert isinstance(ours, UnigramTokenizer)
    assert _same(_reference(path, limit), ours, TEXTS) == []


def test_unknown_characters_fuse_into_one_unk(tmp_path):
    ours = load_tokenizer(_tokenizer_json(tmp_path, VOCAB), 512)
    ids = ours.encode("qqq").ids
    assert ids == [0, 4, 3, 2]  # <s>, ▁, one <unk> for the three unknown letters, </s>
    assert ours.encode("le").ids != ours.encode("lq").ids


def test_special_tokens_in_the_text_keep_their_ids(tmp_path):
    ours = load_tokenizer(_tokenizer_json(tmp_path, VOCAB), 512)
    enc = ours.encode("<mask>le")
    assert enc.ids[1] == ours.token_to_id("<mask>") and enc.offsets[1] == (0, 6)


def test_other_models_fall_back_to_tokenizers(tmp_path):
    from tokenizers import Tokenizer, models

    spec = json.loads(_tokenizer_json(tmp_path, VOCAB).read_text(encoding="utf-8"))
    assert reproducible(spec)
    wordpiece = tmp_path / "wp.json"
    Tokenizer(models.WordLevel({"[UNK]": 0, "chat": 1}, unk_token="[UNK]")).save(str(wordpiece))
    assert not reproducible(json.loads(wordpiece.read_text(encoding="utf-8")))
    assert isinstance(load_tokenizer(wordpiece, 512), Tokenizer)
    lstrip = dict(spec, added_tokens=[dict(t, lstrip=True) for t in spec["added_tokens"]])
    assert not reproducible(lstrip)  # an added-token rule this module does not reproduce


@pytest.mark.slow
def test_real_model_same_ids_offsets_and_vectors(model_path, tmp_path):
    """The real 250 002-piece vocabulary: same encodings on every paragraph of the shipped corpus, and the
    same ONNX vectors (bit for bit, as the ids are the same) through either tokeniser."""
    from tokenizers import Tokenizer

    from kalan.rag.embeddings_onnx import OnnxEmbedder
    from kalan.models.onnx_export import export_onnx, onnx_file

    root = Path(__file__).resolve().parents[2] / "corpus"
    paragraphs = [p for f in sorted(root.rglob("*")) if f.suffix in {".txt", ".md"}
                  for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    texts = paragraphs + TEXTS + ["passage: " + " ".join(paragraphs)]  # the last one is truncated
    assert len(paragraphs) > 20
    assert _same(_reference(model_path / "tokenizer.json", 512), load_tokenizer(model_path / "tokenizer.json", 512),
                 texts) == []

    export_onnx(model_path, progress=lambda line: None)
    ours = OnnxEmbedder(model_path, onnx_file(model_path, "fp32"))
    assert isinstance(ours.tokenizer, UnigramTokenizer)
    theirs = OnnxEmbedder(model_path, onnx_file(model_path, "fp32"))
    theirs.tokenizer = _reference(model_path / "tokenizer.json", theirs.limit)
    sample = paragraphs[:12]
    assert np.abs(ours.embed_passages(sample) - theirs.embed_passages(sample)).max() <= 1e-6
    assert np.abs(ours.embed_queries(sample[:3]) - theirs.embed_queries(sample[:3])).max() <= 1e-6
    a, parts_a = ours.embed_passages_with_parts([" ".join(sample[:2])], [sample[:2]])
    b, parts_b = theirs.embed_passages_with_parts([" ".join(sample[:2])], [sample[:2]])
    assert np.abs(parts_a[0] - parts_b[0]).max() <= 1e-6


def test_vocabulary_packing_keeps_every_piece():
    from kalan.rag.unigram_tokenizer import _vocabulary

    ids, scores = _vocabulary([["▁a", -1.0], ["b", -2.0], ["▁a", -3.0]])
    assert ids == {"▁a": 2, "b": 1} and list(scores) == [-1.0, -2.0, -3.0]  # duplicates: the last, as tokenizers
    ids, _ = _vocabulary([["a\x00b", -1.0], ["c", -2.0]])  # the packing separator inside a piece
    assert ids == {"a\x00b": 0, "c": 1}
