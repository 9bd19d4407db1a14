"""`nb1s reference export/import`: a run becomes a reference file other labs can use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from harness_fixtures import write_results

from nb1s.harness.experiments.search_curves.reference_curves import load_curves

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def nb1s(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, **env})


def _results(tmp_path: Path, commit: str | None = COMMIT, name: str = "fig2-run",
             curves: dict[tuple[str, int], list[list[float]]] | None = None) -> Path:
    """A paper-profile results folder as a GPU run made it (commit and device recorded)."""
    out = tmp_path / name
    if curves is None:
        curves = {("darts", 1): [[0.05, 0.02 + 0.001 * k] for k in range(3)],
                  ("gdas", 1): [[0.05, 0.01 + 0.001 * k] for k in range(3)]}
    write_results(out, curves, profile="paper")
    for meta in out.glob("runs/*/*/*/run.json"):
        data = json.loads(meta.read_text())
        data["git_hash"], data["device"] = commit, "NVIDIA H100 80GB HBM3"
        meta.write_text(json.dumps(data))
    return out


def test_export_then_import_makes_the_run_everyones_reference(tmp_path: Path) -> None:
    env = {"NB1S_REFERENCES": str(tmp_path / "refs")}
    exported = tmp_path / "fig2-paper-ref.json"
    proc = nb1s("reference", "export", str(_results(tmp_path)), "--out", str(exported),
                "--note", "lab A, 3 seeds", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["device"] == "NVIDIA H100 80GB HBM3" and summary["git_hash"] == COMMIT
    assert summary["seeds"] == {"darts/SS1": [0, 1, 2], "gdas/SS1": [0, 1, 2]}
    assert summary["recipe"] == {"name": "fig2", "version": summary["recipe"]["version"],
                                 "profile": "paper", "protocol": "paper"}
    record = json.loads(exported.read_text())
    assert "/tmp" not in exported.read_text() and record["context"] == "lab A, 3 seeds"
    proc = nb1s("reference", "import", str(exported), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    installed = Path(json.loads(proc.stdout)["installed"])
    assert installed == tmp_path / "refs" / "fig2-paper-paper.json"
    # importing the same file again is a no-op; another one needs --force
    again = nb1s("reference", "import", str(exported), "--json", env=env)
    assert again.returncode == 0 and json.loads(again.stdout)["unchanged"] is True
    # the diff and check now find it before the packaged references
    os.environ["NB1S_REFERENCES"] = env["NB1S_REFERENCES"]
    try:
        agg, where = load_curves("fig2", "paper", "paper", record["aggregate"]["version"])
    finally:
        del os.environ["NB1S_REFERENCES"]
    assert agg is not None and where == str(installed)


def test_import_refuses_edited_foreign_and_uncommitted_files(tmp_path: Path) -> None:
    env = {"NB1S_REFERENCES": str(tmp_path / "refs")}
    exported = tmp_path / "ref.json"
    assert nb1s("reference", "export", str(_results(tmp_path)), "--out", str(exported),
                env=env).returncode == 0
    record = json.loads(exported.read_text())
    record["aggregate"]["groups"][0]["metrics"]["test_regret"]["final"]["values"][0] = 0.5
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(record))
    proc = nb1s("reference", "import", str(edited), env=env)
    assert proc.returncode == 2 and "sha256" in proc.stderr and "Traceback" not in proc.stderr
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"hello": 1}))
    proc = nb1s("reference", "import", str(foreign), env=env)
    assert proc.returncode == 2 and "not an exported nb1s reference" in proc.stderr
    dirty = _results(tmp_path / "dirty", commit=f"{COMMIT}-dirty")
    proc = nb1s("reference", "export", str(dirty), "--out", str(tmp_path / "d.json"), env=env)
    assert proc.returncode == 2 and "uncommitted" in proc.stderr
    assert not (tmp_path / "d.json").exists() and not (tmp_path / "refs").exists()


def test_check_on_the_paper_profile_gates_against_an_imported_reference(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18 item 7: one lab's exported paper-profile run is another lab's gate.

    The reference is a fixture results folder exported and imported through the CLI; the
    candidate's runs are written by a stand-in executor in the `nb1s search` contract
    format (fixture runs, labelled synthetic), so no GPU is needed to exercise the path a
    paper-profile `nb1s check` takes after its runs.
    """
    from harness_fixtures import write_run

    from nb1s.harness.execution.runner import RunSummary
    from nb1s.harness.experiments.search_curves.check import run_check
    from nb1s.harness.recipe.catalog import recipes_dir
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import parse_recipe

    def curve(seed: int, scale: float = 1.0) -> list[float]:
        return [scale * (0.05 - 0.0005 * e) * (1 + 0.03 * seed) for e in range(51)]

    ref_dir = _results(tmp_path, name="lab-a",
                       curves={("darts", 1): [curve(s) for s in range(3)],
                               ("gdas", 1): [curve(s, 0.5) for s in range(3)]})
    env = {"NB1S_REFERENCES": str(tmp_path / "refs")}
    exported = tmp_path / "lab-a-ref.json"
    assert nb1s("reference", "export", str(ref_dir), "--out", str(exported),
                env=env).returncode == 0
    proc = nb1s("reference", "import", str(exported), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    installed = json.loads(proc.stdout)["installed"]
    monkeypatch.setenv("NB1S_REFERENCES", env["NB1S_REFERENCES"])

    def executor(scale: float) -> Any:
        def execute(plan: Plan, results: Path, program: Any) -> RunSummary:
            results.mkdir(parents=True, exist_ok=True)
            (results / "plan.json").write_text(json.dumps(plan.as_dict()))
            for run in plan.runs:
                write_run(results / "runs" / run.key, curve(run.seed, scale),
                          space=run.space, seed=run.seed)
            return RunSummary(results=str(results), executor={"name": "fixture"},
                              started=[r.key for r in plan.runs])
        return execute

    recipe = parse_recipe(recipes_dir() / "fig2.yaml")
    copy = run_check("darts", recipe, "paper", "paper", tmp_path / "copy", "darts", None,
                     None, False, executor(1.0)).result
    assert copy is not None and copy["reference"] == installed
    assert copy["profile"] == "paper" and copy["gate"]["status"] == "pass"
    darts = next(r for r in copy["rows"] if r["against"] == "darts")
    assert darts["final"]["verdict"] == "same" and darts["final"]["outcome"] == "exact"
    worse = run_check("darts", recipe, "paper", "paper", tmp_path / "worse", "darts", None,
                      None, False, executor(3.0)).result
    assert worse is not None and worse["gate"]["status"] == "fail"
    assert next(r for r in worse["rows"] if r["against"] == "darts")["final"]["verdict"] == \
        "worse"
