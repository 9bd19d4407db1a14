"""The smoke profile's input: a SYNTHETIC four-budget NAS-Bench-101 index of some spaces.

The shared smoke index holds 108 epochs only, like `nasbench_only108`; HB and BOHB need
4/12/36/108 epochs, like `nasbench_full`. `execution/smoke_data.py` builds that one too
(`all_budgets=True`, its own folder `nb101-synthetic-full` beside the shared one), with the
same synthetic writer and importer, reused once it covers the spaces. Its provenance says
`synthetic`, so every result built on it is labelled. Figures 5/14/15 use the same index.
"""

from __future__ import annotations

from pathlib import Path


def prepare_full_smoke_index(folder: Path, spaces: list[int]) -> Path:
    """`folder/nb101-synthetic-full`, built (or extended to `spaces`) when needed."""
    from nb1s.harness.execution.smoke_data import prepare_smoke_data

    index = prepare_smoke_data(folder, spaces, images=False, all_budgets=True).nb101_dir
    assert index is not None  # an index is always built
    return index
