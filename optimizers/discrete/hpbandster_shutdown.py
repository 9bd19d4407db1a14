"""Stopping an hpbandster master without deadlocking on an interrupt.

Why a module of its own: three places run hpbandster's Pyro master (the black-box HB/BOHB
engine, the BOHB-one-shot run and its Slurm array task); each needs the same two repairs
when `Master.run` is left by an exception (Ctrl-C), and each shut down the same way.
"""

from __future__ import annotations

import queue
import threading
from typing import Any


def let_go(condition: threading.Condition) -> None:
    """Release `condition` as often as this thread holds it (not at all when it does not).

    Why: hpbandster's `Master.run` takes its condition before its loop and releases it only
    after the loop, not in a `finally`; an interrupt in its `wait()` re-acquires the lock and
    leaves with it held. A result that then reaches the dispatcher holds the dispatcher's
    lock while it waits for this condition in `job_callback`, and `shutdown()` waits for the
    dispatcher's lock: a deadlock (CI saw Ctrl-C on `reproduce fig5` hang for 120 s when the
    stopped evaluation's result won that race).
    """
    while True:
        try:
            condition.release()
        except RuntimeError:  # not (or no longer) held by this thread
            return


def drop_queued_jobs(master: Any) -> None:
    """Forget jobs submitted but not yet handed to a worker, under the dispatcher's lock.

    Why: hpbandster's job runner holds that lock while it sends a job to a worker; sent
    to a worker that shutdown has just stopped, the send raises in that thread with the
    lock still held, and every later shutdown step waits for it forever.
    """
    dispatcher = master.dispatcher
    with dispatcher.runner_cond:
        while True:
            try:
                dispatcher.waiting_jobs.get_nowait()
            except queue.Empty:
                return


def shut_down(master: Any) -> None:
    """Stop `master`, its dispatcher and its workers, also after an interrupted `run()`."""
    let_go(master.thread_cond)
    drop_queued_jobs(master)
    master.shutdown(shutdown_workers=True)
