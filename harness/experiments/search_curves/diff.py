"""`nb1s diff`: compare aggregated results with a reference, row by row (docs/verdicts.md).

Rows per reference group (the rules come from the recipe's `diff` block):
- `final` (per variant, space and metric): the per-seed final values of results and
  reference. Exact rule first: on the seeds both sides hold, per-seed values (final value
  and curve, and for test regret the final configuration id) are compared bit for bit,
  whatever other seeds either side has. Identical on every common seed: the row passes as
  `exact`, decisive at any number of seeds. Different on a common seed and the profile is
  listed in `exact_profiles` (deterministic, e.g. smoke): the row fails. Otherwise the
  statistical rule decides (`nb1s.harness.report.decision`): fewer than `min_seeds`
  values on a side is `underpowered`; else the ratio of geometric means with its interval,
  three ways against the margin (different / equivalent / consistent or undecided),
  Holm-adjusted over the rows of the verdict.
- `anytime` (per variant and space, test regret): the same two rules on a per-seed curve
  statistic, the geometric mean of the regret over the epochs both sides have (the area
  under the log-regret curve). Scaling a candidate's curve scales its statistic; its
  allowance comes from the interval, never from its own band.
- `paper` (Table 2): published mean ± std over 6 runs vs ours, the log ratio of the means
  from summary statistics on both sides, the same three-way rule and minimum seed count.
A reference group missing from the results fails its row; results without a reference are
listed as such and not counted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nb1s.harness.experiments.search_curves.aggregate import find_group
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.report.decision import decide_family, from_logs, from_summary, measure, to_logs
from nb1s.harness.report.verdict import undecided
from nb1s.harness.report.verdict import verdict as verdict

FINAL_METRICS = ("test_regret", "valid_regret", "oneshot_valid_error")


def _finite(values: list[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def _same(a: Any, b: Any) -> bool:
    """Bit-for-bit equality of JSON values (NaN equals NaN; lists element by element)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return not isinstance(a, list) and not isinstance(b, list) and bool(a == b)


def common_seeds(res_g: dict[str, Any], ref_g: dict[str, Any]) -> list[int]:
    """Seeds both groups hold (empty when either does not record its seeds)."""
    a, b = res_g.get("seeds"), ref_g.get("seeds")
    if a is None or b is None:
        return []
    return [s for s in a if s in set(b)]


def exact_match(res_g: dict[str, Any], ref_g: dict[str, Any], metric: str,
                part: str) -> bool | None:
    """None when no seed is common (no exact comparison); else whether `part` is identical
    on every common seed.

    `part` is "final" (per-seed final values and curves, plus final config ids for test
    regret) or "curve" (the per-seed curves of the metric).
    """
    common = common_seeds(res_g, ref_g)
    if not common:
        return None
    ia = {s: i for i, s in enumerate(res_g["seeds"])}
    ib = {s: i for i, s in enumerate(ref_g["seeds"])}
    rm, fm = res_g["metrics"][metric], ref_g["metrics"][metric]
    pairs = [(rm["per_seed"], fm["per_seed"])]
    if part == "final":
        pairs.append((rm["final"]["values"], fm["final"]["values"]))
        if metric == "test_regret":
            pairs.append((res_g.get("config_ids_final") or [], ref_g.get("config_ids_final")
                          or []))
    return all(_same(_at(a, ia[s]), _at(b, ib[s])) for a, b in pairs for s in common)


def _at(values: list[Any], i: int) -> Any:
    """values[i], None past the end (a list shorter than its seeds is compared as missing)."""
    return values[i] if i < len(values) else None


def _seed_note(res_g: dict[str, Any] | None, ref_g: dict[str, Any] | None) -> str:
    if res_g is None or ref_g is None:
        return ""
    common = common_seeds(res_g, ref_g)
    extra_a = [s for s in res_g.get("seeds") or [] if s not in common]
    extra_b = [s for s in ref_g.get("seeds") or [] if s not in common]
    if not extra_a and not extra_b:
        return ""
    return f" on {len(common)} common seed(s) (not compared: results {extra_a or 'none'}, " \
           f"reference {extra_b or 'none'})"


def _exact_or_none(row: dict[str, Any], match: bool | None, deterministic: bool,
                   what: str, seeds: str = "") -> dict[str, Any] | None:
    """The decided row when the exact rule applies, None when statistics must decide."""
    if match:
        return {**row, "pass": True, "outcome": "exact",
                "note": f"bit-identical to the reference ({what}){seeds}"}
    if match is False and deterministic:
        return {**row, "pass": False, "outcome": "failed",
                "note": f"same seeds as the reference but {what} differ; this profile is "
                        "deterministic, so they must be bit-identical"}
    return None


def _spread(la: np.ndarray, lb: np.ndarray) -> float:
    """Pooled per-seed standard deviation of log values (0 with fewer than 3 values)."""
    dof = max(len(la) - 1, 0) + max(len(lb) - 1, 0)
    if dof == 0:
        return 0.0
    ss = float(((la - la.mean()) ** 2).sum() + ((lb - lb.mean()) ** 2).sum())
    return math.sqrt(ss / dof)


def log_row(row: dict[str, Any], res: list[float], ref: list[float],
            spec: DiffSpec) -> dict[str, Any]:
    """A row measured by the log-ratio rule, or underpowered below `min_seeds`.

    The row is decided later, with the other rows of its verdict (`decide_family`).
    """
    la, clamped_a = to_logs(res, spec.floor)
    lb, clamped_b = to_logs(ref, spec.floor)
    row = {**row, "result_mean": float(np.mean(res)), "reference_mean": float(np.mean(ref)),
           "result_std": float(np.std(res, ddof=1)) if len(res) > 1 else 0.0,
           "reference_std": float(np.std(ref, ddof=1)) if len(ref) > 1 else 0.0,
           "result_geomean": float(np.exp(la.mean())),
           "reference_geomean": float(np.exp(lb.mean())),
           **measure(from_logs(la, lb), spec.margin, spec.alpha, _spread(la, lb))}
    if clamped_a or clamped_b:
        row["context"] = f"{clamped_a + clamped_b} value(s) below floor {spec.floor:g} raised " \
                         "to it"
    if min(len(res), len(ref)) < spec.min_seeds:
        row["too_few_seeds"] = True
        return undecided(row, "underpowered", f"{min(len(res), len(ref))} seed(s) on one "
                         f"side, fewer than min_seeds={spec.min_seeds}")
    return row


def final_row(label: str, variant: str, space: int, metric: str, res: list[float],
              ref: list[float], spec: DiffSpec, match: bool | None = None,
              deterministic: bool = False, seeds: str = "") -> dict[str, Any]:
    """One `final` row, measured (see module docstring; `decide` decides the family)."""
    row: dict[str, Any] = {"kind": "final", "group": label, "variant": variant, "space": space,
                           "metric": metric, "n_result": len(res), "n_reference": len(ref)}
    if res and ref:
        row.update(result_mean=float(np.mean(res)), reference_mean=float(np.mean(ref)))
    decided = _exact_or_none(row, match, deterministic, "per-seed values", seeds)
    if decided is not None:
        return decided
    if not res or not ref:
        return {**row, "pass": False, "outcome": "failed", "note": "no finite values to compare"}
    return log_row(row, res, ref, spec)


def curve_statistic(per_seed: list[list[float | None]], epochs: int, floor: float
                    ) -> list[float]:
    """Per seed: the geometric mean of the curve over its first `epochs` finite epochs.

    exp(mean log regret): the normalised area under the log-regret curve, a positive
    number that scales with the curve (a x10 curve has a x10 statistic).
    """
    out = []
    for curve in per_seed:
        vals = _finite(list(curve[:epochs]))
        if vals:
            out.append(float(np.exp(np.mean(np.log(np.maximum(vals, floor))))))
    return out


def anytime_row(label: str, variant: str, space: int, res_g: dict[str, Any],
                ref_g: dict[str, Any], spec: DiffSpec, metric: str = "test_regret",
                deterministic: bool = False) -> dict[str, Any]:
    """One `anytime` row: exact on common seeds, else the log-ratio rule on the per-seed
    geometric mean of the curve over the epochs both sides have."""
    rc, fc = res_g["metrics"][metric]["per_seed"], ref_g["metrics"][metric]["per_seed"]
    epochs = min([len(c) for c in rc] + [len(c) for c in fc]) if rc and fc else 0
    res = curve_statistic(rc, epochs, spec.floor)
    ref = curve_statistic(fc, epochs, spec.floor)
    row: dict[str, Any] = {"kind": "anytime", "group": label, "variant": variant,
                           "space": space, "metric": metric, "statistic":
                           "geometric mean over epochs (area under the log curve)",
                           "epochs_compared": epochs, "n_result": len(res),
                           "n_reference": len(ref)}
    if res and ref:
        row.update(result_mean=float(np.mean(res)), reference_mean=float(np.mean(ref)))
    decided = _exact_or_none(row, exact_match(res_g, ref_g, metric, "curve"), deterministic,
                             "per-seed curves", _seed_note(res_g, ref_g))
    if decided is not None:
        return decided
    if not res or not ref:
        return {**row, "pass": False, "outcome": "failed", "note": "no common epochs"}
    return log_row(row, res, ref, spec)


def decide(rows: list[dict[str, Any]], spec: DiffSpec) -> list[dict[str, Any]]:
    """Every measured row of one verdict decided together (Holm over them)."""
    return decide_family(rows, spec.alpha, spec.equivalence_alpha)


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
        seeds = _seed_note(res_g, ref_g)
        for metric in FINAL_METRICS:
            rows.append(final_row(label, ref_g["variant"], ref_g["space"], metric,
                                  _finite(res_g["metrics"][metric]["final"]["values"]),
                                  _finite(ref_g["metrics"][metric]["final"]["values"]), spec,
                                  exact_match(res_g, ref_g, metric, "final"), deterministic,
                                  seeds))
        rows.append(anytime_row(label, ref_g["variant"], ref_g["space"], res_g, ref_g, spec,
                                deterministic=deterministic))
    return decide(rows, spec)


def diff_table2(result: dict[str, Any], published: dict[str, Any],
                spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows comparing final test regret with the paper's Table 2 (mean ± std, 6 runs).

    Both sides enter as mean ± std (ddof 1) and n, through the same summary formula, so the
    rule is symmetric in the two sides.
    """
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
            rows.append(table2_row(base, vals, cell["mean"], cell["std"], n_ref, spec))
    return decide(rows, spec)


def table2_row(base: dict[str, Any], vals: list[float], ref_mean: float, ref_std: float,
               n_ref: int, spec: DiffSpec) -> dict[str, Any]:
    """One measured Table 2 row from our per-seed values and the published mean ± std."""
    x = np.maximum(np.asarray(vals, float), spec.floor)
    mean = float(x.mean())
    std = float(x.std(ddof=1)) if len(x) > 1 else 0.0
    c = from_summary(np.array(mean), np.array(std), np.array(len(x)), np.array(ref_mean),
                     np.array(ref_std), np.array(n_ref))
    cv = np.array([std / mean, ref_std / ref_mean])
    sd = float(np.sqrt(np.log1p(cv**2).mean()))
    row = {**base, "result_mean": float(np.mean(vals)), "result_std": std,
           "n_result": len(vals), **measure(c, spec.margin, spec.alpha, sd)}
    if len(vals) < spec.min_seeds:
        row["too_few_seeds"] = True
        return undecided(row, "underpowered", f"{len(vals)} seed(s), fewer than "
                         f"min_seeds={spec.min_seeds}")
    return row
