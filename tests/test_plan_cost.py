"""`nb1s plan`: every resolved run with its settings, data and cost, before anything runs.

The GPU column is the paper's footnote-4 runtime (its RTX 2080Ti) scaled by epochs and
weight-split images; the CPU column comes from a step timed here (`--measure`). The
arithmetic is checked against numbers worked out by hand, so a wrong scale fails.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nb1s.harness.cli.app import app
from nb1s.harness.experiments.cost import (
    PlannedRun,
    hyperband_schedule,
    plan_cost,
    with_cpu,
)
from nb1s.harness.experiments.dispatch import load_checked, plan_for
from nb1s.harness.references import paper

runner = CliRunner()


def plan_json(*args: str) -> dict:
    res = runner.invoke(app, ["plan", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_fig2_shows_90_runs_with_the_footnote4_cost() -> None:
    out = plan_json("fig2")
    assert out["count"] == 90 and len(out["runs"]) == 90
    hours = paper()["runtimes_50_epochs"]["hours"]
    # 50 epochs of CIFAR-10's 25,000 weight images: exactly the footnote's hours, 6 seeds x 3
    # spaces per optimizer
    assert out["total"]["gpu_hours"] == pytest.approx(
        18 * sum(hours[o] for o in ("darts", "gdas", "pcdarts", "enas", "random_ws")))
    darts = next(r for r in out["runs"] if r["key"] == "darts/space1/seed0")
    assert darts["gpu_hours"] == 3.0 and darts["epochs"] == 50
    # every hyperparameter, protocol switch and tracking key, and its data
    assert darts["settings"]["batch_size"] == 96 and darts["settings"]["grad_clip"] == 5.0
    assert darts["settings"]["data_split"] == "original"
    assert darts["steps"] == 50 * 261  # ceil(25,000 / 96) weight steps per epoch
    assert "CIFAR-10" in darts["data"]
    assert out["gpu"]["device"] == "NVIDIA RTX 2080Ti"
    gdas = {r["settings"]["arch_grad_clip"] for r in out["runs"] if r["optimizer"] == "gdas"}
    assert gdas == {5.0}  # the reviewer's question, answered by the plan


def test_smoke_plan_scales_by_epochs_and_digits_images() -> None:
    out = plan_json("fig2", "--profile", "smoke")
    row = out["runs"][0]
    assert "SYNTHETIC" in row["data"] and "digits" in row["data"]
    images = 1797 - 300
    want = 3.0 * row["epochs"] / 50 * (images // 2) / 25_000
    assert row["gpu_hours"] == pytest.approx(want, abs=1e-4)


def test_seeds_replace_the_recipe_seeds() -> None:
    out = plan_json("fig2", "--seeds", "0-2")
    assert out["count"] == 5 * 3 * 3
    assert {r["seeds"][0] for r in out["runs"]} == {0, 1, 2}
    bad = runner.invoke(app, ["plan", "fig2", "--seeds", "3-1"])
    assert bad.exit_code != 0


def test_blackbox_rows_are_seed_batches_on_cpu() -> None:
    out = plan_json("blackbox")
    assert out["count"] == 7 * 3
    assert all(len(r["seeds"]) == 500 and r["gpu_hours"] is None for r in out["runs"])
    assert {r["evaluations"] for r in out["runs"]} == {280}


def test_hyperband_schedule_gives_the_papers_280_evaluations() -> None:
    assert hyperband_schedule(25, 100, 2, 64) == (280, 17_100.0)
    assert hyperband_schedule(1, 2, 2, 2) == (5, 8.0)  # the fig5 smoke profile's 5
    assert hyperband_schedule(25, 100, 2, 63) == (273, 16_800.0)


def test_fig5_plan_has_bohb_runs_and_the_blackbox_side() -> None:
    out = plan_json("fig5")
    bohb = [r for r in out["runs"] if r["kind"] == "bohb"]
    assert len(bohb) == 3 * 3 * 3 * 3 and all(r["evaluations"] == 280 for r in bohb)
    gdas = next(r for r in bohb if r["optimizer"] == "gdas")
    assert gdas["gpu_hours"] == pytest.approx(1.5 * 17_100 / 50 * 20_000 / 25_000)
    assert sum(r["kind"] == "blackbox" for r in out["runs"]) == 7 * 3


def test_cpu_estimate_is_step_time_times_steps_plus_startup() -> None:
    cost = plan_cost(plan_for(load_checked("fig2"), "smoke"))
    row = cost.runs[0]
    measured = {"run start-up": {"seconds": 2.0}, row.measure_key: {"seconds": 0.5}}
    timed = with_cpu(cost, measured, "test")
    first = timed.runs[0]
    assert isinstance(first, PlannedRun)
    assert first.cpu_seconds == pytest.approx(2.0 + 0.5 * row.steps)
    same = [r for r in timed.runs if r.measure_key == row.measure_key]
    assert timed.cpu_seconds is not None and timed.cpu_seconds >= len(same) * first.cpu_seconds


def test_measure_times_a_real_step_and_prints_the_table() -> None:
    res = runner.invoke(app, ["plan", "fig2", "--profile", "smoke", "--seeds", "0",
                              "--measure"])
    assert res.exit_code == 0, res.output
    assert "15 runs" not in res.stdout and "5 runs" in res.stdout
    assert "per search step" in res.stdout and "GPU-hours in all" in res.stdout


def test_analysis_recipe_has_nothing_to_train() -> None:
    res = runner.invoke(app, ["plan", "fig16"])
    assert res.exit_code == 0 and "nothing to train" in res.stdout


def test_an_unknown_data_split_is_refused_not_costed_as_original() -> None:
    """Every `data_split` value has its own image count; an unknown one raises instead of
    falling back silently to the 50,000 images of `original`."""
    from nb1s.harness.errors import UserError
    from nb1s.harness.experiments.cost import CIFAR_TRAIN, weight_images
    from nb1s.optimizers.config.options import OPTION_SPECS

    assert set(CIFAR_TRAIN) == set(OPTION_SPECS["data_split"].values)
    assert weight_images(False, "original", 0.5) == 25_000
    assert weight_images(False, "bohb_20k", 0.5) == 20_000
    for synthetic in (False, True):
        with pytest.raises(UserError, match="data_split 'bohb_10k' has no training-image"):
            weight_images(synthetic, "bohb_10k", 0.5)


def _plan_at(columns: str, recipe: str) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run([str(Path(sys.executable).parent / "nb1s"), "plan", recipe],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_plan_at_80_columns_keeps_run_names_and_settings_whole() -> None:
    """At 80 columns the settings column was folded mid-word (`darts/spac` / `e1/seed0`,
    `weight_dec` / `ay=0.0003`) on every one of the 90 rows; now each run name is one cell
    and each distinct group of settings is printed once under the table."""
    out = _plan_at("80", "fig2")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    for key in ("darts/space1/seed0", "random_ws/space3/seed5", "gdas/space2/seed3"):
        assert any(key in line for line in lines), key
    groups = [line for line in lines if line.startswith("  ") and "/*/*:" in line]
    assert [g.split(":")[0].strip() for g in groups] == [
        "darts/*/*", "gdas/*/*", "pcdarts/*/*", "enas/*/*", "random_ws/*/*"]
    gdas = out[out.index("gdas/*/*:"):out.index("pcdarts/*/*:")]
    assert "arch_grad_clip=5.0" in gdas.replace("\n", " ")
    wide = _plan_at("200", "fig2")  # a wide terminal keeps the settings column
    assert "settings of this run" in wide and "settings of each run" not in wide


def test_plan_without_footnote_hours_says_no_estimate() -> None:
    """The black-box grid runs on CPUs: no `GPU: - GPU-hours in all on the paper's GPU`."""
    out = _plan_at("200", "blackbox")
    assert "GPU: no estimate (CPU only (table look-ups))" in out
    assert "- GPU-hours" not in out
    mixed = _plan_at("200", "fig5")  # BOHB rows priced, its black-box side not
    assert "GPU-hours in all" in mixed and "does not price: CPU only" in mixed


def test_settings_groups_name_runs_compactly_and_never_too_many() -> None:
    from nb1s.harness.cli.plan_cmd import settings_groups

    keys = [f"bohb/cs{c}/space{s}/darts/seed1" for c in (1, 2) for s in (1, 2, 3)]
    keys += ["blackbox/space1/RE", "blackbox/space1/RS"]
    settings = ["cs=1"] * 3 + ["cs=2"] * 3 + ["n=280", "n=280"]
    assert settings_groups(keys, settings) == [
        ("bohb/cs1/*/darts/seed1", "cs=1"), ("bohb/cs2/*/darts/seed1", "cs=2"),
        ("blackbox/space1/*", "n=280")]
    # {a,b} x {x,y} would also name a/y: the keys are listed instead
    assert settings_groups(["a/x", "b/y", "a/y"], ["1", "1", "2"]) == [
        ("a/x, b/y", "1"), ("a/y", "2")]
