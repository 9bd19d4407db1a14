"""Monte Carlo calibration of the decision rule (docs/verdicts.md#calibration).

A verdict rule is only trustworthy if it was measured: with both sides drawn from one
distribution, how often does a verdict FAIL or report a difference (family-wise, after
Holm)? How often does a real x1.5 / x2 / x3 change FAIL (power)? Does a perfect
reproduction of the paper's Table 2 (6 runs per cell drawn from the published mean ± std)
reach PASS or CONSISTENT? These functions simulate whole verdicts with the very
vectorised code the rows use (`nb1s.harness.report.decision`), so the test suite
(tests/test_decision_calibration.py) and the table in the docs (tools/calibrate_verdicts.py)
measure the rule that ships. All draws are synthetic and seeded.

Distributions of per-seed values (positive, like regrets), parameterised by the
coefficient of variation `cv` of the lognormal with the same log-scale spread:
- `lognormal`: log values normal with sd sqrt(log(1 + cv^2));
- `log-t3`: log values Student-t with 3 df, scaled to the same sd (a heavier tail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nb1s.harness.report.decision import (
    CONSISTENT,
    DIFFERENT,
    EQUIVALENT,
    UNDECIDED,
    LogComparison,
    classify,
    from_logs,
    from_summary,
    holm,
    pvalues,
)

DISTRIBUTIONS = ("lognormal", "log-t3")


def log_sd(cv: float) -> float:
    """Log-scale sd of a lognormal with coefficient of variation `cv`."""
    return float(np.sqrt(np.log1p(cv**2)))


def draw_logs(rng: np.random.Generator, dist: str, cv: float, shape: tuple[int, ...]
              ) -> np.ndarray:
    """Centred log values of `dist` (module docstring) with the log sd of `cv`."""
    s = log_sd(cv)
    if dist == "lognormal":
        return rng.normal(0.0, s, shape)
    if dist == "log-t3":
        return rng.standard_t(3, shape) * s / np.sqrt(3.0)
    raise ValueError(f"unknown distribution {dist!r}; expected one of {DISTRIBUTIONS}")


@dataclass(frozen=True)
class Rates:
    """Fractions of simulated verdicts by status, and of rows reported as different."""

    fail: float          # any row different (the verdict FAILs)
    differ: float        # any row with a significant difference (not consistent)
    passed: float        # every row equivalent
    consistent: float    # no row different or undecided, not all equivalent
    undecided: float     # otherwise (NO DECISION)
    reps: int


def verdict_rates(codes: np.ndarray, differ_adj: np.ndarray, alpha: float) -> Rates:
    """Status fractions of verdicts whose row codes are `codes` (reps x rows)."""
    fail = (codes == DIFFERENT).any(axis=-1)
    allequiv = (codes == EQUIVALENT).all(axis=-1)
    open_ = (codes == UNDECIDED).any(axis=-1)
    ok = ~fail & ~open_ & ((codes == CONSISTENT) | (codes == EQUIVALENT)).all(axis=-1)
    return Rates(float(fail.mean()), float((differ_adj < alpha).any(axis=-1).mean()),
                 float((ok & allequiv).mean()), float((ok & ~allequiv).mean()),
                 float((~fail & ~ok).mean()), int(codes.shape[0]))


def decide_many(c: LogComparison, margin: float, alpha: float, equivalence_alpha: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Codes and Holm-adjusted p_differ of comparisons shaped (reps, rows)."""
    p = pvalues(c, margin)
    differ_adj = holm(p.differ)
    return classify(holm(p.beyond), differ_adj, p.equiv, alpha, equivalence_alpha), differ_adj


def simulate(rng: np.random.Generator, dist: str, cv: float, n: int, ratio: float,
             rows: int, reps: int, margin: float = 1.25, alpha: float = 0.05,
             equivalence_alpha: float = 0.05) -> Rates:
    """Verdicts of `rows` rows with n seeds per side; side a scaled by `ratio` in every row."""
    la = draw_logs(rng, dist, cv, (reps, rows, n)) + np.log(ratio)
    lb = draw_logs(rng, dist, cv, (reps, rows, n))
    codes, differ_adj = decide_many(from_logs(la, lb), margin, alpha, equivalence_alpha)
    return verdict_rates(codes, differ_adj, alpha)


def simulate_table2(rng: np.random.Generator, cells: Sequence[tuple[float, float]], runs: int,
                    reps: int, ratio: float = 1.0, margin: float = 1.25, alpha: float = 0.05,
                    equivalence_alpha: float = 0.05) -> Rates:
    """Verdicts of a reproduction of Table 2: per cell `runs` lognormal draws with the
    published mean x `ratio` and std x `ratio`, compared with the published mean ± std.

    A published std of 0 (GDAS default) reproduces as `runs` identical values.
    """
    mean = np.array([m for m, _ in cells], float)
    std = np.array([s for _, s in cells], float)
    s = np.sqrt(np.log1p((std / mean) ** 2))
    mu = np.log(mean * ratio) - s**2 / 2
    x = np.exp(mu[None, :, None] + s[None, :, None] * rng.standard_normal(
        (reps, len(cells), runs)))
    c = from_summary(x.mean(axis=-1), x.std(axis=-1, ddof=1), np.full(x.shape[:2], runs),
                     np.broadcast_to(mean, x.shape[:2]), np.broadcast_to(std, x.shape[:2]),
                     np.full(x.shape[:2], runs))
    codes, differ_adj = decide_many(c, margin, alpha, equivalence_alpha)
    return verdict_rates(codes, differ_adj, alpha)
