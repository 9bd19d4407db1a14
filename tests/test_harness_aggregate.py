"""Aggregation over seeds, diffs against references and plots, on fixture run folders."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from harness_fixtures import aggregate_of, write_results

from nb1s.harness.experiments.search_curves.aggregate import final_index
from nb1s.harness.experiments.search_curves.diff import diff_aggregates, diff_table2
from nb1s.harness.experiments.search_curves.plot import plot_aggregate
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.references import paper
from nb1s.harness.report.verdict import verdict


def test_mean_std_sem_per_epoch_and_final(tmp_path: Path) -> None:
    write_results(tmp_path, {("darts", 1): [[0.1, 0.02, 0.01], [0.3, 0.04, 0.03]]})
    agg = aggregate_of(tmp_path)
    g = agg["groups"][0]
    reg = g["metrics"]["test_regret"]
    assert reg["mean"] == pytest.approx([0.2, 0.03, 0.02])
    assert reg["std"] == pytest.approx([math.sqrt(0.02), math.sqrt(2e-4), math.sqrt(2e-4)])
    assert reg["sem"] == pytest.approx([0.1 / math.sqrt(2), 0.01 / math.sqrt(2),
                                        0.01 / math.sqrt(2)])
    assert reg["band"] == reg["std"]
    assert reg["final"]["values"] == pytest.approx([0.01, 0.03])
    assert reg["final"]["mean"] == pytest.approx(0.02)
    assert g["n"] == 2 and g["seeds"] == [0, 1]
    assert agg["labels"] == ["smoke", "synthetic"] and agg["synthetic"]


def test_original_conventions_sem_band_last_saved_and_truncation(tmp_path: Path) -> None:
    write_results(tmp_path, {("gdas", 2): [[0.1, 0.05, 0.04, 0.03], [0.2, 0.06, 0.02]]},
                  band="sem", final_epoch="last_saved", protocol="original")
    g = aggregate_of(tmp_path)["groups"][0]
    assert g["truncated_to"] == 3  # shortest run, as the original analysis did
    reg = g["metrics"]["test_regret"]
    assert reg["band"] == reg["sem"]
    # spec epochs = 3 for seed 0 -> last_saved = epoch 2; the curve has epochs 0..2
    assert g["final_epoch_index"] == 2
    assert final_index(50, "last_saved", 51) == 49
    assert final_index(50, "last", 51) == 50


def test_incomplete_runs_are_left_out_and_listed(tmp_path: Path) -> None:
    write_results(tmp_path, {("darts", 1): [[0.1, 0.05], [0.2, 0.1]]})
    run = tmp_path / "runs" / "darts/space1/seed1" / "run.json"
    meta = json.loads(run.read_text())
    run.write_text(json.dumps({**meta, "status": "running"}))
    agg = aggregate_of(tmp_path)
    assert agg["missing_runs"] == ["darts/space1/seed1"]
    assert agg["groups"][0]["n"] == 1


def _two(tmp_path: Path, name: str, shift: float, noise: float = 0.001,
         profile: str = "smoke") -> dict:
    curves = {("darts", 1): [[0.05 + shift + noise * k, 0.02 + shift + noise * k,
                              0.01 + shift + noise * k] for k in range(4)]}
    write_results(tmp_path / name, curves, profile=profile)
    return aggregate_of(tmp_path / name)


def test_identical_results_pass_exactly_and_a_large_shift_fails(tmp_path: Path) -> None:
    ref = _two(tmp_path, "ref", 0.0)
    same = _two(tmp_path, "same", 0.0)
    rows = diff_aggregates(same, ref, DiffSpec())
    assert rows and all(r["pass"] and r["outcome"] == "exact" for r in rows)
    assert verdict(rows, ["smoke"])["status"] == "pass"
    shifted = _two(tmp_path, "shifted", 0.05)
    rows = diff_aggregates(shifted, ref, DiffSpec())
    final = next(r for r in rows if r["kind"] == "final" and r["metric"] == "test_regret")
    assert not final["pass"] and final["outcome"] == "failed"  # exact rule: same seeds, smoke
    band = next(r for r in rows if r["kind"] == "anytime")
    assert not band["pass"] and "must be bit-identical" in band["note"]
    v = verdict(rows, ["smoke", "synthetic"])
    assert v["status"] == "fail" and "smoke, synthetic" in v["line"]
    # the same shift without the exact rule (a paper-profile run) fails on the statistics
    paper_rows = diff_aggregates(_two(tmp_path, "p-shift", 0.05, profile="paper"),
                                 _two(tmp_path, "p-ref", 0.0, profile="paper"), DiffSpec())
    outcomes = {(r["kind"], r["metric"]): r["outcome"] for r in paper_rows}
    assert outcomes == {("final", "test_regret"): "failed", ("final", "valid_regret"): "failed",
                        ("final", "oneshot_valid_error"): "exact",  # 0.5 in both fixtures
                        ("anytime", "test_regret"): "failed"}
    shifted_final = next(r for r in paper_rows if r["metric"] == "test_regret")
    assert shifted_final["p_beyond_holm"] < 0.05 and shifted_final["ratio_ci"][0] > 1.25


def test_small_shift_passes_only_when_shown_equivalent(tmp_path: Path) -> None:
    ref = _two(tmp_path, "ref", 0.0, noise=1e-4, profile="paper")
    close = _two(tmp_path, "close", 0.0015, noise=1e-4, profile="paper")  # < margin 2e-3
    final = next(r for r in diff_aggregates(close, ref, DiffSpec())
                 if r["kind"] == "final" and r["metric"] == "test_regret")
    assert final["pass"] and final["outcome"] == "equivalent" and final["p_equiv"] < 0.05
    # the same shift with ten times the noise is inside the margin but not shown to be
    noisy_ref = _two(tmp_path, "noisy-ref", 0.0, profile="paper")
    noisy = _two(tmp_path, "noisy", 0.0015, profile="paper")
    final = next(r for r in diff_aggregates(noisy, noisy_ref, DiffSpec())
                 if r["kind"] == "final" and r["metric"] == "test_regret")
    assert final["pass"] is None and final["outcome"] in ("consistent", "underpowered")
    assert "seeds per side would decide it" in final["note"] and final["seeds_needed"] > 4


def test_missing_group_fails(tmp_path: Path) -> None:
    ref = _two(tmp_path, "ref", 0.0)
    write_results(tmp_path / "other", {("gdas", 1): [[0.1, 0.1], [0.1, 0.1]]})
    rows = diff_aggregates(aggregate_of(tmp_path / "other"), ref, DiffSpec())
    assert rows[0]["note"] == "missing from the results" and not rows[0]["pass"]


def test_table2_rows_compare_with_the_published_numbers(tmp_path: Path) -> None:
    published = paper()["table2"]
    # six seeds whose mean and sample std equal the published DARTS default SS1 cell
    m, s = 1.165e-2, 0.162e-2
    offsets = [-1.0, 1.0, -1.0, 1.0, -1.0, 1.0]
    k = s / math.sqrt(6 / 5)
    curves = {("darts-default", 1): [[0.05, m + o * k] for o in offsets],
              ("gdas-default", 1): [[0.05, 0.2] for _ in offsets]}
    write_results(tmp_path, curves, recipe="table2", profile="paper")
    rows = diff_table2(aggregate_of(tmp_path), published, DiffSpec())
    darts = next(r for r in rows if r["variant"] == "darts-default" and r["space"] == 1)
    assert darts["result_mean"] == pytest.approx(m)
    assert darts["result_std"] == pytest.approx(s)
    assert darts["pass"] and darts["outcome"] == "equivalent" \
        and darts["p_differ"] == pytest.approx(1.0) and darts["ratio"] == pytest.approx(1.0)
    gdas = next(r for r in rows if r["variant"] == "gdas-default" and r["space"] == 1)
    assert not gdas["pass"]  # 0.2 vs 1.155e-2 with zero spread on both sides
    missing = next(r for r in rows if r["variant"] == "pcdarts-transferred")
    assert missing["note"] == "missing from the results"


def test_plot_writes_png_and_pdf(tmp_path: Path) -> None:
    write_results(tmp_path, {("darts", 1): [[0.1, 0.02, 0.01], [0.3, 0.04, 0.03]],
                             ("gdas", 1): [[0.1, 0.05, 0.05], [0.2, 0.05, 0.05]],
                             ("darts", 3): [[0.1, 0.02, 0.0], [0.3, 0.04, 0.03]]})
    files = plot_aggregate(aggregate_of(tmp_path), tmp_path / "plots")
    assert [f.suffix for f in files] == [".png", ".pdf"]
    assert files[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert files[1].read_bytes()[:5] == b"%PDF-"
    assert files[0].stat().st_size > 10_000


def test_smoke_results_are_never_diffed_against_table2(tmp_path: Path) -> None:
    from nb1s.harness.experiments.search_curves.reproduce import diff_results
    from nb1s.harness.recipe.catalog import recipes_dir
    from nb1s.harness.recipe.schema import parse_recipe

    write_results(tmp_path, {("darts-default", 1): [[0.05, 0.01], [0.05, 0.02]]},
                  recipe="table2", profile="smoke")
    result = diff_results(tmp_path, parse_recipe(recipes_dir() / "table2.yaml"))
    assert not [r for r in result["rows"] if r["kind"] == "paper"]
    assert any("Table 2 of the paper is not compared" in n for n in result["notes"])
    assert (tmp_path / "diff.md").read_text().startswith("# nb1s diff: table2 v2")


def _git_repo(path: Path) -> Path:
    """A committed git repository standing in for the nb1s checkout."""
    import subprocess

    path.mkdir()
    env = ["-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "code.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(path), "add", "code.py"], check=True)
    subprocess.run(["git", *env, "-C", str(path), "commit", "-qm", "c"], check=True)
    return path


def test_reference_curves_round_trip_and_refuse_other_versions(tmp_path: Path) -> None:
    from nb1s.harness.errors import UserError
    from nb1s.harness.experiments.search_curves.reference_curves import load_curves, store_curves

    repo = _git_repo(tmp_path / "repo")
    write_results(tmp_path / "r", {("darts", 1): [[0.1, 0.05], [0.2, 0.1]]}, version=1)
    agg = aggregate_of(tmp_path / "r")
    agg["provenance"]["git_hash"] = "0" * 40
    path = store_curves(agg, folder=tmp_path / "curves", repo=repo)
    assert path.name == "fig2-smoke-paper.json"
    loaded, where = load_curves("fig2", "smoke", "paper", 1, folder=tmp_path / "curves")
    assert loaded == json.loads(json.dumps(agg)) and where == str(path)
    none, why = load_curves("fig2", "smoke", "paper", 2, folder=tmp_path / "curves")
    assert none is None and "version 1, not 2" in why
    missing, why = load_curves("fig7", "paper", "paper", 1, folder=tmp_path / "curves")
    assert missing is None and "no reference curves exist" in why
    agg["missing_runs"] = ["darts/space1/seed2"]
    with pytest.raises(UserError, match="missing runs"):
        store_curves(agg, folder=tmp_path / "curves", repo=repo)


def test_store_refuses_dirty_trees_and_dirty_runs_and_writes_no_host_paths(
        tmp_path: Path) -> None:
    from nb1s.harness.errors import UserError
    from nb1s.harness.experiments.search_curves.reference_curves import store_curves

    repo = _git_repo(tmp_path / "repo")
    write_results(tmp_path / "r", {("darts", 1): [[0.1, 0.05], [0.2, 0.1]]})
    agg = aggregate_of(tmp_path / "r")
    agg["provenance"]["git_hash"] = "0" * 40
    agg["provenance"]["data"] = {"nb101": {"source": {"path": str(tmp_path / "x.tfrecord")}},
                                 "cifar10": {"path": "/tmp/somewhere/digits"}}
    folder = tmp_path / "curves"
    # runs recorded without a commit (the fixtures record none) are refused
    with pytest.raises(UserError, match="uncommitted code"):
        store_curves(agg, folder=folder, results=tmp_path / "r", repo=repo)
    path = store_curves(agg, folder=folder, note="made by a test", context="CPU, 2 workers",
                        repo=repo)
    text = path.read_text()
    assert str(tmp_path) not in text and "/tmp/" not in text
    record = json.loads(text)
    assert record["note"] == "made by a test" and record["context"] == "CPU, 2 workers"
    data = record["aggregate"]["provenance"]["data"]
    assert data["nb101"]["source"]["path"] == "x.tfrecord"
    assert data["cifar10"]["path"] == "digits"
    for bad, match in (({**agg, "title": "/home/me/x"}, "host path at aggregate.title"),
                       ({**agg, "provenance": {**agg["provenance"],
                                               "git_hash": "abc-dirty"}}, "uncommitted")):
        with pytest.raises(UserError, match=match):
            store_curves(bad, folder=tmp_path / "other", repo=repo)
    (repo / "code.py").write_text("x = 2\n")
    with pytest.raises(UserError, match="dirty work tree"):
        store_curves(agg, folder=tmp_path / "other", repo=repo)
    assert not (tmp_path / "other").exists()  # nothing half-written
    with pytest.raises(UserError, match="outside a git checkout"):
        store_curves(agg, folder=tmp_path / "other", repo=tmp_path / "r")
