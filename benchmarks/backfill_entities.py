"""Give the chunks of an existing store their named entities (issue #16), as ``kalan ingest`` does on a full plan.

    .venv/bin/python -m benchmarks.backfill_entities --data-dir benchmarks/.cache/work/vdd-real-100000-onnx

For benchmark stores built without a corpus folder (``build_vdd_real``): ``kalan ingest`` cannot plan them, so this
calls the same ``backfill_entities`` directly. Resumable (batch by batch), with a progress bar; prints the time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks import common


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    args = ap.parse_args()
    from kalan.ingest.pipeline import backfill_entities
    from kalan.rag.service import KalanService

    settings = common.settings_for(args.data_dir)
    store = KalanService(settings).store
    t0, load = time.perf_counter(), common.load1()
    added = backfill_entities(store, settings, progress=True)
    took = time.perf_counter() - t0
    print(f"{added} passages given their entities in {took:.0f} s ({added / max(took, 1e-9):.1f}/s), "
          f"load {load}→{common.load1()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
