"""End to end through the installed `nb1s` command: Table 1, NB101 space, hash, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NB1S = str(Path(sys.executable).with_name("nb1s"))


def run(*args: str, stdin: str | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    return subprocess.run([NB1S, *args], input=stdin, capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def test_reproduce_table1_json_shape_and_verdict() -> None:
    proc = run("reproduce", "table1", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in ("1", "2", "3"):
        for field in ("configurations", "with_loose_ends", "without_loose_ends",
                      "without_loose_ends_paper_rule", "unique_nb101"):
            assert isinstance(data[key][field], int)
        assert set(data[key]["paper"]) == {"with_loose_ends", "without_loose_ends",
                                           "without_isomorphism"}
    assert data["ok"] is True
    assert data["2"]["paper"]["with_loose_ends"] == 29160
    assert data["2"]["with_loose_ends"] == 16632
    flagged = [c for c in data["checks"] if not c["expected_to_match"]]
    assert [(c["space"], c["row"]) for c in flagged] == [(2, "with_loose_ends")]
    # the note carries the computed counts (formatted, not typed)
    assert "29160" in flagged[0]["note"] and "16632" in flagged[0]["note"]


def test_reproduce_table1_human_output() -> None:
    proc = run("reproduce", "table1")
    assert proc.returncode == 0, proc.stderr
    assert "all checks pass" in proc.stdout
    assert "137,406" in proc.stdout and "135,900" in proc.stdout


def test_enumerate_single_space_json() -> None:
    proc = run("enumerate", "--space", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["3"]["unique_nb101"] == 55854 and "1" not in data


def test_enumerate_nb101_json() -> None:
    proc = run("enumerate", "--space", "nb101", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["unique_nb101"] == 423624
    assert data["labeled_graphs"] == sum(v["labeled_graphs"] for v in data["per_vertices"].values())
    assert data["per_vertices"]["2"] == {"unique_nb101": 1, "labeled_graphs": 1}


def test_hash_reads_json_lines_and_reports_errors_per_line(tmp_path: Path) -> None:
    lines = [
        {"matrix": [[0, 1, 1], [0, 0, 1], [0, 0, 0]],
         "ops": ["input", "conv3x3-bn-relu", "output"]},
        {"matrix": [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
         "ops": ["input", "conv3x3-bn-relu", "output"]},
        {"matrix": [[0, 1], [0, 0]], "ops": ["input", "conv9x9", "output"]},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    proc = run("hash", stdin=text)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(out) == 4
    assert len(out[0]["hash"]) == 32 and out[0]["pruned_ops"] == lines[0]["ops"]
    assert "not connected" in out[1]["error"]
    assert "entries" in out[2]["error"]
    assert "JSON" in out[3]["error"]
    path = tmp_path / "specs.jsonl"
    path.write_text(json.dumps(lines[0]) + "\n")
    from_file = run("hash", str(path))
    assert json.loads(from_file.stdout)["hash"] == out[0]["hash"]


@pytest.mark.parametrize("args", [
    ("enumerate", "--space", "9"), ("reproduce", "fig99"), ("hash", "/no/such/file.jsonl"),
    ("query", "--space", "1", "--config", "99999999"), ("data", "import", "/no/such.tfrecord"),
    ("search", "nosuch", "--space", "1", "--epochs", "1", "--seed", "0", "--out", "/tmp/x"),
    ("validate", "nosuch"), ("diff", "/no/such/results"),
])
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_distribution_has_one_top_level_package(tmp_path: Path) -> None:
    code = ("import importlib.util as u; print(u.find_spec('enumerate'), u.find_spec('harness'),"
            " u.find_spec('optimizers'), u.find_spec('nb1s.enumerate') is not None)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.stdout.split() == ["None", "None", "None", "True"]


def test_reproduce_table1_fails_when_a_count_that_should_match_does_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from typer.testing import CliRunner

    from nb1s.enumerate import table1
    from nb1s.harness.cli.app import app
    from nb1s.harness.experiments.table1 import reproduce as table1_report

    real = table1.count_space

    def broken(space: object) -> table1.Table1Counts:
        counts = real(space)  # type: ignore[arg-type]
        return replace(counts, unique_nb101=counts.unique_nb101 + 1)

    monkeypatch.setattr(table1_report, "count_space", broken)
    result = CliRunner().invoke(app, ["reproduce", "table1", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert {c["space"] for c in data["checks"] if not c["ok"]} == {1, 2, 3}
