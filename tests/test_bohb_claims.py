"""Each claim check of Figures 5/14/15 passes on conforming numbers and FAILS on perturbed ones."""

from __future__ import annotations

from nb1s.harness.experiments.bohb import claims
from nb1s.harness.report.verdict import verdict


def outcome(row: dict) -> str:  # type: ignore[type-arg]
    return str(row["outcome"])


def test_factor_10() -> None:
    assert outcome(claims.factor_10({1: 0.02, 2: 0.03}, {1: 0.01, 2: 0.003})) == "checked"
    assert outcome(claims.factor_10({1: 0.02, 2: 0.03}, {1: 0.01, 2: 0.02})) == "failed"
    assert outcome(claims.factor_10({}, {})) == "not checkable"


def test_budget_25() -> None:
    assert outcome(claims.budget_25([25, 25, 50], 25)) == "checked"
    assert outcome(claims.budget_25([25, 100, 50], 25)) == "failed"


def test_evaluations_and_tuning_time() -> None:
    assert outcome(claims.evaluations([280, 280], 280)) == "checked"
    assert outcome(claims.evaluations([280, 279], 280)) == "failed"
    assert outcome(claims.tuning_time([44.0, 47.0])) == "checked"
    assert outcome(claims.tuning_time([2.7])) == "failed"


def test_re_best_blackbox() -> None:
    good = {1: {"RE": 0.01, "RS": 0.02, "TPE": 0.015}, 2: {"RE": 0.01, "HB": 0.03}}
    assert outcome(claims.re_best(good)) == "checked"
    bad = {1: {"RE": 0.01, "RS": 0.02}, 2: {"RE": 0.02, "TPE": 0.01}}
    assert outcome(claims.re_best(bad)) == "failed"
    assert outcome(claims.re_best({})) == "not checkable"


def test_cs1_none_beats_re() -> None:
    assert outcome(claims.cs1_none_beats_re({1: [0.02, 0.03]}, {1: 0.015})) == "checked"
    assert outcome(claims.cs1_none_beats_re({1: [0.02, 0.01]}, {1: 0.015})) == "failed"


def test_cs3_only_pcdarts_ss3() -> None:
    best = {("darts", 3): 0.02, ("pcdarts", 3): 0.001, ("pcdarts", 1): 0.02}
    assert outcome(claims.cs3_only_pcdarts_ss3(best, {1: 0.01, 3: 0.005})) == "checked"
    worse = {**best, ("darts", 3): 0.004}
    assert outcome(claims.cs3_only_pcdarts_ss3(worse, {1: 0.01, 3: 0.005})) == "failed"
    none = {**best, ("pcdarts", 3): 0.006}
    assert outcome(claims.cs3_only_pcdarts_ss3(none, {1: 0.01, 3: 0.005})) == "failed"


def test_smoke_data_is_never_a_pass() -> None:
    rows = [claims.budget_25([25, 25], 25), claims.evaluations([280], 280)]
    assert verdict(rows, [])["status"] == "pass"
    marked = claims.not_checkable(rows, "smoke profile")
    assert all(r["outcome"] == "not checkable" and r["pass"] is None for r in marked)
    assert verdict(marked, ["smoke", "synthetic"])["status"] == "not-checkable"
