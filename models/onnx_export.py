"""ONNX copies of the local embedding model, made offline from its own weights.

``export_onnx(model_dir)`` writes ``<model_dir>/onnx/model.onnx`` (fp32: the
transformer only, inputs ``input_ids`` and ``attention_mask``, output
``last_hidden_state``) with torch's exporter, then ``model_int8.onnx`` with
onnxruntime's dynamic quantisation (int8 weights, per output channel, of the
MatMuls and of the word table; activations quantised per batch at run time).
Each graph keeps its weights in a ``.data`` file beside it (ONNX external data),
which onnxruntime loads in a fraction of the time of one large protobuf. Pooling and normalisation are not in the
graph: ``kalan.rag.embeddings_onnx`` does them in numpy, so the token vectors
stay available for late-chunked sentence vectors.

Idempotent: ``onnx/kalan_onnx.json`` records the size of the weights the files
came from and is written last; a complete folder is left alone. Nothing is
downloaded. torch and onnx are needed here (``kalan models install``), never at
question time.

Not here: running the models (``kalan.rag.embeddings_onnx``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import warnings
from pathlib import Path

ONNX_DIR = "onnx"
FILES = {"fp32": "model.onnx", "int8": "model_int8.onnx"}
DATA = ".data"  # weights beside each graph: onnxruntime maps them instead of parsing a 470 MB protobuf (~6x faster)
MARKER = "kalan_onnx.json"
FORMAT = 2
OPSET = 17


def onnx_file(model_dir: Path | str, precision: str) -> Path:
    return Path(model_dir) / ONNX_DIR / FILES[precision]


def _source_stamp(model_dir: Path) -> dict:
    weights = model_dir / "model.safetensors"
    return {"weights_bytes": weights.stat().st_size if weights.exists() else None}


def supports(model_dir: Path | str) -> bool:
    """Whether the ONNX backends reproduce this sentence-transformers folder: a transformer, mean pooling, and
    at most a normalisation after it (no Dense head, no CLS or last-token pooling)."""
    model_dir = Path(model_dir)
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_dir / pooling["path"] / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    others = [k for k, v in config.items() if k.startswith("pooling_mode_") and v and k != "pooling_mode_mean_tokens"]
    return kinds in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]) and \
        bool(config.get("pooling_mode_mean_tokens")) and not others


def is_exported(model_dir: Path | str) -> bool:
    model_dir = Path(model_dir)
    try:
        marker = json.loads((model_dir / ONNX_DIR / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = [onnx_file(model_dir, p) for p in FILES]
    return (marker.get("format") == FORMAT and marker.get("source") == _source_stamp(model_dir)
            and all(f.exists() and f.with_name(f.name + DATA).exists() for f in files))


@contextlib.contextmanager
def _quiet_root_logger():
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def export_onnx(model_dir: Path | str, progress=print) -> Path:
    """Export fp32 and quantise int8 next to the model (``<model_dir>/onnx``); returns that folder."""
    model_dir = Path(model_dir)
    out = model_dir / ONNX_DIR
    if is_exported(model_dir):
        return out
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise RuntimeError(f"Export ONNX impossible : paquet manquant ({exc.name}). "
                           "Installez-le : pip install onnx onnxruntime torch transformers") from exc
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    progress(f"Export ONNX fp32 du modèle {model_dir.name}…")
    from kalan.rag.embeddings import quiet_transformers

    quiet_transformers()  # no weight-loading progress bar
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class _Encoder(torch.nn.Module):  # positional inputs, one output: a plain graph
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.ones((2, 16), dtype=torch.long)
    whole = tmp / "whole.onnx"
    # the exporter's tracer warnings and the quantiser's advice are for model authors, not for `make setup`
    with torch.inference_mode(), warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Encoder(model), (ids, torch.ones_like(ids)), str(whole), dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "last_hidden_state": {0: "batch", 1: "tokens"}},
        )
    fp32 = tmp / FILES["fp32"]
    onnx.save_model(onnx.load(str(whole)), str(fp32), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=fp32.name + DATA, size_threshold=1024)
    whole.unlink()
    progress("Quantification int8 (dynamique, par canal : produits matriciels et table des mots)…")
    with _quiet_root_logger():
        quantize_dynamic(str(fp32), str(tmp / FILES["int8"]), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"], per_channel=True)
    int8 = tmp / FILES["int8"]
    onnx.save_model(onnx.load(str(int8)), str(int8), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=int8.name + DATA, size_threshold=1024)
    (tmp / MARKER).write_text(json.dumps({"format": FORMAT, "source": _source_stamp(model_dir), "opset": OPSET,
                                          "torch": torch.__version__}, indent=2), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out
