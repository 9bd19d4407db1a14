"""Evaluation records of black-box runs: one numpy structured array, one row per query.

Each row is one objective call: seed, index within the run (0-based, in evaluation
order), config id, NB101 hash (empty for synthetic objectives), budget (epochs), valid
and test error of the returned repeat, the NB101 training time, and the simulated
wall-clock time = cumulative training time of the run up to and including this row
(docs/original-code.md#black-box-trajectories: the black-box x-axis). Rows are sorted by seed, then
index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .objective import Evaluation

RECORD_DTYPE = np.dtype([
    ("seed", np.int64),
    ("index", np.int64),
    ("config_id", np.int64),
    ("hash", "S32"),
    ("budget", np.int32),
    ("valid_error", np.float64),
    ("test_error", np.float64),
    ("train_time", np.float64),
    ("sim_time", np.float64),
])

RecordArray = npt.NDArray[np.void]


@dataclass(frozen=True)
class Trajectory:
    """The records of one optimizer over one or more seeds."""

    optimizer: str
    space: int
    records: RecordArray

    @property
    def seeds(self) -> npt.NDArray[np.int64]:
        return np.unique(self.records["seed"])

    def for_seed(self, seed: int) -> RecordArray:
        return self.records[self.records["seed"] == seed]

    def incumbent_valid_error(self) -> npt.NDArray[np.float64]:
        """Running minimum of the validation error within each seed, row-aligned."""
        out = np.empty(len(self.records), dtype=np.float64)
        for seed in self.seeds:
            mask = self.records["seed"] == seed
            out[mask] = np.minimum.accumulate(self.records["valid_error"][mask])
        return out


def records_from_grid(seeds: npt.ArrayLike, config_ids: npt.ArrayLike, budget: int,
                      evaluations: Evaluation) -> RecordArray:
    """Records of a lock-step run: ids and evaluation arrays shaped [seeds, evaluations]."""
    ids = np.asarray(config_ids, dtype=np.int64)
    n_seeds, n_evals = ids.shape
    rec = np.zeros(ids.size, dtype=RECORD_DTYPE)
    rec["seed"] = np.repeat(np.asarray(seeds, dtype=np.int64), n_evals)
    rec["index"] = np.tile(np.arange(n_evals, dtype=np.int64), n_seeds)
    rec["config_id"] = ids.ravel()
    if evaluations.hashes is not None:
        rec["hash"] = np.asarray(evaluations.hashes).ravel()
    rec["budget"] = budget
    rec["valid_error"] = np.asarray(evaluations.valid_error).ravel()
    rec["test_error"] = np.asarray(evaluations.test_error).ravel()
    time = np.asarray(evaluations.train_time, dtype=np.float64).reshape(n_seeds, n_evals)
    rec["train_time"] = time.ravel()
    rec["sim_time"] = np.cumsum(time, axis=1).ravel()
    return rec


def records_from_sequence(seed: int, config_ids: npt.ArrayLike, budgets: npt.ArrayLike,
                          evaluations: Evaluation) -> RecordArray:
    """Records of one sequential run (TPE, SMAC, HB, BOHB): one row per query in order."""
    ids = np.asarray(config_ids, dtype=np.int64)
    rec = np.zeros(ids.size, dtype=RECORD_DTYPE)
    rec["seed"] = seed
    rec["index"] = np.arange(ids.size)
    rec["config_id"] = ids
    if evaluations.hashes is not None:
        rec["hash"] = np.asarray(evaluations.hashes)
    rec["budget"] = np.asarray(budgets)
    rec["valid_error"] = evaluations.valid_error
    rec["test_error"] = evaluations.test_error
    rec["train_time"] = evaluations.train_time
    rec["sim_time"] = np.cumsum(np.asarray(evaluations.train_time, dtype=np.float64))
    return rec


def concatenate(parts: list[RecordArray]) -> RecordArray:
    """Join per-seed record arrays, keeping seed-then-index order."""
    if not parts:
        return np.zeros(0, dtype=RECORD_DTYPE)
    joined = np.concatenate(parts)
    return joined[np.lexsort((joined["index"], joined["seed"]))]
