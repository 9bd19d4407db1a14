"""The shared output helpers: one number formatter, one progress bar for every command."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from nb1s.harness.cli import output
from nb1s.harness.report.number_format import format_number


def test_format_number() -> None:
    assert format_number(None) == "-"
    assert format_number(0.0123456) == "0.01235"
    assert format_number(0.0123456, ".3g") == "0.0123"
    assert format_number(3) == "3" and format_number("n/a") == "n/a"
    assert format_number(True) == "True"


def test_terminal_and_markdown_share_the_formatter() -> None:
    from nb1s.harness.cli import recipe_view
    from nb1s.harness.report import diff_report

    assert recipe_view._fmt is format_number
    assert diff_report.num is format_number


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160)
    monkeypatch.setattr(output, "err_console", console)
    return buffer


def _columns(**kwargs: object) -> list[str]:
    with output.progress_bar("x", True, **kwargs) as bar:  # type: ignore[arg-type]
        assert bar is not None
        return [type(c).__name__ for c in bar._progress.columns]


def test_no_bar_without_a_terminal_or_when_disabled(terminal: io.StringIO) -> None:
    """Disabled (--json): nothing; off a terminal: lines on stdout instead of a bar
    (tests/test_progress_lines.py)."""
    with output.progress_bar("x", False) as bar:
        assert bar is None
    terminal_console, stdout_console = output.err_console, output.console
    output.err_console = Console(file=io.StringIO(), force_terminal=False)
    output.console = Console(file=(log := io.StringIO()), force_terminal=False)
    try:
        with output.progress_bar("x", True) as bar:
            assert isinstance(bar, output.LineProgress)
            bar.set_counts(1, 2)
    finally:
        output.err_console, output.console = terminal_console, stdout_console
    assert log.getvalue().startswith("x 1/2, elapsed ")


def test_the_three_bars_keep_their_columns(terminal: io.StringIO) -> None:
    # nb1s data import / synth
    assert _columns(counter="bytes") == ["TextColumn", "BarColumn", "DownloadColumn",
                                         "TimeRemainingColumn"]
    assert _columns() == ["TextColumn", "BarColumn", "MofNCompleteColumn",
                          "TimeRemainingColumn"]
    # nb1s search (per epoch)
    assert _columns(status=True, elapsed=True) == [
        "TextColumn", "BarColumn", "MofNCompleteColumn", "TextColumn", "TimeElapsedColumn",
        "TimeRemainingColumn"]
    # nb1s run / reproduce / check (per run)
    assert _columns(status=True, elapsed=True, remaining=False) == [
        "TextColumn", "BarColumn", "MofNCompleteColumn", "TextColumn", "TimeElapsedColumn"]


def test_callers_drive_the_shared_bar(terminal: io.StringIO) -> None:
    from nb1s.harness.cli.execution import run_progress
    from nb1s.harness.cli.search_cmd import epoch_bar
    from nb1s.harness.executors import JobResult

    with epoch_bar("darts space 1", True) as update:
        assert update is not None
        update(1, 2, {"test_regret": 0.5, "oneshot_valid_error": 0.25})
    with run_progress(True) as (on_start, on_done):
        assert on_start is not None and on_done is not None
        on_start(2)
        on_done(JobResult(key="darts/space1/seed0", returncode=3, seconds=1.0, log="x.log"))
    text = terminal.getvalue()
    assert "test regret 0.5000  one-shot valid err 0.250" in text
    assert "darts/space1/seed0: FAILED (exit 3)" in text
