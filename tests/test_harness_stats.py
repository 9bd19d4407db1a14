"""Known-answer tests of the diff and gate statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from nb1s.harness.report.stats import (
    bootstrap_mean_diff,
    cliffs_delta,
    cliffs_magnitude,
    cohens_d,
    welch,
    welch_from_stats,
)


def test_welch_matches_scipy_and_a_hand_computed_case() -> None:
    a, b = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0, 10.0]
    ours = welch(a, b)
    ref = sps.ttest_ind(a, b, equal_var=False)
    assert ours.t == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-10)
    # by hand: se^2 = 1.6667/4 + 10/5 = 2.41667, t = -3.5 / 1.55456
    assert ours.t == pytest.approx(-3.5 / math.sqrt(5 / 12 + 2), rel=1e-12)
    assert ours.mean_diff == pytest.approx(-3.5)


def test_welch_from_summary_statistics_matches_scipy() -> None:
    ours = welch_from_stats(1.165e-2, 0.162e-2, 6, 1.103e-2, 0.220e-2, 6)
    ref = sps.ttest_ind_from_stats(1.165e-2, 0.162e-2, 6, 1.103e-2, 0.220e-2, 6,
                                   equal_var=False)
    assert ours.p == pytest.approx(ref.pvalue, rel=1e-10)


def test_zero_variance_on_both_sides_is_decided_exactly() -> None:
    assert welch([1.0, 1.0], [1.0, 1.0]).p == 1.0
    assert welch([1.0, 1.0], [2.0, 2.0]).p == 0.0
    assert welch([1.0], [2.0, 3.0]).p == 1.0  # one value: cannot reject


def test_cliffs_delta_and_cohens_d_known_answers() -> None:
    assert cliffs_delta([1, 2, 3], [4, 5, 6]) == -1.0
    assert cliffs_delta([4, 5, 6], [1, 2, 3]) == 1.0
    assert cliffs_delta([1, 2], [1, 2]) == 0.0
    # pairs of [1,3] vs [2]: (1<2) and (3>2) -> 0
    assert cliffs_delta([1, 3], [2]) == 0.0
    assert cohens_d([2, 4, 6], [1, 3, 5]) == pytest.approx(0.5)  # diff 1, pooled sd 2
    assert cliffs_magnitude(0.1) == "negligible"
    assert cliffs_magnitude(-0.5) == "large"


def test_bootstrap_interval_is_seeded_and_covers_the_difference() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 0.1, 30), rng.normal(0.5, 0.1, 30)
    lo, hi = bootstrap_mean_diff(a, b, 2000, seed=3)
    assert (lo, hi) == bootstrap_mean_diff(a, b, 2000, seed=3)
    assert lo < a.mean() - b.mean() < hi
    assert lo > 0.4 and hi < 0.6


def test_tost_equals_the_interval_rule_and_a_hand_computed_case() -> None:
    from nb1s.harness.report.stats import tost

    a, b = [1.0, 1.2, 0.9, 1.1], [1.05, 0.95, 1.0, 1.1, 1.02]
    w = welch(a, b)
    se = abs(w.mean_diff / w.t)
    for margin in (0.05, 0.2, 0.4):
        t = tost(a, b, margin)
        # TOST at alpha <=> the (1 - 2 alpha) Welch interval lies inside (-margin, margin)
        lo, hi = sps.t.interval(0.90, w.df, loc=w.mean_diff, scale=se)
        assert (t.p < 0.05) == (-margin < lo and hi < margin)
        by_hand = max(sps.t.sf((w.mean_diff + margin) / se, w.df),
                      sps.t.cdf((w.mean_diff - margin) / se, w.df))
        assert t.p == pytest.approx(by_hand, rel=1e-12)
    assert tost(a, b, 0.4).p < 0.01 < 0.5 < tost(a, b, 0.01).p


def test_tost_cannot_show_agreement_from_one_value_and_decides_zero_spread() -> None:
    from nb1s.harness.report.stats import tost

    assert tost([1.0], [1.0, 1.0], 10.0).p == 1.0  # one value: nothing is shown
    assert tost([1.0, 1.0], [1.0, 1.0], 1e-9).p == 0.0  # identical constants agree
    assert tost([1.0, 1.0], [2.0, 2.0], 0.5).p == 1.0
    # far apart means are never "equivalent", however few or noisy the seeds
    assert tost([0.9, 4.7], [0.009, 0.047], 0.007).p > 0.4
