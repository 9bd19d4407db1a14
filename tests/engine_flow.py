"""What the Docker and the Slurm end-to-end tests share: run `nb1s reproduce fig2 --profile
smoke` on an engine, interrupt it, resume it, and compare its records with the local ones.

The local executor's result of this command is the stored reference
`harness/references/curves/fig2-smoke-paper.json` (tests/test_reproduce_smoke.py checks a
local run against it bit for bit), so an engine's aggregate equal to it, metric for metric,
is the local result; `records` also compares two engines' runs epoch by epoch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]
ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "harness/references/curves/fig2-smoke-paper.json"
#: the fields of an epoch record that measure the machine (time, memory), not the search
MEASURED = ("wall_time_s", "epoch_time_s", "seconds", "peak_memory_mb")


def fig2_args(out: Path, data: Path, *extra: str) -> list[str]:
    return [*NB1S, "reproduce", "fig2", "--profile", "smoke", "--out", str(out),
            "--smoke-data", str(data), "--json", *extra]


def run(argv: list[str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "COLUMNS": "200"})


def start(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"nb1s ended (exit {proc.returncode}) before {what}: "
                                 f"{proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.5)


def complete_runs(out: Path) -> list[str]:
    """Keys of the runs whose run.json says complete."""
    done = []
    for meta in sorted((out / "runs").glob("*/*/*/run.json")):
        try:
            if json.loads(meta.read_text())["status"] == "complete":
                done.append(str(meta.parent.relative_to(out / "runs")))
        except (ValueError, KeyError):
            continue
    return done


def interrupt(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, float]:
    """Ctrl-C (SIGINT) to nb1s; (exit code, stderr, seconds it took to stop)."""
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err, time.monotonic() - started


def records(out: Path) -> dict[str, Any]:
    """Every run's epoch records without the machine's measurements, and its architecture
    weights (bytes). Measured here: Slurm's and Docker's fig2 smoke records are equal."""
    found: dict[str, Any] = {}
    for run_dir in sorted((out / "runs").glob("*/*/*")):
        key = str(run_dir.relative_to(out / "runs"))
        epochs = [{k: v for k, v in json.loads(line).items() if k not in MEASURED}
                  for line in (run_dir / "epochs.jsonl").read_text().splitlines() if line]
        with np.load(run_dir / "arch_weights.npz") as z:
            weights = {name: z[name].tobytes() for name in sorted(z.files)}
        found[key] = {"epochs": epochs, "weights": weights}
    return found


def assert_equals_local(out: Path, result: dict[str, Any]) -> None:
    """The same PASS and the same curves as the local executor (the stored reference)."""
    verdict = result["diff"]["verdict"]
    assert verdict["status"] == "pass", verdict["line"]
    assert verdict["counts"]["exact"] == 5 * 4 and verdict["counts"]["checked"] == 2
    agg = json.loads((out / "aggregate.json").read_text())
    stored = json.loads(STORED.read_text())["aggregate"]
    # the stored reference holds seeds 0-3, the smoke profile runs 0-1: its first two
    n = len(agg["groups"][0]["seeds"])
    assert [(g["variant"], g["config_ids_final"]) for g in agg["groups"]] == \
        [(g["variant"], g["config_ids_final"][:n]) for g in stored["groups"]]
    for ours, ref in zip(agg["groups"], stored["groups"], strict=True):
        for metric, m in ours["metrics"].items():
            assert m["per_seed"] == ref["metrics"][metric]["per_seed"][:n]
            assert m["final"]["values"] == ref["metrics"][metric]["final"]["values"][:n]
