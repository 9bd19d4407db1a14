"""Time the unit of work of each plan row on this machine (`nb1s plan --measure`).

Why measured rather than quoted: a CPU estimate only means something for the CPU it runs on,
at the load it has now. Two units, each timed in this process with the run's own settings:

- a search step (architecture step + weight step) of a search row: the run's optimizer,
  space and hyperparameters (method defaults under the recipe's pins) on random 32x32
  batches of its batch size (step time does not depend on pixel values); one warm-up step,
  then the median of `steps` timed steps;
- one seed of a black-box row: the optimizer with the row's evaluations on the first space of
  the plan, against the NAS-Bench-101 index given with `--data-dir`, else a SYNTHETIC
  four-budget index built in a temporary folder (a table look-up costs the same whatever the
  numbers are).

The rows of the same optimizer and settings share one measurement.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb1s.harness.experiments.cost import PlanCost, PlannedRun

Measured = dict[str, dict[str, Any]]


def measure_search_step(row: PlannedRun, steps: int = 2) -> dict[str, Any]:
    """Median seconds of one search step of `row` on this CPU (see module docstring)."""
    import torch

    from nb1s.enumerate import get_space
    from nb1s.optimizers import OneShotSearch, Options, get_method

    method = get_method(row.optimizer)
    fields = set(method.hyperparameters().__dataclass_fields__)
    pins = {k: v for k, v in row.settings.items() if k in fields and k != "epochs"}
    hp = method.hyperparameters(**{**pins, "epochs": max(1, row.epochs)})
    search = OneShotSearch(method, get_space(row.space), hp, Options(), seed=0)
    g = torch.Generator().manual_seed(0)

    def pair() -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        x, xv = (torch.randn(hp.batch_size, 3, 32, 32, generator=g) for _ in range(2))
        y, yv = (torch.randint(0, 10, (hp.batch_size,), generator=g) for _ in range(2))
        return (x, y), (xv, yv)

    epoch = hp.warm_start_epochs  # an epoch whose steps update the architecture too
    search.train_epoch([pair()], epoch)  # warm-up
    times = []
    for _ in range(steps):
        batch = [pair()]
        start = time.perf_counter()
        search.train_epoch(batch, epoch)
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "unit": "search step",
            "how": f"{row.optimizer}, space {row.space}, batch {hp.batch_size}, C="
                   f"{hp.init_channels}, {hp.layers} cells: median of {steps} timed steps "
                   "after 1 warm-up, random 32x32 batches, this process"}


#: the measurement every search row adds once: starting one `nb1s search` process
STARTUP = "run start-up"


def measure_startup() -> dict[str, Any]:
    """Seconds to start a Python process that imports the search code (torch included):
    each run of a search grid is such a process (executors/job.py)."""
    import subprocess
    import sys

    start = time.perf_counter()
    code = "import nb1s.optimizers.search_loop, nb1s.harness.search.runner"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return {"seconds": time.perf_counter() - start, "unit": "run",
            "how": "one fresh interpreter importing nb1s's search code (torch), timed once"}


def measure_blackbox_seed(row: PlannedRun, data_dir: Path) -> dict[str, Any]:
    """Seconds of one seed of `row`'s black-box optimizer on the index in `data_dir`."""
    from nb1s.harness.blackbox_runs.objective import (
        budgets_needed,
        nb101_objective,
        repeat_policy,
    )
    from nb1s.harness.nb101.store import NB101Store
    from nb1s.optimizers.discrete import run_blackbox

    store = NB101Store(data_dir)
    objective = nb101_objective(store, row.space, repeat_policy("one_random_repeat"),
                                budgets_needed(row.optimizer))
    start = time.perf_counter()
    run_blackbox(row.optimizer, row.space, objective, [0], row.evaluations)
    seconds = time.perf_counter() - start
    synthetic = " (SYNTHETIC index)" if store.synthetic else ""
    return {"seconds": seconds, "unit": "black-box seed",
            "how": f"{row.optimizer}, space {row.space}, {row.evaluations} evaluations: one "
                   f"seed, this process, index {data_dir}{synthetic}"}


def measure(cost: PlanCost, data_dir: Path | None = None,
            on_measured: Callable[[str], None] | None = None) -> Measured:
    """One measurement per distinct `measure_key` of `cost` (search steps, black-box seeds)."""
    out: Measured = {}
    todo: dict[str, PlannedRun] = {}
    for row in cost.runs:
        if row.measure_key and row.measure_key not in todo:
            todo[row.measure_key] = row
    search = {k: r for k, r in todo.items() if r.kind == "search"}
    if search:
        out[STARTUP] = measure_startup()
    blackbox = {k: r for k, r in todo.items() if r.kind == "blackbox"}
    for key, row in search.items():
        out[key] = measure_search_step(row)
        if on_measured is not None:
            on_measured(key)
    if blackbox:
        first = min(r.space for r in blackbox.values())
        with tempfile.TemporaryDirectory(prefix="nb1s-measure-") as tmp:
            index = data_dir if data_dir is not None else _synthetic_index(Path(tmp), first)
            for key, row in blackbox.items():
                if key in out:
                    continue
                from dataclasses import replace

                out[key] = measure_blackbox_seed(replace(row, space=first), index)
                if on_measured is not None:
                    on_measured(key)
    return out


def _synthetic_index(folder: Path, space: int) -> Path:
    from nb1s.harness.experiments.blackbox.smoke_data import prepare_full_smoke_index

    return prepare_full_smoke_index(folder, [space])
