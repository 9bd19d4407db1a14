"""Interrupts, locks and orphans with real processes and real signals (issue 12, cases 1, 5).

Each test starts the real CLI in a subprocess on the shared SYNTHETIC index and digits,
waits for an epoch record to appear, then signals or kills it, and checks what a user
would see afterwards: the exit code, the one-line message, `run.json`'s status, the lock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from search_helpers import process_alive

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]
TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=1"]


def _search_args(data: dict[str, Path], out: Path, epochs: int = 40) -> list[str]:
    sets = [x for item in TINY for x in ("--set", item)]
    return ["search", "darts", "--space", "1", "--out", str(out), "--epochs", str(epochs),
            "--data-dir", str(data["nb101"]), "--cifar-dir", str(data["cifar"]), *sets,
            "--json"]


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*NB1S, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))


def _wait_for(predicate, timeout: float = 240.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the condition")


def _epochs_written(out: Path) -> int:
    path = out / "epochs.jsonl"
    return len(path.read_text().splitlines()) if path.is_file() else 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signalled_search_records_interrupted_and_refuses_a_second_writer(
        search_data: dict[str, Path], tmp_path: Path, sig: int) -> None:
    out = tmp_path / "run"
    proc = _start(_search_args(search_data, out))
    try:
        _wait_for(lambda: _epochs_written(out) >= 2)
        # case 5: a second search / resume on the same folder while the first runs
        second = subprocess.run([*NB1S, *_search_args(search_data, out), "--resume"],
                                capture_output=True, text=True, timeout=300)
        assert second.returncode == 2
        assert "is in use by pid" in second.stderr and "Traceback" not in second.stderr
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nb1s: interrupted:"), err
    assert "--resume" in lines[0] and "Traceback" not in err
    meta = json.loads((out / "run.json").read_text())
    assert meta["status"] == "interrupted"
    last = json.loads((out / "epochs.jsonl").read_text().splitlines()[-1])["epoch"]
    assert 1 <= meta["stopped_at_epoch"] <= last < 40
    from nb1s.harness.guards.folder_lock import is_held
    from nb1s.harness.search.run_directory import run_state

    assert not is_held(out) and run_state(out) == "interrupted"


def test_a_killed_search_is_stale_not_running_and_can_be_resumed(
        search_data: dict[str, Path], tmp_path: Path) -> None:
    from nb1s.harness.search.run_directory import run_state

    out = tmp_path / "run"
    proc = _start(_search_args(search_data, out, epochs=3))
    try:
        _wait_for(lambda: _epochs_written(out) >= 1)
        assert run_state(out) == "running"  # alive: the lock is held
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    assert run_state(out) == "stale"  # the process is gone: the OS dropped its lock
    done = subprocess.run([*NB1S, *_search_args(search_data, out, epochs=3), "--resume"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "run.json").read_text())["status"] == "complete"


def _smoke_args(out: Path, data: Path, command: str = "reproduce") -> list[str]:
    return [command, "fig2", "--profile", "smoke", "--out", str(out), "--smoke-data",
            str(data), "--workers", "1", "--json"]


@pytest.fixture(scope="module")
def smoke_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smoke profile's synthetic index + digits, built once for this module."""
    from nb1s.harness.execution.smoke_data import prepare_smoke_data

    root = tmp_path_factory.mktemp("smoke-data")
    prepare_smoke_data(root, [1, 2, 3])
    return root


def _run_dirs(out: Path) -> list[Path]:
    return sorted(p.parent for p in out.glob("runs/*/space*/seed*/run.json"))


def _complete(out: Path) -> int:
    return sum(json.loads((d / "run.json").read_text()).get("status") == "complete"
               for d in _run_dirs(out))


def test_ctrl_c_on_reproduce_stops_launching_and_writes_a_partial_aggregate(
        smoke_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "fig2"
    proc = _start(_smoke_args(out, smoke_data))
    try:
        _wait_for(lambda: _complete(out) >= 1 and len(_run_dirs(out)) >= 2)
        proc.send_signal(signal.SIGINT)  # the parent only, as a terminal's Ctrl-C would be
        started = time.monotonic()
        _, err = proc.communicate(timeout=120)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nb1s: interrupted: stopped:"), err
    assert "resume with: nb1s reproduce fig2" in lines[0]
    assert took < 60  # no remaining searches were run behind the interrupt
    runs = _run_dirs(out)
    assert len(runs) < 10  # it stopped launching
    statuses = {json.loads((d / "run.json").read_text())["status"] for d in runs}
    assert statuses <= {"complete", "interrupted"}
    agg = json.loads((out / "aggregate.json").read_text())
    assert agg["partial"] is True and len(agg["runs_used"]) == _complete(out)
    assert len(agg["missing_runs"]) == 10 - len(agg["runs_used"])


def test_kill_9_of_a_reproduce_parent_leaves_no_orphan_search(
        smoke_data: Path, tmp_path: Path) -> None:
    from nb1s.harness.guards.folder_lock import read_holder

    out = tmp_path / "fig2"
    proc = _start(_smoke_args(out, smoke_data, command="run"))
    try:
        _wait_for(lambda: any(read_holder(d).get("pid") for d in _run_dirs(out)))
        child = next(int(read_holder(d)["pid"]) for d in _run_dirs(out)
                     if read_holder(d).get("pid"))
        assert child != proc.pid and process_alive(child)
        proc.kill()
        proc.communicate(timeout=60)
        _wait_for(lambda: not process_alive(child), timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the folder is free again at once: a re-run is not refused by a leftover lock
    from nb1s.harness.guards.folder_lock import is_held

    assert not is_held(out)
