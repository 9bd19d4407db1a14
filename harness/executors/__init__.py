"""Executors: the same list of jobs run locally, in Docker or on Slurm.

A `Job` is an `nb1s` command line (plus where its log goes); an executor only decides
where that command runs. Because every executor runs the same command against the same
results folder, the results layout is identical whichever one is used. The shared types
are in `base.py`, the list of executors in `registry.py`.
"""

from nb1s.harness.executors.base import DataInputs, Executor, Interrupted, Job, JobResult
from nb1s.harness.executors.job import run_job_process

__all__ = ["DataInputs", "Executor", "Interrupted", "Job", "JobResult", "run_job_process"]
