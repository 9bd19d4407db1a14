"""`nb1s diff`: compare aggregated results with a reference, row by row (docs/verdicts.md).

Rows per reference group (tolerances and rules come from the recipe's `diff` block):
- `final` (per variant, space and metric): the per-seed final values of results and
  reference. When both hold the same seeds and the values (per-seed curve and final, and
  for test regret the final configuration ids) are bit-identical, the row passes as
  `exact`, decisive at any number of seeds. When the seeds match but the values do not,
  and the profile is listed in `exact_profiles` (deterministic, e.g. smoke), the row
  fails. Otherwise it is statistical: with fewer than `min_seeds` values on either side
  it is `underpowered`; else it passes as `equivalent` when TOST shows the means agree
  within the margin max(abs_tol, rel_tol * |reference mean|) at `equivalence_alpha`,
  fails when the difference is beyond the margin, and is underpowered in between.
  Welch's test and a bootstrap interval are reported, never used to pass a row.
- `band` (per variant and space, test regret): exact as above, else (with enough seeds)
  the fraction of epochs whose mean lies within `band_k` combined bands
  (sqrt(band_res^2 + band_ref^2)) plus abs_tol of the reference mean must be at least
  `band_min_fraction`.
- `paper` (Table 2): published mean ± std over 6 runs vs ours, TOST from summary
  statistics with the same margin and minimum seed count.
A reference group missing from the results fails its row; results without a reference are
listed as such and not counted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nb1s.harness.experiments.search_curves.aggregate import find_group
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.report.stats import bootstrap_mean_diff, tost_from_stats, welch, welch_from_stats
from nb1s.harness.report.verdict import undecided
from nb1s.harness.report.verdict import verdict as verdict

FINAL_METRICS = ("test_regret", "valid_regret", "oneshot_valid_error")


def _tolerance(spec: DiffSpec, ref_mean: float) -> float:
    return max(spec.abs_tol, spec.rel_tol * abs(ref_mean))


def _finite(values: list[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def _same(a: Any, b: Any) -> bool:
    """Bit-for-bit equality of JSON values (NaN equals NaN; lists element by element)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return not isinstance(a, list) and not isinstance(b, list) and bool(a == b)


def exact_match(res_g: dict[str, Any], ref_g: dict[str, Any], metric: str,
                part: str) -> bool | None:
    """None when the seeds differ (no exact comparison); else whether `part` is identical.

    `part` is "final" (per-seed final values and curves, plus final config ids for test
    regret) or "band" (the mean and band curves of the metric).
    """
    if res_g.get("seeds") is None or not _same(res_g.get("seeds"), ref_g.get("seeds")):
        return None
    rm, fm = res_g["metrics"][metric], ref_g["metrics"][metric]
    if part == "band":
        return _same(rm["mean"], fm["mean"]) and _same(rm["band"], fm["band"])
    same = _same(rm["final"]["values"], fm["final"]["values"]) and \
        _same(rm["per_seed"], fm["per_seed"])
    if metric == "test_regret":
        same = same and _same(res_g.get("config_ids_final"), ref_g.get("config_ids_final"))
    return same


def _exact_or_none(row: dict[str, Any], match: bool | None, deterministic: bool,
                   what: str) -> dict[str, Any] | None:
    """The decided row when the exact rule applies, None when statistics must decide."""
    if match:
        return {**row, "pass": True, "outcome": "exact",
                "note": f"bit-identical to the reference ({what})"}
    if match is False and deterministic:
        return {**row, "pass": False, "outcome": "failed",
                "note": f"same seeds as the reference but {what} differ; this profile is "
                        "deterministic, so they must be bit-identical"}
    return None


def final_row(label: str, variant: str, space: int, metric: str, res: list[float],
              ref: list[float], spec: DiffSpec, match: bool | None = None,
              deterministic: bool = False) -> dict[str, Any]:
    """One `final` row (see module docstring)."""
    row: dict[str, Any] = {"kind": "final", "group": label, "variant": variant, "space": space,
                           "metric": metric, "n_result": len(res), "n_reference": len(ref)}
    if not res or not ref:
        return {**row, "pass": False, "outcome": "failed", "note": "no finite values to compare"}
    res_mean, ref_mean = float(np.mean(res)), float(np.mean(ref))
    res_std = float(np.std(res, ddof=1)) if len(res) > 1 else 0.0
    ref_std = float(np.std(ref, ddof=1)) if len(ref) > 1 else 0.0
    w = welch(res, ref)
    tol = _tolerance(spec, ref_mean)
    lo, hi = bootstrap_mean_diff(res, ref, spec.bootstrap)
    row.update({"result_mean": res_mean, "reference_mean": ref_mean, "result_std": res_std,
                "reference_std": ref_std, "diff": w.mean_diff, "tolerance": tol,
                "welch_t": w.t, "welch_df": w.df, "p": w.p, "bootstrap_ci": [lo, hi]})
    decided = _exact_or_none(row, match, deterministic, "per-seed values")
    if decided is not None:
        return decided
    return _statistical(row, res_mean, res_std, len(res), ref_mean, ref_std, len(ref), spec)


def _statistical(row: dict[str, Any], res_mean: float, res_std: float, n_res: int,
                 ref_mean: float, ref_std: float, n_ref: int, spec: DiffSpec) -> dict[str, Any]:
    """Minimum seeds, then TOST within the margin; beyond the margin fails."""
    tol = _tolerance(spec, ref_mean)
    t = tost_from_stats(res_mean, res_std, n_res, ref_mean, ref_std, n_ref, tol)
    row = {**row, "tost_p": t.p, "margin": tol}
    if min(n_res, n_ref) < spec.min_seeds:
        return undecided(row, "underpowered", f"{min(n_res, n_ref)} seed(s) on one side, "
                         f"fewer than min_seeds={spec.min_seeds}")
    if t.p < spec.equivalence_alpha:
        return {**row, "pass": True, "outcome": "equivalent",
                "note": f"equivalent within ±{tol:.3g} (TOST p={t.p:.3g})"}
    if abs(t.mean_diff) > tol:
        return {**row, "pass": False, "outcome": "failed",
                "note": f"difference {t.mean_diff:+.3g} beyond the margin ±{tol:.3g}"}
    return undecided(row, "underpowered", f"difference within ±{tol:.3g} but not shown "
                     f"equivalent (TOST p={t.p:.3g}): more seeds needed")


def band_row(label: str, variant: str, space: int, res: dict[str, Any], ref: dict[str, Any],
             spec: DiffSpec, metric: str = "test_regret", n: tuple[int, int] | None = None,
             match: bool | None = None, deterministic: bool = False) -> dict[str, Any]:
    """One per-epoch `band` row over the epochs both curves have.

    `n` is (seeds of the results, seeds of the reference): a band drawn from fewer than
    `min_seeds` runs says little about the spread, so such a row is underpowered unless
    the exact rule decides it.
    """
    rm, rb = res["mean"], res["band"]
    fm, fb = ref["mean"], ref["band"]
    epochs = min(len(rm), len(fm))
    inside = total = 0
    worst = 0.0
    for e in range(epochs):
        if rm[e] is None or fm[e] is None:
            continue
        total += 1
        allowed = spec.band_k * math.hypot(rb[e] or 0.0, fb[e] or 0.0) + spec.abs_tol
        gap = abs(rm[e] - fm[e])
        worst = max(worst, gap - allowed)
        inside += gap <= allowed
    frac = inside / total if total else 0.0
    row: dict[str, Any] = {"kind": "band", "group": label, "variant": variant, "space": space,
                           "metric": metric, "epochs_compared": total,
                           "in_band_fraction": frac, "required_fraction": spec.band_min_fraction,
                           "band_k": spec.band_k, "worst_excess": worst}
    if n is not None:
        row["n_result"], row["n_reference"] = n
    decided = _exact_or_none(row, match, deterministic, "mean and band curves")
    if decided is not None:
        return decided
    if n is not None and min(n) < spec.min_seeds:
        return undecided(row, "underpowered", f"{min(n)} seed(s) on one side, fewer than "
                         f"min_seeds={spec.min_seeds}")
    passed = total > 0 and frac >= spec.band_min_fraction
    return {**row, "pass": passed, "outcome": "checked" if passed else "failed",
            "note": f"{inside}/{total} epochs within band" if total else "no common epochs"}


def diff_aggregates(result: dict[str, Any], reference: dict[str, Any],
                    spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows comparing every reference group with the same group of the results."""
    rows: list[dict[str, Any]] = []
    deterministic = result.get("profile") in spec.exact_profiles
    for ref_g in reference["groups"]:
        label = f"{ref_g['label']} / SS{ref_g['space']}"
        res_g = find_group(result, ref_g["variant"], ref_g["space"])
        if res_g is None:
            rows.append({"kind": "final", "group": label, "variant": ref_g["variant"],
                         "space": ref_g["space"], "metric": "test_regret", "pass": False,
                         "outcome": "failed", "note": "missing from the results"})
            continue
        for metric in FINAL_METRICS:
            rows.append(final_row(label, ref_g["variant"], ref_g["space"], metric,
                                  _finite(res_g["metrics"][metric]["final"]["values"]),
                                  _finite(ref_g["metrics"][metric]["final"]["values"]), spec,
                                  exact_match(res_g, ref_g, metric, "final"), deterministic))
        rows.append(band_row(label, ref_g["variant"], ref_g["space"],
                             res_g["metrics"]["test_regret"], ref_g["metrics"]["test_regret"],
                             spec, n=(int(res_g["n"]), int(ref_g["n"])),
                             match=exact_match(res_g, ref_g, "test_regret", "band"),
                             deterministic=deterministic))
    return rows


def diff_table2(result: dict[str, Any], published: dict[str, Any],
                spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows comparing final test regret with the paper's Table 2 (mean ± std, 6 runs)."""
    rows = []
    n_ref = int(published["runs"])
    for entry in published["rows"]:
        variant = f"{entry['optimizer']}-{entry['setting']}"
        for space_key, cell in entry["test_regret"].items():
            space = int(space_key)
            label = f"{entry['optimizer']} {entry['setting']} / SS{space} vs paper"
            g = find_group(result, variant, space)
            base = {"kind": "paper", "group": label, "variant": variant, "space": space,
                    "metric": "test_regret", "reference_mean": cell["mean"],
                    "reference_std": cell["std"], "n_reference": n_ref,
                    "source": published["source"]}
            vals = _finite(g["metrics"]["test_regret"]["final"]["values"]) if g else []
            if not vals:
                rows.append({**base, "pass": False, "outcome": "failed",
                             "note": "missing from the results" if g is None
                             else "no finite values"})
                continue
            mean = float(np.mean(vals))
            std = float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0
            w = welch_from_stats(mean, std, len(vals), cell["mean"], cell["std"], n_ref)
            row = {**base, "result_mean": mean, "result_std": std, "n_result": len(vals),
                   "diff": w.mean_diff, "tolerance": _tolerance(spec, cell["mean"]),
                   "welch_t": w.t, "p": w.p}
            rows.append(_statistical(row, mean, std, len(vals), cell["mean"], cell["std"],
                                     n_ref, spec))
    return rows
