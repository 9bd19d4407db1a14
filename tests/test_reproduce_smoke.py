"""End to end through the real commands: `nb1s reproduce fig2 --profile smoke` and friends.

Runs the actual `nb1s search` processes on the digits images and a synthetic NAS-Bench-101
index (both built by the smoke profile itself), so every output must say smoke/synthetic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]
STORED = Path(__file__).resolve().parents[1] / "harness/references/curves/fig2-smoke-paper.json"


def nb1s(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NB1S, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, check=False, timeout=600)


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("smoke")
    out = root / "fig2"
    proc = nb1s("reproduce", "fig2", "--profile", "smoke", "--out", str(out), "--smoke-data",
                str(root / "data"), "--workers", "2", "--json")
    assert proc.returncode in (0, 1), proc.stderr
    return {"root": root, "out": out, "result": json.loads(proc.stdout), "rc": proc.returncode}


def test_reproduce_fig2_smoke_writes_results_plot_and_report(smoke: dict) -> None:
    out: Path = smoke["out"]
    result = smoke["result"]
    assert result["labels"] == ["smoke", "synthetic"]
    assert result["status"] == "complete"  # all five optimizers of Figure 2 run
    assert not result["blocked"]
    assert len(result["run"]["started"]) == 10 and not result["run"]["failed"]
    agg = json.loads((out / "aggregate.json").read_text())
    assert agg["synthetic"] and agg["version"] == 2
    assert {g["variant"] for g in agg["groups"]} == {"darts", "gdas", "pcdarts", "enas",
                                                     "random_ws"}
    for g in agg["groups"]:
        assert g["n"] == 2 and g["epochs"] == [0, 1, 2]
        assert all(v is not None for v in g["metrics"]["test_regret"]["mean"])
    assert (out / "plots" / "fig2-smoke-paper.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "plots" / "fig2-smoke-paper.pdf").is_file()
    report = (out / "diff.md").read_text()
    assert "SMOKE / SYNTHETIC" in report and "Cannot run yet" not in report
    verdict = result["diff"]["verdict"]
    # diffed against the stored smoke reference (harness/references/curves/fig2-smoke-paper.json)
    # 3 final metrics + 1 anytime row per group, the recipe-identity and the runs-complete row.
    # The smoke run is deterministic, so it must reproduce the stored curves bit for bit:
    # when the search changes on purpose, re-store the reference (docs/verdicts.md), never
    # loosen this.
    assert verdict["status"] == "pass" and smoke["rc"] == 0, verdict["line"]
    assert verdict["rows"] == 5 * 4 + 2 and verdict["counts"]["exact"] == 5 * 4
    assert verdict["counts"]["checked"] == 2  # the identity and runs-complete rows
    stored = json.loads(STORED.read_text())["aggregate"]
    # the stored reference holds seeds 0-3; the smoke profile runs 0-1: its first two, bit
    # for bit
    assert all(g["seeds"] == [0, 1, 2, 3] for g in stored["groups"])
    assert [(g["variant"], g["config_ids_final"]) for g in agg["groups"]] == \
        [(g["variant"], g["config_ids_final"][:2]) for g in stored["groups"]]
    for ours, ref in zip(agg["groups"], stored["groups"], strict=True):
        for metric, m in ours["metrics"].items():
            assert m["per_seed"] == ref["metrics"][metric]["per_seed"][:2]
            assert m["final"]["values"] == ref["metrics"][metric]["final"]["values"][:2]
    run_meta = json.loads((out / "runs/gdas/space1/seed1/run.json").read_text())
    assert run_meta["status"] == "complete" and run_meta["data"]["nb101"]["synthetic"]
    assert run_meta["recipe"] == {"name": "fig2", "version": 2, "profile": "smoke",
                                  "protocol": "paper"}
    identity = next(r for r in json.loads((out / "diff.json").read_text())["rows"]
                    if r["kind"] == "provenance")
    assert identity["pass"] and identity["note"].startswith("10 run(s) record")


def test_second_reproduce_skips_finished_runs(smoke: dict) -> None:
    out: Path = smoke["out"]
    before = (out / "aggregate.json").read_text()
    proc = nb1s("reproduce", "fig2", "--profile", "smoke", "--out", str(out), "--smoke-data",
                str(smoke["root"] / "data"), "--json")
    result = json.loads(proc.stdout)
    assert len(result["run"]["skipped"]) == 10
    assert not result["run"]["started"] and not result["run"]["resumed"]
    assert (out / "aggregate.json").read_text() == before


def test_interrupted_run_is_resumed_through_search_resume(smoke: dict) -> None:
    out: Path = smoke["out"]
    run = out / "runs/pcdarts/space1/seed0"
    meta = json.loads((run / "run.json").read_text())
    # what an interrupted run looks like to the harness: run.json not marked complete
    (run / "run.json").write_text(json.dumps({**meta, "status": "running"}))
    proc = nb1s("run", "fig2", "--profile", "smoke", "--out", str(out), "--smoke-data",
                str(smoke["root"] / "data"), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["resumed"] == ["pcdarts/space1/seed0"] and len(result["skipped"]) == 9
    log = (out / "logs/pcdarts/space1/seed0.log").read_text()
    assert any(line.startswith("$ ") and "--resume" in line for line in log.splitlines())
    assert json.loads((run / "run.json").read_text())["status"] == "complete"


def test_piped_reproduce_prints_the_plan_and_a_line_per_finished_run(smoke: dict) -> None:
    """Into a pipe (a CI or Slurm log, `tee`): the plan's summary first, then one line per
    finished run with elapsed time; the resumed run's records come out as before."""
    out: Path = smoke["out"]
    run = out / "runs/gdas/space1/seed0"
    meta = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**meta, "status": "running"}))
    proc = nb1s("reproduce", "fig2", "--profile", "smoke", "--out", str(out), "--smoke-data",
                str(smoke["root"] / "data"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("plan: fig2 (smoke profile, paper protocol): 10 runs; ~")
    assert "nb1s plan fig2 --profile smoke" in lines[0]
    assert "runs 1/1 (gdas/space1/seed0: ok), elapsed " in proc.stdout
    assert json.loads((run / "run.json").read_text())["status"] == "complete"


def test_diff_against_itself_passes_and_writes_markdown(smoke: dict, tmp_path: Path) -> None:
    out: Path = smoke["out"]
    report = tmp_path / "report.md"
    proc = nb1s("diff", str(out), "--against", str(out), "--report", str(report), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"]["status"] == "pass"
    assert result["verdict"]["rows"] == 5 * 4 + 2  # 3 final + 1 anytime per group, identity, runs
    assert "| DARTS / SS1 | final | test_regret |" in report.read_text()


def _perturbed_copy(out: Path, dest: Path, factor: float) -> Path:
    """A copy of the results whose final epoch records are scaled by `factor`.

    The run records themselves are changed (not a cached aggregate), so the diff sees the
    perturbation however it derives the aggregate.
    """
    import shutil

    shutil.copytree(out, dest, ignore=shutil.ignore_patterns("*.pt", "aggregate.json",
                                                             "diff.*", "plots"))
    for log in dest.glob("runs/*/*/*/epochs.jsonl"):
        lines = log.read_text().splitlines()
        last = json.loads(lines[-1])
        for key in ("test_regret", "valid_regret", "oneshot_valid_error"):
            if last[key] is not None:
                last[key] *= factor
        log.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    return dest


@pytest.mark.parametrize("factor", [5.0, 0.0])
def test_diff_of_perturbed_finals_fails(smoke: dict, tmp_path: Path, factor: float) -> None:
    results = _perturbed_copy(smoke["out"], tmp_path / "perturbed", factor)
    proc = nb1s("diff", str(results), "--json")
    result = json.loads(proc.stdout)
    finals = [r for r in result["rows"] if r["kind"] == "final"]
    assert len(finals) == 15 and not any(r["pass"] for r in finals)
    assert result["verdict"]["status"] == "fail" and proc.returncode == 1
    assert result["verdict"]["line"].startswith("FAIL: ")


def test_check_runs_a_user_optimizer_by_import_path(smoke: dict, tmp_path: Path) -> None:
    plugin = tmp_path / "my_nas.py"
    plugin.write_text("from nb1s.optimizers import OneShotMethod\n\n\n"
                      "class PlainSoftmax(OneShotMethod):\n    name = 'plain_softmax'\n")
    proc = nb1s("check", "my_nas:PlainSoftmax", "--recipe", "fig2", "--profile", "smoke",
                "--reference", str(smoke["out"]), "--out", str(tmp_path / "check"),
                "--smoke-data", str(smoke["root"] / "data"), "--workers", "2", "--json",
                cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    result = json.loads(proc.stdout)
    assert {r["against"] for r in result["rows"]} == {"darts", "gdas", "pcdarts", "enas",
                                                      "random_ws"}
    for row in result["rows"]:
        assert -1.0 <= row["final"]["cliffs_delta"] <= 1.0
        if row["against"] == "darts":
            # the base class is DARTS 1st order: bit-identical on the common seeds
            assert row["final"]["verdict"] == "same" and "bit-identical" in row["final"]["note"]
            continue
        # two seeds per side: no decision, and it says so
        assert row["final"]["verdict"] == "no decision" and "min_seeds=3" in row["final"]["note"]
    assert result["gate"]["status"] == "pass"
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((tmp_path / "check/runs/candidate/space1/seed0/run.json").read_text())
    assert meta["optimizer"] == "plain_softmax"


def test_validate_and_ls_and_cannot_run(tmp_path: Path) -> None:
    proc = nb1s("validate", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["ok"]
    bad = tmp_path / "fig8.yaml"
    bad.write_text("name: fig8\nversion: one\n")
    proc = nb1s("validate", str(bad))
    assert proc.returncode == 1
    assert f"{bad}:2: field 'version'" in proc.stdout.replace("\n", "")
    listing = json.loads(nb1s("ls", "--json").stdout)
    fig4 = next(r for r in listing["recipes"] if r["name"] == "fig4")
    assert fig4["reproduces"] == ["Figure 4", "Figure 12", "Figure 13"]
    proc = nb1s("reproduce", "fig16", "--json")
    assert proc.returncode == 3 and json.loads(proc.stdout)["status"] == "cannot-run"
    proc = nb1s("reproduce", "fig2", "--profile", "tiny")
    assert proc.returncode == 2 and "unknown profile" in proc.stderr
    # paper profile without data: one clear line before any run starts
    proc = nb1s("reproduce", "fig2", "--out", str(tmp_path / "nodata"),
                env={"NB1S_DATA_DIR": str(tmp_path / "none"), "NB1S_CIFAR_DIR": ""})
    assert proc.returncode == 2 and "no NAS-Bench-101 index" in proc.stderr
    assert not (tmp_path / "nodata" / "runs").exists()


def test_run_on_submitit_local_executor_gives_the_same_layout(smoke: dict,
                                                               tmp_path: Path) -> None:
    from nb1s.harness.recipe.catalog import recipes_dir

    # table2 with its smoke profile cut to one run, to keep the test short
    text = (recipes_dir() / "table2.yaml").read_text()
    text = text.replace("    seeds: [0, 1]\n    epochs: 2\n    spaces: [1]\n"
                        "    variants: [darts-default, darts-transferred]",
                        "    seeds: [1]\n    epochs: 2\n    spaces: [1]\n"
                        "    variants: [darts-transferred]")
    assert "variants: [darts-transferred]" in text
    recipe = tmp_path / "table2.yaml"
    recipe.write_text(text)
    out: Path = tmp_path / "table2"
    proc = nb1s("run", str(recipe), "--profile", "smoke", "--executor", "slurm",
                "--slurm-cluster", "local", "--timeout-min", "10", "--out", str(out),
                "--smoke-data", str(smoke["root"] / "data"), "--json")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    result = json.loads(proc.stdout)
    assert result["executor"]["executor"] == "slurm" and not result["failed"]
    assert result["started"] == ["darts-transferred/space1/seed1"]
    meta = json.loads((out / "runs/darts-transferred/space1/seed1/run.json").read_text())
    assert meta["status"] == "complete"
    assert meta["hyperparameters"]["learning_rate"] == 0.0011765562944021056
    assert meta["hyperparameters"]["cutout"] is True
    assert list((out / "slurm").iterdir())  # submitit's job folder


def test_every_key_a_real_run_writes_is_declared_in_the_schema(smoke: dict) -> None:
    """docs/run-schema.md is generated from the models, so a key the search or the harness
    writes but no model declares would be undocumented: every document of a real smoke
    reproduction validates, and none has a top-level key its model does not declare."""
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.report.documents import Aggregate, Diff
    from nb1s.harness.search.documents import EpochRecord, RunMeta
    from nb1s.harness.search.results_directory import ResultsDirectory

    out: Path = smoke["out"]
    folder = ResultsDirectory(out)
    plan = folder.read_plan()
    agg, diff = folder.read_aggregate(), folder.read_diff()
    documents: list[Any] = [plan, agg, diff, diff.aggregate, *plan.runs, *agg.groups]
    documents += [m for g in agg.groups for m in g.metrics.values()]
    for spec in plan.runs:
        run = folder.run(spec.key).read()
        documents += [run.meta, *run.epochs]
    assert isinstance(plan, Plan) and isinstance(agg, Aggregate)
    assert isinstance(diff, Diff) and len(plan.runs) == 10
    assert sum(isinstance(d, RunMeta) for d in documents) == 10
    assert sum(isinstance(d, EpochRecord) for d in documents) == 10 * 3
    for doc in documents:
        assert not doc.model_extra, (type(doc).__name__, sorted(doc.model_extra or {}))


EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def test_check_says_same_for_a_copy_of_darts(smoke: dict, tmp_path: Path) -> None:
    """docs/verdicts.md: the documented CPU command for `same` (the stored smoke reference)."""
    proc = nb1s("check", "check_plugins:DartsCopy", "--recipe", "fig2", "--profile", "smoke",
                "--out", str(tmp_path / "copy"), "--smoke-data", str(smoke["root"] / "data"),
                "--workers", "2", "--json", env={"PYTHONPATH": str(EXAMPLES)})
    result = json.loads(proc.stdout)
    darts = next(r for r in result["rows"] if r["against"] == "darts")
    assert darts["final"]["verdict"] == "same" and darts["anytime"]["verdict"] == "same"
    assert "bit-identical" in darts["final"]["note"]
    # the candidate's 2 seeds against the reference's 4: no effect on the common seeds
    for part in ("final", "anytime"):
        assert darts[part]["cliffs_delta"] == 0.0 and darts[part]["cohens_d"] == 0.0
        assert darts[part]["effect_seeds"] == "2 common"
    assert result["gate"]["status"] == "pass" and proc.returncode == 0, proc.stderr


def test_check_says_worse_for_a_clearly_worse_plugin_with_four_seeds(
        smoke: dict, tmp_path: Path) -> None:
    """docs/verdicts.md: the documented CPU command for `worse` (`--seeds 0-3`)."""
    proc = nb1s("check", "check_plugins:PoolOnly", "--recipe", "fig2", "--profile", "smoke",
                "--seeds", "0-3", "--out", str(tmp_path / "pool"), "--smoke-data",
                str(smoke["root"] / "data"), "--workers", "2", "--json",
                env={"PYTHONPATH": str(EXAMPLES)})
    result = json.loads(proc.stdout)
    darts = next(r for r in result["rows"] if r["against"] == "darts")
    assert darts["final"]["verdict"] == "worse" and darts["final"]["ratio_ci"][0] > 1.25
    assert darts["final"]["n_candidate"] == 4 and darts["final"]["n_reference"] == 4
    assert result["gate"]["status"] == "fail" and proc.returncode == 1, proc.stderr
    # a bad margin is one line and exit 2, before anything runs
    bad = nb1s("check", "darts", "--profile", "smoke", "--margin", "0.8",
               "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "--margin" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()
