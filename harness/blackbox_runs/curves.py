"""Black-box records -> test-regret curves on simulated time (shared with the BOHB figures).

The figures of §5.4 (Figures 5, 14, 15) plot, per space, the test regret of each
optimizer's incumbent against simulated wall-clock time (the cumulative NB101 training
time of the queried architectures, docs/original-code.md#black-box-trajectories). Two incumbent
rules, by protocol:

- `best_validation` (paper): the architecture with the lowest validation error so far
  (the first one on ties); its test error is what the curve shows;
- `test_oracle` (original `uncertanty_plots.py`): the running minimum of the test error.

Regret is test error minus the recipe's `regret_reference` (`regret_reference`):
`min_of_means` (paper; the one-shot tracker's default, `harness/search/tracker.py`) is the
space's best mean-over-repeats test error at 108 epochs, computed from the data;
`published_constants` (original) is the original's hard-coded single-repeat constant of the
space (`harness/references/paper.yaml`), which the original plots subtract. Each evaluation
counts at the budget it was run at (HB and BOHB query lower budgets), as the original
plots do. Before a seed's first evaluation its curve is NaN (`left_edge` `blank`) or its
first value (`backfill`, the original's merge of seeds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from nb1s.harness.errors import UserError
from nb1s.harness.nb101.store import NB101Store
from nb1s.optimizers.discrete import TableObjective, Trajectory
from nb1s.optimizers.discrete.records import concatenate

Incumbent = Literal["best_validation", "test_oracle"]
INCUMBENTS: tuple[Incumbent, ...] = ("best_validation", "test_oracle")
REGRET_REFERENCES = ("min_of_means", "published_constants")
LEFT_EDGES = ("backfill", "blank")
FOLDER = "blackbox"


def _blackbox_root(folder: Path) -> Path:
    """`folder` itself, or its `blackbox/` subfolder when given a results folder."""
    folder = Path(folder)
    return folder / FOLDER if (folder / FOLDER).is_dir() else folder


def load_blackbox_results(folder: Path, damaged: list[str] | None = None
                          ) -> dict[tuple[int, str], Trajectory]:
    """Every (space, optimizer) under `folder` (`ss{N}/{OPT}/seed-{k}.npy`), seeds joined.

    `folder` is the `blackbox/` folder or a results folder holding one. Records are
    sorted by seed, then index. A folder with no seed file gives an empty dict. A file
    that is not a record array raises a UserError, or, given a `damaged` list, is left
    out and named there (an analysis of partial results goes on without it).
    """
    from nb1s.harness.blackbox_runs.grid import load_records

    root = _blackbox_root(folder)
    found: dict[tuple[int, str], Trajectory] = {}
    for space_dir in sorted(root.glob("ss[0-9]")):
        space = int(space_dir.name[2:])
        for opt_dir in sorted(p for p in space_dir.iterdir() if p.is_dir()):
            files = sorted(opt_dir.glob("seed-*.npy"))
            loaded = []
            for f in files:
                try:
                    loaded.append(load_records(f))
                except UserError as exc:
                    if damaged is None:
                        raise
                    damaged.append(str(exc))
            if not loaded:
                continue
            records = concatenate(loaded)
            found[(space, opt_dir.name)] = Trajectory(opt_dir.name, space, records)
    return found


def incumbent_test_error(records: npt.NDArray[np.void],
                         incumbent: Incumbent) -> npt.NDArray[np.float64]:
    """Row-aligned test error of each seed's incumbent after each evaluation.

    `records` must be sorted by seed, then index (as `Trajectory.records` are).
    """
    if incumbent not in INCUMBENTS:
        raise UserError(f"unknown incumbent rule {incumbent!r}: choose "
                        f"{' or '.join(INCUMBENTS)}")
    out = np.empty(len(records), dtype=np.float64)
    seeds = records["seed"]
    starts = np.flatnonzero(np.r_[True, seeds[1:] != seeds[:-1]])
    ends = np.r_[starts[1:], len(records)]
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        test = records["test_error"][lo:hi]
        if incumbent == "test_oracle":
            out[lo:hi] = np.minimum.accumulate(test)
            continue
        valid = records["valid_error"][lo:hi]
        best = np.minimum.accumulate(valid)
        # a row becomes the incumbent when it is strictly better than every earlier one
        new = np.r_[True, valid[1:] < best[:-1]]
        holder = np.maximum.accumulate(np.where(new, np.arange(hi - lo), 0))
        out[lo:hi] = test[holder]
    return out


def regret_curve(records: npt.NDArray[np.void], best_test_error: float, incumbent: str,
                 grid: npt.NDArray[np.float64],
                 left_edge: str = "blank") -> npt.NDArray[np.float64]:
    """[n_seeds, len(grid)] test regret of the incumbent at each simulated time of `grid`.

    A seed's value at time t is its incumbent after the last evaluation finished by t
    (sim_time <= t); before its first evaluation NaN (`blank`) or its first value
    (`backfill`). Seeds in ascending order.
    """
    if left_edge not in LEFT_EDGES:
        raise UserError(f"unknown left_edge {left_edge!r}: choose {' or '.join(LEFT_EDGES)}")
    grid = np.asarray(grid, dtype=np.float64)
    if len(records) == 0:
        return np.empty((0, len(grid)), dtype=np.float64)
    order = np.lexsort((records["index"], records["seed"]))
    records = records[order]
    inc = incumbent_test_error(records, incumbent)  # type: ignore[arg-type]
    seeds = records["seed"]
    starts = np.flatnonzero(np.r_[True, seeds[1:] != seeds[:-1]])
    ends = np.r_[starts[1:], len(records)]
    out = np.full((len(starts), len(grid)), np.nan)
    for k, (lo, hi) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        pos = np.searchsorted(records["sim_time"][lo:hi], grid, side="right") - 1
        if left_edge == "backfill":
            pos = np.maximum(pos, 0)
        seen = pos >= 0
        out[k, seen] = inc[lo:hi][pos[seen]] - best_test_error
    return out


def final_regret(records: npt.NDArray[np.void], best_test_error: float,
                 incumbent: str) -> npt.NDArray[np.float64]:
    """Per seed (ascending), the test regret of the incumbent after its last evaluation."""
    if len(records) == 0:
        return np.empty(0, dtype=np.float64)
    order = np.lexsort((records["index"], records["seed"]))
    records = records[order]
    inc = incumbent_test_error(records, incumbent)  # type: ignore[arg-type]
    seeds = records["seed"]
    last = np.r_[np.flatnonzero(seeds[1:] != seeds[:-1]), len(records) - 1]
    result: npt.NDArray[np.float64] = inc[last] - best_test_error
    return result


def best_test_error(store_or_table: NB101Store | TableObjective, space: int) -> float:
    """The regret reference of `space`: its best mean-over-repeats test error at 108 epochs.

    The same number as the one-shot tracker's default (`min_of_means`). A
    `TableObjective` must be the space's own (its rows are the space's architectures).
    """
    if isinstance(store_or_table, TableObjective):
        table = store_or_table.tables.get(108)
        if table is None:
            raise UserError("the objective has no 108-epoch table")
        rows = np.unique(store_or_table.positions)
        return float(np.nanmin(np.nanmean(table.test_error[rows], axis=1)))
    return float(store_or_table.space_minimum(space, 108)["test_min_of_means"])


def regret_reference(store_or_table: NB101Store | TableObjective, space: int,
                     reference: str) -> float:
    """The test error regret is measured against under `reference` (module doc)."""
    if reference == "published_constants":
        from nb1s.harness.references import paper

        return float(paper()["regret_constants"]["test_min_error"][space])
    if reference != "min_of_means":
        raise UserError(f"unknown regret_reference {reference!r}: choose "
                        f"{' or '.join(REGRET_REFERENCES)}")
    return best_test_error(store_or_table, space)
