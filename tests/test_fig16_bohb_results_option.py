"""`nb1s reproduce fig16 --bohb-results DIR`: the fig5 folder fig16 analyses, given on the
command line (the kind's cannot-run line tells users to pass it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def nb1s(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_other_recipes_and_missing_folders_are_refused_in_one_line(tmp_path: Path) -> None:
    other = nb1s("reproduce", "table1", "--bohb-results", str(tmp_path), cwd=tmp_path)
    assert other.returncode == 2 and len(other.stderr.strip().splitlines()) == 1
    assert "--bohb-results applies to fig16" in other.stderr
    gone = nb1s("reproduce", "fig16", "--profile", "smoke", "--bohb-results",
                str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert gone.returncode == 2 and "no such folder" in gone.stderr
    assert len(gone.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_given_folder_is_where_fig16_looks(tmp_path: Path) -> None:
    given = tmp_path / "my-fig5"
    given.mkdir()
    proc = nb1s("reproduce", "fig16", "--profile", "smoke", "--bohb-results", str(given),
                "--out", str(tmp_path / "out"), "--json", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr[-2000:]  # nothing there: cannot run
    reasons = [row["reason"] for row in json.loads(proc.stdout)["blocked"]]
    assert reasons and all(f"under {given}/bohb" in r for r in reasons), reasons
