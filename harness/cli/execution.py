"""What `nb1s run`, `nb1s reproduce` and `nb1s check` share: data, executor, progress bar.

Data folders and executors are decided in the library (`prepare_execution`, from
harness/execution/prepare.py); this module adds what only a terminal needs: the progress
bar and the one line after Ctrl-C.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from nb1s.harness.cli.output import progress_bar
from nb1s.harness.execution.options import ExecutionOptions, default_results  # noqa: F401
from nb1s.harness.execution.prepare import prepare_execution
from nb1s.harness.execution.runner import RunSummary
from nb1s.harness.executors import JobResult
from nb1s.harness.recipe.plan import Plan


@contextlib.contextmanager
def run_progress(enabled: bool) -> Iterator[tuple[Callable[[int], None] | None,
                                                   Callable[[JobResult], None] | None]]:
    """(on_start, on_done) callbacks driving one rich bar over the runs, or (None, None)."""
    with progress_bar("runs", enabled, status=True, elapsed=True, remaining=False) as bar:
        if bar is None:
            yield None, None
            return

        def on_start(total: int) -> None:
            bar.update(total=total)

        def on_done(res: JobResult) -> None:
            mark = "ok" if res.ok else f"FAILED (exit {res.returncode})"
            bar.update(advance=1, status=f"{res.key}: {mark}")

        yield on_start, on_done


def stop_if_interrupted(run: dict[str, object]) -> None:
    """After Ctrl-C/SIGTERM: one line (finished, unfinished, the resuming command), exit 130."""
    import shlex
    import sys

    from nb1s.harness.errors import RunStopped
    from nb1s.harness.execution.runner import interrupt_line

    if run.get("interrupted"):
        resume = "nb1s " + shlex.join(sys.argv[1:])
        raise RunStopped(interrupt_line(dict(run), resume), 130, "interrupted")


def execute_plan(plan: Plan, results: Path, opts: ExecutionOptions, show_progress: bool,
                 program: tuple[str, ...] | None = None) -> RunSummary:
    """Run every unfinished run of `plan` (what `nb1s run` and `nb1s check` share)."""
    from nb1s.harness.execution.runner import run_plan

    data, ex = prepare_execution(plan, results, opts)
    with run_progress(show_progress) as (on_start, on_done):
        summary = run_plan(plan, results, ex, data, on_done=on_done, on_start=on_start,
                           program=program)
    stop_if_interrupted(summary.as_dict())
    return summary
