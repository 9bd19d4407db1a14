"""The one statistical decision rule of nb1s verdicts (docs/verdicts.md#the-decision-rule).

Regrets and errors are positive and heavy-tailed (coefficients of variation of 0.2-1.0 at
a handful of seeds), so differences are judged as ratios: every comparison works on the
log scale, where a multiplicative change is a shift and the margin "within x1.25" is the
symmetric interval (-log 1.25, +log 1.25) whichever side is the reference.

A comparison is a Welch interval of the difference of mean logs (a ratio of geometric
means), or, from published summary statistics only (Table 2 prints mean ± std), the
delta-method interval of the log ratio of the means. Three p-values come from it:

- `p_beyond`: H0 "the ratio lies within the margin"; small means the (1 - alpha)
  interval lies wholly outside the margin: the two sides are *different* (FAIL);
- `p_differ`: H0 "the ratio is 1"; not small means no difference is shown
  (*consistent*, never counted as equivalent);
- `p_equiv`: Schuirmann's TOST; small means the (1 - 2 alpha) interval lies inside the
  margin: *equivalent* (PASS).

`p_beyond` and `p_differ` are Holm-adjusted over the rows of one verdict (family-wise
error control: with identical distributions the verdict fails, or reports a difference,
with probability at most alpha however many rows it has). Equivalence needs no
adjustment: a verdict passes only when every compared row is equivalent (an
intersection-union test, level alpha as it stands). Everything is vectorised over leading
axes, so the calibration Monte Carlo (tests/test_decision_calibration.py,
tools/calibrate_verdicts.py) runs the very code the rows use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

#: Outcome codes of `classify` (arrays hold these integers).
DIFFERENT, EQUIVALENT, CONSISTENT, UNDECIDED = 0, 1, 2, 3
WORDS = {DIFFERENT: "different", EQUIVALENT: "equivalent", CONSISTENT: "consistent",
         UNDECIDED: "undecided"}


@dataclass(frozen=True)
class LogComparison:
    """Per comparison (arrays over leading axes): log ratio, its standard error and df."""

    log_ratio: np.ndarray
    se: np.ndarray
    df: np.ndarray
    n_a: np.ndarray
    n_b: np.ndarray


def _welch_df(va: np.ndarray, vb: np.ndarray, n_a: np.ndarray, n_b: np.ndarray) -> np.ndarray:
    """Welch-Satterthwaite df of var components va, vb (inf when both are zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        num = (va + vb) ** 2
        den = np.where(va > 0, va**2 / np.maximum(n_a - 1, 1), 0.0) + \
            np.where(vb > 0, vb**2 / np.maximum(n_b - 1, 1), 0.0)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.inf)


def from_logs(la: np.ndarray, lb: np.ndarray) -> LogComparison:
    """Welch comparison of log values along the last axis (a: result, b: reference)."""
    la, lb = np.asarray(la, float), np.asarray(lb, float)
    n_a = np.full(la.shape[:-1], la.shape[-1], float)
    n_b = np.full(lb.shape[:-1], lb.shape[-1], float)
    d = la.mean(axis=-1) - lb.mean(axis=-1)
    va = (la.var(axis=-1, ddof=1) if la.shape[-1] > 1 else np.zeros_like(d)) / n_a
    vb = (lb.var(axis=-1, ddof=1) if lb.shape[-1] > 1 else np.zeros_like(d)) / n_b
    return LogComparison(d, np.sqrt(va + vb), _welch_df(va, vb, n_a, n_b), n_a, n_b)


def from_summary(mean_a: np.ndarray, std_a: np.ndarray, n_a: np.ndarray,
                 mean_b: np.ndarray, std_b: np.ndarray, n_b: np.ndarray) -> LogComparison:
    """Log ratio of two means from mean ± std (ddof 1) and n only (Table 2).

    The delta method gives var(log mean) ~ CV^2 / n; Welch-Satterthwaite gives the df.
    Both sides go through the same formula, so the rule stays symmetric.
    """
    ma, mb = np.asarray(mean_a, float), np.asarray(mean_b, float)
    na, nb = np.asarray(n_a, float), np.asarray(n_b, float)
    va = (np.asarray(std_a, float) / ma) ** 2 / na
    vb = (np.asarray(std_b, float) / mb) ** 2 / nb
    return LogComparison(np.log(ma) - np.log(mb), np.sqrt(va + vb), _welch_df(va, vb, na, nb),
                         na, nb)


def to_logs(values: Sequence[float], floor: float) -> tuple[np.ndarray, int]:
    """log(max(v, floor)) and how many values the floor raised (a regret can be 0)."""
    x = np.asarray(values, float)
    return np.log(np.maximum(x, floor)), int((x < floor).sum())


@dataclass(frozen=True)
class Pvalues:
    """The three p-values of `LogComparison`s at `margin` (module docstring)."""

    beyond: np.ndarray
    differ: np.ndarray
    equiv: np.ndarray


def pvalues(c: LogComparison, margin: float) -> Pvalues:
    """p_beyond (two-sided: the (1-a) interval outside the margin), p_differ, p_equiv."""
    delta = math.log(margin)
    d, se, df = c.log_ratio, c.se, c.df
    with np.errstate(divide="ignore", invalid="ignore"):
        zero = se == 0
        s = np.where(zero, 1.0, se)
        up = (d - delta) / s        # H0: d <= +delta
        down = (d + delta) / s      # H0: d >= -delta
        beyond = np.minimum(1.0, 2.0 * np.minimum(sps.t.sf(up, df), sps.t.cdf(down, df)))
        differ = np.minimum(1.0, 2.0 * sps.t.sf(np.abs(d) / s, df))
        equiv = np.maximum(sps.t.sf(down, df), sps.t.cdf(up, df))
    beyond = np.where(zero, np.where(np.abs(d) > delta, 0.0, 1.0), beyond)
    differ = np.where(zero, np.where(d != 0, 0.0, 1.0), differ)
    equiv = np.where(zero, np.where(np.abs(d) < delta, 0.0, 1.0), equiv)
    return Pvalues(beyond, differ, equiv)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values along the last axis (rows = one family).

    Written here because the calibration needs it vectorised over thousands of simulated
    verdicts (statsmodels' `multipletests` takes one family at a time and is not a
    dependency); tests pin it against a hand-computed case.
    """
    p = np.asarray(p, float)
    m = p.shape[-1]
    if m == 0:
        return p
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, axis=-1)
    factor = m - np.arange(m)
    adjusted = np.minimum(1.0, np.maximum.accumulate(ranked * factor, axis=-1))
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=-1)
    return out


def classify(beyond_adj: np.ndarray, differ_adj: np.ndarray, equiv: np.ndarray,
             alpha: float, equivalence_alpha: float) -> np.ndarray:
    """different / equivalent / consistent / undecided codes from (adjusted) p-values."""
    return np.where(beyond_adj < alpha, DIFFERENT,
                    np.where(equiv < equivalence_alpha, EQUIVALENT,
                             np.where(differ_adj >= alpha, CONSISTENT, UNDECIDED)))


def ratio_interval(c: LogComparison, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided `level` interval of the ratio a / b (exp of the log interval)."""
    with np.errstate(invalid="ignore"):
        q = np.where(c.se == 0, 0.0, sps.t.ppf(0.5 + level / 2, c.df))
    return np.exp(c.log_ratio - q * c.se), np.exp(c.log_ratio + q * c.se)


#: The most seeds per side `seeds_to_decide` looks for; beyond it a row says "more than".
SEEDS_CAP = 10000


def seeds_to_decide(log_ratio: float, sd: float, margin: float, alpha: float,
                    equivalence_alpha: float, family: int = 1) -> int | None:
    """Seeds per side that would decide a row at the observed spread (a rough guide).

    `sd` is the per-seed standard deviation of the log values (pooled over the sides).
    Inside the margin: enough to show equivalence if the observed ratio is the true one;
    beyond it: enough to show the difference at alpha / `family` (Holm's strictest step).
    The smallest n whose t-interval clears the margin, with df n - 1: Welch's df at equal
    n lies between n - 1 (one side's spread dominates, e.g. a candidate that always returns
    the same architecture) and 2n - 2, and the optimistic 2n - 2 told users that the seeds
    they had already run would decide a row they had just seen undecided. None when the
    observed ratio sits on the margin, there is no spread, or more than SEEDS_CAP seeds
    would be needed.
    """
    delta = math.log(margin)
    gap = abs(abs(log_ratio) - delta)
    if sd <= 0 or gap < 1e-12:
        return None
    q = 1 - equivalence_alpha if abs(log_ratio) < delta else 1 - alpha / (2 * max(family, 1))
    for n in range(3, SEEDS_CAP + 1):
        if float(sps.t.ppf(q, n - 1)) * sd * math.sqrt(2 / n) < gap:
            return n
    return None


# --- rows: one comparison per row, decided together as one family -------------------

#: Row fields that mark a row as decided by this rule (set by `measure`).
RULE = "log-ratio"


def _scalar(c: LogComparison) -> LogComparison:
    return LogComparison(*(np.asarray(x, float).reshape(()) for x in
                           (c.log_ratio, c.se, c.df, c.n_a, c.n_b)))


def measure(c: LogComparison, margin: float, alpha: float, sd: float) -> dict[str, Any]:
    """The row fields of one comparison, before the family decides it (`decide_family`).

    `sd` is the per-seed spread of the log values (pooled), used to say how many seeds
    would decide an undecided row.
    """
    c = _scalar(c)
    p = pvalues(c, margin)
    lo, hi = ratio_interval(c, 1 - alpha)
    return {"rule": RULE, "ratio": float(np.exp(c.log_ratio)), "log_ratio": float(c.log_ratio),
            "ratio_ci": [float(lo), float(hi)], "ci_level": 1 - alpha, "margin": margin,
            "se_log": float(c.se), "df": float(c.df) if math.isfinite(c.df) else None,
            "sd_log": sd, "p_beyond": float(p.beyond), "p_differ": float(p.differ),
            "p_equiv": float(p.equiv)}


def _note(row: dict[str, Any], code: int, alpha: float, eq_alpha: float) -> str:
    lo, hi = row["ratio_ci"]
    m = row["margin"]
    head = (f"ratio {row['ratio']:.3g} (CI {lo:.3g}-{hi:.3g}, margin x{m:g}; "
            f"Holm p_beyond={row['p_beyond_holm']:.2g}, p_differ={row['p_differ_holm']:.2g}, "
            f"TOST p={row['p_equiv']:.2g})")
    if code == DIFFERENT:
        return f"different: beyond x{m:g} — {head}"
    if code == EQUIVALENT:
        return f"equivalent within x{m:g} — {head}"
    need = row.get("seeds_needed")
    more = f"; about {need} seeds per side would decide it at this spread" if need else ""
    if not need and row.get("seeds_needed_over"):
        more = (f"; more than {row['seeds_needed_over']} seeds per side would be needed to "
                "decide it at this spread (the observed ratio lies at about the margin)")
    if code == CONSISTENT:
        return f"consistent (no difference shown, not shown equivalent) — {head}{more}"
    return f"a difference is significant but not shown beyond x{m:g} — {head}{more}"


#: Claim rows (`search_curves.claims`): p_holds (the claim is shown) and p_opposite.
CLAIM_RULE = "claim-test"


def decide_family(rows: list[dict[str, Any]], alpha: float,
                  equivalence_alpha: float) -> list[dict[str, Any]]:
    """Rows with every measured row decided, Holm-adjusted over those rows.

    The family is every row that can fail on a p-value: log-ratio rows (`p_beyond`) and
    claim rows (`p_opposite`), so the verdict's chance of a false FAIL stays at alpha.
    Idempotent: deciding the union of two decided families again re-decides it as one.
    Other rows (exact, fewer than min_seeds (`too_few_seeds`), not checkable, bookkeeping)
    pass through unchanged.
    """
    def measured(r: dict[str, Any]) -> bool:
        return not r.get("too_few_seeds") and r.get("outcome") != "not checkable" and (
            (r.get("rule") == RULE and r.get("p_beyond") is not None)
            or (r.get("rule") == CLAIM_RULE and r.get("p_opposite") is not None))

    idx = [i for i, r in enumerate(rows) if measured(r)]
    if not idx:
        return rows
    fail_p = holm(np.array([rows[i]["p_beyond"] if rows[i]["rule"] == RULE
                            else rows[i]["p_opposite"] for i in idx], float))
    ratio_idx = [k for k, i in enumerate(idx) if rows[i]["rule"] == RULE]
    differ = holm(np.array([rows[idx[k]]["p_differ"] for k in ratio_idx], float))
    out = list(rows)
    for k, i in enumerate(idx):
        if rows[i]["rule"] == CLAIM_RULE:
            out[i] = _decide_claim(rows[i], float(fail_p[k]), alpha, len(idx))
    if not ratio_idx:
        return out
    codes = classify(fail_p[ratio_idx], differ,
                     np.array([rows[idx[k]]["p_equiv"] for k in ratio_idx], float),
                     alpha, equivalence_alpha)
    for j, k in enumerate(ratio_idx):
        i = idx[k]
        code = int(codes[j])
        row = {**rows[i], "p_beyond_holm": float(fail_p[k]), "p_differ_holm": float(differ[j]),
               "family_size": len(idx)}
        row.pop("seeds_needed_over", None)
        if code in (CONSISTENT, UNDECIDED):
            row["seeds_needed"] = seeds_to_decide(
                float(row["log_ratio"]), float(row["sd_log"]),
                float(row["margin"]), alpha, equivalence_alpha, len(idx))
            if row["seeds_needed"] is None and float(row["sd_log"]) > 0:
                # an undecided row always says what would decide it, even "no affordable n"
                row["seeds_needed_over"] = SEEDS_CAP
        else:
            row.pop("seeds_needed", None)
        outcome = {DIFFERENT: "failed", EQUIVALENT: "equivalent", CONSISTENT: "consistent",
                   UNDECIDED: "underpowered"}[code]
        row.update({"outcome": outcome, "pass": {DIFFERENT: False, EQUIVALENT: True}.get(code),
                    "note": _note(row, code, alpha, equivalence_alpha)
                    + (f"; {row['context']}" if row.get("context") else "")})
        out[i] = row
    return out


def _decide_claim(row: dict[str, Any], opposite_holm: float, alpha: float,
                  family: int) -> dict[str, Any]:
    """checked (p_holds < alpha), failed (Holm p_opposite < alpha) or underpowered."""
    head = (f"p_holds={row['p_holds']:.2g}, Holm p_opposite={opposite_holm:.2g}, "
            f"n={row['n']}")
    r = {**row, "p_opposite_holm": opposite_holm, "family_size": family}
    ctx = f"; {row['context']}" if row.get("context") else ""
    if row["p_holds"] < alpha:
        return {**r, "outcome": "checked", "pass": True,
                "note": f"the claim holds ({head}){ctx}"}
    if opposite_holm < alpha:
        return {**r, "outcome": "failed", "pass": False,
                "note": f"the data contradict the claim ({head}){ctx}"}
    need = row.get("seeds_needed")
    more = f"; about {need} seeds per side would show it at this effect" if need else ""
    return {**r, "outcome": "underpowered", "pass": None,
            "note": f"not shown either way ({head}){more}{ctx}"}
