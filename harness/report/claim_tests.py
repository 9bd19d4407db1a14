"""One-sided tests behind the paper's claim rows (search figures, fig5/14/15).

A claim such as "RE is the best black-box optimizer" or "GDAS has the lowest anytime
regret" is a direction, not an equivalence: each is tested one-sided on per-seed values,
on the log scale where regrets behave (`lower_values`: Welch on logs; `trend_values`:
paired log changes), and combined (`combine`: all / any / mean). A claim row carries
p_holds (small: shown) and p_opposite (small: contradicted); `decision.decide_family`
decides it with the other statistical rows of its verdict (Holm on p_opposite).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from nb1s.harness.report.decision import CLAIM_RULE


@dataclass(frozen=True)
class Sub:
    """One one-sided test of a claim: what it says and its two p-values."""

    text: str
    p_holds: float
    p_opposite: float
    n: tuple[int, ...]
    effect: float          # the observed log ratio (or mean paired log change, or median)
    sd: float              # per-seed sd of the log values (for a seeds estimate)


def _logs(values: Sequence[float], floor: float) -> np.ndarray:
    return np.log(np.maximum(np.asarray(values, float), floor))


def welch_logs(la: np.ndarray, lb: np.ndarray) -> tuple[float, float, float]:
    """(t, df, pooled sd) of mean(la) - mean(lb); zero spreads decided exactly."""
    va = la.var(ddof=1) / len(la) if len(la) > 1 else 0.0
    vb = lb.var(ddof=1) / len(lb) if len(lb) > 1 else 0.0
    d = float(la.mean() - lb.mean())
    se = math.sqrt(va + vb)
    dof = max(len(la) - 1, 0) + max(len(lb) - 1, 0)
    sd = math.sqrt(float(((la - la.mean()) ** 2).sum() + ((lb - lb.mean()) ** 2).sum()) / dof) \
        if dof else 0.0
    if se == 0.0:
        return (0.0 if d == 0 else math.copysign(math.inf, d)), math.inf, sd
    den = (va**2 / (len(la) - 1) if va else 0.0) + (vb**2 / (len(lb) - 1) if vb else 0.0)
    return d / se, (va + vb) ** 2 / den, sd


def lower_values(a: Sequence[float], b: Sequence[float], text: str, floor: float) -> Sub:
    """a below b: one-sided Welch on the logs (a ratio of geometric means below 1)."""
    la, lb = _logs(a, floor), _logs(b, floor)
    t, df, sd = welch_logs(la, lb)
    return Sub(text, float(sps.t.cdf(t, df)), float(sps.t.sf(t, df)), (len(la), len(lb)),
               float(la.mean() - lb.mean()), sd)


def above_values(x: Sequence[float], level: float, text: str, floor: float) -> Sub:
    """The geometric mean of x above `level`: one-sample t on log(x) - log(level)."""
    lx = _logs(x, floor) - math.log(level)
    return _one_sample(lx, text, rises=True)


def trend_values(first: Sequence[float], then: Sequence[float], rises: bool, text: str,
                 floor: float) -> Sub:
    """Per seed log(then / first) above 0 (`rises`) or below 0: paired one-sample t."""
    return _one_sample(_logs(then, floor) - _logs(first, floor), text, rises)


def sign_values(k: int, n: int, text: str, effect: float) -> Sub:
    """k of n above half: one-sided sign test (binomial, p = 1/2) of the count."""
    return Sub(text, float(sps.binom.sf(k - 1, n, 0.5)), float(sps.binom.cdf(k, n, 0.5)),
               (n,), float(effect), 0.0)


def _one_sample(x: np.ndarray, text: str, rises: bool) -> Sub:
    m = float(x.mean())
    s = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    if s == 0.0:
        t, df = (0.0 if m == 0 else math.copysign(math.inf, m)), math.inf
    else:
        t, df = m / (s / math.sqrt(len(x))), len(x) - 1
    up, down = float(sps.t.sf(t, df)), float(sps.t.cdf(t, df))
    return Sub(text, up if rises else down, down if rises else up, (len(x),), m, s)


def combine(subs: list[Sub], how: str) -> tuple[float, float]:
    """(p_holds, p_opposite) of `all` / `any` / `mean` of one-sided tests.

    all: every test must hold (the largest p; contradicted when any is, Bonferroni);
    any: at least one (Bonferroni; contradicted when all are, the largest p);
    mean: Stouffer's combination of the one-sided tests ("generally").
    """
    holds = np.array([s.p_holds for s in subs])
    opp = np.array([s.p_opposite for s in subs])
    k = len(subs)
    if how == "all":
        return float(holds.max()), float(min(1.0, k * opp.min()))
    if how == "any":
        return float(min(1.0, k * holds.min())), float(opp.max())
    z = np.asarray(sps.norm.isf(np.clip(holds, 1e-300, 1.0)), float)
    zc = float(z.sum() / math.sqrt(k))
    return float(sps.norm.sf(zc)), float(sps.norm.cdf(zc))


def seeds_needed(subs: list[Sub], alpha: float) -> int | None:
    """Seeds per side for the weakest unshown test to reach alpha at its observed effect."""
    need = 0
    z = float(sps.norm.isf(alpha))
    for s in subs:
        if s.sd <= 0 or s.effect == 0 or s.p_holds < alpha:
            continue
        factor = 2 if len(s.n) == 2 else 1
        need = max(need, math.ceil(factor * (z * s.sd / abs(s.effect)) ** 2))
    return max(need, 3) if need else None


def claim_fields(subs: list[Sub], how: str, alpha: float) -> dict[str, Any]:
    """The measured fields of a claim row (decided later by `decision.decide_family`)."""
    p_holds, p_opp = combine(subs, how)
    return {"rule": CLAIM_RULE, "combine": how,
            "tests": [{"test": s.text, "p_holds": s.p_holds, "p_opposite": s.p_opposite,
                       "n": list(s.n), "effect": s.effect} for s in subs],
            "p_holds": p_holds, "p_opposite": p_opp, "n": min(min(s.n) for s in subs),
            "seeds_needed": seeds_needed(subs, alpha)}
