"""A function mapped over many inputs on worker processes of this machine.

The local counterpart of `slurm_array.SlurmArray`, with the same calls (`submit` /
`map_array` returning one handle per input in input order, `watch`, `cancel`), so that a
caller asks `executors.task_map` to "map these tasks" and runs them locally or on Slurm
by the executor's capabilities. The black-box grid's worker processes run through it.

What it owns, so that no caller repeats it:

- a fork server (`multiprocessing`'s "forkserver" context): one interpreter start and one
  import of the preloaded modules for the whole pool (spawning every worker costs seconds
  on a loaded machine), and no fork of this possibly multi-threaded process;
- `env`: variables the fork server, and so every worker, starts with (the black-box grid
  sets `PYTHONHASHSEED=0`, which SMAC3 needs to run in-process);
- quiet workers: the fork server starts with SIGINT blocked, which its workers inherit,
  so a Ctrl-C at a terminal (sent to the whole process group) interrupts this process
  only, and this process stops the workers; their output goes to `log` (when given)
  instead of the user's terminal, so nothing a worker prints can follow the one line
  an interrupt promises;
- `stop`: on Ctrl-C, SIGTERM or an error, queued tasks are dropped and running workers
  terminated at once (a SMAC seed runs for minutes), and so is the fork server with any
  worker it forked that the pool never learnt of: starting a worker waits for the server
  to finish its imports (seconds, minutes on a loaded machine), and an interrupt during
  that wait is not held back (Ctrl-C stops in seconds), so that worker is never
  registered. Left alive, it would start after this process has unlinked the pool's
  semaphores and fail with a traceback.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import forkserver, get_context
from pathlib import Path
from types import TracebackType
from typing import Any

from nb1s.harness.executors.descriptors import output_to
from nb1s.harness.guards.interrupts import signals_ignored

#: where the workers' stdout/stderr go inside the folder a caller names
WORKER_LOG = "local-workers.log"
#: fork server pid -> the (env, log) it was started with (`ProcessPool.start`)
_STARTED_WITH: dict[int, tuple[tuple[tuple[str, str], ...], str]] = {}


def _server_pid() -> int | None:
    """The pid of this process's fork server, None when none was started (or it was
    stopped); one that died by itself is noticed by `ensure_running`."""
    pid: int | None = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    return pid


class ProcessPool:
    """`workers` worker processes of this machine; use it as a context manager."""

    #: its tasks start at once: nothing to gain from grouping inputs into long tasks
    #: (a job array's tasks are scheduled jobs, each with start-up and accounting costs)
    scheduled = False

    def __init__(self, workers: int, *, env: Mapping[str, str] | None = None,
                 preload: Sequence[str] = (), log: Path | None = None) -> None:
        if int(workers) < 1:
            raise ValueError(f"a process pool needs at least one worker, not {workers}")
        self.workers = int(workers)
        self.env = dict(env or {})
        self.preload = tuple(dict.fromkeys(preload))
        self.log = log
        self._pool: ProcessPoolExecutor | None = None

    # --- life cycle ----------------------------------------------------------------------

    def __enter__(self) -> ProcessPool:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:  # Ctrl-C, SIGTERM or an error: finished results stay, the rest stops now
            self.stop()

    def start(self) -> None:
        """Start the fork server (with `env`, SIGINT blocked, output to `log`) and the pool
        object; workers start on the first `submit`.

        The fork server is one per process. One already running is kept when it was
        started with this pool's `env` and `log` (its preloaded modules only save the
        workers an import), else stopped and started anew: a worker must never run with
        another pool's environment. Pools with different settings therefore do not run
        at the same time in one process (nb1s runs one pool at a time)."""
        context = get_context("forkserver")
        context.set_forkserver_preload(list(self.preload))
        wanted = (tuple(sorted(self.env.items())), str(self.log))
        running = _server_pid()
        if running is not None and _STARTED_WITH.get(running) != wanted:
            stop_server()
        with _server_start(self.env, self.log):
            forkserver.ensure_running()
        started = _server_pid()
        if started is not None:
            _STARTED_WITH[started] = wanted
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def close(self) -> None:
        """Wait for the submitted tasks and end the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def stop(self) -> None:
        """Drop the queued tasks and terminate the workers now (see `stop_workers`);
        a second Ctrl-C meanwhile cannot cut that in half (it ends in seconds)."""
        if self._pool is not None:
            with signals_ignored():
                stop_workers(self._pool)
            self._pool = None

    # --- the calls SlurmArray has too --------------------------------------------------

    def submit(self, fn: Callable[..., Any], *inputs: Sequence[Any]) -> list[Future[Any]]:
        """`fn(*args)` for each zipped tuple of `inputs`, one task each; futures in input
        order. Workers start here, as tasks need them."""
        if self._pool is None:
            raise RuntimeError("ProcessPool.submit outside its `with` block")
        pool = self._pool
        return [pool.submit(fn, *args) for args in zip(*inputs, strict=True)]

    #: the name submitit's executors use
    map_array = submit

    def watch(self, handles: Sequence[Future[Any]]) -> None:
        """Nothing to watch: a local task never pends for a scheduler's reasons."""
        return None

    def wait(self, handles: Sequence[Future[Any]]) -> None:
        """Until every task has ended (each result is then read by the caller)."""
        from concurrent.futures import wait

        wait(handles)

    @staticmethod
    def cancel(handles: Sequence[Future[Any]]) -> list[str]:
        """Cancel every task not started yet; their positions, as strings."""
        return [str(k) for k, h in enumerate(handles) if not h.done() and h.cancel()]


@contextlib.contextmanager
def _server_start(env: Mapping[str, str], log: Path | None) -> Iterator[None]:
    """While the fork server starts: `env` set, SIGINT held back, fds 1 and 2 on `log`.

    The server inherits all three at its start and hands them to every worker it forks.
    SIGINT is blocked in this thread's signal mask, which a process inherits across fork
    and exec: the server and its workers never receive it (the process group's Ctrl-C
    is this process's to handle; it stops them). In this process nothing is lost: a
    Ctrl-C meanwhile (blocked, or received by another thread and noted by a handler
    that does not raise mid-start) is raised as soon as the server is started.
    Everything is restored afterwards.
    """
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    received: list[int] = []
    handler: Any = None
    mask: set[int | signal.Signals] | None = None
    if _main_thread():
        handler = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    redirect = output_to(log) if log is not None else contextlib.nullcontext()
    try:
        with redirect:
            yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending one is noted now
            signal.signal(signal.SIGINT, handler)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if received:
            signal.raise_signal(signal.SIGINT)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes, then shut it down without waiting for their tasks.

    `ProcessPoolExecutor` (before Python 3.14's `terminate_workers`) only offers waiting
    for the running tasks; its process table is the one way to stop them at once. The
    table is read again after the pool's manager thread has ended: a worker it was still
    starting must be gone before the pool's semaphores are unlinked at exit, or that
    worker fails to start with a traceback.
    """
    def terminate_all() -> None:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, AttributeError):
                process.terminate()
        for process in processes:
            with contextlib.suppress(OSError, AttributeError, ValueError, AssertionError):
                process.join(timeout=5)

    terminate_all()
    # Read before shutdown(), which sets the attribute to None: the manager thread closes
    # its wake-up pipe as it ends, and the interpreter's exit hook
    # (concurrent.futures.process._python_exit) writes to that pipe from the main thread.
    # A manager still ending at exit raced that write (EBADF traceback after the one
    # line, seen under load). shutdown() has already woken it, so the hook is dropped.
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout=5)
        with contextlib.suppress(Exception):
            from concurrent.futures import process as futures_process

            futures_process._threads_wakeups.pop(manager, None)
    terminate_all()
    for child in multiprocessing.active_children():  # any worker the table no longer lists
        with contextlib.suppress(OSError, AttributeError):
            child.terminate()
            child.join(timeout=5)
    stop_server()


def stop_server() -> None:
    """Stop the fork server and every process it forked, now.

    The server is paused first (SIGSTOP), so it forks nothing between the look at its
    children and their end; its children (workers, also one being started that no pool
    registered) are terminated and waited for; then the server is killed (it may be
    busy importing for a long time and would only notice a request to stop afterwards).
    Nothing is lost: a worker's results are files written atomically or futures already
    read. The next pool of this process starts a new server (`forkserver.ensure_running`).
    """
    import psutil

    server = forkserver._forkserver
    pid = _server_pid()
    if pid is None:
        return
    _STARTED_WITH.pop(pid, None)
    try:
        os.kill(pid, signal.SIGSTOP)
        children = psutil.Process(pid).children(recursive=True)
    except (OSError, psutil.Error):
        children = []
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    psutil.wait_procs(children, timeout=5)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(Exception):  # closes its "alive" pipe, reaps it, unlinks
        server._stop_unlocked()  # type: ignore[attr-defined]
