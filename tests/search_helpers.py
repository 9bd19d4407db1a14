"""Helpers shared by the end-to-end search tests (one-shot, Random-WS, ENAS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from nb1s.harness.images.digits import write_digits
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

#: measured per process, so they legitimately differ between otherwise identical runs
TIMING_KEYS = ("wall_time_s", "peak_memory_mb")


class Killed(Exception):
    """Raised from a progress callback to simulate a run killed after some epoch."""


def build_search_data(root: Path) -> dict[str, Path]:
    """A SYNTHETIC NB101 index covering spaces 1-3 and the digits stand-in for CIFAR-10."""
    record = root / "synthetic.tfrecord"
    write_synthetic_tfrecord(record, models=5, seed=0, spaces=[1, 2, 3])
    import_tfrecord(record, root / "nb101")
    write_digits(root / "digits")
    return {"root": root, "nb101": root / "nb101", "cifar": root / "digits"}


def read_records(out: Path) -> list[dict[str, Any]]:
    """A run's per-epoch records without the timing fields."""
    lines = (out / "epochs.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING_KEYS} for line in lines]


def run_nb1s(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a subprocess (`python -m nb1s.harness.cli.app`), capturing its output."""
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False, env=dict(os.environ),
                          timeout=timeout)


def process_alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie (exited, not yet reaped) counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
