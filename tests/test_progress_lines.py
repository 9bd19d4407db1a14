"""Progress off a terminal: one line per finished unit on stdout, with elapsed and remaining.

Long commands used to print nothing into a pipe for minutes (CI logs, `tee`, Slurm logs).
The line writer is tested with a fake clock (the remaining estimate is elapsed / done x
left, so a wrong formula fails), then through real pipes: `nb1s search` and `nb1s
blackbox` (`nb1s reproduce` piped: tests/test_reproduce_smoke.py).
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from nb1s.harness.cli.output import LineProgress

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]
TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=1"]


def _writer(counter: str = "count") -> tuple[LineProgress, io.StringIO, list[float]]:
    buffer = io.StringIO()
    now = [100.0]
    bar = LineProgress("runs", Console(file=buffer, width=200), counter,
                       clock=lambda: now[0])
    return bar, buffer, now


def test_one_line_per_finished_run_with_elapsed_and_remaining() -> None:
    bar, buffer, now = _writer()
    bar.update(total=4)
    assert buffer.getvalue() == ""  # sizing the task is not progress
    now[0] += 30
    bar.update(advance=1, status="darts/space1/seed0: ok")
    now[0] += 30
    bar.update(advance=1, status="gdas/space1/seed0: FAILED (exit 1)")
    lines = buffer.getvalue().splitlines()
    assert lines == ["runs 1/4 (darts/space1/seed0: ok), elapsed 30s, ~1m30s left",
                     "runs 2/4 (gdas/space1/seed0: FAILED (exit 1)), elapsed 1m00s, "
                     "~1m00s left"]
    now[0] += 60
    bar.update(advance=2, status="last")
    assert buffer.getvalue().splitlines()[-1] == "runs 4/4 (last), elapsed 2m00s"


def test_bursts_are_one_line_and_the_last_is_always_printed() -> None:
    bar, buffer, _ = _writer()
    bar.set_counts(0, 500)
    for done in range(50, 501, 50):  # ten seed batches landing in the same second
        bar.set_counts(done, 500)
    assert buffer.getvalue().splitlines() == ["runs 50/500, elapsed 0s, ~0s left",
                                              "runs 500/500, elapsed 0s"]


def test_byte_counters_print_every_ten_seconds() -> None:
    bar, buffer, now = _writer("bytes")
    for _ in range(30):
        now[0] += 1
        bar.set_counts(int(now[0] - 100) * 2**20, 30 * 2**20)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "runs 1/30 MiB, elapsed 1s, ~29s left"
    assert len(lines) == 4 and lines[-1] == "runs 30/30 MiB, elapsed 30s"


def test_piped_search_prints_a_line_per_epoch(search_data: dict[str, Path],
                                             tmp_path: Path) -> None:
    sets = [x for item in TINY for x in ("--set", item)]
    proc = subprocess.run([*NB1S, "search", "gdas", "--space", "1", "--epochs", "3",
                           "--out", str(tmp_path / "run"), "--data-dir",
                           str(search_data["nb101"]), "--cifar-dir", str(search_data["cifar"]),
                           *sets], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "elapsed" in line]
    counts = [line.split(" (")[0].rsplit(" ", 1)[1] for line in lines]
    # the first and the last epoch always; one in between unless within 2 s of the first
    assert counts[0] == "1/3" and counts[-1] == "3/3" and len(counts) in (2, 3)
    assert "test regret" in lines[0] and "left" in lines[0] and "left" not in lines[-1]


def test_piped_blackbox_prints_its_seed_batches(search_data: dict[str, Path],
                                                tmp_path: Path) -> None:
    proc = subprocess.run([*NB1S, "blackbox", "RS", "--space", "1", "--seeds", "0-99",
                           "--evaluations", "20", "--out", str(tmp_path / "bb"), "--data-dir",
                           str(search_data["nb101"])], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if "elapsed" in line]
    assert lines and lines[-1].startswith("RS space 1 100/100, elapsed")
    json_run = subprocess.run([*NB1S, "blackbox", "RS", "--space", "1", "--seeds", "0-99",
                               "--evaluations", "20", "--out", str(tmp_path / "bb2"),
                               "--data-dir", str(search_data["nb101"]), "--json"],
                              capture_output=True, text=True, timeout=300)
    assert json_run.stdout.lstrip().startswith("{")  # --json: the document only
