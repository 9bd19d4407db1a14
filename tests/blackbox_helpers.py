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
