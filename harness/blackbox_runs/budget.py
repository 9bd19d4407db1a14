"""What a black-box grid will cost, refused before anything is allocated or written.

Why: `--evaluations 1000000000` used to allocate 67 GiB and die with a MemoryError after
the run file was written (which then refused every normal run into that folder), and
`--seeds 0-99999999` ran silently for many minutes towards terabytes of seed files. Here the
command's size is estimated from the record layout and the measured per-seed times (each
registered optimizer's `seconds_per_seed`) and compared with what this machine has (free
disk under the output folder, available memory) before the first byte is written.

The estimates are upper bounds on purpose: a refused run that would have fitted costs the
user a smaller `--seeds`, an accepted run that does not fit costs a crash mid-way.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import psutil

from nb1s.harness.blackbox_runs.cluster import estimated_seconds
from nb1s.harness.errors import UserError
from nb1s.optimizers.discrete import RECORD_DTYPE, blackbox_optimizer

#: Seeds per task of a vectorised optimizer (grid.py): small enough for a smooth progress
#: bar and for spreading over workers, large enough that the array program dominates.
CHUNK = 50

#: HB and BOHB spend `evaluations x 108` epochs in rungs of 4 epochs at the least: at most
#: 27 records per evaluation (the others write one record per evaluation)
EPOCH_RUNGS_PER_EVALUATION = 27
#: working memory of a run per record held (the optimizer's arrays beside the records)
WORKING_FACTOR = 4
#: a seed number held in memory (a Python int in a list)
BYTES_PER_SEED = 64
#: header of one .npy file
NPY_HEADER = 128


@dataclass(frozen=True)
class Estimate:
    """The size of a grid: seed-file bytes, peak memory, CPU seconds."""

    seeds: int
    disk_bytes: int
    memory_bytes: int
    cpu_seconds: float

    def line(self) -> str:
        return (f"{self.seeds} seeds need about {_size(self.disk_bytes)} of seed files, "
                f"{_size(self.memory_bytes)} of memory and {_duration(self.cpu_seconds)} "
                "of CPU time")


def records_per_seed(optimizer: str, evaluations: int) -> int:
    """Upper bound of a seed's records: an optimizer whose registered entry counts budget
    in epochs (HB, BOHB) writes rungs of a budget, the others one record per evaluation."""
    per = EPOCH_RUNGS_PER_EVALUATION if blackbox_optimizer(optimizer).budget_in_epochs else 1
    return per * max(int(evaluations), 1)


def estimate(runs: list[tuple[str, int]], seeds: int, workers: int = 1) -> Estimate:
    """The cost of every (optimizer, evaluations) of `runs` over `seeds` seeds.

    Memory: the largest task in flight per worker (a vectorised optimizer runs up to
    `grid.CHUNK` seeds as one array program), plus the seed list itself.
    """
    item = RECORD_DTYPE.itemsize
    disk = memory = 0
    seconds = 0.0
    for optimizer, evaluations in runs:
        rows = records_per_seed(optimizer, evaluations)
        disk += seeds * (rows * item + NPY_HEADER)
        per_task = min(seeds, CHUNK) if blackbox_optimizer(optimizer).vectorised else 1
        memory = max(memory, rows * item * WORKING_FACTOR * per_task * max(workers, 1))
        seconds += estimated_seconds(optimizer, evaluations, seeds)
    return Estimate(seeds, disk, memory + seeds * BYTES_PER_SEED, seconds)


def check_fits(est: Estimate, out: Path) -> None:
    """Refuse, in one line with the estimate, a grid larger than this machine's free disk
    under `out` or its available memory."""
    free_disk = shutil.disk_usage(_existing(out)).free
    free_memory = psutil.virtual_memory().available
    if est.disk_bytes > free_disk:
        raise UserError(f"too large for this machine: {est.line()}, but {out} has "
                        f"{_size(free_disk)} free; use fewer --seeds or --evaluations")
    if est.memory_bytes > free_memory:
        raise UserError(f"too large for this machine: {est.line()}, but "
                        f"{_size(free_memory)} of memory is available; use fewer "
                        "--evaluations or --workers")


def _existing(path: Path) -> Path:
    path = Path(path).absolute()
    return next(p for p in (path, *path.parents) if p.exists())


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"  # pragma: no cover


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"
