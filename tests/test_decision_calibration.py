"""Calibration of the one decision rule, measured by Monte Carlo (issue 18 item 2).

Whole verdicts are simulated with the vectorised code the rows use. With both sides from
one distribution (lognormal and a heavier log-t3 tail, CV 0.1-1.0, n 3-12) a verdict of
ten rows must FAIL, and report a difference at all, in at most alpha of the draws (Holm
over the rows). Perturbations of the rule are caught: dropping Holm, dropping the
two-sidedness of the interval or judging on the point estimate breaks a bound below.
"""

from __future__ import annotations

import numpy as np
import pytest

from nb1s.harness.references import paper
from nb1s.harness.report.calibration import draw_logs, simulate, simulate_table2
from nb1s.harness.report.decision import (
    CONSISTENT,
    DIFFERENT,
    EQUIVALENT,
    UNDECIDED,
    classify,
    from_logs,
    holm,
    pvalues,
)

ALPHA = 0.05
SLACK = 3 * np.sqrt(ALPHA * (1 - ALPHA) / 2000)  # three Monte Carlo standard errors


@pytest.mark.parametrize("dist", ["lognormal", "log-t3"])
def test_same_distributions_fail_and_differ_at_most_alpha_per_verdict(dist: str) -> None:
    rng = np.random.default_rng(18)
    worst_fail = worst_differ = 0.0
    for cv in (0.1, 0.25, 0.5, 0.75, 1.0):
        for n in (3, 4, 6, 8, 12):
            r = simulate(rng, dist, cv, n, 1.0, rows=10, reps=2000)
            worst_fail, worst_differ = max(worst_fail, r.fail), max(worst_differ, r.differ)
            assert r.fail + r.differ + r.consistent + r.passed + r.undecided > 0
    assert worst_fail <= ALPHA
    assert worst_differ <= ALPHA + SLACK


def test_a_perfect_table2_reproduction_never_fails_and_is_pass_or_consistent() -> None:
    t2 = paper()["table2"]
    cells = [(c["mean"], c["std"]) for row in t2["rows"] for c in row["test_regret"].values()]
    assert len(cells) == 12
    r = simulate_table2(np.random.default_rng(2), cells, int(t2["runs"]), reps=4000)
    assert r.fail <= ALPHA
    assert r.passed + r.consistent >= 0.90
    worse = simulate_table2(np.random.default_rng(3), cells, int(t2["runs"]), reps=2000,
                            ratio=3.0)
    assert worse.fail >= 0.99  # a x3 reproduction is caught


def test_at_the_margin_a_single_row_fails_at_half_alpha_two_sided_interval() -> None:
    # the true ratio exactly on the margin: the (1 - alpha) interval lies above it with
    # probability alpha / 2 (a one-sided interval, or a point-estimate rule, would not)
    rng = np.random.default_rng(4)
    la = draw_logs(rng, "lognormal", 0.5, (40000, 6)) + np.log(1.25)
    lb = draw_logs(rng, "lognormal", 0.5, (40000, 6))
    p = pvalues(from_logs(la, lb), 1.25)
    rate = float((p.beyond < ALPHA).mean())
    assert 0.4 * ALPHA < rate < 0.6 * ALPHA


def test_holm_keeps_a_family_of_rows_on_the_margin_within_alpha() -> None:
    rng = np.random.default_rng(5)
    la = draw_logs(rng, "lognormal", 0.25, (4000, 10, 6)) + np.log(1.25)
    lb = draw_logs(rng, "lognormal", 0.25, (4000, 10, 6))
    p = pvalues(from_logs(la, lb), 1.25)
    with_holm = float((holm(p.beyond) < ALPHA).any(axis=-1).mean())
    without = float((p.beyond < ALPHA).any(axis=-1).mean())
    assert with_holm <= ALPHA and without > 2 * ALPHA


def test_power_grows_with_the_ratio_and_the_seeds() -> None:
    rng = np.random.default_rng(6)
    f = {(n, k): simulate(rng, "lognormal", 0.25, n, k, rows=1, reps=2000).fail
         for n in (3, 12) for k in (1.5, 3.0)}
    assert f[(12, 3.0)] > 0.99 and f[(3, 3.0)] > 0.6
    assert f[(3, 1.5)] < f[(12, 1.5)] < f[(12, 3.0)]


def test_holm_matches_a_hand_computed_family() -> None:
    # sorted 0.005 0.01 0.03 0.04 -> x4 x3 x2 x1 = 0.02 0.03 0.06 0.04 -> monotone 0.06
    out = holm(np.array([0.01, 0.04, 0.03, 0.005]))
    assert np.allclose(out, [0.03, 0.06, 0.06, 0.02])


def test_classify_three_ways_and_consistent_is_not_equivalent() -> None:
    codes = classify(np.array([0.01, 0.9, 0.9, 0.9]), np.array([0.0, 0.9, 0.5, 0.01]),
                     np.array([0.9, 0.01, 0.5, 0.5]), ALPHA, ALPHA)
    assert codes.tolist() == [DIFFERENT, EQUIVALENT, CONSISTENT, UNDECIDED]
    # on the level itself: not below alpha, so not decided
    assert classify(np.array([ALPHA]), np.array([1.0]), np.array([ALPHA]), ALPHA,
                    ALPHA).tolist() == [CONSISTENT]


def test_the_rule_is_symmetric_in_the_two_sides() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 0.4, 5), rng.normal(0.3, 0.6, 7)
    ab, ba = pvalues(from_logs(a, b), 1.25), pvalues(from_logs(b, a), 1.25)
    for x, y in ((ab.beyond, ba.beyond), (ab.differ, ba.differ), (ab.equiv, ba.equiv)):
        assert np.isclose(x, y)


def test_the_table_in_docs_verdicts_is_what_the_tool_measures() -> None:
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[1] / "tools" / "calibrate_verdicts.py"
    proc = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True,
                          text=True, check=False, timeout=300)
    assert proc.returncode == 0, "docs/verdicts.md is stale: run python " \
        "tools/calibrate_verdicts.py"


def test_boundaries_of_the_rule_are_strict() -> None:
    # a significance p exactly at alpha is not a difference: consistent, not undecided
    assert classify(np.array([1.0]), np.array([ALPHA]), np.array([1.0]), ALPHA,
                    ALPHA).tolist() == [CONSISTENT]
    # zero spread on both sides is decided exactly against the margin
    def exact(ratio: float) -> tuple[float, float, float]:
        p = pvalues(from_logs(np.full(3, np.log(ratio)), np.zeros(3)), 1.25)
        return float(p.beyond), float(p.differ), float(p.equiv)
    assert exact(1.3) == (0.0, 0.0, 1.0)
    assert exact(1.2) == (1.0, 0.0, 0.0)
    assert exact(1.0) == (1.0, 1.0, 0.0)
    # exactly at the margin (4 seeds, so the mean log is exactly log 1.25): neither beyond
    # it nor inside it
    at_margin = pvalues(from_logs(np.full(4, np.log(1.25)), np.zeros(4)), 1.25)
    assert (float(at_margin.beyond), float(at_margin.equiv)) == (1.0, 1.0)


def test_seeds_to_decide_is_the_smallest_deciding_n() -> None:
    from scipy import stats as sps

    from nb1s.harness.report.decision import seeds_to_decide

    delta, sd = np.log(1.25), 0.5
    for log_ratio in (np.log(2.0), np.log(1.05)):
        n = seeds_to_decide(float(log_ratio), sd, 1.25, ALPHA, ALPHA)
        assert n is not None and n > 3
        gap = abs(abs(log_ratio) - delta)
        q = 1 - ALPHA / 2 if abs(log_ratio) > delta else 1 - ALPHA

        def clears(k: int, q: float = q, gap: float = gap) -> bool:
            return float(sps.t.ppf(q, k - 1)) * sd * np.sqrt(2 / k) < gap
        assert clears(n) and not clears(n - 1)
    assert seeds_to_decide(float(delta), sd, 1.25, ALPHA, ALPHA) is None  # on the margin
