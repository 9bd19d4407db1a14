"""One unit of work for an executor: a command line, its log file and its environment.

Arguments that are paths stay `Path` objects until an executor renders them, so the
Docker executor can translate host paths into container mount points.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Arg = str | Path


@dataclass(frozen=True)
class Job:
    """`nb1s ARGS...` (or `program ARGS...`), logging to `log`."""

    key: str
    args: tuple[Arg, ...]
    log: Path
    program: tuple[str, ...] | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def argv(self, render: Callable[[Path], str] = str) -> list[str]:
        """The full command line for a local process (nb1s through this interpreter)."""
        prog = list(self.program) if self.program is not None else [
            sys.executable, "-m", "nb1s.harness.cli.app"]
        return prog + [render(a) if isinstance(a, Path) else a for a in self.args]


@dataclass(frozen=True)
class JobResult:
    key: str
    returncode: int
    seconds: float
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_job_process(job: Job, extra_env: Mapping[str, str] | None = None) -> JobResult:
    """Run a job as a child process, appending its output to the job's log.

    Module-level (not a closure) so that submitit can pickle it for Slurm jobs.
    """
    job.log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **job.env, **(extra_env or {})}
    started = time.perf_counter()
    with open(job.log, "ab") as log:  # append: a resumed run keeps its earlier log
        log.write(f"$ {' '.join(job.argv())}\n".encode())
        log.flush()
        proc = subprocess.run(job.argv(), stdout=log, stderr=subprocess.STDOUT, env=env,
                              check=False)
    return JobResult(job.key, proc.returncode, round(time.perf_counter() - started, 3),
                     str(job.log))
