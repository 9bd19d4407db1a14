"""Launching a job as a local child process, and stopping every child on an interrupt.

The job types themselves (`Job`, `JobResult`, `Interrupted`) live in `executors/base.py`
and are re-exported here for the callers that import them from this module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping

from nb1s.harness.executors.base import (  # noqa: F401  (re-exported)
    NOT_STARTED,
    Arg,
    Interrupted,
    Job,
    JobResult,
    child_env,
)

#: set by a parent in its children's environment: "die when process PID dies"
PARENT_ENV = "NB1S_PARENT_PID"
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child started by `run_job_process`: get SIGTERM when the parent dies.

    Why here and not in `preexec_fn`: the parent starts children from worker threads,
    where `preexec_fn` may deadlock. The parent's pid is checked first, so a parent that
    died before this line still leaves no orphan (getppid then differs: exit at once).
    Linux only (prctl); elsewhere the process-group kill of an interrupt still applies.
    """
    expected = os.environ.pop(PARENT_ENV, None)
    if expected is None or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        return
    if str(os.getppid()) != expected:
        os._exit(130)


class Children:
    """The live child processes of this process, so an interrupt can stop all of them.

    Each child runs in its own process group (session): a terminal's Ctrl-C reaches only
    the parent, which then stops launching and terminates every group itself, instead of
    the children dying one by one while queued jobs keep starting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def signal_all(self, sig: int) -> None:
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)


CHILDREN = Children()


def run_job_process(job: Job, extra_env: Mapping[str, str] | None = None) -> JobResult:
    """Run a job as a child process, appending its output to the job's log.

    Module-level (not a closure) so that submitit can pickle it for Slurm jobs. The child
    gets its own process group and dies with this process (`die_with_parent`); a job
    asked for after an interrupt is not started (`NOT_STARTED`).
    """
    if CHILDREN.stopping.is_set():
        return JobResult(job.key, NOT_STARTED, 0.0, str(job.log))
    job.log.parent.mkdir(parents=True, exist_ok=True)
    env = {**child_env(), **job.env, **(extra_env or {}), PARENT_ENV: str(os.getpid())}
    started = time.perf_counter()
    with open(job.log, "ab") as log:  # append: a resumed run keeps its earlier log
        log.write(f"$ {' '.join(job.argv())}\n".encode())
        log.flush()
        proc = subprocess.Popen(job.argv(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        CHILDREN.add(proc)
        try:
            if CHILDREN.stopping.is_set():  # interrupted while this one was starting
                os.killpg(proc.pid, signal.SIGTERM)
            code = proc.wait()
        except KeyboardInterrupt:
            # Only the main thread sees this: a submitit task that was cancelled (SIGINT).
            # The child has its own session, so pass the stop on before this process goes.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
            raise
        finally:
            CHILDREN.discard(proc)
    return JobResult(job.key, code, round(time.perf_counter() - started, 3), str(job.log))


def wait_or_kill(done: Callable[[], bool], kill: Callable[[], None], grace_s: float) -> bool:
    """After a first interrupt: wait up to `grace_s` for `done()`. A second Ctrl-C while
    waiting calls `kill()` and re-raises, so the second one always acts at once. Returns
    whether everything finished within the grace time."""
    deadline = time.monotonic() + grace_s
    try:
        while not done():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
    except KeyboardInterrupt:
        kill()
        raise
    return True


def stop_children(pending: Callable[[], None] | None = None, grace_s: float = 60.0) -> None:
    """First interrupt: stop launching, SIGTERM every child group, wait for them to record
    `interrupted`. A second Ctrl-C while waiting kills them at once (SIGKILL) and leaves.
    """
    CHILDREN.stopping.set()
    if pending is not None:
        pending()
    CHILDREN.signal_all(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    try:
        while CHILDREN._procs and time.monotonic() < deadline:
            time.sleep(0.05)
    except KeyboardInterrupt:
        CHILDREN.signal_all(signal.SIGKILL)
        raise
    CHILDREN.signal_all(signal.SIGKILL)
