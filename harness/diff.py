"""`nb1s diff`: compare aggregated results with a reference, row by row, with tolerances.

Three kinds of rows (tolerances come from the recipe's `diff` block):
- `final` (per variant, space and metric): the per-seed final values of results and
  reference. Welch's t-test and a bootstrap interval of the difference of means are
  reported; the row passes when the means agree within the explicit tolerance
  max(abs_tol, rel_tol * |reference mean|), or when the difference is not significant at
  `alpha` (a handful of seeds cannot reject more than that).
- `band` (per variant and space, test regret): the fraction of epochs whose mean lies
  within `band_k` combined bands (sqrt(band_res^2 + band_ref^2)) plus abs_tol of the
  reference mean; passes when that fraction is at least `band_min_fraction`.
- `paper` (Table 2): published mean ± std over 6 runs vs ours, Welch from summary
  statistics with the same tolerance rule.
A reference group missing from the results fails its row; results without a reference are
listed as such and not counted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .aggregate import find_group
from .recipe import DiffSpec
from .stats import bootstrap_mean_diff, welch, welch_from_stats

FINAL_METRICS = ("test_regret", "valid_regret", "oneshot_valid_error")


def _tolerance(spec: DiffSpec, ref_mean: float) -> float:
    return max(spec.abs_tol, spec.rel_tol * abs(ref_mean))


def _finite(values: list[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def final_row(label: str, variant: str, space: int, metric: str, res: list[float],
              ref: list[float], spec: DiffSpec) -> dict[str, Any]:
    """One `final` row (see module docstring)."""
    row: dict[str, Any] = {"kind": "final", "group": label, "variant": variant, "space": space,
                           "metric": metric, "n_result": len(res), "n_reference": len(ref)}
    if not res or not ref:
        return {**row, "pass": False, "note": "no finite values to compare"}
    res_mean, ref_mean = float(np.mean(res)), float(np.mean(ref))
    w = welch(res, ref)
    tol = _tolerance(spec, ref_mean)
    lo, hi = bootstrap_mean_diff(res, ref, spec.bootstrap)
    within = abs(w.mean_diff) <= tol
    passed = within or w.p >= spec.alpha
    note = "within tolerance" if within else (
        "not significant" if passed else "significant difference beyond tolerance")
    return {**row, "result_mean": res_mean, "reference_mean": ref_mean,
            "result_std": float(np.std(res, ddof=1)) if len(res) > 1 else 0.0,
            "reference_std": float(np.std(ref, ddof=1)) if len(ref) > 1 else 0.0,
            "diff": w.mean_diff, "tolerance": tol, "welch_t": w.t, "welch_df": w.df,
            "p": w.p, "bootstrap_ci": [lo, hi], "pass": passed, "note": note}


def band_row(label: str, variant: str, space: int, res: dict[str, Any], ref: dict[str, Any],
             spec: DiffSpec, metric: str = "test_regret") -> dict[str, Any]:
    """One per-epoch `band` row over the epochs both curves have."""
    rm, rb = res["mean"], res["band"]
    fm, fb = ref["mean"], ref["band"]
    n = min(len(rm), len(fm))
    inside = total = 0
    worst = 0.0
    for e in range(n):
        if rm[e] is None or fm[e] is None:
            continue
        total += 1
        allowed = spec.band_k * math.hypot(rb[e] or 0.0, fb[e] or 0.0) + spec.abs_tol
        gap = abs(rm[e] - fm[e])
        worst = max(worst, gap - allowed)
        inside += gap <= allowed
    frac = inside / total if total else 0.0
    passed = total > 0 and frac >= spec.band_min_fraction
    return {"kind": "band", "group": label, "variant": variant, "space": space,
            "metric": metric, "epochs_compared": total, "in_band_fraction": frac,
            "required_fraction": spec.band_min_fraction, "band_k": spec.band_k,
            "worst_excess": worst, "pass": passed,
            "note": f"{inside}/{total} epochs within band" if total else "no common epochs"}


def diff_aggregates(result: dict[str, Any], reference: dict[str, Any],
                    spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows comparing every reference group with the same group of the results."""
    rows: list[dict[str, Any]] = []
    for ref_g in reference["groups"]:
        label = f"{ref_g['label']} / SS{ref_g['space']}"
        res_g = find_group(result, ref_g["variant"], ref_g["space"])
        if res_g is None:
            rows.append({"kind": "final", "group": label, "variant": ref_g["variant"],
                         "space": ref_g["space"], "metric": "test_regret", "pass": False,
                         "note": "missing from the results"})
            continue
        for metric in FINAL_METRICS:
            rows.append(final_row(label, ref_g["variant"], ref_g["space"], metric,
                                  _finite(res_g["metrics"][metric]["final"]["values"]),
                                  _finite(ref_g["metrics"][metric]["final"]["values"]), spec))
        rows.append(band_row(label, ref_g["variant"], ref_g["space"],
                             res_g["metrics"]["test_regret"], ref_g["metrics"]["test_regret"],
                             spec))
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
            if g is None:
                rows.append({**base, "pass": False, "note": "missing from the results"})
                continue
            vals = _finite(g["metrics"]["test_regret"]["final"]["values"])
            if not vals:
                rows.append({**base, "pass": False, "note": "no finite values"})
                continue
            mean = float(np.mean(vals))
            std = float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0
            w = welch_from_stats(mean, std, len(vals), cell["mean"], cell["std"], n_ref)
            tol = _tolerance(spec, cell["mean"])
            within = abs(w.mean_diff) <= tol
            passed = within or w.p >= spec.alpha
            rows.append({**base, "result_mean": mean, "result_std": std, "n_result": len(vals),
                         "diff": w.mean_diff, "tolerance": tol, "welch_t": w.t, "p": w.p,
                         "pass": passed,
                         "note": "within tolerance" if within else (
                             "not significant" if passed else
                             "significant difference beyond tolerance")})
    return rows


def verdict(rows: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """The one-line verdict: how many rows passed, labelled smoke/synthetic when so."""
    counted = [r for r in rows if r.get("pass") is not None]
    failed = [r for r in counted if not r["pass"]]
    tag = f" [{', '.join(labels)}: not a reproduction of the paper]" if labels else ""
    if not counted:
        line = f"NO REFERENCE: nothing to compare with{tag}"
        status = "no-reference"
    elif failed:
        line = f"FAIL: {len(failed)} of {len(counted)} rows differ beyond tolerance{tag}"
        status = "fail"
    else:
        line = f"PASS: all {len(counted)} rows agree within tolerance{tag}"
        status = "pass"
    return {"status": status, "line": line, "rows": len(counted), "failed": len(failed)}
