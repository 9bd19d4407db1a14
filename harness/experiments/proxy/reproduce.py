"""`nb1s reproduce fig17`: stand-alone proxy trainings, then 1 - Spearman per epoch.

Data flow: recipe -> plan (cells x channels variants x architecture seeds) -> executor
runs `nb1s search fixed --set layers=L --set init_channels=C --seed S` (finished runs are
skipped, partial ones resume) -> each finished run's `epochs.jsonl` -> per (cells,
channels) and epoch 1 - Spearman(proxy valid error, NB101 valid regret)
(`proxy_correlation.py`) -> `proxy_correlation.json`, one plot per cell count and a diff
against the paper's qualitative claim (checked only on paper-profile, non-synthetic data).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb1s.harness.execution.runner import DataInputs, Executor, run_dir
from nb1s.harness.executors import JobResult
from nb1s.harness.experiments.analysis_diff import load_analysis, write_analysis_diff
from nb1s.harness.experiments.analysis_run import analysis_result, cannot_run, run_analysis_searches
from nb1s.harness.experiments.proxy.compute import correlation_per_epoch
from nb1s.harness.experiments.proxy.documents import PROXY_FILE, ProxyReproduced, ProxyResult
from nb1s.harness.experiments.result import KindResult
from nb1s.harness.recipe.identity import recipe_identity
from nb1s.harness.recipe.plan import Availability, Plan, RunSpec
from nb1s.harness.recipe.schema import Profile, Protocol, Recipe
from nb1s.harness.references import claims_for, paper
from nb1s.harness.search.results_directory import ResultsDirectory
from nb1s.harness.search.run_directory import RunDirectory

__all__ = ["PROXY_FILE", "diff_proxy", "evaluate_plan", "reproduce_proxy"]


def evaluate_plan(plan: Plan, results: Path) -> dict[str, Any]:
    """Per (cells, channels): the epoch rows of 1 - Spearman; writes the JSON file."""
    cells: dict[str, tuple[RunSpec, dict[int, list[dict[str, Any]]]]] = {}
    missing, synthetic = [], False
    for spec in plan.runs:
        run = RunDirectory(run_dir(results, spec))
        entry = cells.setdefault(spec.variant, (spec, {}))
        if run.status() != "complete":
            missing.append(spec.key)
            continue
        meta = run.read_meta()
        synthetic = synthetic or meta.data.nb101.synthetic or meta.data.cifar10.synthetic
        entry[1][spec.seed] = [rec.to_json() for rec in run.read_epochs()]
    groups = []
    for variant, (spec, runs) in cells.items():
        configs = {seed: recs[0]["config_id"] for seed, recs in runs.items() if recs}
        groups.append({"variant": variant, "label": spec.label,
                       "cells": int(spec.hyperparameters["layers"]),
                       "channels": int(spec.hyperparameters["init_channels"]),
                       "epochs_trained": spec.epochs, "architectures": configs,
                       "epochs": correlation_per_epoch(runs)})
    labels = list(plan.labels)
    if synthetic and "synthetic" not in labels:
        labels.append("synthetic")
    result = {
        "schema_version": 1,
        "recipe": recipe_identity(plan.recipe, plan.version, plan.profile, plan.protocol),
        "title": plan.title, "labels": labels, "settings": plan.settings,
        "statistic": "1 - Spearman(proxy one-shot valid error, NB101 valid regret)",
        "groups": groups, "missing_runs": missing,
        "blocked": [b.__dict__ for b in plan.blocked],
    }
    ResultsDirectory(results).write(PROXY_FILE, result, ProxyResult)
    return result


def _values(group: dict[str, Any], pick: str) -> float | None:
    vals = [r["one_minus_spearman"] for r in group["epochs"] if r["epoch"] > 0
            and r["one_minus_spearman"] is not None]
    if not vals:
        return None
    return float(min(vals) if pick == "best" else vals[-1])


def claim_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The paper's channel claims, checked only on paper-profile, non-synthetic results.

    (a) with 3 cells, 2 channels give the lowest 1 - rho over all epochs (best anytime);
    (b) with 9 cells, final 1 - rho falls with channels up to 16 and rises beyond 16.
    """
    src = paper()["claims"]["proxy_channels"]["source"]
    by = {(g["cells"], g["channels"]): g for g in result["groups"]}
    checkable = not result["labels"] and result["recipe"]["profile"] == "paper"
    specs = [("3 cells", "best anytime 1 - rho", "lowest at 2 ch.", 3, "best"),
             ("9 cells", "final 1 - rho", "falls up to 16 ch., rises beyond", 9, "final")]
    rows = []
    for group, metric, expect, n_cells, pick in specs:
        vals = {c: _values(g, pick) for (cl, c), g in sorted(by.items()) if cl == n_cells}
        shown = ", ".join(f"{c}: {'-' if v is None else f'{v:.3f}'}" for c, v in vals.items())
        row: dict[str, Any] = {"kind": "claim", "group": group, "metric": metric,
                               "reference_mean": expect, "result_mean": shown or "-",
                               "source": src, "pass": None}
        known = {c: v for c, v in vals.items() if v is not None}
        if not checkable:
            row.update(outcome="not checkable", note="not checkable on smoke/synthetic data")
        elif n_cells == 3 and 2 in known and len(known) > 1:
            row["pass"] = min(known, key=lambda c: known[c]) == 2
            row["note"] = "checked"
        elif n_cells == 9 and {2, 4, 8, 16, 36} <= set(known):
            seq = [known[c] for c in (2, 4, 8, 16)]
            row["pass"] = all(a > b for a, b in itertools.pairwise(seq)) \
                and known[36] > known[16]
            row["note"] = "checked"
        else:
            row.update(outcome="not checkable", note="not checkable: channel counts missing")
        rows.append(row)
    return rows


def diff_proxy(results: Path, recipe: Recipe) -> dict[str, Any]:
    """Compare proxy_correlation.json with the paper's claim; write diff.json and diff.md."""
    res = load_analysis(results, PROXY_FILE, recipe, ProxyResult)
    notes = [f"{len(res['missing_runs'])} runs are not complete and were left out"] \
        if res["missing_runs"] else []
    if res["labels"]:
        notes.append("smoke/synthetic correlations say nothing about the paper's claim")
    return write_analysis_diff(
        results, recipe, res, "harness/references/paper.yaml (claims.proxy_channels)",
        {"claim": "qualitative: orderings of 1 - Spearman across channel counts"},
        claim_rows(res), notes,
        claims_for(recipe.references.paper))


def reproduce_proxy(recipe: Recipe, results: Path, executor: Executor | None,
                    profile: Profile, protocol: Protocol, data: DataInputs | None,
                    availability: Availability,
                    on_start: Callable[[int], None] | None = None,
                    on_done: Callable[[JobResult], None] | None = None,
                    plan: Plan | None = None) -> KindResult[Any]:
    """Run the proxy trainings, correlate, plot and diff (module docstring).

    `plan`: the caller's plan of `recipe` (planned here when not given)."""
    from nb1s.harness.experiments.proxy.plot import plot_proxy

    runs = run_analysis_searches(recipe, results, executor, profile, protocol, data,
                                 availability, on_start, on_done, plan=plan)
    if runs.summary is None:
        return cannot_run(recipe, results, runs)
    res = evaluate_plan(runs.plan, results)
    plots = plot_proxy(res, results / "plots", f"{recipe.name}-{profile}-{protocol}")
    diff = diff_proxy(results, recipe)
    return analysis_result(recipe, profile, protocol, results, runs, res["labels"], plots, diff,
                           ProxyReproduced, proxy_correlation=str(results / PROXY_FILE),
                           groups=res["groups"])
