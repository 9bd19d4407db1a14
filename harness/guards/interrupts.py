"""SIGTERM handled like Ctrl-C, so every way of stopping a run takes the same clean path.

A scheduler, `kill` or a parent stopping its children sends SIGTERM; Python's default is
to die on the spot, leaving `run.json` at `running`. Turning it into `KeyboardInterrupt`
lets the one interrupt handler record `interrupted` (searches) or write the finished part
(recipes) whichever signal arrived.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (main thread only; no-op else)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM while the final status is written (no half-written stop)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
    old_term = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back during the block and deliver them right after it.

    For steps that must not be cut in half: starting a worker process of a pool, for
    example, where an interrupt between the launch and its registration leaves a worker
    nobody knows to stop. Unlike `signals_ignored`, nothing is lost: a Ctrl-C pressed
    meanwhile raises as soon as the block ends. Main thread only (no-op elsewhere).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
