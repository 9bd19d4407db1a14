"""The paper's qualitative claims about the search figures, as automatic diff rows.

Each claim of fig2/4/7/8/9 that a recipe lists (`references.paper: claims.<key>`) becomes
one row per search space it speaks about, with a stated statistic, test, direction and n.
The statistics never select on the test metric over many evaluations: they are each
seed's final value, its anytime value (geometric mean over the epochs, the area under the
log curve), a value at a fixed epoch, or the epoch of its last architecture change.

Tests (one-sided, on logs, per seed):
- `lower(a, b, stat)`: a below b, Welch's t on the log values (a ratio of geometric means);
- `trend(v, stat_from, stat_to)`: paired, per seed log(to / from), one-sample t;
- `early(v, epochs)`: per seed the epoch of the last architecture change; a sign test that
  it lies below `epochs` for more than half of the seeds.
A claim is a combination of tests: `all` (every one must hold: the largest p), `any` (at
least one: Bonferroni over them) or `mean` (the average log ratio of several `lower` tests,
for "generally"). Each row carries p_holds (small: the claim is shown) and p_opposite
(small: the data contradict it). `nb1s.harness.report.decision.decide_family` decides
them with the other statistical rows of the verdict: `checked` when p_holds < alpha;
`failed` when p_opposite, Holm-adjusted over every statistical row, is below alpha;
otherwise `underpowered`, with about how many seeds per side would show it. On smoke or
synthetic data every row is `not checkable` (the values are still shown); with fewer than
`min_seeds` seeds on a side it is `underpowered`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nb1s.harness.experiments.search_curves.aggregate import find_group
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.references import paper
from nb1s.harness.report.claim_tests import (
    Sub,
    claim_fields,
    lower_values,
    sign_values,
    trend_values,
)
from nb1s.harness.report.verdict import undecided


class Missing(Exception):
    """A group or epoch a claim needs is not in the results."""


# --- per-seed statistics --------------------------------------------------------------


def _group(agg: dict[str, Any], variant: str, space: int) -> dict[str, Any]:
    g = find_group(agg, variant, space)
    if g is None:
        raise Missing(f"no {variant} runs on SS{space}")
    return g


def _curves(g: dict[str, Any], metric: str) -> list[list[float]]:
    rows = [[v for v in row if v is not None and math.isfinite(v)]
            for row in g["metrics"][metric]["per_seed"]]
    return [r for r in rows if r]


def final(metric: str = "test_regret") -> Callable[[dict[str, Any]], list[float]]:
    def stat(g: dict[str, Any]) -> list[float]:
        return [v for v in g["metrics"][metric]["final"]["values"]
                if v is not None and math.isfinite(v)]
    stat.__doc__ = f"final {metric.replace('_', ' ')}"
    return stat


def anytime(metric: str = "test_regret") -> Callable[[dict[str, Any]], list[float]]:
    def stat(g: dict[str, Any]) -> list[float]:
        return [float(np.exp(np.mean(np.log(np.maximum(r, 1e-12))))) for r in _curves(g, metric)]
    stat.__doc__ = f"anytime {metric.replace('_', ' ')} (geometric mean over epochs)"
    return stat


def at(fraction: float, metric: str = "test_regret") -> Callable[[dict[str, Any]], list[float]]:
    """The value at a fixed fraction of the run's epochs (0: first epoch, 1: last)."""
    def stat(g: dict[str, Any]) -> list[float]:
        out = []
        for r in _curves(g, metric):
            out.append(float(r[min(len(r) - 1, round(fraction * (len(r) - 1)))]))
        return out
    stat.__doc__ = f"{metric.replace('_', ' ')} at {fraction:.0%} of the epochs"
    return stat


def window(lo: float, hi: float, metric: str = "test_regret"
           ) -> Callable[[dict[str, Any]], list[float]]:
    """Geometric mean over the epochs in [lo, hi] (fractions of the run)."""
    def stat(g: dict[str, Any]) -> list[float]:
        out = []
        for r in _curves(g, metric):
            a = max(1, round(lo * (len(r) - 1)))
            b = max(a + 1, round(hi * (len(r) - 1)) + 1)
            out.append(float(np.exp(np.mean(np.log(np.maximum(r[a:b], 1e-12))))))
        return out
    stat.__doc__ = f"{metric.replace('_', ' ')} over {lo:.0%}-{hi:.0%} of the epochs"
    return stat


# --- tests ----------------------------------------------------------------------------


def lower(agg: dict[str, Any], a: str, b: str, space: int,
          stat: Callable[[dict[str, Any]], list[float]], floor: float) -> Sub:
    """a's statistic below b's (one-sided Welch on logs)."""
    va, vb = stat(_group(agg, a, space)), stat(_group(agg, b, space))
    if not va or not vb:
        raise Missing(f"no finite values of {a} or {b} on SS{space}")
    return lower_values(va, vb, f"{a} < {b}", floor)


def trend(agg: dict[str, Any], v: str, space: int,
          first: Callable[[dict[str, Any]], list[float]],
          then: Callable[[dict[str, Any]], list[float]], rises: bool, floor: float) -> Sub:
    """Per seed log(then / first) above 0 (`rises`) or below 0; one-sample t."""
    g = _group(agg, v, space)
    a, b = first(g), then(g)
    if not a or len(a) != len(b):
        raise Missing(f"no paired finite values of {v} on SS{space}")
    word = "rises" if rises else "falls"
    return trend_values(a, b, rises, f"{v}: {then.__doc__} vs {first.__doc__} {word}", floor)


def early(agg: dict[str, Any], v: str, space: int, epochs: int) -> Sub:
    """The epoch of the last architecture change below `epochs` for most seeds (sign test)."""
    g = _group(agg, v, space)
    ids = g.get("config_ids") or []
    if not ids:
        raise Missing(f"the results of {v} on SS{space} record no per-epoch architectures")
    last = []
    for row in ids:
        change = [e for e in range(1, len(row)) if row[e] != row[e - 1]]
        last.append(change[-1] if change else 0)
    k, n = sum(e < epochs for e in last), len(last)
    return sign_values(k, n, f"{v}: last architecture change before epoch {epochs} "
                       f"(epochs {last})", float(np.median(last)))


# --- the claims -----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One published claim: how it is tested on one space (`tests(agg, space, floor)`)."""

    key: str
    how: str
    statistic: str
    spaces: tuple[int, ...] | None  # None: every space of the results
    tests: Callable[[dict[str, Any], int, float], list[Sub]]


RIVALS = ("darts", "gdas", "pcdarts", "enas", "random_ws")


def _against(who: str, rivals: tuple[str, ...], stat: Callable[[dict[str, Any]], list[float]]
             ) -> Callable[[dict[str, Any], int, float], list[Sub]]:
    def tests(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
        return [lower(agg, who, r, space, stat, floor) for r in rivals if r != who]
    return tests


def _rivals_below(who: str) -> Callable[[dict[str, Any], int, float], list[Sub]]:
    def tests(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
        return [lower(agg, r, who, space, final(), floor) for r in RIVALS if r != who]
    return tests


def _poor(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [lower(agg, good, poor, space, final(), floor)
            for good in ("darts", "gdas", "pcdarts") for poor in ("random_ws", "enas")]


def _rise_fall(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [trend(agg, "pcdarts", space, at(0.0), window(0.0, 0.5), True, floor),
            trend(agg, "pcdarts", space, window(0.0, 0.5), at(1.0), False, floor),
            trend(agg, "pcdarts", space, at(0.0, "oneshot_valid_error"),
                  at(1.0, "oneshot_valid_error"), False, floor)]


def _diverges(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [trend(agg, "darts", space, at(0.5), at(1.0), True, floor)]


def _l2_best(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [lower(agg, "gdas-wd27e-4", "darts-wd27e-4", space, anytime(), floor),
            lower(agg, "pcdarts-wd27e-4", "darts-wd27e-4", space, anytime(), floor),
            trend(agg, "darts-wd27e-4", space, at(0.5), at(1.0), True, floor)]


def _l2_helps(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [lower(agg, "gdas-wd27e-4", "gdas-wd3e-4", space, final(), floor),
            lower(agg, "pcdarts-wd27e-4", "pcdarts-wd3e-4", space, final(), floor),
            lower(agg, "darts-wd3e-4", "darts-wd27e-4", space, final(), floor)]


def _cutout(agg: dict[str, Any], space: int, floor: float) -> list[Sub]:
    return [lower(agg, v, f"{v}-cutout", space, final(), floor)
            for v in ("darts", "darts2", "gdas", "pcdarts")]


CLAIMS: dict[str, Claim] = {c.key: c for c in (
    Claim("gdas_best_anytime", "all", "anytime test regret (geometric mean over epochs); "
          "GDAS below each other optimizer, one-sided Welch on logs", None,
          _against("gdas", RIVALS, anytime())),
    Claim("gdas_premature_convergence", "all", "epoch of GDAS's last architecture change per "
          "seed; below 5 for most seeds, one-sided sign test", None,
          lambda agg, space, floor: [early(agg, "gdas", space, 5)]),
    Claim("pcdarts_best_ss1", "all", "final test regret; on SS1 PC-DARTS below each other "
          "optimizer (one-sided Welch on logs)", (1,), _against("pcdarts", RIVALS, final())),
    Claim("pcdarts_not_best_ss23", "any", "final test regret; on SS2/SS3 some optimizer below "
          "PC-DARTS (Bonferroni over them)", (2, 3), _rivals_below("pcdarts")),
    Claim("random_ws_enas_poor", "all", "final test regret; DARTS, GDAS and PC-DARTS each "
          "below Random-WS and ENAS", None, _poor),
    Claim("pcdarts_rise_then_fall", "all", "PC-DARTS per seed (paired): test regret over the "
          "first half of the epochs above epoch 0, final below the first half; one-shot "
          "validation error final below epoch 0 (smoothness not tested)", None, _rise_fall),
    Claim("enas_beats_random_ws_ss2_100", "all", "final test regret after 100 epochs; ENAS "
          "below Random-WS on SS2", (2,),
          lambda agg, space, floor: [lower(agg, "enas", "random_ws", space, final(), floor)]),
    Claim("darts_200_diverges", "all", "DARTS per seed (paired): final test regret above the "
          "test regret at half of the epochs", None, _diverges),
    Claim("l2_27e-4_best_gdas_pcdarts", "all", "at L2 27e-4: anytime test regret of GDAS and "
          "PC-DARTS below DARTS; DARTS final test regret above its value at half the epochs",
          (3,), _l2_best),
    Claim("l2_helps_gdas_pcdarts", "all", "final test regret: GDAS and PC-DARTS lower at L2 "
          "27e-4 than at the default 3e-4; DARTS higher", (1, 2), _l2_helps),
    Claim("cutout_hurts", "mean", "final test regret: without cutout below with cutout, "
          "averaged over DARTS, DARTS 2nd order, GDAS, PC-DARTS (Stouffer)", None, _cutout),
)}

#: A published claim tested by more than one entry of CLAIMS.
ALSO = {"pcdarts_best_ss1": ("pcdarts_not_best_ss23",)}


def claim_rows(agg: dict[str, Any], keys: list[str], spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows of the claims named `claims.<key>` in `keys` (module docstring), measured."""
    published = paper().get("claims", {})
    wanted = [k.split(".", 1)[1] for k in keys if k.startswith("claims.")]
    spaces = sorted({int(g["space"]) for g in agg["groups"]})
    synthetic = bool(agg.get("synthetic")) or "synthetic" in (agg.get("labels") or [])
    rows: list[dict[str, Any]] = []
    for key in wanted:
        for name in (key, *ALSO.get(key, ())):
            claim = CLAIMS.get(name)
            if claim is None:
                continue
            for space in [s for s in spaces if claim.spaces is None or s in claim.spaces]:
                rows.append(_row(agg, claim, published[key], space, spec, synthetic))
    return rows


def _row(agg: dict[str, Any], claim: Claim, published: dict[str, str], space: int,
         spec: DiffSpec, synthetic: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"kind": "claim", "claim": claim.key, "group": f"SS{space}",
                           "space": space, "metric": claim.statistic,
                           "claim_text": published["text"], "source": published["source"],
                           "combine": claim.how}
    not_checkable = "smoke/synthetic data cannot test a statement about NAS-Bench-101"
    try:
        subs = claim.tests(agg, space, spec.floor)
    except Missing as why:
        if synthetic:
            return undecided(row, "not checkable", f"{not_checkable} ({why})")
        return undecided(row, "underpowered", f"cannot test: {why}")
    row.update(claim_fields(subs, claim.how, spec.alpha))
    if synthetic:
        return undecided(row, "not checkable", f"{not_checkable} (values shown)")
    if row["n"] < spec.min_seeds:
        row["too_few_seeds"] = True
        return undecided(row, "underpowered", f"{row['n']} seed(s) on a side, fewer than "
                         f"min_seeds={spec.min_seeds}")
    return row
