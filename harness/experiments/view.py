"""What every kind's human view shares: the run summary, labels, outcome, cannot-run.

Views print to rich's global console (`rich.get_console()`); the CLI sets its width once
(nb1s.harness.cli.app), so the experiment layer never imports the CLI.
"""

from __future__ import annotations

from typing import Any

import rich
from rich.console import Console
from rich.markup import escape

from nb1s.harness.report.number_format import format_number


def out() -> Console:
    """The console every view prints to."""
    return rich.get_console()


#: a table cell: `-` for a missing value, floats with a format spec (the one formatter the
#: terminal views and the Markdown report share)
fmt = format_number


def render_run(result: dict[str, Any]) -> None:
    """What `run_plan` did: started / resumed / skipped / failed runs and blocked variants."""
    console = out()
    console.print(f"results: {result['results']}  executor: {result['executor']['executor']}")
    if result["executor"].get("note"):
        console.print(f"[yellow]{escape(str(result['executor']['note']))}[/]")
    console.print(f"started {len(result['started'])}, resumed {len(result['resumed'])}, "
                  f"skipped (finished) {len(result['skipped'])}, failed {len(result['failed'])}"
                  f"  ({result['seconds']} s)")
    for f in result["failed"]:
        console.print(f"[red]failed[/] {f['run']} (exit {f['returncode']}), log: {f['log']}")
    for b in result["blocked"]:
        console.print(f"[yellow]cannot run yet[/] {escape(b['label'])}: {escape(b['reason'])}")


def print_labels(labels: list[str]) -> None:
    """Smoke / synthetic results say so first, in bold."""
    if labels:
        out().print(f"[bold yellow]{' / '.join(x.upper() for x in labels)}: not a "
                    "reproduction of the paper[/]")


def print_outcome(result: dict[str, Any], details: tuple[str, ...] = ()) -> None:
    """Plots, `details` (a kind's extra files), report path, diff notes and the verdict."""
    console = out()
    console.print(f"plots: {', '.join(result['plots']) or 'none'}")
    for line in details:
        console.print(line)
    console.print(f"diff report: {result['diff']['markdown']}")
    for note in result["diff"]["notes"]:
        console.print(f"  note: {escape(note)}")
    v = result["diff"]["verdict"]
    color = {"pass": "green", "fail": "red"}.get(v["status"], "yellow")
    console.print(f"[{color}]{escape(v['line'])}[/]")


def render_cannot_run(result: dict[str, Any]) -> None:
    """A recipe none of whose parts can run in this nb1s: what blocks it."""
    console = out()
    console.print(f"[yellow]{result['recipe']} cannot run yet:[/]")
    for b in result["blocked"]:
        console.print(f"  {escape(b['label'])}: {escape(b['reason'])}")
