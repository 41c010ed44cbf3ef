"""The embedding model's SentencePiece-Unigram tokeniser, with its vocabulary held in a Python dict.

``tokenizers`` builds, for the 250 002 pieces of multilingual-e5-small's ``tokenizer.json``, a byte trie
with one hash map per node: about 280 MB resident, the largest share of the ONNX embedder's memory. Here the
pieces live in one dict (58 MB resident with everything else this module holds) and the Viterbi search of the best segmentation of each word is done
in Python, piece by piece as ``tokenizers`` does it (``models/unigram/model.rs``: a piece's score is its
log-probability, an unknown character costs the lowest score minus 10, consecutive unknown characters make
one ``<unk>``, ties keep the first path found). Words are short, so this costs well under a millisecond per
query. Everything around the model (the special tokens split out of the text, the normaliser, the
pre-tokeniser, truncation, ``<s> … </s>``, character offsets) is ``tokenizers``' own, built from the same
file with the vocabulary left out, so ids and offsets are the library's (checked on whole corpora by the
tests and ``benchmarks/bench_memory.py``).

``load_tokenizer`` returns this tokeniser when the file describes a model it reproduces (Unigram without
byte fallback, pre-tokenised into words) and ``tokenizers.Tokenizer`` otherwise: both have ``encode_batch``
giving objects with ``ids`` and ``offsets``.

Not here: running the model (``kalan.rag.embeddings_onnx``).
"""

from __future__ import annotations

import gc
import json
import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kalan.rag.memory import release_freed_heap

UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY
WORD_CACHE = 10_000  # segmentations kept, as tokenizers' own cache


@dataclass(frozen=True)
class Encoding:
    ids: list[int]
    offsets: list[tuple[int, int]]


def reproducible(spec: dict) -> bool:
    """Whether ``spec`` (a parsed ``tokenizer.json``) is a model this module segments exactly as ``tokenizers``."""
    model = spec.get("model") or {}
    return (model.get("type") == "Unigram" and not model.get("byte_fallback") and model.get("unk_id") is not None
            and spec.get("pre_tokenizer") is not None and _template(spec) is not None
            and not any(t.get(flag) for t in spec.get("added_tokens", [])
                        for flag in ("single_word", "lstrip", "rstrip", "normalized")))


def load_tokenizer(path: Path | str, max_tokens: int):
    """The lighter tokeniser when it reproduces ``path``, else ``tokenizers``' own; both truncate to ``max_tokens``."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if reproducible(spec):
        tokenizer = UnigramTokenizer(spec, max_tokens)
        del spec
        release_freed_heap()  # the parsed JSON
        return tokenizer
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(json.dumps(spec))
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _template(spec: dict) -> tuple[list[int], list[int]] | None:
    """The special ids before and after a single text (``TemplateProcessing``), or None for another post-processor."""
    post = spec.get("post_processor")
    if post is None:
        return [], []
    if post.get("type") != "TemplateProcessing":
        return None
    head: list[int] = []
    tail: list[int] = []
    seen_text = False
    for item in post["single"]:
        if "Sequence" in item:
            seen_text = True
            continue
        name = item["SpecialToken"]["id"]
        (tail if seen_text else head).extend(post["special_tokens"][name]["ids"])
    return head, tail


def _vocabulary(pieces: list) -> tuple[dict[str, int], array]:
    """piece -> id (the last of duplicates, as tokenizers) and the scores, packed.

    The pieces are copied out of one joined string once the parsed JSON lists are freed, so that the strings
    kept sit together in memory instead of between the freed lists (49 MB resident instead of 77)."""
    joined = "\x00".join(piece for piece, _ in pieces)
    scores = array("d", (float(score) for _, score in pieces))
    if joined.count("\x00") != len(pieces) - 1:  # a piece holding the separator: no packing
        return {piece: i for i, (piece, _) in enumerate(pieces)}, scores
    pieces.clear()
    gc.collect()
    ids = {piece: i for i, piece in enumerate(joined.split("\x00"))}
    return ids, scores


class UnigramTokenizer:
    def __init__(self, spec: dict, max_tokens: int):
        """``spec``: the parsed ``tokenizer.json``; its vocabulary is taken out of it (see ``_vocabulary``)."""
        from tokenizers import Tokenizer

        model = spec["model"]
        self.ids, self.scores = _vocabulary(model.pop("vocab"))
        self.unk_id = int(model["unk_id"])
        self.unk_score = min(self.scores) - UNK_PENALTY
        self.longest = max(len(piece) for piece in self.ids)
        # the same pipeline without its vocabulary: tokenizers' own normaliser and pre-tokeniser
        shell = dict(spec, model=dict(model, vocab=[["<unk>", 0.0]], unk_id=0), added_tokens=[], post_processor=None,
                     truncation=None, padding=None)
        shell_tokenizer = Tokenizer.from_str(json.dumps(shell))
        self.normalizer, self.pre_tokenizer = shell_tokenizer.normalizer, shell_tokenizer.pre_tokenizer
        self.specials = {t["content"]: int(t["id"]) for t in spec.get("added_tokens", [])}
        self.split_specials = re.compile("|".join(re.escape(s) for s in sorted(self.specials, key=len, reverse=True))) \
            if self.specials else None
        self.head, self.tail = _template(spec)
        self.keep = max(max_tokens - len(self.head) - len(self.tail), 0)
        self._segment = lru_cache(maxsize=WORD_CACHE)(self._viterbi)

    def token_to_id(self, token: str) -> int | None:
        return self.specials.get(token, self.ids.get(token))

    # -- the model: best segmentation of one word --------------------------------------------------
    def _viterbi(self, word: str) -> tuple[tuple[int, int, int], ...]:
        """(id, start, end) of each piece of ``word`` (character offsets), as tokenizers' ``encode_optimized``."""
        n = len(word)
        score = [0.0] * (n + 1)
        start: list[int | None] = [None] * (n + 1)
        piece_id = [0] * (n + 1)
        start[0] = 0
        ids, scores = self.ids, self.scores
        for i in range(n):
            here = score[i]
            single = False
            for end in range(i + 1, min(n, i + self.longest) + 1):
                pid = ids.get(word[i:end])
                if pid is None:
                    continue
                candidate = scores[pid] + here
                if start[end] is None or candidate > score[end]:
                    score[end], start[end], piece_id[end] = candidate, i, pid
                if end == i + 1:
                    single = True
            if not single:
                candidate = self.unk_score + here
                if start[i + 1] is None or candidate > score[i + 1]:
                    score[i + 1], start[i + 1], piece_id[i + 1] = candidate, i, self.unk_id
        pieces: list[tuple[int, int, int]] = []
        end = n
        while end > 0:
            begin = start[end]
            pid = piece_id[end]
            if pid == self.unk_id and pieces and pieces[-1][0] == self.unk_id:  # consecutive unknowns: one <unk>
                pieces[-1] = (pid, begin, pieces[-1][2])
            else:
                pieces.append((pid, begin, end))
            end = begin
        pieces.reverse()
        return tuple(self._resolve(word, p) for p in pieces)

    def _resolve(self, word: str, piece: tuple[int, int, int]) -> tuple[int, int, int]:
        """A piece's id looked up by its text, as tokenizers does after the search (duplicates, fused unknowns)."""
        pid, begin, end = piece
        return self.ids.get(word[begin:end], self.unk_id), begin, end

    def _tokenize(self, word: str):
        """The pieces as tokenizers' model returns them: offsets in bytes of the (normalised) word."""
        from tokenizers import Token

        pieces = self._segment(word)
        at = [0]
        for char in word:
            at.append(at[-1] + len(char.encode("utf-8")))
        return [Token(pid, word[begin:end], (at[begin], at[end])) for pid, begin, end in pieces]

    # -- the pipeline around it --------------------------------------------------------------------
    def encode(self, text: str) -> Encoding:
        from tokenizers import PreTokenizedString

        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        pos = 0
        parts = list(self.split_specials.finditer(text)) if self.split_specials else []
        for segment_start, segment_end, special in [*((m.start(), m.end(), m.group()) for m in parts), (len(text), len(text), None)]:
            if segment_start > pos:
                chunk = text[pos:segment_start]
                pre = PreTokenizedString(chunk)
                if self.normalizer is not None:
                    pre.normalize(lambda normalized: self.normalizer.normalize(normalized))
                self.pre_tokenizer.pre_tokenize(pre)
                pre.tokenize(self._tokenize)
                encoding = pre.to_encoding()
                ids.extend(encoding.ids)
                offsets.extend((a + pos, b + pos) for a, b in encoding.offsets)
            if special is not None:
                ids.append(self.specials[special])
                offsets.append((segment_start, segment_end))
            pos = segment_end
        return Encoding([*self.head, *ids[: self.keep], *self.tail],
                        [*[(0, 0)] * len(self.head), *offsets[: self.keep], *[(0, 0)] * len(self.tail)])

    def encode_batch(self, texts: list[str]) -> list[Encoding]:
        return [self.encode(t) for t in texts]
