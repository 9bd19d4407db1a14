"""Shared pieces of the black-box harness tests: a SYNTHETIC four-budget index of space 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nb1s.optimizers.discrete import RECORD_DTYPE


def build_full_index(folder: Path) -> Path:
    """The smoke profile's synthetic four-budget index of space 1 (built by the kind's code)."""
    from nb1s.harness.experiments.blackbox.smoke_data import prepare_full_smoke_index

    return prepare_full_smoke_index(folder, [1])


def records(seed: int, valid: list[float], test: list[float], time: list[float],
            budget: int = 108) -> np.ndarray:
    """Hand-made records of one seed (config ids are the row numbers)."""
    rec = np.zeros(len(valid), dtype=RECORD_DTYPE)
    rec["seed"] = seed
    rec["index"] = np.arange(len(valid))
    rec["config_id"] = np.arange(len(valid))
    rec["budget"] = budget
    rec["valid_error"] = valid
    rec["test_error"] = test
    rec["train_time"] = time
    rec["sim_time"] = np.cumsum(time)
    return rec


def fabricate_blackbox_side(results: Path, plan: object) -> list[Path]:
    """Finished, hand-made seed files for every black-box run a fig5/14/15 `plan` plans
    (under `results/blackbox/`, the layout `reproduce fig5` writes); the written paths."""
    from nb1s.harness.blackbox_runs.grid import save_records, seed_file
    from nb1s.harness.experiments.bohb.settings import BLACKBOX, blackbox_plan

    runs, seeds = blackbox_plan(plan)  # type: ignore[arg-type]
    written = []
    for optimizer, space, evaluations in runs:
        for seed in seeds:
            n = np.arange(int(evaluations), dtype=float)
            path = seed_file(results / BLACKBOX, space, optimizer, seed)
            path.parent.mkdir(parents=True, exist_ok=True)
            save_records(path, records(seed, list(0.1 - n * 1e-4), list(0.11 - n * 1e-4),
                                       [1000.0] * int(evaluations)))
            written.append(path)
    return written
