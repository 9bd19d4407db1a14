"""Executors: the same list of jobs run locally, in Docker or on Slurm.

A `Job` is an `nb1s` command line (plus where its log goes); an executor only decides
where that command runs. Because every executor runs the same command against the same
results folder, the results layout is identical whichever one is used.
"""

from nb1s.harness.executors.job import Interrupted, Job, JobResult, run_job_process

__all__ = ["Interrupted", "Job", "JobResult", "run_job_process"]
