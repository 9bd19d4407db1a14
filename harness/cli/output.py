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
    """The one task of a `progress_bar`: move it, size it, set its status text."""

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


@contextlib.contextmanager
def progress_bar(description: str, enabled: bool, *, counter: Literal["count", "bytes"] = "count",
                 status: bool = False, elapsed: bool = False, remaining: bool = True
                 ) -> Iterator[ProgressTask | None]:
    """The rich progress bar every long command shows on stderr; None when there is none.

    Columns: description, bar, done/total (`bytes`: as sizes), then optionally a status
    text, the elapsed and the remaining time.
    """
    # A transient bar means nothing in a log or a pipe (and would leave a stray newline).
    if not enabled or not err_console.is_terminal:
        yield None
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
