"""Small-sample statistics for diffs and gates: Welch's t-test, bootstrap, effect sizes.

Search results come in handfuls of seeds (2-12) with unequal variances (GDAS often has
zero spread), so the comparisons are Welch's unequal-variance t-test, a percentile
bootstrap interval of the difference of means, Cohen's d and Cliff's delta (a rank effect
size that does not assume normality). Degenerate inputs (fewer than two values, zero
variance on both sides) return explicit NaN/inf-free answers instead of warnings.

"Not significantly different" is not evidence of agreement (with two seeds almost nothing
is significant), so agreement is tested on its own: Schuirmann's two one-sided tests
(TOST) with an explicit equivalence margin, built on the same Welch statistics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps


@dataclass(frozen=True)
class WelchResult:
    t: float
    df: float
    p: float
    mean_diff: float


def welch_from_stats(mean_a: float, std_a: float, n_a: int,
                     mean_b: float, std_b: float, n_b: int) -> WelchResult:
    """Welch's t-test from summary statistics (sample std, ddof 1).

    Used for published numbers (Table 2 gives only mean ± std over 6 runs). With zero
    variance on both sides the test is decided exactly: p = 1 for equal means, else 0.
    """
    diff = mean_a - mean_b
    if n_a < 2 or n_b < 2:
        return WelchResult(math.nan, math.nan, 1.0, diff)
    va, vb = std_a**2 / n_a, std_b**2 / n_b
    se2 = va + vb
    if se2 == 0.0:
        return WelchResult(0.0 if diff == 0 else math.copysign(math.inf, diff), math.inf,
                           1.0 if diff == 0 else 0.0, diff)
    t = diff / math.sqrt(se2)
    denom = (va**2 / (n_a - 1) if va else 0.0) + (vb**2 / (n_b - 1) if vb else 0.0)
    df = se2**2 / denom
    p = float(2.0 * sps.t.sf(abs(t), df))
    return WelchResult(t, df, p, diff)


def welch(a: Sequence[float], b: Sequence[float]) -> WelchResult:
    """Welch's t-test of two samples (two-sided)."""
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    sa = float(xa.std(ddof=1)) if len(xa) > 1 else 0.0
    sb = float(xb.std(ddof=1)) if len(xb) > 1 else 0.0
    return welch_from_stats(float(xa.mean()), sa, len(xa), float(xb.mean()), sb, len(xb))


@dataclass(frozen=True)
class TostResult:
    """Two one-sided Welch tests of |mean a - mean b| < margin; p is the larger one-sided p."""

    p: float
    mean_diff: float
    margin: float
    df: float


def tost_from_stats(mean_a: float, std_a: float, n_a: int, mean_b: float, std_b: float,
                    n_b: int, margin: float) -> TostResult:
    """Schuirmann's TOST for equivalence of two means, Welch-style (unequal variances).

    H0 is "the means differ by at least `margin`"; a small p shows they agree within it
    (equivalently: the (1 - 2 alpha) Welch interval of the difference lies inside
    (-margin, margin)). Built from scipy's t distribution because scipy has no TOST and
    the Welch pieces are already here. Fewer than two values on a side cannot show
    anything (p = 1); zero variance on both sides is decided exactly.
    """
    diff = mean_a - mean_b
    if n_a < 2 or n_b < 2:
        return TostResult(1.0, diff, margin, math.nan)
    va, vb = std_a**2 / n_a, std_b**2 / n_b
    se2 = va + vb
    if se2 == 0.0:
        return TostResult(0.0 if abs(diff) < margin else 1.0, diff, margin, math.inf)
    se = math.sqrt(se2)
    denom = (va**2 / (n_a - 1) if va else 0.0) + (vb**2 / (n_b - 1) if vb else 0.0)
    df = se2**2 / denom
    p_low = float(sps.t.sf((diff + margin) / se, df))   # H0: diff <= -margin
    p_high = float(sps.t.cdf((diff - margin) / se, df))  # H0: diff >= +margin
    return TostResult(max(p_low, p_high), diff, margin, df)


def tost(a: Sequence[float], b: Sequence[float], margin: float) -> TostResult:
    """TOST of two samples (see `tost_from_stats`)."""
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    sa = float(xa.std(ddof=1)) if len(xa) > 1 else 0.0
    sb = float(xb.std(ddof=1)) if len(xb) > 1 else 0.0
    return tost_from_stats(float(xa.mean()), sa, len(xa), float(xb.mean()), sb, len(xb),
                           margin)


def bootstrap_mean_diff(a: Sequence[float], b: Sequence[float], resamples: int = 2000,
                        level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(a) - mean(b), seeded (reports reproduce)."""
    rng = np.random.default_rng(seed)
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    ia = rng.integers(0, len(xa), size=(resamples, len(xa)))
    ib = rng.integers(0, len(xb), size=(resamples, len(xb)))
    diffs = xa[ia].mean(axis=1) - xb[ib].mean(axis=1)
    lo, hi = np.quantile(diffs, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float:
    """(mean a - mean b) / pooled sample std; 0 when both are constant and equal."""
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    na, nb = len(xa), len(xb)
    diff = float(xa.mean() - xb.mean())
    if na + nb <= 2:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    va = xa.var(ddof=1) if na > 1 else 0.0
    vb = xb.var(ddof=1) if nb > 1 else 0.0
    pooled = math.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
    if pooled == 0.0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / pooled


def cliffs_delta(a: Sequence[float], b: Sequence[float]) -> float:
    """P(a > b) - P(a < b) over all pairs, in [-1, 1]."""
    xa, xb = np.asarray(a, float)[:, None], np.asarray(b, float)[None, :]
    return float((np.sign(xa - xb)).mean())


def cliffs_magnitude(delta: float) -> str:
    """Romano et al. (2006) thresholds: negligible < .147 <= small < .33 <= medium < .474."""
    d = abs(delta)
    if d < 0.147:
        return "negligible"
    if d < 0.33:
        return "small"
    if d < 0.474:
        return "medium"
    return "large"
