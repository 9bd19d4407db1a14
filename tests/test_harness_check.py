"""`nb1s check` gate: better / same / worse / no decision, on fixture curves."""

from __future__ import annotations

from pathlib import Path

from harness_fixtures import aggregate_of, write_results

from nb1s.harness.experiments.search_curves.check import (
    CANDIDATE,
    candidate_plan,
    check_candidate,
    compare,
)
from nb1s.harness.recipe.catalog import recipes_dir
from nb1s.harness.recipe.schema import DiffSpec, parse_recipe
from nb1s.harness.report.verdict import exit_code


def _agg(tmp_path: Path, name: str, per_variant: dict[str, float], seeds: int = 5) -> dict:
    curves = {(v, 1): [[0.05, level + 0.001 * k, level + 0.001 * k] for k in range(seeds)]
              for v, level in per_variant.items()}
    write_results(tmp_path / name, curves)
    return aggregate_of(tmp_path / name)


def test_compare_verdicts() -> None:
    spec = DiffSpec()
    assert compare([0.01, 0.011, 0.012], [0.05, 0.051, 0.052], spec)["verdict"] == "better"
    worse = compare([0.05, 0.051, 0.052], [0.01, 0.011, 0.012], spec)
    assert worse["verdict"] == "worse" and worse["cliffs_delta"] == 1.0
    assert worse["magnitude"] == "large" and worse["cohens_d"] > 10
    # agreement within the margin must be shown (TOST), not assumed from a large p
    same = compare([0.0200, 0.0201, 0.0202], [0.0201, 0.0202, 0.0200], spec)
    assert same["verdict"] == "same" and same["p_equiv"] < 0.05
    wide = compare([0.01, 0.03, 0.02], [0.02, 0.021, 0.019], spec)
    assert wide["verdict"] == "no decision" and wide["note"].startswith("consistent")
    assert "seeds per side would decide it" in wide["note"]
    # the margin is a ratio, symmetric: swapping the sides swaps better and worse
    assert compare([0.01, 0.011, 0.012], [0.05, 0.051, 0.052], spec)["p_beyond"] == \
        compare([0.05, 0.051, 0.052], [0.01, 0.011, 0.012], spec)["p_beyond"]
    # x1.1 with a tight spread: same within x1.25, but not within a x1.05 margin
    tight = ([0.011, 0.0111, 0.0112, 0.0111], [0.010, 0.0101, 0.0102, 0.0101])
    assert compare(*tight, spec)["verdict"] == "same"
    assert compare(*tight, DiffSpec(margin=1.05))["verdict"] == "worse"


def test_too_few_seeds_is_no_decision_never_same() -> None:
    spec = DiffSpec()
    # the review's case: the candidate's final regret is 100x DARTS's, two seeds each
    darts = [0.00896923557143766, 0.047209223210827954]
    hundred = compare([100 * v for v in darts], darts, spec)
    assert hundred["verdict"] == "no decision" and "min_seeds=3" in hundred["note"]
    assert compare(darts, darts, spec)["verdict"] == "no decision"
    # with the minimum lowered to 2 the 100x candidate is still not "same"
    two = DiffSpec(min_seeds=2)
    assert compare([100 * v for v in darts], darts, two)["verdict"] != "same"


def test_gate_fails_only_when_worse_than_the_baseline(tmp_path: Path) -> None:
    spec = DiffSpec()
    ref = _agg(tmp_path, "ref", {"darts": 0.02, "gdas": 0.002})
    good = _agg(tmp_path, "good", {CANDIDATE: 0.01})
    result = check_candidate(good, ref, spec)
    verdicts = {r["against"]: r["final"]["verdict"] for r in result["rows"]}
    assert verdicts == {"darts": "better", "gdas": "worse"}
    assert result["gate"]["status"] == "pass"  # the gate is against DARTS
    assert result["gate"]["counts"] == {"better": 1, "same": 0, "worse": 0, "no decision": 0}
    bad = _agg(tmp_path, "bad", {CANDIDATE: 0.04})
    failed = check_candidate(bad, ref, spec)
    assert failed["gate"]["status"] == "fail" and "space(s) 1" in failed["gate"]["line"]
    assert exit_code(failed["gate"]["status"]) == 1
    assert failed["labels"] == ["smoke", "synthetic"]
    assert check_candidate(bad, ref, spec, gate_against="enas")["gate"]["status"] == "no-baseline"


def test_gate_on_two_seeds_is_no_decision_and_exits_non_zero(tmp_path: Path) -> None:
    ref = _agg(tmp_path, "ref", {"darts": 0.02}, seeds=2)
    hundred = _agg(tmp_path, "bad", {CANDIDATE: 2.0}, seeds=2)  # 100x DARTS
    result = check_candidate(hundred, ref, DiffSpec())
    assert result["gate"]["status"] == "no-decision"
    assert result["rows"][0]["final"]["verdict"] == "no decision"
    assert exit_code(result["gate"]["status"]) == 4
    allowed = check_candidate(hundred, ref, DiffSpec(), allow_undecided=True)
    assert allowed["gate"]["status"] == "no-decision" and "allowed" in allowed["gate"]["line"]
    assert exit_code(allowed["gate"]["status"], allow_undecided=True) == 0
    # and with five seeds the same candidate is decided: worse, the gate fails
    ref5 = _agg(tmp_path, "ref5", {"darts": 0.02})
    bad5 = _agg(tmp_path, "bad5", {CANDIDATE: 2.0})
    assert check_candidate(bad5, ref5, DiffSpec())["gate"]["status"] == "fail"


def test_a_copy_on_fewer_seeds_shows_no_effect(tmp_path: Path) -> None:
    # DartsCopy in docs/verdicts.md: 2 candidate seeds, bit-identical to 2 of 4 reference
    # seeds; on all seeds of each side Cliff's delta was -0.25 beside the word `same`
    ref = _agg(tmp_path, "ref", {"darts": 0.02}, seeds=4)
    copy = _agg(tmp_path, "copy", {CANDIDATE: 0.02}, seeds=2)
    row = check_candidate(copy, ref, DiffSpec())["rows"][0]
    for part in ("final", "anytime"):
        r = row[part]
        assert r["verdict"] == "same" and r["outcome"] == "exact"
        assert r["cliffs_delta"] == 0.0 and r["cohens_d"] == 0.0, r
        assert r["magnitude"] == "negligible" and r["effect_seeds"] == "2 common"
        assert (r["n_candidate"], r["n_reference"]) == (2, 4)  # each side is still shown whole
    # not a copy: the ratio rule decides on every value, and so do the effect sizes
    off = _agg(tmp_path, "off", {CANDIDATE: 0.0215}, seeds=2)
    final = check_candidate(off, ref, DiffSpec())["rows"][0]["final"]
    assert final["outcome"] != "exact" and final["effect_seeds"] == "all"
    assert final["cliffs_delta"] == 0.25  # 0.0215, 0.0225 vs 0.020-0.023: (5 - 3) / 8


def test_candidate_plan_uses_shared_settings_only() -> None:
    recipe = parse_recipe(recipes_dir() / "fig2.yaml")
    plan = candidate_plan(recipe, "my_opt", "paper", "paper")
    assert {r.optimizer for r in plan.runs} == {"my_opt"}
    assert len(plan.runs) == 3 * 6
    hp = plan.runs[0].hyperparameters
    assert hp["batch_size"] == 96 and "tau_max" not in hp and "partial_channels" in hp
