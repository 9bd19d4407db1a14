"""Newcomer frictions, through the real `nb1s` executable with piped output.

Piped or captured output used to be squeezed to 80 columns (rich's fallback), wrapping
table cells and notes word by word; `nb1s query` now takes `--epochs` like Google's API
(`--budget` stays as an alias).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

NB1S = str(Path(sys.executable).parent / "nb1s")
NOTE = "SS3 w/o loose ends: exact count of distinct architectures is 135900 (+1506 in the " \
       "published number)"


def nb1s(*args: str, columns: str | None = None, data_dir: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    env.pop("NB1S_DATA_DIR", None)
    if columns is not None:
        env["COLUMNS"] = columns
    if data_dir is not None:
        env["NB1S_DATA_DIR"] = str(data_dir)
    return subprocess.run([NB1S, *args], capture_output=True, text=True, env=env, timeout=120)


def test_piped_table1_keeps_whole_lines() -> None:
    piped = nb1s("reproduce", "table1")
    assert piped.returncode == 0, piped.stderr
    assert any(NOTE in line for line in piped.stdout.splitlines())
    row = next(line for line in piped.stdout.splitlines() if "w/o isomorphism" in line)
    assert "2,685" in row and "7,773" in row and "55,854" in row  # one row, one line


def test_explicit_columns_are_honoured() -> None:
    """The wide default is only a default: $COLUMNS still wins (and then wraps)."""
    narrow = nb1s("reproduce", "table1", columns="80")
    assert narrow.returncode == 0
    assert not any(NOTE in line for line in narrow.stdout.splitlines())
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("frictions")
    for args in (("data", "synth", "--out", str(root / "s.tfrecord"), "--models", "5",
                  "--seed", "1", "--json"),
                 ("data", "import", str(root / "s.tfrecord"), "--into", str(root / "idx"),
                  "--json")):
        done = nb1s(*args)
        assert done.returncode == 0, done.stderr
    return root / "idx"


def test_query_takes_epochs_and_keeps_budget_as_alias(index: Path) -> None:
    listed = json.loads(nb1s("data", "info", "--json", data_dir=index).stdout)
    assert listed["provenance"]["models"] == 5
    module = np.load(index / "hashes.npy")[0].decode()
    by_epochs = nb1s("query", "--hash", module, "--epochs", "108", "--json", data_dir=index)
    by_budget = nb1s("query", "--hash", module, "--budget", "108", "--json", data_dir=index)
    assert by_epochs.returncode == 0, by_epochs.stderr
    assert json.loads(by_epochs.stdout) == json.loads(by_budget.stdout)
    wrong = nb1s("query", "--hash", module, "--epochs", "12", data_dir=index)
    assert wrong.returncode == 2
    assert "12 epochs" in wrong.stderr and "Traceback" not in wrong.stderr
    helped = nb1s("query", "--help", columns="200")
    assert "--epochs" in helped.stdout and "--budget" in helped.stdout
