"""`nb1s reproduce NAME`: run a recipe, aggregate, plot and diff, in one resumable pass.

The data flow reads top to bottom: recipe -> plan -> executor -> run directories ->
aggregate -> plots -> diff against the stored reference curves (and the paper's numbers
where the paper published some). Each step writes its file into the results folder, so a
second invocation skips finished runs and rebuilds only the derived files. Within one
invocation the aggregate is derived from the run records once and handed, typed, to the
plots, the diff and `on_aggregate` (e.g. storing reference curves); aggregate.json is
written for the user, never read back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.execution.inputs import prepare_inputs
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.execution.runner import DataInputs, Executor, run_plan
from nb1s.harness.executors import JobResult
from nb1s.harness.experiments.kind import Request
from nb1s.harness.experiments.result import KindResult, diff_link
from nb1s.harness.experiments.search_curves.aggregate import aggregate_document
from nb1s.harness.experiments.search_curves.claims import CLAIMS, claim_rows
from nb1s.harness.experiments.search_curves.diff import decide, diff_aggregates, diff_table2
from nb1s.harness.experiments.search_curves.documents import SearchReproduced
from nb1s.harness.experiments.search_curves.reference_curves import reference_for
from nb1s.harness.experiments.search_curves.runtimes import runtime_table
from nb1s.harness.recipe.identity import identity_row
from nb1s.harness.recipe.plan import Availability, Plan, plan_recipe
from nb1s.harness.recipe.schema import DiffSpec, Profile, Protocol, Recipe
from nb1s.harness.references import claims_for, paper
from nb1s.harness.report.diff_report import markdown_report
from nb1s.harness.report.documents import Aggregate
from nb1s.harness.report.verdict import verdict
from nb1s.harness.search.results_directory import DIFF_JSON as DIFF_JSON  # re-exported
from nb1s.harness.search.results_directory import DIFF_MD as DIFF_MD  # re-exported
from nb1s.harness.search.results_directory import ResultsDirectory


def diff_results(results: Path, recipe: Recipe, against: Path | None = None,
                 spec: DiffSpec | None = None,
                 aggregate: Aggregate | None = None) -> dict[str, Any]:
    """Compare the aggregate of `results` with its reference; write diff.json and diff.md.

    `spec` overrides the recipe's decision rules (e.g. `nb1s diff --min-seeds`).
    `aggregate` is one this process has just derived from the run records (`nb1s
    reproduce`); without it the aggregate is derived here.
    """
    spec = spec or recipe.diff
    folder = ResultsDirectory(results)
    folder.read_plan()  # one line when `results` is not a results folder
    if aggregate is None:
        # Always re-derived from the run records: a cached aggregate.json goes stale the
        # moment a run folder is deleted or re-run, and a diff must describe the runs that
        # exist now.
        aggregate = aggregate_document(results)
        folder.write_aggregate(aggregate)
    agg = aggregate.to_json()
    notes: list[str] = []
    rows: list[dict[str, Any]] = [completeness_row(agg)]
    ref, reference = reference_for(agg["recipe"], agg["profile"], agg["protocol"],
                                   agg["version"], against)
    if ref is None:
        notes.append(reference)
    if ref is not None:
        if ref["recipe"] != agg["recipe"] or ref["version"] != agg["version"]:
            raise UserError(f"reference is {ref['recipe']} v{ref['version']}, results are "
                            f"{agg['recipe']} v{agg['version']}: not comparable")
        rows += diff_aggregates(agg, ref, spec)
        if ref.get("labels"):
            notes.append(f"the reference itself is labelled {', '.join(ref['labels'])}")
    check = agg.get("recipe_check")
    if check is not None and (check["recorded"] or check["mismatched"]):
        rows.append(identity_row(check))
    elif check is not None and check["unrecorded"]:
        notes.append(f"{len(check['unrecorded'])} runs do not record which recipe made them")
    if "table2" in recipe.references.paper:
        if agg["profile"] == "paper" and not agg.get("synthetic"):
            rows += table2_rows(agg, regret_references(results), spec)
        else:
            notes.append("Table 2 of the paper is not compared: these results are smoke and/or "
                         "synthetic")
    claim_keys = recipe.references.paper
    rows += claim_rows(agg, claim_keys, spec)
    rows = decide(rows, spec)  # one family: Holm over every statistical row of this verdict
    result = {
        "aggregate": {k: agg[k] for k in ("recipe", "version", "title", "profile", "protocol",
                                          "labels", "synthetic", "band", "final_epoch",
                                          "missing_runs", "blocked", "runs_used",
                                          "records_sha256")},
        "reference": reference if ref is not None else "none",
        "tolerances": spec.model_dump(),
        "rows": rows,
        "verdict": verdict(rows, agg.get("labels") or []),
        "notes": notes + ([f"{len(agg['missing_runs'])} runs are not complete and were left "
                           "out"] if agg["missing_runs"] else []),
        "runtimes": runtime_table(agg) if "runtimes_50_epochs" in claim_keys else [],
        "claims": [c for c in claims_for(claim_keys) if c["key"].split(".", 1)[1]
                   not in CLAIMS],  # the rest are rows
    }
    folder.write_diff(result, markdown_report(result))
    return result


def completeness_row(agg: dict[str, Any]) -> dict[str, Any]:
    """A row that fails when any planned run is not complete (deleted, failed, stopped).

    Without it, a diff over 8 of 10 runs could pass on the runs that happen to exist.
    """
    used, missing = agg.get("runs_used") or [], agg.get("missing_runs") or []
    total = len(used) + len(missing)
    note = f"{len(used)} of {total} planned runs complete"
    if missing:
        note += f"; missing: {', '.join(missing[:6])}{', ...' if len(missing) > 6 else ''}"
    return {"kind": "runs", "group": "all planned runs", "metric": "complete runs",
            "n_result": len(used), "n_reference": total, "result_mean": len(used),
            "reference_mean": total, "pass": not missing, "note": note}


#: The regret reference the published Table 2 numbers were computed with: the original's
#: hard-coded single-repeat constants (`test_min_error`, docs/original-code.md#regret-constants,
#: docs/original-code.md#table-2).
TABLE2_REGRET_REFERENCE = "published_constants"


def regret_references(results: Path) -> set[str]:
    """The regret references the planned runs of a results folder measure against."""
    plan = ResultsDirectory(results).read_plan()
    # plan.json files written before the recipe's `tracking:` field kept it under `options`
    return {str(run.tracking.get("regret_reference")
                or run.options.get("regret_reference", "min_of_means"))
            for run in plan.runs}


def table2_rows(agg: dict[str, Any], used: set[str], spec: DiffSpec) -> list[dict[str, Any]]:
    """Rows against the paper's Table 2, only on the regret reference that produced it.

    A published regret is a test error minus the original's constant, so a regret measured
    against any other minimum (e.g. `min_of_means`, the paper protocol's reference for
    curves) is a different number: whatever the protocol, such rows are marked not
    comparable and fail instead of passing or failing on a shifted scale. Every row says
    which reference it used.
    """
    rows = diff_table2(agg, paper()["table2"], spec)
    said = (f"regret_reference {TABLE2_REGRET_REFERENCE}: the original's constants, which "
            "the published Table 2 numbers subtract")
    if used == {TABLE2_REGRET_REFERENCE}:
        return [{**r, "regret_reference": TABLE2_REGRET_REFERENCE, "context": said,
                 "note": f"{r['note']}; {said}"} for r in rows]
    measured = ", ".join(sorted(used)) or "unknown"
    # `rule` is dropped so that no later family decision re-decides these rows
    return [{**{k: v for k, v in r.items() if k != "rule"}, "regret_reference": measured,
             "pass": False, "outcome": "failed",
             "note": f"not comparable: these runs measure regret against {measured}, Table 2 "
                     f"needs {said} (recipe table2 v2 pins it under both protocols)"}
            for r in rows]


def reproduce_recipe(recipe: Recipe, results: Path, executor: Executor | None,
                     profile: Profile = "paper", protocol: Protocol = "paper",
                     data: DataInputs | None = None, smoke_data: Path | None = None,
                     against: Path | None = None, availability: Availability | None = None,
                     on_start: Callable[[int], None] | None = None,
                     on_done: Callable[[JobResult], None] | None = None,
                     on_aggregate: Callable[[Aggregate], None] | None = None,
                     plan: Plan | None = None) -> KindResult[Any]:
    """Run, aggregate, plot and diff one search recipe (see module docstring).

    `on_aggregate` receives the aggregate the plots and the diff used, unless the run was
    interrupted (a partial aggregate is written, never handed on). `plan`: the caller's
    plan of `recipe` under `profile` and `protocol` (planned here when not given); `data`:
    its data folders (prepared here from the plan when not given).
    """
    from nb1s.harness.experiments.search_curves.plot import plot_aggregate
    from nb1s.harness.recipe.optimizer_catalog import availability as registered

    if plan is None:
        plan = plan_recipe(recipe, profile, protocol, availability or registered)
    blocked = plan.blocked
    if not plan.runs:
        return KindResult.cannot_run(recipe, blocked, results)
    if executor is None:
        raise UserError("no executor given for a recipe with runs")
    if data is None:
        data = prepare_inputs(plan, results, ExecutionOptions(smoke_data=smoke_data))
    summary = run_plan(plan, results, executor, data, on_done=on_done, on_start=on_start)
    folder = ResultsDirectory(results)
    aggregate = aggregate_document(results)
    if summary.interrupted:  # keep what finished, say it is partial, compare nothing
        aggregate.partial = True
        folder.write_aggregate(aggregate)
        return KindResult.reproduced(SearchReproduced.model_validate({
            "recipe": recipe.name, "version": recipe.version, "profile": profile,
            "protocol": protocol, "status": "interrupted", "results": str(results),
            "run": summary.as_dict(), "aggregate": str(folder.aggregate_file)}))
    folder.write_aggregate(aggregate)
    agg = aggregate.to_json()
    plots = plot_aggregate(agg, results / "plots") if agg["groups"] else []
    diff = diff_results(results, recipe, against, aggregate=aggregate)
    if on_aggregate is not None:
        on_aggregate(aggregate)
    status = "failed-runs" if not summary.ok else (
        "partial" if blocked else "complete")
    return KindResult.reproduced(SearchReproduced.model_validate({
        "recipe": recipe.name, "version": recipe.version, "profile": profile,
        "protocol": protocol, "labels": agg["labels"], "status": status,
        "results": str(results), "run": summary.as_dict(), "blocked": blocked,
        "aggregate": str(folder.aggregate_file), "plots": [str(p) for p in plots],
        "diff": diff_link(results, diff),
        "finals": final_table(agg)}))


def final_table(agg: dict[str, Any]) -> list[dict[str, Any]]:
    """Per variant and space: final test regret and one-shot validation error (mean, std)."""
    rows = []
    for g in agg["groups"]:
        reg = g["metrics"]["test_regret"]["final"]
        osv = g["metrics"]["oneshot_valid_error"]["final"]
        rows.append({"variant": g["variant"], "label": g["label"], "space": g["space"],
                     "n": g["n"], "test_regret_mean": reg["mean"], "test_regret_std": reg["std"],
                     "oneshot_valid_error_mean": osv["mean"],
                     "oneshot_valid_error_std": osv["std"]})
    return rows


def store_reference(request: Request, aggregate: Aggregate) -> Path:
    """Store the aggregate as the reference curves of the request's recipe/profile/protocol."""
    from nb1s.harness.experiments.search_curves.reference_curves import store_curves
    from nb1s.harness.recipe.seeds import seeds_option

    agg = aggregate.to_json()
    made_by = (f"produced by `nb1s reproduce {request.recipe.name} --profile {request.profile} "
               f"--protocol {request.protocol}{seeds_option(request.recipe)} "
               "--store-reference`")
    return store_curves(agg, note=made_by, context=request.note, results=request.results)
