"""`nb1s check` gate: better / same / worse with effect sizes, on fixture curves."""

from __future__ import annotations

from pathlib import Path

from harness_fixtures import aggregate_of, write_results

from nb1s.harness.check import CANDIDATE, candidate_plan, check_candidate, compare
from nb1s.harness.recipe import parse_recipe
from nb1s.harness.recipe_catalog import recipes_dir


def _agg(tmp_path: Path, name: str, per_variant: dict[str, float]) -> dict:
    curves = {(v, 1): [[0.05, level + 0.001 * k, level + 0.001 * k] for k in range(5)]
              for v, level in per_variant.items()}
    write_results(tmp_path / name, curves)
    return aggregate_of(tmp_path / name)


def test_compare_verdicts() -> None:
    assert compare([0.01, 0.011, 0.012], [0.05, 0.051, 0.052], 0.01)["verdict"] == "better"
    worse = compare([0.05, 0.051, 0.052], [0.01, 0.011, 0.012], 0.01)
    assert worse["verdict"] == "worse" and worse["cliffs_delta"] == 1.0
    assert worse["magnitude"] == "large" and worse["cohens_d"] > 10
    assert compare([0.01, 0.03], [0.02, 0.021], 0.01)["verdict"] == "same"


def test_gate_fails_only_when_worse_than_the_baseline(tmp_path: Path) -> None:
    ref = _agg(tmp_path, "ref", {"darts": 0.02, "gdas": 0.005})
    good = _agg(tmp_path, "good", {CANDIDATE: 0.01})
    result = check_candidate(good, ref, alpha=0.01)
    verdicts = {r["against"]: r["final"]["verdict"] for r in result["rows"]}
    assert verdicts == {"darts": "better", "gdas": "worse"}
    assert result["gate"]["status"] == "pass"  # the gate is against DARTS
    bad = _agg(tmp_path, "bad", {CANDIDATE: 0.04})
    failed = check_candidate(bad, ref, alpha=0.01)
    assert failed["gate"]["status"] == "fail" and "space(s) 1" in failed["gate"]["line"]
    assert failed["labels"] == ["smoke", "synthetic"]
    assert check_candidate(bad, ref, 0.01, gate_against="enas")["gate"]["status"] == "no-baseline"


def test_candidate_plan_uses_shared_settings_only() -> None:
    recipe = parse_recipe(recipes_dir() / "fig2.yaml")
    plan = candidate_plan(recipe, "my_opt", "paper", "paper")
    assert {r.optimizer for r in plan.runs} == {"my_opt"}
    assert len(plan.runs) == 3 * 6
    hp = plan.runs[0].hyperparameters
    assert hp["batch_size"] == 96 and "tau_max" not in hp and "partial_channels" in hp
