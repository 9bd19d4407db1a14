"""What a black-box optimizer evaluates: the objective protocol and the repeat policies.

The optimizer layer never opens NAS-Bench-101. The harness hands it an `Objective`: a
callable from a batch of config ids, a budget (NB101 epochs) and one uniform draw per id to
the validation error (the loss), the test error (recorded only) and the NB101 training time
(the simulated cost). The draws come from the optimizer's per-seed streams, so which NB101
repeat a query returns is tied to the seed; the original drew it unseeded
(docs/original-code.md#unseeded-randomness). `TableObjective` implements the protocol on
per-architecture tables with one column per repeat, which is the shape of the harness store's
per-space table and of the synthetic tables the tests and the benchmark use.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class RepeatPolicy(StrEnum):
    """Which of an architecture's NB101 training repeats a query returns."""

    #: one repeat drawn uniformly per query, as every original black-box script does
    ONE_RANDOM_REPEAT = "one_random_repeat"
    #: the mean over the repeats (deterministic; the draw is ignored)
    MEAN_OF_REPEATS = "mean_of_repeats"


@dataclass(frozen=True)
class Evaluation:
    """Per-id results of one objective call; arrays have the shape of the config ids.

    `hashes` ('S32' NB101 hashes) may be empty bytes when the objective has none
    (synthetic tables); records then carry empty hashes.
    """

    valid_error: FloatArray
    test_error: FloatArray
    train_time: FloatArray
    hashes: npt.NDArray[np.bytes_] | None = None


class Objective(Protocol):
    """The harness side of a black-box run (see the module docstring)."""

    def __call__(self, config_ids: IntArray, budget: int, draws: FloatArray) -> Evaluation:
        """Evaluate `config_ids` at `budget` epochs; `draws` in [0, 1) pick the repeat."""
        ...


@dataclass(frozen=True)
class RepeatTable:
    """One budget's per-architecture results: [H, R] arrays, NaN where a repeat is absent."""

    valid_error: FloatArray
    test_error: FloatArray
    train_time: FloatArray


@dataclass
class TableObjective:
    """An `Objective` on tables: config id -> row (`positions`) -> repeat (policy).

    `positions[config_id]` is the row of the architecture a config id stands for (several
    ids share a row when they prune to the same NB101 cell), exactly the store's
    `LookupIndex.config_hash`. With `ONE_RANDOM_REPEAT` a draw u picks repeat
    floor(u * r) among the r repeats present for that row; with `MEAN_OF_REPEATS` the
    three columns are averaged.
    """

    positions: IntArray
    tables: dict[int, RepeatTable]
    policy: RepeatPolicy = RepeatPolicy.ONE_RANDOM_REPEAT
    hashes: npt.NDArray[np.bytes_] | None = None
    synthetic: bool = False
    _present: dict[int, tuple[IntArray, IntArray]] = field(default_factory=dict, repr=False)
    _mean: dict[int, tuple[FloatArray, FloatArray, FloatArray]] = field(default_factory=dict,
                                                                         repr=False)

    def _repeat_columns(self, budget: int) -> tuple[IntArray, IntArray]:
        """Per row: how many repeats it has, and the flat cells of its present repeats.

        ``cells[row * R + j]`` is the flat index (row * R + column) of the row's j-th
        present repeat, in column order; one `take` then replaces a 2-D fancy index.
        """
        if budget not in self._present:
            present = ~np.isnan(self.tables[budget].valid_error)
            counts = present.sum(axis=1).astype(np.int64)
            # stable argsort of "absent" puts the present columns first, in order
            order = np.argsort(~present, axis=1, kind="stable").astype(np.int64)
            cells = (np.arange(len(order), dtype=np.int64)[:, None] * order.shape[1]
                     + order).reshape(-1)
            self._present[budget] = (counts, cells)
        return self._present[budget]

    def _means(self, budget: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per row: the mean over the present repeats of the three columns (cached)."""
        if budget not in self._mean:
            table = self.tables[budget]
            with warnings.catch_warnings():  # an all-NaN row warns when it is queried
                warnings.simplefilter("ignore", RuntimeWarning)
                self._mean[budget] = (np.nanmean(table.valid_error, axis=-1),
                                      np.nanmean(table.test_error, axis=-1),
                                      np.nanmean(table.train_time, axis=-1))
        return self._mean[budget]

    def __call__(self, config_ids: IntArray, budget: int, draws: FloatArray) -> Evaluation:
        if budget not in self.tables:
            raise ValueError(f"no table for budget {budget} (have {sorted(self.tables)})")
        table = self.tables[budget]
        rows = self.positions.take(np.asarray(config_ids, dtype=np.int64))
        hashes = None if self.hashes is None else self.hashes.take(rows)
        if self.policy is RepeatPolicy.MEAN_OF_REPEATS:
            valid, test, time = (m.take(rows) for m in self._means(budget))
            if np.isnan(valid).any():
                warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
            return Evaluation(valid, test, time, hashes)
        counts, cells = self._repeat_columns(budget)
        repeats = counts.take(rows)
        pick = np.minimum((np.asarray(draws) * repeats).astype(np.int64), repeats - 1)
        cell = cells.take(rows * table.valid_error.shape[1] + pick)
        return Evaluation(table.valid_error.reshape(-1).take(cell),
                          table.test_error.reshape(-1).take(cell),
                          table.train_time.reshape(-1).take(cell), hashes)


def synthetic_objective(num_configs: int, seed: int, *, num_rows: int | None = None,
                        budgets: tuple[int, ...] = (4, 12, 36, 108),
                        policy: RepeatPolicy = RepeatPolicy.ONE_RANDOM_REPEAT
                        ) -> TableObjective:
    """A hidden random table standing in for NAS-Bench-101: SYNTHETIC, for tests and timing.

    Errors are drawn per row (a row shared by several ids when `num_rows` < `num_configs`),
    three repeats each with a little noise; a higher budget lowers the error and raises
    the training time, roughly as in NB101. Nothing here is a NAS-Bench-101 number.
    """
    rng = np.random.default_rng(seed)
    rows = num_configs if num_rows is None else num_rows
    positions = (np.arange(num_configs, dtype=np.int64) if num_rows is None
                 else rng.integers(0, rows, size=num_configs).astype(np.int64))
    base = rng.uniform(0.05, 0.3, size=rows)
    tables = {}
    for b in budgets:
        scale = 1.0 + 0.5 * np.log(108.0 / b)
        noise = rng.normal(0.0, 0.005, size=(rows, 3))
        valid = np.clip(base[:, None] * scale + noise, 0.0, 0.9)
        test = np.clip(valid + rng.normal(0.0, 0.005, size=(rows, 3)), 0.0, 0.9)
        time = rng.uniform(500.0, 3000.0, size=(rows, 1)) * b / 108.0 * np.ones((1, 3))
        tables[b] = RepeatTable(valid, test, time)
    return TableObjective(positions=positions, tables=tables, policy=policy, synthetic=True)
