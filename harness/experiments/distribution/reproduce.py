"""`nb1s reproduce fig6`: error distributions of the spaces, plotted, summarised and diffed.

No training runs: the recipe's settings pick the architecture set and the repeat rule for
the chosen protocol, every member of each space is looked up in the NB101 store, and the
results folder receives

    RESULTS/plan.json          the resolved plan (binds the folder to recipe/version/...)
    RESULTS/distribution.json  per space: set size, quantiles, fractions below thresholds,
                               plus settings, data provenance and labels
    RESULTS/plots/NAME-PROFILE-PROTOCOL.{png,pdf}
    RESULTS/diff.json, diff.md the rows the paper (or released code) lets us check

The `smoke` profile runs the same computation on a synthetic index that covers the
spaces (built once under `--smoke-data`); everything it writes says smoke/synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.execution.inputs import prepare_inputs
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.execution.runner import PLAN_FILE, bind_results
from nb1s.harness.experiments.analysis_diff import (
    load_analysis,
    write_analysis_diff,
)
from nb1s.harness.experiments.distribution.compute import (
    count_row,
    minimum_rows,
    space_samples,
    space_summary,
)
from nb1s.harness.experiments.distribution.documents import (
    DISTRIBUTION_FILE,
    DistributionReproduced,
    DistributionResult,
)
from nb1s.harness.experiments.result import KindResult, diff_link
from nb1s.harness.nb101.store import open_store
from nb1s.harness.recipe.identity import recipe_identity
from nb1s.harness.recipe.plan import Plan, plan_recipe
from nb1s.harness.recipe.schema import Profile, Protocol, Recipe
from nb1s.harness.search.results_directory import ResultsDirectory

__all__ = ["DISTRIBUTION_FILE", "compute_distribution", "diff_distribution",
           "reproduce_distribution"]
_REQUIRED = ("spaces", "budget", "architecture_set", "repeats", "bins", "xlim", "thresholds")


def _settings(recipe: Recipe, plan: Plan) -> dict[str, Any]:
    settings = plan.settings
    missing = [k for k in _REQUIRED if k not in settings]
    if missing:
        raise UserError(f"recipe {recipe.name} lacks the distribution settings {missing}")
    return settings


def compute_distribution(recipe: Recipe, results: Path, profile: Profile = "paper",
                         protocol: Protocol = "paper", data_dir: Path | None = None,
                         smoke_data: Path | None = None, plan: Plan | None = None
                         ) -> dict[str, Any]:
    """Summaries and plot of every space; writes distribution.json and the plots.

    `plan`: the caller's plan of `recipe` (planned here when not given); it says which
    index to read (the user's, or the smoke profile's synthetic one).
    """
    from nb1s.harness.experiments.distribution.plot import plot_distributions

    if plan is None:
        plan = plan_recipe(recipe, profile, protocol)
    settings = _settings(recipe, plan)
    spaces = [int(s) for s in settings["spaces"]]
    results.mkdir(parents=True, exist_ok=True)
    bind_results(plan, results)
    data = prepare_inputs(plan, results, ExecutionOptions(data_dir=data_dir,
                                                          smoke_data=smoke_data))
    store = open_store(data.nb101_dir)
    labels = list(plan.labels)
    if store.synthetic and "synthetic" not in labels:
        labels.append("synthetic")
    samples, summaries, minima = [], [], {}
    for space in spaces:
        s = space_samples(store, space, settings["architecture_set"], settings["repeats"],
                          int(settings["budget"]))
        samples.append(s)
        summaries.append(space_summary(s, settings["thresholds"]))
        minima[space] = store.space_minimum(space, int(settings["budget"]))
    stem = f"{recipe.name}-{profile}-{protocol}"
    title = (f"{recipe.name} v{recipe.version}: {recipe.title}  [set "
             f"{settings['architecture_set']}, repeats {settings['repeats']}; profile "
             f"{profile}, protocol {protocol}]")
    plots = plot_distributions(samples, results / "plots", stem, int(settings["bins"]),
                               tuple(settings["xlim"]), title, labels)
    result = {
        "schema_version": 1, "recipe": recipe_identity(recipe.name, recipe.version, profile,
                                                       protocol),
        "title": recipe.title, "labels": labels, "synthetic": store.synthetic,
        "settings": settings, "spaces": summaries,
        "minimum": {str(k): v for k, v in minima.items()},
        "data": {"nb101": store.provenance}, "plots": [str(p) for p in plots],
    }
    ResultsDirectory(results).write(DISTRIBUTION_FILE, result, DistributionResult)
    return result


def diff_distribution(results: Path, recipe: Recipe) -> dict[str, Any]:
    """Compare a distribution.json with what the references state; write diff.json/.md."""
    dist = load_analysis(results, DISTRIBUTION_FILE, recipe, DistributionResult)
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for summary in dist["spaces"]:
        row = count_row(summary)
        if row is not None:
            rows.append(row)
    if not any(r["kind"] == "paper" for r in rows):
        notes.append(f"the paper states no size for the set "
                     f"{dist['settings']['architecture_set']!r}; no count is compared")
    if dist["synthetic"]:
        notes.append("minimum errors are not compared with the released code's constants: "
                     "the NB101 data is synthetic")
    else:
        for summary in dist["spaces"]:
            rows += minimum_rows(summary["space"], dist["minimum"][str(summary["space"])])
    notes.append("the paper publishes the histograms only as a figure: the quantiles have "
                 "no published counterpart and are reported, not compared")
    return write_analysis_diff(
        results, recipe, dist, "harness/references/paper.yaml (table1, regret_constants)",
        {"count": "exact", "minimum": "abs 1e-6 (float32 rounding)"}, rows, notes)


def reproduce_distribution(recipe: Recipe, results: Path, profile: Profile = "paper",
                           protocol: Protocol = "paper", data_dir: Path | None = None,
                           smoke_data: Path | None = None, plan: Plan | None = None
                           ) -> KindResult[Any]:
    """Compute, plot and diff (see module docstring); the result `nb1s reproduce` prints."""
    dist = compute_distribution(recipe, results, profile, protocol, data_dir, smoke_data, plan)
    diff = diff_distribution(results, recipe)
    return KindResult.reproduced(DistributionReproduced.model_validate({
        "recipe": recipe.name, "version": recipe.version, "kind": recipe.kind,
        "profile": profile, "protocol": protocol, "labels": dist["labels"],
        "status": "complete", "results": str(results),
        "distribution": str(results / DISTRIBUTION_FILE), "spaces": dist["spaces"],
        "plots": dist["plots"],
        "diff": diff_link(results, diff),
        "plan": str(results / PLAN_FILE)}))
