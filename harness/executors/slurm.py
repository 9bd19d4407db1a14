"""Run a plan's searches on Slurm: one array job per batch, one task per run.

The same function (`run_job_process`) runs inside each task, so a Slurm task executes the
very command a local worker would, on the shared filesystem. Submitting, the request, its
check against the partition and cancelling are the one submitit integration
(`slurm_array.py`); this module waits for the tasks and turns them into `JobResult`s.
`cluster="local"` uses submitit's local executor (processes on this machine), which is how
this path is tested without a cluster.

Waiting never goes on without end: a task pending for a configuration reason cancels the
array with Slurm's reason (`SlurmArray.watch`); a task Slurm ended itself (cancelled from
outside, timed out, killed) is one line with its state once every task has ended; on
Ctrl-C every unfinished task is cancelled (`SlurmExecutor._interrupt`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nb1s.harness.errors import RunStopped
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
from nb1s.harness.executors.slurm_array import (
    CONTROLLER_LOG,
    SlurmArray,
    SlurmRequest,
    check_reachable,
    controller_output,
    ending,
    first_line,
    settled,
)

__all__ = ["CONTROLLER_LOG", "SlurmExecutor", "controller_output"]
#: seconds between two looks at the tasks (submitit caches sacct's answers itself)
POLL_S = 1.0
#: seconds between two asks of squeue for a pending task's reason
WATCH_S = 10.0
#: at most this long a failed task's final state is waited for (`settled`): Slurm's
#: KillWait after a time-out is 30 s by default
SETTLE_S = 60.0


class SlurmExecutor:
    """Submit every job as one task of a Slurm job array (`SlurmArray`)."""

    name = "slurm"

    def __init__(self, folder: Path, cluster: str | None = None,
                 request: SlurmRequest | None = None, array: SlurmArray | None = None) -> None:
        self.folder = folder
        self.cluster = cluster
        self.array = array or SlurmArray(folder, request or SlurmRequest(), cluster)

    @property
    def params(self) -> dict[str, Any]:
        """submitit's parameters of this executor's arrays."""
        return self.array.parameters()

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "cluster": self.cluster or "auto",
                "folder": str(self.folder), "request": self.array.request.describe(),
                "parameters": self.params}

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        """Submit the array and collect results (in job order); see the module docstring."""
        handles = self.array.submit(run_job_process, jobs)
        results: dict[str, JobResult] = {}
        ended: list[str] = []
        settling: dict[str, float] = {}  # failed task -> until when to wait for its state
        try:
            next_watch = time.monotonic() + WATCH_S
            while len(results) < len(jobs):
                for job, handle in zip(jobs, handles, strict=True):
                    if job.key in results or not handle.done():
                        continue
                    res = _outcome(job, handle)
                    if not res.ok and self.cluster != "local" and not settled(handle):
                        until = settling.setdefault(job.key, time.monotonic() + SETTLE_S)
                        if time.monotonic() < until:
                            continue  # Slurm is still ending it: its state comes next
                    results[job.key] = res
                    why = ending(handle) if not res.ok else None
                    if why is not None:
                        ended.append(f"{job.key} (task {handle.job_id}): {why}")
                    if on_done is not None:
                        on_done(res)
                if len(results) < len(jobs):
                    if time.monotonic() >= next_watch:
                        self.array.watch(handles)
                        next_watch = time.monotonic() + WATCH_S
                    time.sleep(POLL_S)
        except KeyboardInterrupt:
            self._interrupt(jobs, handles, results)
        if ended:
            raise RunStopped(self._ended_line(ended, sum(r.ok for r in results.values()),
                                              len(jobs)), 1, "failed")
        return [results[j.key] for j in jobs]

    def _ended_line(self, ended: Sequence[str], finished: int, total: int) -> str:
        """One line for the runs Slurm ended itself. A time-out names the limit and the
        option that lengthens it: the same command with the same limit would only time
        out again (each search resumes from its last saved epoch either way)."""
        more = f" (and {len(ended) - 1} more)" if len(ended) > 1 else ""
        timed_out = [e for e in ended if ": TIMEOUT" in e]
        first = timed_out[0] if timed_out else ended[0]
        if timed_out:
            limit = self.array.request.timeout_min
            return (f"Slurm ended run {first}{more} at its time limit ({limit} min per "
                    f"task) before it finished; {finished} of {total} runs finished and "
                    "are kept; the same command with a longer --timeout-min resumes the "
                    "rest from their last saved epoch")
        return (f"Slurm ended run {first}{more} before it finished; {finished} of {total} "
                "runs finished and are kept; the same command resumes the rest")

    def _interrupt(self, jobs: Sequence[Job], handles: Sequence[Any],
                   results: dict[str, JobResult]) -> None:
        """Ctrl-C: keep the tasks that already finished (also those that finished while
        the loop looked elsewhere), ask the cluster to cancel every other task of the
        array (scancel on Slurm, SIGINT on the local cluster) and raise `Interrupted`.
        Nothing is awaited: a cancelled search records `interrupted` on its own, and the
        next invocation resumes it. A second Ctrl-C during the cancelling stops the
        parent; tasks not yet cancelled keep running."""
        finished = [r for r in results.values() if r.ok]
        for job, handle in zip(jobs, handles, strict=True):
            if job.key not in results and handle.done():
                res = _outcome(job, handle)
                if res.ok:
                    finished.append(res)
        cancelled = self.array.cancel(handles)
        done = {r.key for r in finished}
        where = "the local cluster" if self.cluster == "local" else "Slurm"
        note = (f"{where} was asked to cancel their {len(cancelled)} unfinished task(s) "
                f"({_ids(cancelled)})" if cancelled else "no task was still running")
        order = {j.key: i for i, j in enumerate(jobs)}
        raise Interrupted(sorted(finished, key=lambda r: order[r.key]),
                          [j.key for j in jobs if j.key not in done], note) from None


def _outcome(job: Job, handle: Any) -> JobResult:
    """A task's JobResult, or a failure naming submitit's reason when it died first."""
    try:
        res: JobResult = handle.result()
    except Exception as exc:  # a task that died before returning (cancelled, OOM, time)
        res = JobResult(job.key, 1, 0.0, f"{job.log} (submitit: {first_line(exc)})")
    return res


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids[:4]) + (", ..." if len(ids) > 4 else "")


def _check(settings: ExecutorSettings) -> None:
    """A reachable Slurm with accounting (see `check_reachable`), and a request some node
    of the partition can fit (before any data is built)."""
    check_reachable(settings.slurm_cluster)
    if settings.slurm_request is not None:
        SlurmArray(Path("."), settings.slurm_request, settings.slurm_cluster).check()


def _build(results: Path, data: DataInputs, settings: ExecutorSettings) -> Executor:
    request = settings.slurm_request or SlurmRequest(timeout_min=settings.timeout_min,
                                                     partition=settings.slurm_partition)
    return SlurmExecutor(results / "slurm", cluster=settings.slurm_cluster, request=request)


#: the registration (executors/registry.py)
ENTRY = ExecutorEntry(build=_build, check=_check, job_arrays=True)
