"""Run jobs on Slurm through submitit: one array job per batch, one task per run.

The same function (`run_job_process`) runs inside each task, so a Slurm task executes the
very command a local worker would, on the shared filesystem. `cluster="local"` uses
submitit's local executor (processes on this machine), which is how this path is tested
without a cluster. On Ctrl-C every unfinished task of the array is cancelled
(`SlurmExecutor._interrupt`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import (
    DataInputs,
    Executor,
    ExecutorEntry,
    ExecutorSettings,
    Interrupted,
    Job,
    JobResult,
)
from nb1s.harness.executors.job import run_job_process

#: where submitit's local controllers write (see `_controller_output`)
CONTROLLER_LOG = "local-controllers.log"


class SlurmExecutor:
    """Submit every job as one task of a Slurm job array (submitit `batch()`)."""

    name = "slurm"

    def __init__(self, folder: Path, cluster: str | None = None, partition: str | None = None,
                 gpus_per_task: int = 1, cpus_per_task: int = 4, timeout_min: int = 24 * 60,
                 array_parallelism: int = 64, mem_gb: int = 16,
                 extra: dict[str, Any] | None = None) -> None:
        self.folder = folder
        self.cluster = cluster
        self.params: dict[str, Any] = {"timeout_min": timeout_min, "cpus_per_task": cpus_per_task,
                                       "mem_gb": mem_gb, "name": "nb1s"}
        if cluster != "local":
            self.params["slurm_array_parallelism"] = array_parallelism
            if gpus_per_task:  # 0: a CPU-only array (no GPU line in the sbatch file)
                self.params["gpus_per_node"] = gpus_per_task
            if partition:
                self.params["slurm_partition"] = partition
        self.params.update(extra or {})

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "cluster": self.cluster or "auto",
                "folder": str(self.folder), "parameters": self.params}

    def executor(self) -> Any:
        import submitit

        ex = submitit.AutoExecutor(folder=str(self.folder), cluster=self.cluster)
        ex.update_parameters(**self.params)
        return ex

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        """Submit the array and collect results in job order; on Ctrl-C see `_interrupt`."""
        ex = self.executor()
        handles = []
        quiet = _controller_output(self.folder / CONTROLLER_LOG) if self.cluster == "local" \
            else contextlib.nullcontext()
        with quiet, ex.batch():
            for job in jobs:
                handles.append(ex.submit(run_job_process, job))
        results: list[JobResult] = []
        try:
            for job, handle in zip(jobs, handles, strict=True):
                res = _outcome(job, handle)
                results.append(res)
                if on_done is not None:
                    on_done(res)
        except KeyboardInterrupt:
            self._interrupt(jobs, handles, results)
        return results

    def _interrupt(self, jobs: Sequence[Job], handles: Sequence[Any],
                   results: list[JobResult]) -> None:
        """Ctrl-C: keep the tasks that already finished (also those that finished while an
        earlier one was awaited), ask the cluster to cancel every other task of the array
        (`job.cancel()`: scancel on Slurm, SIGINT on the local cluster) and raise
        `Interrupted`. Nothing is awaited: a cancelled search records `interrupted` on
        its own, and the next invocation resumes it. A second Ctrl-C during the
        cancelling stops the parent; tasks not yet cancelled keep running."""
        seen = {r.key for r in results}
        finished = [r for r in results if r.ok]
        cancelled: list[str] = []
        for job, handle in zip(jobs, handles, strict=True):
            if job.key in seen:
                continue
            if handle.done():
                res = _outcome(job, handle)
                if res.ok:
                    finished.append(res)
                    continue
            else:
                handle.cancel(check=False)
                cancelled.append(str(handle.job_id))
        done = {r.key for r in finished}
        where = "the local cluster" if self.cluster == "local" else "Slurm"
        note = (f"{where} was asked to cancel their {len(cancelled)} unfinished task(s) "
                f"({_ids(cancelled)})" if cancelled else "no task was still running")
        order = {j.key: i for i, j in enumerate(jobs)}
        raise Interrupted(sorted(finished, key=lambda r: order[r.key]),
                          [j.key for j in jobs if j.key not in done], note) from None


@contextlib.contextmanager
def _controller_output(log: Path) -> Iterator[None]:
    """Point file descriptors 1 and 2 at `log` while submitit starts its local controllers.

    Each controller inherits this process's stdout/stderr, and a cancelled one prints a
    KeyboardInterrupt traceback there: on the user's terminal, next to the one line an
    interrupt promises. Started while this is in effect, they write to the log instead.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(log, "ab") as fh:
            os.dup2(fh.fileno(), 1)
            os.dup2(fh.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _outcome(job: Job, handle: Any) -> JobResult:
    """A task's JobResult, or a failure naming submitit's reason when it died first."""
    try:
        res: JobResult = handle.result()
    except Exception as exc:  # a task that died before returning (preempted, OOM)
        res = JobResult(job.key, 1, 0.0, f"{job.log} (submitit: {exc})")
    return res


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids[:4]) + (", ..." if len(ids) > 4 else "")


def _check(settings: ExecutorSettings) -> None:
    """Without `--slurm-cluster local` a reachable Slurm (`sbatch` on PATH) is needed:
    submitit would otherwise quietly fall back to running every job on this machine,
    e.g. a login node."""
    import shutil

    if settings.slurm_cluster != "local" and shutil.which("sbatch") is None:
        raise UserError("--executor slurm: no Slurm is reachable from here (no `sbatch` on "
                        "PATH); run on a Slurm login node, or pass --slurm-cluster local to "
                        "run the jobs on this machine on purpose")


def _build(results: Path, data: DataInputs, settings: ExecutorSettings) -> Executor:
    return SlurmExecutor(results / "slurm", cluster=settings.slurm_cluster,
                         partition=settings.slurm_partition, timeout_min=settings.timeout_min)


#: the registration (executors/registry.py)
ENTRY = ExecutorEntry(build=_build, check=_check)
