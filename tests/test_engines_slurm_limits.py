"""Slurm ending or never starting a task, on the real single-node cluster (`make engines`).

- A time-out: a one-run recipe that trains longer than a minute, with `--timeout-min 1`.
  Slurm stops the task at its limit (sacct: TIMEOUT); the search records `interrupted` at
  its last saved epoch; nb1s says so in one line, exit 1. A minute is Slurm's smallest
  limit and slurmctld looks at limits every 30 s, so this test takes 1-2 minutes.
- A task that can never start: the array submitted to a partition that is DOWN, or whose
  `MinNodes=2` this one-node cluster cannot meet (a limit the `sinfo` check before
  submitting does not read), pends with Slurm's reason (PartitionDown,
  PartitionNodeLimit); nb1s cancels the array and names the reason in one line, exit 2,
  within seconds. The plan's searches, the black-box grid and hpbandster's workers wait
  through the same watch; Figure 5 cancels its other arrays too. The partitions are made
  with `scontrol create` for the test and deleted after it: the cluster's own partition
  is never touched.

Skipped, with the reason, where no cluster answers.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from engine_flow import NB1S, ROOT, run
from engines import slurm_reason, squeue_names

REASON = slurm_reason()
pytestmark = [pytest.mark.engines,
              pytest.mark.skipif(REASON is not None, reason=f"Slurm: {REASON}")]


def _scontrol(*args: str) -> None:
    subprocess.run(["scontrol", *args], check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def _partition(name: str, setting: str) -> Iterator[str]:
    """A partition of this cluster's node(s) with `setting`; deleted after."""
    subprocess.run(["scontrol", "delete", f"PartitionName={name}"], capture_output=True,
                   timeout=30, check=False)  # left by an earlier run that was killed
    made = subprocess.run(["scontrol", "create", f"PartitionName={name}", "Nodes=ALL",
                           setting], capture_output=True, text=True, timeout=30, check=False)
    if made.returncode != 0:  # a cluster this user does not administer (CI's is root's)
        pytest.skip(f"Slurm: `scontrol create PartitionName` was refused "
                    f"({made.stderr.strip()}); a test partition needs the cluster's admin")
    try:
        yield name
    finally:
        subprocess.run(["scancel", "--partition", name], capture_output=True, timeout=30,
                       check=False)
        _scontrol("delete", f"PartitionName={name}")


@pytest.fixture(params=[("State=DOWN", "PartitionDown"),
                        ("MinNodes=2", "PartitionNodeLimit")], ids=["down", "min-nodes"])
def blocked_partition(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A partition whose jobs can never start, and the reason Slurm gives."""
    setting, reason = request.param
    with _partition(f"nb1s-test-{request.param_index}", setting) as name:
        yield name, reason


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [x for x in done.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


def _nothing_queued_in(partition: str) -> bool:
    out = subprocess.run(["squeue", "-h", "-p", partition, "-o", "%i"], capture_output=True,
                         text=True, timeout=30, check=False).stdout
    return out.strip() == ""


def test_a_plan_pending_for_a_configuration_reason_is_one_line_with_slurm_s_reason(
        blocked_partition: tuple[str, str], tmp_path: Path) -> None:
    partition, reason = blocked_partition
    started = time.monotonic()
    done = run([*NB1S, "reproduce", "fig2", "--profile", "smoke", "--out",
                str(tmp_path / "out"), "--smoke-data", str(tmp_path / "data"), "--json",
                "--executor", "slurm", "--slurm-partition", partition], timeout=300)
    line = _one_line(done)
    assert done.returncode == 2, done.stderr
    assert f"pends: {reason} (" in line and "the array was cancelled (10 task(s))" in line
    assert "--slurm-partition" in line
    assert time.monotonic() - started < 120  # seconds after submitting, not a wait
    assert _nothing_queued_in(partition)


def test_a_blackbox_array_pending_for_a_configuration_reason_is_one_line(
        blocked_partition: tuple[str, str], tmp_path: Path) -> None:
    partition, reason = blocked_partition
    done = run([*NB1S, "reproduce", "blackbox", "--profile", "smoke", "--out",
                str(tmp_path / "out"), "--json", "--executor", "slurm",
                "--slurm-partition", partition], timeout=300)
    line = _one_line(done)
    assert done.returncode == 2, done.stderr
    assert f"pends: {reason} (" in line and "the array was cancelled" in line
    assert _nothing_queued_in(partition)


def test_fig5_pending_for_a_configuration_reason_leaves_no_bohb_array_queued(
        tmp_path: Path) -> None:
    """Figure 5 queues its BOHB arrays, then the black-box array: once one pends for a
    reason waiting cannot cure, the line names it and every other array is cancelled."""
    with _partition("nb1s-test-fig5", "State=DOWN") as partition:
        done = run([*NB1S, "reproduce", "fig5", "--profile", "smoke", "--out",
                    str(tmp_path / "out"), "--json", "--executor", "slurm",
                    "--slurm-partition", partition], timeout=400)
        line = _one_line(done)
        assert done.returncode == 2, done.stderr
        assert "pends: PartitionDown (" in line and "the array was cancelled" in line
        assert len(list((tmp_path / "out").rglob("*_submitted.pkl"))) > 7  # BOHB ones too
        assert _nothing_queued_in(partition)


def _long_recipe(folder: Path) -> Path:
    """Figure 2's smoke profile cut to one run (DARTS, seed 0) that trains for minutes:
    5 epochs of up to 400 batches instead of 2 of 2, on a wider, deeper supernet (32
    channels, 8 cells). With the smoke profile's 4 channels and 3 cells the whole run once
    ended in 17 s on an idle machine, and with 16 and 6 in 60 s, before the 1-minute
    limit could stop it."""
    recipe = yaml.safe_load((ROOT / "recipes/fig2.yaml").read_text())
    recipe["search"]["variants"] = recipe["search"]["variants"][:1]
    smoke = recipe["profiles"]["smoke"]
    smoke.update(seeds=[0], epochs=5)
    smoke["hyperparameters"].update(max_batches_per_epoch=400, init_channels=32, layers=8)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "fig2.yaml"  # a recipe file's name is its recipe's
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


def test_a_run_slurm_stops_at_its_time_limit_is_one_line_and_resumable(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    done = run([*NB1S, "run", str(_long_recipe(tmp_path / "recipe")), "--profile", "smoke",
                "--out", str(out), "--smoke-data", str(tmp_path / "data"), "--json",
                "--executor", "slurm", "--timeout-min", "1"], timeout=400)
    seconds = time.monotonic() - started
    line = _one_line(done)
    assert done.returncode == 1, done.stderr
    assert "Slurm ended run darts/space1/seed0" in line and ": TIMEOUT" in line, line
    assert "at its time limit (1 min per task)" in line
    assert "with a longer --timeout-min resumes" in line
    # the search was stopped, not killed: its run.json records it, a resume can go on
    meta = json.loads((out / "runs/darts/space1/seed0/run.json").read_text())
    assert meta["status"] == "interrupted", meta["status"]
    # the task's sbatch file asks for no USR2 (submitit's early warning killed searches)
    (script,) = (out / "slurm").glob("*_submission.sh")
    assert "#SBATCH --signal=URG@90" in script.read_text()
    assert "--time=1" in script.read_text()
    assert 55 < seconds < 300
    assert not squeue_names()
