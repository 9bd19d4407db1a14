"""The black-box grid on a cluster: all pending tasks as ONE submitit job array.

`--executor slurm` hands the grid's tasks (grid.py) to submitit's `map_array`: one Slurm
array per command, each array task running `grid._run_task`, the very function a local
worker process runs, so it writes its seed files atomically into the shared results folder
exactly as a local worker does. Finished seed files are skipped before submission (the
grid does that), so a re-run after some tasks died submits only the missing seeds.

Why tasks of several seeds: 1500 SMAC seeds at about 4 minutes each, or 1500 TPE seeds at
a few seconds each, as one array task per seed would be thousands of short jobs (a
scheduler anti-pattern: start-up and accounting dominate, and sites cap array sizes).
`seeds_per_task` groups a job's seeds so that one task runs for about `target_seconds`
(at most 30 minutes, at least 5, and short enough to leave about four tasks per
`--workers` slot for load balancing), from the per-seed CPU times measured on the 2-core development
machine (docs/blackbox.md, "Speed"); and at most MAX_ARRAY_TASKS tasks per array.
RS/RE/RL are vectorised: all seeds of a (space, optimizer) run as one array program in
seconds, so they are one task each.

Submitting goes through the executors' one submitit integration
(harness/executors/slurm_array.py: the request checked against `sinfo`, one line when
sbatch refuses). Parameters:
`--slurm-partition`, `--timeout-min`, `--slurm-cluster` (`local`: submitit's local
executor, processes on this machine, which is how this is tested without a cluster) and
`--workers` as the array's parallelism (`%K` of `--array`). CPU-only: no GPU is requested.
The command waits for the array; Ctrl-C cancels its unfinished tasks (scancel through
submitit) and keeps the finished files.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nb1s.harness.errors import RunStopped
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors.base import ExecutorSettings
from nb1s.optimizers.discrete import blackbox_optimizer

if TYPE_CHECKING:
    from nb1s.harness.executors.task_map import MapRequest, TaskMap

#: Task length the grouping aims at, seconds: between these bounds, else work / (4 x workers).
MIN_TASK_S, MAX_TASK_S = 5 * 60.0, 30 * 60.0
#: Most tasks in one array: Slurm's default MaxArraySize is 1001 (indices 0-1000); past
#: it, tasks get longer instead.
MAX_ARRAY_TASKS = 1000
#: Seeds of a vectorised optimizer per task (all of a (space, optimizer) up to this).
VECTORISED_SEEDS = 500
#: One CPU and a little memory per task: a seed is single-threaded Python over a
#: memory-mapped NB101 index.
CPUS_PER_TASK = 1
MEM_GB = 4
#: Default array parallelism when --workers is not given (the Slurm executor's default).
DEFAULT_PARALLELISM = 64
JOB_NAME = "nb1s-blackbox"
#: SMAC3 2.x depends on Python's string-hash seed: every task runs with it fixed to 0
HASH_ENV = "PYTHONHASHSEED"
SLURM_FOLDER = "slurm"
#: Seconds between two looks at the array (submitit caches Slurm's answers itself).
POLL_S = 1.0
#: Seconds between two looks at the running tasks' seed files (a shared filesystem).
FILES_S = 30.0
#: Seconds between two asks of squeue whether a pending task can ever start.
WATCH_S = 10.0


@dataclass(frozen=True)
class ClusterSettings:
    """Where and how the array runs: the `ExecutionOptions` the black-box grid honours."""

    folder: Path  # submitit's job folder (pickles and logs)
    cluster: str | None = None  # None: auto (Slurm), "local": this machine
    partition: str | None = None
    timeout_min: int = 24 * 60
    parallelism: int = DEFAULT_PARALLELISM
    #: the registered executor whose job arrays run it (`ExecutorEntry.job_arrays`)
    executor: str = "slurm"

    @classmethod
    def from_options(cls, options: ExecutionOptions, folder: Path,
                     parsed: ExecutorSettings | None = None) -> ClusterSettings:
        """The array side of `options` (refused in one line when unusable); `parsed`:
        the settings `check_executor` already returned for them (not parsed again)."""
        settings = parsed if parsed is not None else check_executor(options)
        return cls(folder, settings.slurm_cluster, settings.slurm_partition,
                   settings.timeout_min, int(settings.workers or DEFAULT_PARALLELISM),
                   options.executor)

    def executor_settings(self) -> ExecutorSettings:
        """These settings as the executors' parsed options (`task_map` reads them)."""
        return ExecutorSettings(workers=self.parallelism, slurm_partition=self.partition,
                                slurm_cluster=self.cluster, timeout_min=self.timeout_min)


def check_executor(options: ExecutionOptions) -> ExecutorSettings:
    """The executor options of the grid, checked and parsed once: an executor that maps
    tasks on local processes or as job arrays (its capabilities, `executors.task_map`);
    an unknown --slurm-cluster, a bad --timeout-min or no reachable Slurm is one line."""
    from nb1s.harness.executors.factory import check_executor_options
    from nb1s.harness.executors.task_map import check_maps_tasks

    check_maps_tasks(options.executor, "the black-box grid")
    return check_executor_options(options.executor, options.timeout_min,
                                  options.slurm_cluster, None, workers=options.workers,
                                  slurm_partition=options.slurm_partition)


@dataclass
class ArrayRun:
    """What was submitted: for `--json` and the one line after a failure."""

    tasks: int = 0
    seeds: int = 0
    job_ids: list[str] = field(default_factory=list)
    folder: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"submitted_tasks": self.tasks, "submitted_seeds": self.seeds,
                "job_ids": list(self.job_ids), "array_ids": array_ids(self.job_ids),
                "folder": self.folder}


def array_ids(job_ids: Sequence[str]) -> list[str]:
    """Slurm array ids ('123' of '123_4'), in order of first appearance."""
    return list(dict.fromkeys(str(j).split("_", 1)[0] for j in job_ids))


def seeds_per_task(optimizer: str, evaluations: int, vectorised: bool,
                   target_s: float) -> int:
    """How many seeds of `optimizer` one array task runs (see the module docstring)."""
    if vectorised:
        return VECTORISED_SEEDS
    per_seed = blackbox_optimizer(optimizer).seconds_per_seed * max(evaluations, 1) / 280
    return max(1, int(target_s // per_seed))


def target_seconds(work_s: float, parallelism: int) -> float:
    """Task length: about four tasks per parallel slot, between 5 and 30 minutes."""
    return min(MAX_TASK_S, max(MIN_TASK_S, work_s / (4 * max(parallelism, 1))))


def estimated_seconds(optimizer: str, evaluations: int, seeds: int) -> float:
    """CPU seconds of `seeds` seeds by the optimizer's registered seconds per seed
    (measured on the development machine, docs/blackbox.md "Speed": TPE 2.4-3.6 s; SMAC
    34-35 s with the per-fit leaf cap; HB 0.3-0.4 s and BOHB 3.5-4.2 s with the in-process
    hpbandster engine, rounded up). A grouping hint, not a result: a wrong value only makes
    tasks longer or shorter. An unknown optimizer is an error, not a default."""
    return blackbox_optimizer(optimizer).seconds_per_seed * max(evaluations, 1) / 280 * seeds


def grid_request(folder: Path, parallelism: int, preload: Iterable[str] = ()
                 ) -> MapRequest:
    """What the grid asks of any map (executors/task_map.py): CPU-only tasks of one CPU
    and MEM_GB; SMAC3's fixed string-hash seed for every task, so a SMAC seed runs
    in-process instead of in a spawned interpreter; `preload`: the modules local workers
    import once (the grid's `preload_modules`)."""
    from nb1s.harness.executors.task_map import MapRequest

    return MapRequest(JOB_NAME, parallelism, folder, cpus_per_task=CPUS_PER_TASK,
                      mem_gb=MEM_GB, gpus_per_task=0, env={HASH_ENV: "0"},
                      preload=tuple(preload))


def slurm_array(settings: ClusterSettings) -> TaskMap:
    """The job array of the grid (the executors' one submitit integration, reached
    through `executors.task_map` by the executor's `job_arrays` capability)."""
    from nb1s.harness.executors.task_map import task_map

    return task_map(settings.executor, settings.executor_settings(),
                    grid_request(settings.folder, settings.parallelism))


def submit(tasks: Sequence[Any], run_task: Callable[[Any], list[int]],
           settings: ClusterSettings, array: Any = None) -> tuple[list[Any], ArrayRun]:
    """Submit every task as one job array (`map_array`; `array`: the `slurm_array` to
    submit through, default a new one); returns the job handles."""
    handles = (array or slurm_array(settings)).submit(run_task, tasks)
    run = ArrayRun(len(tasks), sum(len(t.seeds) for t in tasks),
                   [str(h.job_id) for h in handles], str(settings.folder))
    return handles, run


def describe(task: Any) -> str:
    """'SMAC on space 1, seeds 0-4,9' for one task (the syntax --seeds takes)."""
    s = task.settings
    seeds = sorted(int(x) for x in task.seeds)
    return (f"{s.optimizer} on space {s.space}, seed{'s' if len(seeds) > 1 else ''} "
            f"{seed_ranges(seeds)}")


def seed_ranges(seeds: Sequence[int]) -> str:
    """[0, 1, 2, 4, 7, 8] -> '0-2,4,7-8' (sorted, unique seeds)."""
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][1] + 1:
            runs[-1][1] = seed
        else:
            runs.append([seed, seed])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def failure_line(task: Any, handle: Any, error: BaseException) -> str:
    """The task, its array task id, submitit's reason in a few words, and its log."""
    try:
        log = str(handle.paths.stderr)
    except Exception:  # a stand-in or an executor without paths
        log = "(no log path)"
    return f"{describe(task)} (array task {handle.job_id}) failed: {reason(error)}; log: {log}"


def reason(error: BaseException) -> str:
    """The exception line of a task's traceback (FailedJobError), else the first line of
    submitit's message (a task that timed out, was preempted or killed: its state)."""
    text = str(error)
    blocks = [b for b in re.split(r"\n-{5,}\n", text) if "Traceback" in b]
    lines = [x.strip() for x in (blocks[-1] if blocks else text).splitlines() if x.strip()]
    if not lines:
        return type(error).__name__
    line = lines[-1] if blocks else lines[0]
    return line if len(line) <= 300 else line[:297] + "..."


def wait(tasks: Sequence[Any], handles: Sequence[Any], run: ArrayRun,
         on_task: Callable[[Any, list[int]], None] | None = None,
         sleep: Callable[[float], None] = time.sleep,
         landed: Callable[[Any], Sequence[int]] | None = None,
         watch: Callable[[Sequence[Any]], None] | None = None) -> int:
    """Wait for every task; `on_task(task, seeds)` for newly finished seeds; seeds written.

    `landed(task)` lists the task's seeds whose files exist: looked at every FILES_S
    seconds, so the progress bar moves per seed while a grouped task still runs (a seed
    file is complete once it exists: written atomically). A failed task does not stop
    the others (their seeds are independent): once all have ended, the first failure is
    one line (RunStopped, exit 1) naming the task and its log. Ctrl-C: the unfinished
    tasks are cancelled, finished seed files stay (exit 130). `watch(handles)` (the
    array's `SlurmArray.watch`), called every WATCH_S seconds, raises one line after
    cancelling the array when a task pends for a reason waiting cannot cure.
    """
    open_ = dict(enumerate(handles))
    reported: dict[int, set[int]] = {k: set() for k in open_}
    failures: list[str] = []

    def report(k: int, seeds: Sequence[int]) -> None:
        new = [int(x) for x in seeds if int(x) not in reported[k]]
        reported[k].update(new)
        if new and on_task is not None:
            on_task(tasks[k], new)

    def written() -> int:
        return sum(len(v) for v in reported.values())

    next_look = 0.0
    next_watch = time.monotonic() + WATCH_S
    try:
        while open_:
            for k in [k for k, h in open_.items() if h.done()]:
                handle = open_.pop(k)
                try:
                    report(k, list(handle.result()))
                except Exception as exc:  # submitit's FailedJobError / UncompletedJobError
                    if landed is not None:  # seeds it wrote before it died are finished
                        report(k, landed(tasks[k]))
                    failures.append(failure_line(tasks[k], handle, exc))
            if landed is not None and time.monotonic() >= next_look:
                for k in open_:
                    report(k, landed(tasks[k]))
                next_look = time.monotonic() + FILES_S
            if watch is not None and open_ and time.monotonic() >= next_watch:
                watch(list(open_.values()))
                next_watch = time.monotonic() + WATCH_S
            if open_:
                sleep(POLL_S)
    except KeyboardInterrupt:
        cancelled = []
        for handle in open_.values():
            with contextlib.suppress(Exception):
                handle.cancel(check=False)
            cancelled.append(str(handle.job_id))
        shown = ", ".join(array_ids(cancelled)[:4]) or "none"
        raise RunStopped(f"{written()} of {run.seeds} submitted seeds finished (their files "
                         f"are kept); {len(cancelled)} unfinished array task(s) cancelled "
                         f"(array {shown}); the same command submits the missing seeds",
                         130, "interrupted") from None
    if failures:
        more = f" (and {len(failures) - 1} more failed task(s))" if len(failures) > 1 else ""
        raise RunStopped(f"{failures[0]}{more}; {written()} of {run.seeds} seeds finished "
                         "and are kept; the same command submits the missing seeds", 1,
                         "failed")
    return written()
