"""Run jobs on Slurm through submitit: one array job per batch, one task per run.

The same function (`run_job_process`) runs inside each task, so a Slurm task executes the
very command a local worker would, on the shared filesystem. `cluster="local"` uses
submitit's local executor (processes on this machine), which is how this path is tested
without a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .job import Job, JobResult, run_job_process


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
            self.params.update({"gpus_per_node": gpus_per_task,
                                "slurm_array_parallelism": array_parallelism})
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
        ex = self.executor()
        handles = []
        with ex.batch():
            for job in jobs:
                handles.append(ex.submit(run_job_process, job))
        results = []
        for job, handle in zip(jobs, handles, strict=True):
            try:
                res = handle.result()
            except Exception as exc:  # a task that died before returning (preempted, OOM)
                res = JobResult(job.key, 1, 0.0, f"{job.log} (submitit: {exc})")
            results.append(res)
            if on_done is not None:
                on_done(res)
        return results
