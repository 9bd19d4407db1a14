"""The black-box side of Figures 5/14/15, read through the blackbox kind's own functions.

`nb1s.harness.experiments.blackbox` (records, curves and the grid runner) is built in
parallel with this kind; it is imported lazily so that the BOHB side runs, and is tested,
without it. Missing: `available()` is False and callers say so in one line.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BLACKBOX_OPTIMIZERS = ("RE", "RS", "RL", "SMAC", "HB", "BOHB", "TPE")


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(f"nb1s.harness.experiments.blackbox.{name}")
    except ImportError:
        return None


def available() -> bool:
    """Whether the black-box kind is installed in this checkout."""
    curves = _module("curves")
    return curves is not None and all(hasattr(curves, n) for n in (
        "load_blackbox_results", "regret_curve", "best_test_error"))


def run_grid(optimizer: str, space: int, seeds: list[int], evaluations: int, out: Path,
             data_dir: Path | None, policy: str, workers: int,
             smac_model: str = "original") -> dict[str, Any]:
    """Run one black-box optimizer's seeds (the blackbox kind's `run_blackbox_grid`)."""
    grid = _module("grid")
    if grid is None:
        raise ImportError("nb1s.harness.experiments.blackbox is not installed")
    result: dict[str, Any] = grid.run_blackbox_grid(optimizer, space, seeds, evaluations, out,
                                                    data_dir=data_dir, policy=policy,
                                                    workers=workers, smac_model=smac_model)
    return result


def run_grids(runs: list[tuple[str, int, int]], seeds: list[int], out: Path,
              data_dir: Path | None, policy: str, execution: Any,
              smac_model: str = "original") -> dict[str, Any]:
    """Every (optimizer, space, evaluations) of `runs`: {"ran": [...], "blocked": [...]}.

    `--executor slurm` (`execution`, an ExecutionOptions): all of them as ONE submitit job
    array (the blackbox kind's `run_blackbox_array`), whose submission is under "slurm".
    Otherwise one local pool of `execution.workers` (default 1) after the other, as before.
    A run refused with one line (UserError, ValueError) or whose code is missing
    (ImportError) is listed in "blocked"; the others still run.
    """
    from nb1s.harness.errors import UserError

    grid = _module("grid")
    if grid is None:
        raise ImportError("nb1s.harness.experiments.blackbox is not installed")
    if getattr(execution, "executor", "local") == "slurm":
        result: dict[str, Any] = grid.run_blackbox_array(runs, seeds, out, execution,
                                                         data_dir=data_dir, policy=policy,
                                                         smac_model=smac_model)
        return result
    workers = int(getattr(execution, "workers", None) or 1)
    ran, blocked = [], []
    for name, space, evaluations in runs:
        try:
            ran.append(run_grid(name, space, seeds, evaluations, out, data_dir, policy,
                                workers, smac_model))
        except (UserError, ValueError, ImportError) as exc:
            blocked.append(f"{name} on space {space}: {exc}")
    return {"ran": ran, "blocked": blocked}


def curves(folder: Path, space: int, incumbent: str, grid: npt.NDArray[np.float64],
           best_test_error: float, left_edge: str = "blank"
           ) -> dict[str, npt.NDArray[np.float64]]:
    """Optimizer -> regret matrix [seeds, grid] of every black-box result of `space`."""
    module = _module("curves")
    if module is None:
        return {}
    out = {}
    for (sp, name), traj in sorted(module.load_blackbox_results(folder).items()):
        if sp == space:
            out[str(name)] = np.asarray(module.regret_curve(traj.records, best_test_error,
                                                            incumbent, grid, left_edge))
    return out


def best_test_error(store: Any, space: int, reference: str = "min_of_means") -> float:
    """The space's regret reference (`min_of_means` or `published_constants`), as the
    black-box side computes it, so both sides of a panel subtract the same number."""
    if reference == "published_constants":
        from nb1s.harness.references import paper

        return float(paper()["regret_constants"]["test_min_error"][space])
    module = _module("curves")
    if module is None:
        return float(store.space_minimum(space, 108)["test_min_of_means"])
    return float(module.best_test_error(store, space))
