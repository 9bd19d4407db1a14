"""The smoke profile's input: a SYNTHETIC four-budget NAS-Bench-101 index of some spaces.

The shared smoke index (`execution/smoke_data.py`) holds 108 epochs only, like
`nasbench_only108`; HB and BOHB need 4/12/36/108 epochs, like `nasbench_full`. This one
is written by the same synthetic writer with `full=True` and imported by the same
importer, in its own folder beside the shared one, and reused once it covers the spaces.
Its provenance says `synthetic`, so every result built on it is labelled.
"""

from __future__ import annotations

import json
from pathlib import Path

from nb1s.atomic import atomic_write_text

SMOKE_SEED = 0
FOLDER = "nb101-synthetic-full"
MARKER = "smoke.json"


def _covers(index: Path, spaces: list[int]) -> bool:
    meta = index / MARKER
    if not meta.is_file() or not (index / "provenance.json").is_file():
        return False
    return set(spaces) <= set(json.loads(meta.read_text(encoding="utf-8"))["spaces"])


def prepare_full_smoke_index(folder: Path, spaces: list[int]) -> Path:
    """`folder/nb101-synthetic-full`, built (or extended to `spaces`) when needed."""
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    folder.mkdir(parents=True, exist_ok=True)
    index = folder / FOLDER
    if _covers(index, spaces):
        return index
    wanted = sorted({int(s) for s in spaces} & {1, 2, 3}) or [1]
    record = folder / f"{FOLDER}.tfrecord"
    write_synthetic_tfrecord(record, models=1, seed=SMOKE_SEED, full=True, spaces=wanted)
    try:
        import_tfrecord(record, index)
    finally:
        record.unlink(missing_ok=True)
    atomic_write_text(index / MARKER, json.dumps({"spaces": wanted, "synthetic": True,
                                                  "budgets": [4, 12, 36, 108],
                                                  "seed": SMOKE_SEED}) + "\n")
    return index
