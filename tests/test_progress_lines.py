"""Progress off a terminal: one line per finished unit on stdout, with elapsed and remaining.

Long commands used to print nothing into a pipe for minutes (CI logs, `tee`, Slurm logs).
The line writer is tested with a fake clock (the remaining estimate is the rate since the
first count moved x what is left, so a wrong formula or a replayed count fails), then
through real pipes: `nb1s search` and `nb1s
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
    # one count is no rate yet: nothing rather than a guess; then 1 unit per 30 s x 2 left
    assert lines == ["runs 1/4 (darts/space1/seed0: ok), elapsed 30s",
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
    assert buffer.getvalue().splitlines() == ["runs 50/500, elapsed 0s",
                                              "runs 500/500, elapsed 0s"]


def test_units_replayed_on_resume_are_not_fast_work() -> None:
    # a search resumed at epoch 30 of 50 reports 31/50 after its first epoch here (10 s)
    bar, buffer, now = _writer()
    now[0] += 10
    bar.update(completed=31, total=50)
    now[0] += 10
    bar.update(completed=32, total=50)
    now[0] += 10
    bar.update(completed=33, total=50)
    # elapsed / done x left would say ~6s, then ~12s; the rate here is 10 s per epoch
    assert buffer.getvalue().splitlines() == ["runs 31/50, elapsed 10s",
                                              "runs 32/50, elapsed 20s, ~3m00s left",
                                              "runs 33/50, elapsed 30s, ~2m50s left"]


def test_a_burst_after_a_long_start_is_no_rate() -> None:
    # two parallel runs: the first lands after 52 s of start-up and work, the second 1 s on
    bar, buffer, now = _writer()
    bar.update(total=2)
    now[0] += 52
    bar.update(advance=1, status="a: ok")
    now[0] += 1
    bar.update(advance=1, status="b: ok")
    assert buffer.getvalue().splitlines() == ["runs 1/2 (a: ok), elapsed 52s",
                                              "runs 2/2 (b: ok), elapsed 53s"]
    assert bar.remaining(now[0]) is None


def test_the_rate_counts_units_since_the_first_count() -> None:
    bar, _, now = _writer()
    bar.set_counts(0, 10)
    now[0] += 100  # start-up before anything finished
    bar.set_counts(4, 10)
    now[0] += 8
    bar.set_counts(6, 10)
    assert bar.remaining(now[0]) == 16.0  # 2 units in 8 s, 4 left; not 108 / 6 x 4 = 72
    bar.set_counts(10, 10)
    assert bar.remaining(now[0]) is None


def test_byte_counters_print_every_ten_seconds() -> None:
    bar, buffer, now = _writer("bytes")
    for _ in range(30):
        now[0] += 1
        bar.set_counts(int(now[0] - 100) * 2**20, 30 * 2**20)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "runs 1/30 MiB, elapsed 1s"
    assert lines[1] == "runs 11/30 MiB, elapsed 11s, ~19s left"
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
    # the first epoch is no rate yet (it holds the start-up); the last has nothing left
    assert "test regret" in lines[0] and "left" not in lines[0] and "left" not in lines[-1]


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
