"""Each claim check of Figures 5/14/15 passes on conforming numbers and FAILS on perturbed ones."""

from __future__ import annotations

from nb1s.harness.experiments.bohb import claims
from nb1s.harness.report.decision import decide_family
from nb1s.harness.report.verdict import verdict


def outcome(row: dict) -> str:  # type: ignore[type-arg]
    return str(row["outcome"])


def decided(row: dict) -> str:  # type: ignore[type-arg]
    """The outcome once the row is decided with its family (a family of one here)."""
    return outcome(decide_family([row], 0.05, 0.05)[0])


def test_factor_10_uses_each_runs_own_default_and_its_incumbent() -> None:
    # three runs per space: default / final incumbent = 12, 11, 13 on SS1
    good = {1: [(0.024, 0.002), (0.022, 0.002), (0.026, 0.002)], 2: [(0.01, 0.005)] * 3}
    assert decided(claims.factor_10(good)) == "checked"
    flat = {1: [(0.02, 0.01), (0.021, 0.01), (0.019, 0.01)]}  # about x2: contradicted
    assert decided(claims.factor_10(flat)) == "failed"
    assert outcome(claims.factor_10({1: [(0.05, 0.004)]})) == "underpowered"  # one run
    assert outcome(claims.factor_10({})) == "underpowered"  # no data is not "not checkable"


def test_budget_25_is_a_sign_test_not_a_share() -> None:
    # 12 of 14 runs at the lowest budget: shown (one-sided sign test p = 0.0065)
    assert decided(claims.budget_25([25] * 12 + [50, 100], 25)) == "checked"
    # 2 of 14: contradicted
    assert decided(claims.budget_25([25] * 2 + [50] * 12, 25)) == "failed"
    # a share read off a handful of runs decides nothing: 1 of 3 is not a FAIL, 2 of 3 or
    # 3 of 3 is not shown (a sign test needs 5 runs to reach 0.05)
    assert decided(claims.budget_25([25, 100, 50], 25)) == "underpowered"
    assert decided(claims.budget_25([25, 25, 25], 25)) == "underpowered"
    assert decided(claims.budget_25([25] * 7 + [50] * 7, 25)) == "underpowered"
    assert outcome(claims.budget_25([25, 25], 25)) == "underpowered"  # below min_seeds


def test_evaluations_and_tuning_time() -> None:
    assert outcome(claims.evaluations([280, 280], 280)) == "checked"
    assert outcome(claims.evaluations([280, 279], 280)) == "failed"
    assert outcome(claims.tuning_time([44.0, 47.0])) == "checked"
    assert outcome(claims.tuning_time([2.7])) == "failed"


def _seeds(level: float, n: int = 4) -> list[float]:
    return [level * (1 + 0.05 * k) for k in range(n)]


def test_re_best_blackbox_per_seed() -> None:
    good = {1: {"RE": _seeds(0.01), "RS": _seeds(0.02), "TPE": _seeds(0.015)},
            2: {"RE": _seeds(0.01), "HB": _seeds(0.03)}}
    assert decided(claims.re_best(good)) == "checked"
    bad = {1: {"RE": _seeds(0.01), "RS": _seeds(0.02)}, 2: {"RE": _seeds(0.02),
                                                            "TPE": _seeds(0.01)}}
    assert decided(claims.re_best(bad)) == "failed"
    tie = {1: {"RE": _seeds(0.01), "RS": list(reversed(_seeds(0.01)))}}
    assert decided(claims.re_best(tie)) == "underpowered"
    assert outcome(claims.re_best({})) == "underpowered"


def test_cs1_none_beats_re_compares_incumbents_not_the_best_evaluation() -> None:
    re = {1: _seeds(0.015)}
    assert decided(claims.cs1_none_beats_re({1: {"darts": _seeds(0.03)}}, re)) == "checked"
    assert decided(claims.cs1_none_beats_re({1: {"darts": _seeds(0.005)}}, re)) == "failed"


def test_cs3_only_pcdarts_ss3() -> None:
    bb = {1: {"RE": _seeds(0.01), "RS": _seeds(0.02)}, 3: {"RE": _seeds(0.005),
                                                           "RS": _seeds(0.01)}}
    one_shot = {("darts", 3): _seeds(0.02), ("pcdarts", 3): _seeds(0.001),
                ("pcdarts", 1): _seeds(0.02)}
    assert decided(claims.cs3_only_pcdarts_ss3(one_shot, bb)) == "checked"
    worse = {**one_shot, ("darts", 3): _seeds(0.002)}  # DARTS beats RE on SS3 too
    assert decided(claims.cs3_only_pcdarts_ss3(worse, bb)) == "failed"
    none = {**one_shot, ("pcdarts", 3): _seeds(0.05)}
    assert decided(claims.cs3_only_pcdarts_ss3(none, bb)) == "failed"


def test_smoke_data_is_never_a_pass() -> None:
    rows = decide_family([claims.budget_25([25] * 6, 25), claims.evaluations([280], 280)],
                         0.05, 0.05)
    assert verdict(rows, [])["status"] == "pass"
    marked = claims.not_checkable(rows, "smoke profile")
    assert all(r["outcome"] == "not checkable" and r["pass"] is None for r in marked)
    assert verdict(marked, ["smoke", "synthetic"])["status"] == "not-checkable"
