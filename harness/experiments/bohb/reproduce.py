"""Recipe kind `bohb` (recipes/fig5.yaml): BOHB runs, black-box grid, figures, claims.

Data flow of `reproduce`: recipe -> plan (settings by profile and protocol) -> for every
(configuration space, search space, optimizer, seed) one BOHB run whose evaluations are
`nb1s search` runs (`master.run_bohb`, or a Slurm array through `distributed`), logged with
hpbandster's `json_result_logger` at `<results>/bohb/cs{N}/ss{S}/{optimizer}/seed-{k}/`
(a finished run is skipped, an interrupted one replayed) -> the black-box grid (the blackbox
kind, when installed) -> per configuration space one figure (Fig. 14 = CS1, Fig. 5 = CS2,
Fig. 15 = CS3) -> claim rows -> `bohb-summary.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.errors import RunStopped, UserError
from nb1s.harness.experiments.analysis_diff import planned_runs_row
from nb1s.harness.experiments.bohb import claims
from nb1s.harness.experiments.bohb.curves import (
    log_grid,
    nonpositive_seeds,
    on_grid,
    read_evaluations,
    regret_of,
    trajectory,
)
from nb1s.harness.experiments.bohb.documents import BohbReproduced, BohbSummary
from nb1s.harness.experiments.bohb.master import BohbSettings
from nb1s.harness.experiments.bohb.protocol import BohbProtocol
from nb1s.harness.experiments.bohb.runs import (
    JobDone,
    cancel_submitted,
    data_inputs,
    finish_one,
    run_blackbox,
    run_one,
    runs_arrays,
)
from nb1s.harness.experiments.bohb.settings import (
    BLACKBOX,
    FIGURE_OF_CS,
    LABELS,
    PLOTS,
    SUMMARY,
    blackbox_plan,
    bohb_settings,
    log_folder,
    run_plan,
    with_options,
)
from nb1s.harness.experiments.kind import Request, Result
from nb1s.harness.experiments.result import KindResult, diff_result
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.recipe.schema import DiffSpec
from nb1s.harness.report.decision import decide_family
from nb1s.harness.report.verdict import verdict
from nb1s.harness.search.results_directory import ResultsDirectory

#: The incumbent every claim row compares (docs/bohb.md): the lowest validation loss so far
CLAIM_INCUMBENT = "best_validation"


def reproduce_bohb(request: Request, plan: Plan,
                   on_start: Callable[[int], None] | None = None,
                   on_done: Callable[[Any], None] | None = None) -> Result:
    """Every unfinished BOHB run of `plan` (the kind's plan), the black-box grid, then
    curves, figures, claims and `bohb-summary.json`."""
    plan = with_options(plan, request.options)
    from nb1s.harness.execution.prepare import executor_settings
    from nb1s.harness.execution.runner import bind_results
    from nb1s.harness.executors.task_map import check_maps_tasks

    # BOHB runs in this process (an executor of local processes) or maps its workers
    # as job arrays: the executor's capabilities; its options parsed once, here (on
    # Slurm: reachable, and the plan's request fits the partition), before any data
    check_maps_tasks(request.execution.executor, f"{plan.recipe}'s BOHB")
    parsed = executor_settings(plan, request.execution)

    results = request.results
    results.mkdir(parents=True, exist_ok=True)
    bind_results(plan, results)  # refuses a folder of another recipe, version, profile
    data = data_inputs(plan, results, request)
    runs = run_plan(plan)
    if on_start is not None:
        on_start(len(runs))
    slurm = runs_arrays(request.execution.executor)
    done: list[dict[str, Any]] = []
    try:
        for cs, space, optimizer, seed in runs:
            done.append(run_one(request, plan, data, cs, space, optimizer, seed, slurm,
                                parsed))
            if on_done is not None and not slurm:
                on_done(JobDone(f"cs{cs}/ss{space}/{optimizer}/seed-{seed}"))
    except KeyboardInterrupt:
        cancel_submitted(done)
        raise RunStopped(f"{plan.recipe}: interrupted after {len(done)} of {len(runs)} "
                         "BOHB runs; the BOHB result logs are kept (replayed on resume, "
                         "interrupted searches resume)", 130, "interrupted") from None
    # on Slurm the black-box array queues while the BOHB arrays run; locally every
    # BOHB run has finished by now
    settings = bohb_settings(plan.settings)
    try:
        blackbox = run_blackbox(plan, results, data, request.execution)
        for k, record in enumerate(done):
            if record.get("status") == "submitted":
                done[k] = finish_one(results, record, settings)
                if on_done is not None:
                    on_done(JobDone(f"cs{record['cs']}/ss{record['space']}/"
                                    f"{record['optimizer']}/seed-{record['seed']}"))
    except BaseException:  # a refusal, a stop or Ctrl-C: no BOHB array is left queued
        cancel_submitted(done)
        raise
    result = analyse(plan, results, data, done, blackbox, request.recipe.diff)
    failed = [d for d in done if d["status"] != "complete"]
    if failed:
        result["status"] = "failed-runs"
        result["failed"] = [f"cs{d['cs']}/ss{d['space']}/{d['optimizer']}/seed-"
                            f"{d['seed']}: {d['evaluations']} evaluations finished"
                            for d in failed]
    return KindResult.reproduced(BohbReproduced.model_validate(result))


def diff_bohb(request: Request, plan: Plan) -> Result:
    """The diff document re-derived from the BOHB logs and black-box seed files
    (diff.json, diff.md); a planned BOHB run missing or unfinished FAILS it, and the
    figures drawn again from part of the runs say `partial` in their titles."""
    from nb1s.harness.experiments.analysis_diff import write_analysis_diff

    if request.against is not None:
        raise UserError(f"{request.recipe.name} is compared with the paper's claims only; "
                        "--against does not apply")
    plan = with_options(plan, request.options)
    data = data_inputs(plan, request.results, request, prepare=False)
    spec = request.recipe.diff if request.min_seeds is None else \
        request.recipe.diff.model_copy(update={"min_seeds": request.min_seeds})
    result = analyse(plan, request.results, data, [], {"ran": [], "blocked": []}, spec)
    analysis = {"recipe": {"name": plan.recipe, "version": plan.version,
                           "profile": plan.profile, "protocol": plan.protocol},
                "labels": list(plan.labels), "missing_runs": result["missing_runs"]}
    return diff_result(write_analysis_diff(request.results, request.recipe, analysis,
                                           "paper claims (paper.yaml)", {},
                                           result["diff"]["rows"],
                                           result["diff"].get("notes", [])),
                       request.results)


def analyse(plan: Plan, results: Path, data: Any, done: list[dict[str, Any]],
            blackbox: dict[str, Any], spec: DiffSpec | None = None) -> dict[str, Any]:
    """Curves, figures and claim rows from whatever logs the results folder holds."""
    from nb1s.harness.experiments.bohb import blackbox_adapter
    from nb1s.harness.experiments.bohb.plot import plot_figure

    s = plan.settings
    protocol = BohbProtocol.from_settings(s)
    settings = bohb_settings(s)
    workers = int(s.get("workers", 1))
    store = _open_store(data)
    references = {space: _reference(store, int(space), protocol.regret_reference)
                  for space in s["spaces"]}
    runs, figures, per_cs = [], [], {}
    # the claims compare best-validation incumbents, never the running minimum of the test
    # regret (`test_oracle`, the original's plots): a selection on the test metric over
    # hundreds of evaluations is a biased estimate, more so for the optimizer that
    # evaluates more
    claim_bb: dict[int, dict[int, dict[str, Any]]] = {}
    # every black-box result, loaded once, at the first panel that draws them
    bb_found: dict[tuple[int, str], Any] | None = None
    # every planned run's log, read once: for the missing runs and for the curves
    logs = {run: read_evaluations(log_folder(results, *run)) for run in run_plan(plan)}
    # re-derived from the logs: a planned run without all its evaluations is missing
    missing = [f"cs{cs}/ss{space}/{opt}/seed-{seed}" for (cs, space, opt, seed), evals
               in logs.items() if len(evals) != settings.evaluations()]
    # and so is a planned black-box seed file deleted or damaged (the blackbox kind's check)
    bb_runs, bb_seeds = blackbox_plan(plan)
    bb_missing = [f"{BLACKBOX}/{m}" for m in
                  blackbox_adapter.missing_seeds(results / BLACKBOX, bb_runs, bb_seeds)]
    shown = [*plan.labels, f"partial: {len(missing)} BOHB runs missing"] if missing \
        else list(plan.labels)
    if bb_missing:
        shown.append(f"partial: {len(bb_missing)} black-box seeds missing")
    nonpositive: dict[str, dict[str, int]] = {}
    for cs in s["configuration_spaces"]:
        curves: dict[int, dict[str, Any]] = {}
        for space in s["spaces"]:
            by_label: dict[str, list[Any]] = {}
            reference = references[space]
            for optimizer in s["optimizers"]:
                for seed in s["bohb_seeds"]:
                    evals = logs[(cs, space, optimizer, seed)]
                    if not evals:
                        continue
                    if reference is not None:
                        evals = regret_of(evals, reference)
                    times, regrets = trajectory(evals, protocol.incumbent, protocol.time_axis,
                                                workers, protocol.evaluation_order)
                    by_label.setdefault(LABELS.get(optimizer, optimizer), []).append(
                        (times, regrets))
                    claim_regrets = regrets if protocol.incumbent == CLAIM_INCUMBENT else \
                        trajectory(evals, CLAIM_INCUMBENT, protocol.time_axis, workers,
                                   protocol.evaluation_order)[1]
                    runs.append(_run_row(cs, space, optimizer, seed, evals, regrets,
                                         settings, claim_regrets))
            every = [r for v in by_label.values() for r in v]
            grid = log_grid(every)
            curves[space] = {label: (grid, on_grid(v, grid, protocol.left_edge))
                             for label, v in by_label.items()}
            if reference is not None and len(grid):
                if bb_found is None:
                    bb_found = blackbox_adapter.results(results)
                drawn = blackbox_adapter.curves(results, space, protocol.incumbent, grid,
                                                reference, protocol.left_edge, bb_found)
                for name, matrix in drawn.items():
                    curves[space][name] = (grid, matrix)
                claimed = drawn if protocol.incumbent == CLAIM_INCUMBENT else \
                    blackbox_adapter.curves(results, space, CLAIM_INCUMBENT, grid, reference,
                                            protocol.left_edge, bb_found)
                claim_bb.setdefault(cs, {})[space] = {name: (grid, m)
                                                      for name, m in claimed.items()}
            for label, (_, matrix) in curves[space].items():
                count = nonpositive_seeds(matrix)
                if count:
                    nonpositive.setdefault(f"cs{cs}/ss{space}", {})[label] = count
        per_cs[cs] = curves
        title = f"{FIGURE_OF_CS[cs]}: CS{cs}" + (f" [{', '.join(shown)}]" if shown else "")
        figures += [str(p) for p in plot_figure(curves, title, protocol.band,
                                                results / PLOTS, FIGURE_OF_CS[cs],
                                                protocol.time_axis, _notes(protocol))]
    spec = spec or DiffSpec()
    rows = claim_rows(plan, runs, claim_bb, settings, spec)
    synthetic = bool(plan.labels) or any(r.get("synthetic") for r in runs)
    if synthetic:
        rows = claims.not_checkable(rows, "smoke profile or synthetic NAS-Bench-101 data")
    rows = decide_family(rows, spec.alpha, spec.equivalence_alpha)  # Holm over the claims
    rows = [planned_runs_row(missing),
            planned_runs_row(bb_missing, "planned black-box seeds finished"),
            *(_diff_row(r) for r in rows)]
    status = "partial" if missing or bb_missing else "complete"
    result: dict[str, Any] = {
        "recipe": plan.recipe, "profile": plan.profile, "protocol": plan.protocol,
        "labels": plan.labels, "status": status, "settings": settings.as_dict(),
        "switches": protocol.as_dict(), "regret_reference": {
            "rule": protocol.regret_reference,
            "test_error": {str(k): v for k, v in references.items()}},
        "nonpositive_regret_runs": nonpositive, "runs": runs, "blackbox": blackbox,
        "plots": figures, "missing_runs": missing, "missing_blackbox_seeds": bb_missing,
        "diff": {"rows": rows, "verdict": verdict(rows, plan.labels)},
    }
    ResultsDirectory(results).write(SUMMARY, result, BohbSummary, indent=2)
    return result


def _diff_row(row: dict[str, Any]) -> dict[str, Any]:
    """A claim row with the columns every diff report shows (group, metric, ours)."""
    measured = row.get("measured")
    return {"group": "fig5/14/15", "metric": row.get("name", "claim"),
            "result_mean": measured if isinstance(measured, int | float) else None,
            "reference_mean": None, "diff": None, "tolerance": None, "p": None, **row}


def _reference(store: Any, space: int, rule: str) -> float | None:
    """The test error both sides of a panel subtract (None: no data to compute it from)."""
    from nb1s.harness.experiments.bohb import blackbox_adapter

    if store is None and rule != "published_constants":
        return None
    return blackbox_adapter.best_test_error(store, space, rule)


def _notes(protocol: BohbProtocol) -> tuple[str, ...]:
    """What the figure must say about its own construction (written under its title)."""
    reference = {"min_of_means": "regret vs the best 3-repeat mean test error (data)",
                 "published_constants": "regret vs the original's published single-repeat "
                                        "constants"}[protocol.regret_reference]
    edge = {"backfill": "before its first result a run shows its first value (original)",
            "blank": "a run is left out before its first result"}[protocol.left_edge]
    return (f"incumbent: {protocol.incumbent}", reference, edge)


def _open_store(data: Any) -> Any:
    from nb1s.harness.nb101.store import open_store

    try:
        return open_store(data.nb101_dir)
    except UserError:
        return None


def _run_row(cs: int, space: int, optimizer: str, seed: int, evals: list[Any],
             regrets: np.ndarray, settings: BohbSettings,
             claim_regrets: np.ndarray) -> dict[str, Any]:
    best = min(evals, key=lambda e: e.loss)
    default = [e for e in evals if e.config_id == (0, 0, 0)]
    default_regret = max(default, key=lambda e: e.budget).test_regret if default else None
    path = log_folder(Path("."), cs, space, optimizer, seed)
    return {"key": str(path), "cs": cs, "space": space, "optimizer": optimizer, "seed": seed,
            "evaluations": len(evals), "expected_evaluations": settings.evaluations(),
            "best_loss": best.loss, "best_budget": best.budget, "best_config": best.config,
            "final_regret": float(regrets[-1]) if len(regrets) else None,
            "claim_final_regret": float(claim_regrets[-1]) if len(claim_regrets) else None,
            "regrets": [e.test_regret for e in evals], "default_regret": default_regret,
            "sequential_days": sum(e.cost_s for e in evals) / 86400.0}


def claim_rows(plan: Plan, runs: list[dict[str, Any]], per_cs: dict[int, Any],
               settings: BohbSettings, spec: DiffSpec | None = None) -> list[dict[str, Any]]:
    """Every claim of the recipe's references, from the runs and the black-box curves.

    Comparative claims use each run's final best-validation incumbent regret (its
    trajectory's end, `claim_final_regret`) per seed, and `per_cs` holds the black-box
    curves of that incumbent: never the lowest test regret over its evaluations (module
    `claims`), whatever incumbent the figure draws.
    """
    spec = spec or DiffSpec()
    n, a, f = spec.min_seeds, spec.alpha, spec.floor
    rows = [claims.evaluations([r["evaluations"] for r in runs], 280),
            claims.budget_25([r["best_budget"] for r in runs], settings.min_budget, n, a),
            claims.tuning_time([r["sequential_days"] for r in runs])]
    factor: dict[int, list[tuple[float, float]]] = {}
    for r in runs:
        if r["optimizer"] == "darts" and r["default_regret"] is not None \
                and (final := _claim_final(r)) is not None:
            factor.setdefault(r["space"], []).append((r["default_regret"], final))
    rows.append(claims.factor_10(factor, n, a, f))
    finals = _blackbox_finals(per_cs)
    rows.append(claims.re_best(finals, n, a, f))
    cs1: dict[int, dict[str, list[float]]] = {}
    cs3: dict[tuple[str, int], list[float]] = {}
    for r in runs:
        final = _claim_final(r)
        if final is None:
            continue
        if r["cs"] == 1:
            cs1.setdefault(r["space"], {}).setdefault(r["optimizer"], []).append(final)
        elif r["cs"] == 3:
            cs3.setdefault((r["optimizer"], r["space"]), []).append(final)
    rows.append(claims.cs1_none_beats_re(
        cs1, {sp: v["RE"] for sp, v in finals.items() if "RE" in v}, n, a, f))
    rows.append(claims.cs3_only_pcdarts_ss3(cs3, finals, n, a, f))
    return rows


def _claim_final(run: dict[str, Any]) -> float | None:
    """The final regret the claims compare (a summary written before the field existed
    recorded the paper protocol's best-validation incumbent as `final_regret`)."""
    value = run.get("claim_final_regret", run["final_regret"])
    return None if value is None else float(value)


def _blackbox_finals(per_cs: dict[int, Any]) -> dict[int, dict[str, list[float]]]:
    """space -> black-box optimizer -> final incumbent regret per seed (from any figure's
    curves: every figure draws the same black-box runs)."""
    out: dict[int, dict[str, list[float]]] = {}
    for curves in per_cs.values():
        for space, labels in curves.items():
            for name, (_, matrix) in labels.items():
                if name in LABELS.values() or not len(matrix):
                    continue
                finals = np.asarray(matrix, float)[:, -1]
                finals = finals[np.isfinite(finals)]
                if len(finals):
                    out.setdefault(space, {})[name] = [float(x) for x in finals]
    return out
