"""`reproduce` and `diff` of the `blackbox` kind: the grid run, curves, plots and the claim.

    RESULTS/plan.json                    the resolved plan (binds the folder to the recipe)
    RESULTS/blackbox/ss{N}/{OPT}/seed-{k}.npy   records of one seed (see grid.py)
    RESULTS/summary.json                 per space and optimizer: final regret statistics
    RESULTS/plots/blackbox-ss{N}.png/.pdf       test regret vs simulated time, log-log
    RESULTS/diff.json, diff.md           the claim "RE is the best black-box optimizer"

Runs are local worker processes (`--workers`, see grid.py) or, with `--executor slurm`, one
submitit job array of all pending seeds (cluster.py); finished seeds are skipped, so
`reproduce` resumes. The smoke profile builds a synthetic four-budget index of its spaces
and marks the claim NOT CHECKABLE.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.blackbox_runs.budget import check_fits, estimate
from nb1s.harness.blackbox_runs.cluster import ArrayRun, check_executor
from nb1s.harness.blackbox_runs.curves import (
    FOLDER,
    final_regret,
    load_blackbox_results,
    regret_curve,
    regret_reference,
)
from nb1s.harness.blackbox_runs.grid import (
    cluster_settings,
    grid_settings,
    missing_seed_files,
    pending_seeds,
    run_grid,
)
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.blackbox.claims import claim_rows, runs_row
from nb1s.harness.experiments.blackbox.documents import (
    SUMMARY_FILE,
    BlackboxReproduced,
    BlackboxSummary,
)
from nb1s.harness.experiments.blackbox.settings import (
    BlackboxSettings,
    plan_blackbox,
    resolve_settings,
    with_options,
)
from nb1s.harness.experiments.kind import Request, Result
from nb1s.harness.experiments.result import KindResult, diff_link, diff_result
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.recipe.schema import Profile, Recipe
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol
from nb1s.harness.search.results_directory import ResultsDirectory

SUMMARY = SUMMARY_FILE
GRID_POINTS = 200


def reproduce_blackbox(request: Request, on_start: Callable[[int], None] | None = None,
                       on_done: Callable[[Any], None] | None = None) -> Result:
    """Run the grid's unfinished seeds, then summary, plots and the claim's diff."""
    from nb1s.harness.execution.runner import bind_results
    from nb1s.harness.executors.job import JobResult
    from nb1s.harness.nb101.store import open_store

    # an executor that maps tasks (local or slurm), checked and parsed once, before
    # any data is built
    parsed = check_executor(request.execution)
    header = plan_blackbox(request.recipe, request.profile, request.protocol)
    s = with_options(resolve_settings(request.recipe, header), request.options)
    plan = header.but(settings=asdict(s))
    results = request.results
    runs = [(opt, s.evaluations_of(opt)) for space in s.spaces for opt in s.optimizers]
    check_fits(estimate(runs, len(s.seeds), request.execution.workers or 1), results)
    results.mkdir(parents=True, exist_ok=True)
    bind_results(plan, results)
    from nb1s.harness.blackbox_runs.objective import budgets_needed

    store = open_store(_data_dir(request, plan), tuple(sorted(
        {b for opt in s.optimizers for b in budgets_needed(opt)})))
    labels = _labels(plan, store.synthetic)
    jobs = [(grid_settings(opt, space, s.evaluations_of(opt), store, s.repeat_policy,
                           s.smac_model), s.seeds)
            for space in s.spaces for opt in s.optimizers]
    out = results / FOLDER
    pending = sum(len(pending_seeds(st, seeds, out)) for st, seeds in jobs)
    if on_start is not None:
        on_start(pending)

    def done(st: Any, seeds: list[int]) -> None:
        if on_done is not None:
            for seed in seeds:
                on_done(JobResult(f"ss{st.space}/{st.optimizer}/seed-{seed}", 0, 0.0, ""))

    cluster = cluster_settings(request.execution, out, parsed)
    workers = (cluster.parallelism if cluster is not None
               else request.execution.workers or min(4, os.cpu_count() or 1))
    import time

    arrays: list[ArrayRun] = []
    start = time.perf_counter()
    ran = run_grid(jobs, out, workers, done, cluster, arrays.append,
                   executor=request.execution.executor)
    seconds = round(time.perf_counter() - start, 3)
    summary = analyse(results, request.recipe, s, store, request.profile,
                      request.protocol, labels)
    diff = diff_summary(results, request.recipe, summary, request.min_seeds)
    run: dict[str, Any] = {"ran": ran, "skipped": len(s.seeds) * len(jobs) - pending,
                           "workers": workers, "seconds": seconds}
    if cluster is not None:
        run.update(executor=cluster.executor, slurm=arrays[0].as_dict())
    return blackbox_result(request, summary, diff, run)


def diff_blackbox(request: Request) -> Result:
    """The diff document (`diff.json`) re-derived from the seed files and summary.json."""
    from nb1s.harness.experiments.analysis_diff import load_analysis

    if request.against is not None:
        raise UserError(f"{request.recipe.name} is compared with the paper's claims only; "
                        "--against does not apply")
    summary = load_analysis(request.results, SUMMARY, request.recipe, BlackboxSummary)
    return diff_result(diff_summary(request.results, request.recipe, summary,
                                    request.min_seeds), request.results)


def blackbox_result(request: Request, summary: dict[str, Any], diff: dict[str, Any],
            run: dict[str, Any] | None) -> Result:

    results = request.results
    status = "partial" if summary["missing_runs"] else "complete"
    return KindResult.reproduced(BlackboxReproduced.model_validate({
        "recipe": request.recipe.name, "version": request.recipe.version,
        "kind": request.recipe.kind, "profile": request.profile,
        "protocol": request.protocol, "labels": summary["labels"], "status": status,
        "results": str(results), "run": run, "blocked": [],
        "summary": str(results / SUMMARY),
        "final_regret": {space: {opt: v["final_regret_mean"]
                                 for opt, v in info["optimizers"].items()}
                         for space, info in summary["spaces"].items()},
        "plots": summary["plots"],
        "diff": diff_link(results, diff)}))


def _data_dir(request: Request, plan: Plan) -> Path | None:
    """--data-dir, else (a synthetic plan) the four-budget smoke index, else the default."""
    from nb1s.harness.execution.inputs import prepare_inputs

    return prepare_inputs(plan, request.results, request.execution).nb101_dir


def _labels(plan: Plan, synthetic: bool) -> list[str]:
    """`smoke` from the plan; `synthetic` from the index actually read (a smoke run on the
    user's real index is not synthetic, a paper run on a synthetic one is)."""
    labels = [label for label in plan.labels if label != "synthetic"]
    return [*labels, "synthetic"] if synthetic else labels


def _time_grid(trajectories: list[np.ndarray]) -> np.ndarray:
    """A log grid from the earliest first evaluation to the latest last one."""
    firsts = [float(r["sim_time"][r["index"] == 0].min()) for r in trajectories if len(r)]
    lasts = [float(r["sim_time"].max()) for r in trajectories if len(r)]
    if not firsts:
        return np.zeros(0)
    low = max(min(firsts), 1e-9)
    return np.geomspace(low, max(max(lasts), low * 1.0001), GRID_POINTS)


def analyse(results: Path, recipe: Recipe, settings: BlackboxSettings, store: Any,
            profile: Profile, protocol: RecipeProtocol, labels: list[str]) -> dict[str, Any]:
    """summary.json and one plot per space from the seed files (nothing is run)."""
    from nb1s.harness.experiments.blackbox.plot import plot_space

    found = load_blackbox_results(results / FOLDER, damaged=[])
    spaces: dict[str, Any] = {}
    plots: list[str] = []
    missing = missing_seeds(results, asdict(settings))
    # a figure drawn from part of the planned seeds says so in its title
    shown = [*labels, f"partial: {len(missing)} seeds missing"] if missing else labels
    for space in settings.spaces:
        best = regret_reference(store, space, settings.regret_reference)
        wanted = {opt: found[(space, opt)] for opt in settings.optimizers
                  if (space, opt) in found}
        # only the planned seeds count, even if the folder holds more
        records = {opt: t.records[np.isin(t.records["seed"], settings.seeds)]
                   for opt, t in wanted.items()}
        grid = _time_grid(list(records.values()))
        curves = {opt: regret_curve(r, best, settings.incumbent, grid, settings.left_edge)
                  for opt, r in records.items()}
        per_opt = {}
        for opt, r in records.items():
            final = final_regret(r, best, settings.incumbent)
            per_opt[opt] = {
                "seeds": len(final),
                "final_regret_mean": float(np.mean(final)) if len(final) else None,
                "final_regret_std": float(np.std(final, ddof=1)) if len(final) > 1 else None,
                "final_regret_median": float(np.median(final)) if len(final) else None,
                "evaluations_per_seed": int(len(r) // max(len(final), 1)),
                "sim_time_end_median": float(np.median(
                    [r["sim_time"][r["seed"] == s].max() for s in np.unique(r["seed"])]))
                if len(r) else None}
        spaces[str(space)] = {"best_test_error": best, "optimizers": per_opt}
        if len(grid):
            plots += [str(p) for p in plot_space(space, grid, curves, settings.band, shown,
                                                 results / "plots",
                                                 _plot_notes(settings))]
    summary = {"recipe": {"name": recipe.name, "version": recipe.version, "profile": profile,
                          "protocol": protocol},
               "labels": labels, "settings": asdict(settings),
               "data": {"directory": str(store.directory), "synthetic": store.synthetic},
               "regret_reference": REFERENCE_TEXT[settings.regret_reference],
               "spaces": spaces, "missing_runs": missing, "plots": plots}
    ResultsDirectory(results).write(SUMMARY, summary, BlackboxSummary)
    return summary


def missing_seeds(results: Path, settings: dict[str, Any]) -> list[str]:
    """Planned seed files that are missing or damaged (`grid.missing_seed_files`).
    `settings` is a `BlackboxSettings` as summary.json holds it."""
    by_optimizer = dict(settings.get("evaluations_by_optimizer") or {})
    runs = [(opt, int(space), int(by_optimizer.get(opt, settings["evaluations"])))
            for space in settings["spaces"] for opt in settings["optimizers"]]
    return missing_seed_files(results / FOLDER, runs, [int(x) for x in settings["seeds"]])


REFERENCE_TEXT = {
    "min_of_means": "min_of_means: best mean-over-repeats test error at 108 epochs over "
                    "every architecture of the space (computed)",
    "published_constants": "published_constants: the original's hard-coded single-repeat "
                           "test_min_error of the space (harness/references/paper.yaml)"}


def _plot_notes(settings: BlackboxSettings) -> tuple[str, ...]:
    """What the plot must say about its own construction."""
    edge = ("before its first evaluation a seed shows its first value (original)"
            if settings.left_edge == "backfill"
            else "a seed is left out before its first evaluation")
    return (f"incumbent: {settings.incumbent}", REFERENCE_TEXT[settings.regret_reference]
            .split(":")[0].replace("_", " "), edge)


def diff_summary(results: Path, recipe: Recipe, summary: dict[str, Any],
                 min_seeds: int | None = None) -> dict[str, Any]:
    """Check claims.re_best_blackbox on the seed files; writes diff.json and diff.md.

    The planned-seeds row is re-derived from the seed files (a file deleted or damaged
    after `reproduce` FAILS it), not read from summary.json."""
    from nb1s.harness.experiments.analysis_diff import write_analysis_diff
    from nb1s.harness.references import paper

    s = summary["settings"]
    summary = {**summary, "missing_runs": missing_seeds(results, s)}
    found = load_blackbox_results(results / FOLDER, damaged=[])
    final = {}
    for key, traj in found.items():
        space_info = summary["spaces"].get(str(key[0]))
        if space_info is None or key[1] not in s["optimizers"]:
            continue
        records = traj.records[np.isin(traj.records["seed"], s["seeds"])]
        # the claim compares best-validation incumbents whatever the figure draws: the
        # running minimum of the test error (`test_oracle`) selects on the test metric
        final[key] = final_regret(records, space_info["best_test_error"], "best_validation")
    labels = summary["labels"]
    checkable = not labels
    why = ("smoke profile / synthetic NB101 data: invented numbers cannot test a statement "
           "about NAS-Bench-101" if labels else "")
    rows = [runs_row(summary["missing_runs"]),
            *claim_rows(final, [int(x) for x in s["spaces"]], list(s["optimizers"]),
                        recipe.diff.alpha, min_seeds or recipe.diff.min_seeds, checkable, why)]
    claim = paper()["claims"]["re_best_blackbox"]
    notes = [f"claim: {claim['text']} ({claim['source']}); tested per space and competitor on "
             "the final best-validation incumbent's test regret (never the running minimum "
             f"of the test error; the figure's incumbent: {s['incumbent']}), one-sided "
             f"Welch on the logs, Holm over the rows, alpha {recipe.diff.alpha}",
             f"repeat policy {s['repeat_policy']}, SMAC model "
             f"{s.get('smac_model', 'unrecorded')}, {len(s['seeds'])} seeds, "
             f"{s['evaluations']} evaluations (HB/BOHB: x 108 epochs)"
             + (f", except {s['evaluations_by_optimizer']}"
                if s.get("evaluations_by_optimizer") else "")]
    return write_analysis_diff(results, recipe, summary, "paper claims (paper.yaml)",
                               {"alpha": str(recipe.diff.alpha)}, rows, notes)

