"""The black-box side of Figures 5/14/15, read through `harness/blackbox_runs/`.

The records, curves and grid runner are shared with the `blackbox` kind through that
package (one layer below `experiments`), so this kind never imports another kind and the
import-linter independence contract sees every dependency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.harness.blackbox_runs import curves as bb_curves
from nb1s.harness.blackbox_runs import grid as bb_grid


def run_grid(optimizer: str, space: int, seeds: list[int], evaluations: int, out: Path,
             data_dir: Path | None, policy: str, workers: int,
             smac_model: str = "original", execution: Any = None,
             parsed: Any = None) -> dict[str, Any]:
    """Run one black-box optimizer's seeds (`blackbox_runs.grid.run_blackbox_grid`) on
    `execution`'s executor (None: local worker processes); `parsed`: its options as
    `grid.check_executor` returned them (not parsed again per run)."""
    return bb_grid.run_blackbox_grid(optimizer, space, seeds, evaluations, out,
                                     data_dir=data_dir, policy=policy, workers=workers,
                                     smac_model=smac_model, execution=execution,
                                     parsed=parsed)


def run_grids(runs: list[tuple[str, int, int]], seeds: list[int], out: Path,
              data_dir: Path | None, policy: str, execution: Any,
              smac_model: str = "original") -> dict[str, Any]:
    """Every (optimizer, space, evaluations) of `runs`: {"ran": [...], "blocked": [...]}.

    On an executor with job arrays (`--executor slurm`; `execution`, an ExecutionOptions):
    all of them as ONE submitit job array (`run_blackbox_array`), whose submission is
    under "slurm". Otherwise the executor's local worker processes, `execution.workers`
    (default 1), one run after the other.
    A run refused with one line (UserError, ValueError) is listed in "blocked"; the others
    still run.
    """
    from nb1s.harness.errors import UserError
    from nb1s.harness.executors.task_map import runs_arrays

    executor = str(getattr(execution, "executor", "local"))
    if runs_arrays(executor):
        result: dict[str, Any] = bb_grid.run_blackbox_array(runs, seeds, out, execution,
                                                            data_dir=data_dir, policy=policy,
                                                            smac_model=smac_model)
        return result
    workers = int(getattr(execution, "workers", None) or 1)
    ran, blocked = [], []
    try:  # the executor options, parsed once for every run
        parsed = bb_grid.check_executor(execution) if execution is not None else None
    except UserError as exc:
        return {"ran": [], "blocked": [f"every black-box run: {exc}"]}
    for name, space, evaluations in runs:
        try:
            ran.append(run_grid(name, space, seeds, evaluations, out, data_dir, policy,
                                workers, smac_model, execution, parsed))
        except (UserError, ValueError) as exc:
            blocked.append(f"{name} on space {space}: {exc}")
    return {"ran": ran, "blocked": blocked}


def missing_seeds(folder: Path, runs: list[tuple[str, int, int]], seeds: list[int]
                  ) -> list[str]:
    """The planned black-box seed files under `folder` that are missing or damaged,
    by the same check the blackbox kind's diff applies (`grid.missing_seed_files`)."""
    return bb_grid.missing_seed_files(folder, runs, seeds)


def results(folder: Path) -> dict[tuple[int, str], Any]:
    """Every black-box result under `folder`: (space, optimizer) -> its seeds' records.

    An unreadable seed file is left out here; the planned-seeds row names and fails it."""
    damaged: list[str] = []
    return bb_curves.load_blackbox_results(folder, damaged)


def curves(folder: Path, space: int, incumbent: str, grid: npt.NDArray[np.float64],
           best_test_error: float, left_edge: str = "blank",
           found: dict[tuple[int, str], Any] | None = None
           ) -> dict[str, npt.NDArray[np.float64]]:
    """Optimizer -> regret matrix [seeds, grid] of every black-box result of `space`;
    `found`: `results(folder)` already loaded (None: loaded here)."""
    out = {}
    if found is None:
        found = results(folder)
    for (sp, name), traj in sorted(found.items()):
        if sp == space:
            out[str(name)] = np.asarray(bb_curves.regret_curve(
                traj.records, best_test_error, incumbent, grid, left_edge))
    return out


def best_test_error(store: Any, space: int, reference: str = "min_of_means") -> float:
    """The space's regret reference (`min_of_means` or `published_constants`), as the
    black-box side computes it, so both sides of a panel subtract the same number."""
    if reference == "published_constants":
        from nb1s.harness.references import paper

        return float(paper()["regret_constants"]["test_min_error"][space])
    return float(bb_curves.best_test_error(store, space))
