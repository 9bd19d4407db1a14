"""Run jobs on a pool of worker slots and collect their results: what the local and the
Docker executors share.

A slot is what one worker owns for its whole life (an environment with its GPU, or a GPU
id for a container); a job takes a free slot, runs, and gives it back, so two jobs never
share a GPU. Results come back in job order. On Ctrl-C the executor's `stop` decides how
the running jobs end (signals to process groups, `docker stop`); this module then keeps
the jobs that finished and raises `Interrupted` with the executor's note.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TypeVar

from nb1s.harness.executors.base import Interrupted, Job, JobResult

Slot = TypeVar("Slot")

#: `stop(cancel_queued, futures)`: on the first Ctrl-C, start nothing new (call
#: `cancel_queued`), end the running jobs, wait as the executor sees fit; returns the note
#: for the user ("" when the jobs were simply terminated)
Stop = Callable[[Callable[[], None], Sequence["Future[JobResult]"]], str]


def all_done(futures: Sequence[Future[JobResult]]) -> bool:
    """Whether every future finished or was cancelled.

    Why not `concurrent.futures.wait`: a future cancelled by `shutdown(cancel_futures=True)`
    is never picked up by a worker, so `wait` would block on it forever; `done()` counts it.
    """
    return all(f.done() for f in futures)


def run_on_slots(jobs: Sequence[Job], slots: Sequence[Slot],
                 run_one: Callable[[Job, Slot], JobResult], stop: Stop,
                 on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
    """Run every job with `run_one(job, slot)`, `len(slots)` at a time (see module doc)."""
    free: queue.Queue[Slot] = queue.Queue()
    for slot in slots:
        free.put(slot)

    def one(job: Job) -> JobResult:
        slot = free.get()
        try:
            return run_one(job, slot)
        finally:
            free.put(slot)

    results: dict[str, JobResult] = {}
    pool = ThreadPoolExecutor(max_workers=len(slots))
    futures = [pool.submit(one, job) for job in jobs]
    try:
        for fut in as_completed(futures):
            res = fut.result()
            results[res.key] = res
            if on_done is not None:
                on_done(res)
    except KeyboardInterrupt:
        note = stop(lambda: pool.shutdown(wait=False, cancel_futures=True), futures)
        for fut in futures:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                res = fut.result()
                results.setdefault(res.key, res)
        finished = [results[j.key] for j in jobs if j.key in results and results[j.key].ok]
        done = {r.key for r in finished}
        raise Interrupted(finished, [j.key for j in jobs if j.key not in done], note) from None
    finally:
        pool.shutdown(wait=True)
    return [results[j.key] for j in jobs]
