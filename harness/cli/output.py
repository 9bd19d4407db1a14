"""Machine (`--json`) or human (rich) output, chosen once per command.

Commands compute a plain, JSON-serialisable result and hand it here together with a
function that renders it for people; no module both computes and prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

#: Width used when output is not a terminal (piped, captured, redirected to a file). Rich
#: would fall back to 80 columns and wrap every word of a wide table; nothing downstream of
#: a pipe needs that, and a file is easier to read with whole rows.
WIDE_DEFAULT = 200


def console_width(stream: Any) -> int | None:
    """Columns for a console writing to `stream`: None (rich measures) on a terminal or when
    $COLUMNS is set, else `WIDE_DEFAULT`."""
    if os.environ.get("COLUMNS", "").isdigit():
        return None
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    return WIDE_DEFAULT


console = Console(width=console_width(sys.stdout))
err_console = Console(stderr=True, width=console_width(sys.stderr))


def emit(result: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `result` as one JSON document, or render it with rich."""
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=False) + "\n")
    else:
        render(result)


class ProgressTask:
    """The one task of a `progress_bar` on a terminal: move it, size it, set its status."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def update(self, *, completed: float | None = None, total: float | None = None,
               advance: float | None = None, status: str | None = None) -> None:
        """Change what is given; None leaves a value as it is."""
        self._progress.update(self._task, completed=completed, total=total, advance=advance)
        if status is not None:
            self._progress.update(self._task, status=status)

    def set_counts(self, done: int, total: int) -> None:
        """`update(done, total)` callbacks of the importer and the synthesizer."""
        self.update(completed=done, total=total)


def _clock(seconds: float) -> str:
    """`1h02m`, `3m05s`, `42s`: elapsed and remaining times in a log line."""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class LineProgress:
    """A `progress_bar` off a terminal: one plain line on stdout per finished unit.

    Why lines: a transient bar means nothing in a pipe, `tee`, a CI or Slurm log, where long
    commands used to print nothing for many minutes. A line is printed when the count
    advances (a finished run, a seed batch, an epoch) and at most one per `every` seconds
    (2 s; 10 s for byte counters: an import advances thousands of times; the seeds of one
    batch all finish at once), the last one always; each says done/total, the
    status, the elapsed time and, once there is a rate, a remaining estimate.

    The rate counts only units this process was seen finishing: it runs from the first
    update that moved the count to the latest one (seconds between them / units between
    them x what is left). The first count is not a rate: a resumed search reports the
    epochs it replays from its checkpoint in its first count, parallel runs land in a burst
    after a long wait, and the start-up (opening data, spawning workers) lies before it;
    counting any of those as work made the first estimate wrong both ways (`~52s left`,
    done a second later). Until a second count arrives no estimate is printed.
    """

    def __init__(self, description: str, out: Console, counter: str = "count",
                 every: float | None = None, clock: Callable[[], float] | None = None
                 ) -> None:
        import time

        self._description = description
        self._out = out
        self._bytes = counter == "bytes"
        self._every = every if every is not None else (10.0 if self._bytes else 2.0)
        self._clock = clock or time.monotonic
        self._start = self._clock()
        self._last = float("-inf")
        # (count, time) of the first update that moved the count; the rate starts there
        self._first: tuple[float, float] | None = None
        self.done = 0.0
        self.total: float | None = None
        self.status = ""

    def update(self, *, completed: float | None = None, total: float | None = None,
               advance: float | None = None, status: str | None = None) -> None:
        """As `ProgressTask.update`; prints a line when the count moved."""
        before = self.done
        if total is not None:
            self.total = total
        if completed is not None:
            self.done = completed
        if advance is not None:
            self.done += advance
        if status is not None:
            self.status = status
        now = self._clock()
        if self._first is None and self.done != before:
            self._first = (self.done, now)
        finished = self.total is not None and self.done >= self.total
        if self.done > before and (now - self._last >= self._every or finished):
            self._last = now
            self._out.print(self.line(now), highlight=False, soft_wrap=True)

    def set_counts(self, done: int, total: int) -> None:
        self.update(completed=done, total=total)

    def line(self, now: float) -> str:
        """`runs 3/15 (darts/space1/seed2: ok), elapsed 1m12s, ~4m48s left`."""
        elapsed = now - self._start
        if self._bytes:
            done = f"{self.done / 2**20:.0f}"
            count = f"{done}/{self.total / 2**20:.0f} MiB" if self.total else f"{done} MiB"
        else:
            count = f"{self.done:g}/{self.total:g}" if self.total else f"{self.done:g}"
        text = f"{self._description} {count}"
        if self.status:
            text += f" ({self.status})"
        text += f", elapsed {_clock(elapsed)}"
        left = self.remaining(now)
        if left is not None:
            text += f", ~{_clock(left)} left"
        return text

    def remaining(self, now: float) -> float | None:
        """Seconds left at the rate of the units finished since the first count moved;
        None without such a rate (one count so far) or when nothing is left."""
        if self._first is None or not self.total or self.done >= self.total:
            return None
        first_done, first_time = self._first
        if self.done <= first_done or now <= first_time:
            return None
        return (now - first_time) / (self.done - first_done) * (self.total - self.done)


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool, *, counter: Literal["count", "bytes"] = "count",
                 status: bool = False, elapsed: bool = False, remaining: bool = True
                 ) -> Iterator[ProgressTask | LineProgress | None]:
    """The rich progress bar every long command shows on stderr on a terminal, else one line
    per finished unit on stdout (`LineProgress`); None when disabled (`--json`).

    Columns: description, bar, done/total (`bytes`: as sizes), then optionally a status
    text, the elapsed and the remaining time.
    """
    if not enabled:
        yield None
        return
    # A transient bar means nothing in a log or a pipe (and would leave a stray newline).
    if not err_console.is_terminal:
        yield LineProgress(description, console, counter)
        return
    columns: list[ProgressColumn] = [
        TextColumn("{task.description}"), BarColumn(),
        DownloadColumn() if counter == "bytes" else MofNCompleteColumn()]
    if status:
        columns.append(TextColumn("{task.fields[status]}"))
    if elapsed:
        columns.append(TimeElapsedColumn())
    if remaining:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        yield ProgressTask(bar, bar.add_task(description, total=None, status=""))
