"""What every executor shares: the unit of work, its outcome, the data it reads, the protocol.

The lowest module of the execution side: the runner (harness/execution/) builds `Job`s and
hands them to an `Executor`; the executors import only this module and `job.py` (process
launch), never the runner, so the two sides form no import cycle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from nb1s.harness.executors.slurm_array import SlurmRequest

Arg = str | Path


def code_root() -> Path:
    """The folder this process imports `nb1s` from (a checkout's root, or site-packages)."""
    import nb1s

    return Path(nb1s.__file__).resolve().parent.parent


def python_program(module: str) -> list[str]:
    """`python -P -m MODULE` of this interpreter, for a child that must run this code.

    Why `-P`: `python -m` otherwise puts the current directory first on `sys.path`, so a
    child started inside another checkout of the repository would import that checkout's
    `nb1s` instead of the parent's (`child_env` puts the parent's code first instead).
    """
    return [sys.executable, "-P", "-m", module]


def nb1s_program() -> list[str]:
    """The `nb1s` command line of a child process: this interpreter and this code."""
    return python_program("nb1s.harness.cli.app")


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's environment) with the parent's code first on
    PYTHONPATH, so every child imports exactly the `nb1s` its parent runs."""
    base = dict(os.environ if env is None else env)
    rest = [p for p in base.get("PYTHONPATH", "").split(os.pathsep) if p]
    root = str(code_root())
    base["PYTHONPATH"] = os.pathsep.join([root, *[p for p in rest if p != root]])
    return base

#: returncode of a job that was never started because the run was interrupted first
NOT_STARTED = -1000


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
        prog = list(self.program) if self.program is not None else nb1s_program()
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


class Interrupted(Exception):
    """An executor stopped early on Ctrl-C/SIGTERM: the jobs that finished, in job order.

    `note` says what the executor did to the unfinished ones where that is not simply
    "terminated" (containers stopped, a cluster asked to cancel tasks); it goes into the
    one line the user sees.
    """

    def __init__(self, finished: Sequence[JobResult], unfinished: Sequence[str],
                 note: str = "") -> None:
        super().__init__("interrupted")
        self.finished = list(finished)
        self.unfinished = list(unfinished)
        self.note = note


@dataclass(frozen=True)
class DataInputs:
    """Where the searches read their data (None: `nb1s search` uses its own default)."""

    nb101_dir: Path | None = None
    cifar_dir: Path | None = None


class Executor(Protocol):
    """Runs a list of jobs somewhere; results come back in job order.

    On Ctrl-C/SIGTERM it stops what it started and raises `Interrupted`.
    """

    name: str

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]: ...

    def describe(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class ExecutorSettings:
    """The executor options of `run`/`reproduce`/`check`, parsed (`--gpus` as a list)."""

    workers: int | None = None
    gpus: list[str] | None = None
    runs_per_gpu: int = 1
    gpu_memory_per_run: int | None = None
    image: str | None = None
    slurm_partition: str | None = None
    slurm_cluster: str | None = None
    timeout_min: int = 24 * 60
    #: what each Slurm task asks for (the plan's needs and the --slurm-* options)
    slurm_request: SlurmRequest | None = None


def _no_check(_: ExecutorSettings) -> None:
    return None


@dataclass(frozen=True)
class ExecutorEntry:
    """One registered executor: how to build it, and what it refuses before any data exists.

    `build(results, data, settings)` returns the executor writing into `results`;
    `check(settings)` raises a one-line UserError for settings this executor cannot honour
    (called before the slow data preparation).

    Capabilities, so that callers ask what an executor can do instead of testing its name:
    `job_arrays`: it can run a Python function over many inputs as one cluster array
    (`slurm_array.SlurmArray`; the black-box grid and hpbandster's workers need that);
    `local_processes`: its jobs run as processes of this machine (a local pool stands in
    for it where a kind runs no `nb1s` command lines, e.g. the black-box grid);
    `gpu_packing`: it can pack several searches onto one GPU (`--runs-per-gpu`).
    """

    build: Callable[[Path, DataInputs, ExecutorSettings], Executor]
    check: Callable[[ExecutorSettings], None] = _no_check
    job_arrays: bool = False
    local_processes: bool = False
    gpu_packing: bool = False
