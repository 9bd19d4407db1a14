"""End to end on a SYNTHETIC four-budget index: `nb1s blackbox` and the `blackbox` kind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.blackbox_runs.grid import load_records, seed_file


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bb-cli")
    build_full_index(folder)
    return folder


def nb1s(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False)


def test_cli_runs_resumes_and_writes_records(data: Path, tmp_path: Path) -> None:
    index = str(data / "nb101-synthetic-full")
    out = tmp_path / "bb"
    args = ["blackbox", "RS", "--space", "1", "--seeds", "0-2", "--evaluations", "15",
            "--data-dir", index, "--out", str(out), "--json"]
    first = nb1s(*args)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert (result["ran"], result["skipped"], result["synthetic"]) == (3, 0, True)
    rec = load_records(seed_file(out, 1, "RS", 2))
    assert len(rec) == 15 and np.all(np.diff(rec["sim_time"]) > 0)
    again = json.loads(nb1s(*args).stdout)
    assert (again["ran"], again["skipped"]) == (0, 3)
    hb = nb1s("blackbox", "HB", "--space", "1", "--seeds", "0", "--evaluations", "3",
              "--data-dir", index, "--out", str(out), "--json")
    assert hb.returncode == 0, hb.stderr
    budgets = set(load_records(seed_file(out, 1, "HB", 0))["budget"].tolist())
    assert budgets <= {4, 12, 36, 108} and len(budgets) > 1


@pytest.mark.parametrize(("args", "message"), [
    (["XX", "--space", "1"], "unknown black-box optimizer"),
    (["RS", "--space", "5"], "search space 5"),
    (["RS", "--space", "1", "--seeds", "9-3"], "bad seed range"),
    (["RS", "--space", "1", "--workers", "0"], "--workers"),
    (["RS", "--space", "1", "--repeat-policy", "median"], "repeat policy"),
    (["SMAC", "--space", "1", "--smac-model", "smac4"], "unknown SMAC model"),
    (["RS", "--space", "1", "--data-dir", "{tmp}/none"], "no NAS-Bench-101 index"),
    (["RE", "--space", "1", "--evaluations", "20", "--data-dir", "{index}"], "at least 100"),
    (["RS", "--space", "3", "--data-dir", "{index}"], "lacks"),
])
def test_cli_bad_input_is_one_line_exit_2(data: Path, tmp_path: Path, args: list[str],
                                          message: str) -> None:
    filled = [a.format(tmp=tmp_path, index=data / "nb101-synthetic-full") for a in args]
    proc = nb1s("blackbox", *filled, "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_kind_smoke_end_to_end_through_the_registry(data: Path, tmp_path: Path) -> None:
    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.experiments.kind import Request
    from nb1s.harness.experiments.registry import implemented, kind_for
    from nb1s.harness.recipe.catalog import load_recipe

    assert "blackbox" in implemented()
    kind = kind_for("blackbox")
    recipe = load_recipe("blackbox")
    plan = kind.plan(recipe, "smoke", "original")
    assert plan.settings["repeat_policy"] == "one_random_repeat"
    assert plan.settings["incumbent"] == "test_oracle"
    request = Request(recipe, "smoke", "original", tmp_path / "res",
                      ExecutionOptions(workers=2, smoke_data=data), progress=False)
    seen: list[str] = []
    typed = kind.reproduce(request, on_done=lambda r: seen.append(r.key))
    assert (typed.status, typed.verdict) == ("complete", "not-checkable")
    result = typed.to_json()
    assert result["status"] == "complete"
    assert result["labels"] == ["smoke", "synthetic"]
    assert result["diff"]["verdict"]["status"] == "not-checkable"
    assert len(seen) == 7 * 2 and "ss1/RE/seed-0" in seen
    for opt in ("RE", "RS", "RL", "TPE", "SMAC", "HB", "BOHB"):
        assert seed_file(tmp_path / "res" / "blackbox", 1, opt, 1).is_file()
    assert Path(tmp_path / "res" / "plots" / "blackbox-ss1.png").is_file()
    summary = json.loads((tmp_path / "res" / "summary.json").read_text())
    assert summary["labels"] == ["smoke", "synthetic"]
    assert summary["spaces"]["1"]["optimizers"]["SMAC"]["evaluations_per_seed"] == 10
    again = kind.reproduce(request).to_json()  # resumes: nothing left to run
    assert again["run"]["ran"] == 0 and again["final_regret"] == result["final_regret"]
    assert kind.diff(request).verdict == "not-checkable"
    from nb1s.harness.experiments.dispatch import diff_folder

    assert diff_folder(tmp_path / "res").to_json()["verdict"]["status"] == "not-checkable"
