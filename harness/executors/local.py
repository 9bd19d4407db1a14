"""Run jobs as parallel local processes, one GPU each where there are several.

Each worker thread owns one GPU id for its whole life and exports it as
CUDA_VISIBLE_DEVICES, so two runs never share a GPU, unless `--runs-per-gpu K` gives each
GPU K workers (gpu_packing.py: only as many as its free memory holds). On CPU the cores
are split between the workers (OMP/MKL thread counts) so parallel runs do not
oversubscribe the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

from nb1s.harness.executors.base import (
    DataInputs,
    Executor,
    ExecutorEntry,
    ExecutorSettings,
    Job,
    JobResult,
)
from nb1s.harness.executors.gpu_packing import (
    DEFAULT_MEMORY_MIB,
    FreeMemory,
    free_memory_mib,
    pack,
)
from nb1s.harness.executors.job import CHILDREN, run_job_process, stop_children
from nb1s.harness.executors.pool import all_done, run_on_slots


def detect_gpus() -> list[str]:
    """GPU ids from `nvidia-smi -L` (no torch import; empty without a driver)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [str(i) for i, line in enumerate(out.splitlines()) if line.startswith("GPU ")]


def worker_envs(workers: int, gpus: Sequence[str], cpus: int | None = None) -> list[dict[str, str]]:
    """The environment each worker adds: its GPU, or its share of the CPU cores."""
    if gpus:
        return [{"CUDA_VISIBLE_DEVICES": gpus[i]} for i in range(workers)]
    threads = str(max(1, (cpus or os.cpu_count() or 1) // workers))
    return [{"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
            for _ in range(workers)]


class LocalExecutor:
    """`workers` parallel processes (default: one per GPU slot, or one per two CPU cores).

    `runs_per_gpu` > 1 packs that many processes onto each GPU where its free memory
    (`free`, nvidia-smi) holds `gpu_memory_mib` per run (gpu_packing.py)."""

    name = "local"

    def __init__(self, workers: int | None = None, gpus: Sequence[str] | None = None,
                 runs_per_gpu: int = 1, gpu_memory_mib: int | None = None,
                 free: FreeMemory = free_memory_mib) -> None:
        self.gpus = list(gpus) if gpus is not None else detect_gpus()
        self.packing = pack(self.gpus, runs_per_gpu, gpu_memory_mib or DEFAULT_MEMORY_MIB,
                            free)
        self.slots = self.packing.slots
        default = len(self.slots) if self.slots else max(1, (os.cpu_count() or 1) // 2)
        self.workers = workers or default
        if self.slots and self.workers > len(self.slots):
            self.workers = len(self.slots)

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {"executor": self.name, "workers": self.workers,
                                  "gpus": self.gpus}
        if any(k > 1 for k in self.packing.per_gpu.values()):
            out["runs_per_gpu"] = self.packing.per_gpu
        if self.packing.note:
            out["note"] = self.packing.note
        return out

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        """Run every job; results come back in job order. On Ctrl-C stop launching,
        terminate the running children's process groups (`stop_children`) and raise
        `Interrupted` with what finished."""
        CHILDREN.stopping.clear()
        return run_on_slots(jobs, worker_envs(self.workers, self.slots), run_job_process,
                            _stop_children, on_done)


def _stop_children(cancel_queued: Callable[[], None],
                   futures: Sequence[Future[JobResult]]) -> str:
    """Terminate the children's process groups (`stop_children`), then wait for their
    workers to return."""
    import time

    stop_children(cancel_queued)
    while not all_done(futures):
        time.sleep(0.05)
    return ""


def _build(results: Path, data: DataInputs, settings: ExecutorSettings) -> Executor:
    return LocalExecutor(workers=settings.workers, gpus=settings.gpus,
                         runs_per_gpu=settings.runs_per_gpu,
                         gpu_memory_mib=settings.gpu_memory_per_run)


#: the registration (executors/registry.py)
ENTRY = ExecutorEntry(build=_build, local_processes=True, gpu_packing=True)
