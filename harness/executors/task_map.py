""""Map this function over these inputs": local worker processes or one Slurm job array.

Callers that run a Python function over many inputs (the black-box grid's seed groups,
hpbandster's workers) ask `task_map` for a map and use whatever comes back the same way:
`with the_map: handles = the_map.submit(fn, inputs)`, each handle with `done()` and
`result()`, in input order; `the_map.wait(handles)` until all have ended,
`the_map.cancel(handles)` for the unfinished ones. Which map they get is decided here,
once, by the chosen executor's capabilities (`ExecutorEntry.job_arrays`,
`ExecutorEntry.local_processes`), never by its name, so an executor registered at run
time with either capability serves them too. What differs is what a caller may still
want to know: `scheduled` (each task is a scheduled cluster job with start-up and
accounting costs, so inputs are better grouped into longer tasks) and, for a scheduled
map, `watch` (a task pending for a reason waiting cannot cure).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import ExecutorSettings
from nb1s.harness.executors.registry import entry_for, names


@dataclass(frozen=True)
class MapRequest:
    """What one map asks for, wherever it runs.

    `parallelism`: tasks at once (local worker processes; `%K` of a job array).
    `folder`: where the map keeps its files (a job array's pickles and logs, the local
    workers' output). `cpus_per_task`, `mem_gb`, `gpus_per_task`: what one cluster task
    asks for. `env`: variables every task runs with. `preload`: modules worth importing
    once for all local workers. The time limit and partition are the executor settings'
    (`--timeout-min`, `--slurm-partition`), parsed once by `check_executor_options`.
    """

    name: str
    parallelism: int
    folder: Path
    cpus_per_task: int = 1
    mem_gb: int = 4
    gpus_per_task: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    preload: tuple[str, ...] = ()


class TaskMap(Protocol):
    """What `task_map` returns (`process_pool.ProcessPool`, `slurm_array.SlurmArray`)."""

    scheduled: bool

    def __enter__(self) -> Any: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def submit(self, fn: Callable[..., Any], *inputs: Sequence[Any]) -> list[Any]: ...

    def watch(self, handles: Sequence[Any]) -> None: ...

    def wait(self, handles: Sequence[Any]) -> None: ...

    def cancel(self, handles: Sequence[Any]) -> list[str]: ...


def maps_tasks(executor: str) -> bool:
    """Whether `executor` can run a map at all (job arrays or local processes)."""
    entry = entry_for(executor)
    return entry.job_arrays or entry.local_processes


def runs_arrays(executor: str) -> bool:
    """Whether `executor`'s maps are cluster job arrays (its `job_arrays` capability)."""
    return entry_for(executor).job_arrays


def check_maps_tasks(executor: str, what: str) -> None:
    """One line when `executor` can run no map: `what` (e.g. "the black-box grid") runs
    on the executors that can."""
    if not maps_tasks(executor):
        able = [n for n in names() if maps_tasks(n)]
        raise UserError(f"{what} runs with --executor {' or '.join(able)}, not {executor}")


def task_map(executor: str, settings: ExecutorSettings, request: MapRequest) -> TaskMap:
    """The map `executor` offers for `request` (see the module docstring)."""
    entry = entry_for(executor)
    if entry.job_arrays:
        from nb1s.harness.executors.slurm_array import SlurmArray, SlurmRequest

        setup = tuple(f"export {k}={shlex.quote(v)}" for k, v in request.env.items())
        slurm = SlurmRequest(cpus_per_task=request.cpus_per_task, mem_gb=request.mem_gb,
                             gpus_per_task=request.gpus_per_task,
                             timeout_min=settings.timeout_min,
                             partition=settings.slurm_partition,
                             parallelism=request.parallelism, name=request.name, setup=setup)
        cluster = settings.slurm_cluster
        return SlurmArray(request.folder, slurm, None if cluster in (None, "slurm") else cluster)
    if entry.local_processes:
        from nb1s.harness.executors.process_pool import WORKER_LOG, ProcessPool

        return ProcessPool(request.parallelism, env=request.env, preload=request.preload,
                           log=request.folder / WORKER_LOG)
    check_maps_tasks(executor, request.name)
    raise AssertionError("unreachable")  # pragma: no cover
