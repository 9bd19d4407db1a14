"""`nb1s reproduce fig3`: searches with kept snapshots, then supernet-vs-NB101 correlations.

Data flow: recipe -> plan -> executor runs `nb1s search ... --set snapshot_epochs=...`
(finished runs are skipped) -> for each finished run and each kept snapshot, the supernet
is rebuilt and scored on a sample of architectures (`correlation.py`) -> per budget
Spearman/Kendall -> `correlation.json`, a Figure-3-style plot and a diff against the
paper's stated range. Each (run, epoch) evaluation is cached next to the run as
`correlation_epoch{E}.json` together with the settings it used, so a second invocation
re-evaluates nothing unless the settings changed.

The evaluation runs in the `nb1s reproduce` process itself (on its GPU when there is one),
after the executor has finished the searches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nb1s.harness.documents import read_document, write_checked
from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import DataInputs, Executor, run_dir
from nb1s.harness.executors import JobResult
from nb1s.harness.experiments.analysis_diff import load_analysis, write_analysis_diff
from nb1s.harness.experiments.analysis_run import analysis_result, cannot_run, run_analysis_searches
from nb1s.harness.experiments.correlation.documents import (
    CORRELATION_FILE,
    CorrelationCache,
    CorrelationReproduced,
    CorrelationResult,
)
from nb1s.harness.experiments.result import KindResult
from nb1s.harness.recipe.identity import recipe_identity
from nb1s.harness.recipe.plan import Availability, Plan, RunSpec
from nb1s.harness.recipe.schema import Profile, Protocol, Recipe
from nb1s.harness.references import claims_for, paper
from nb1s.harness.report.verdict import undecided
from nb1s.harness.search.results_directory import ResultsDirectory
from nb1s.harness.search.run_directory import RunDirectory, run_status

__all__ = ["CORRELATION_FILE", "diff_correlation", "evaluate_plan", "range_rows",
           "reproduce_correlation", "snapshot_epochs"]
_REQUIRED = ("nb101_budgets", "architecture_set", "repeats", "sample", "sample_seed",
             "max_images", "eval_batch_size", "weight_modes", "range_optimizers",
             "enas_samples")
#: settings that are not part of an evaluation's cache key (enas_samples is, for ENAS only)
_NOT_CACHED = ("weight_modes", "range_optimizers", "enas_samples")


def _settings(plan: Plan) -> dict[str, Any]:
    missing = [k for k in _REQUIRED if k not in plan.settings]
    if missing:
        raise UserError(f"recipe {plan.recipe} lacks the correlation settings {missing}")
    return plan.settings


def snapshot_epochs(spec: RunSpec) -> list[int]:
    """The epochs a run keeps snapshots of (its `snapshot_epochs` setting), within its run."""
    kept = spec.tracking.get("snapshot_epochs", ())
    epochs = kept if isinstance(kept, tuple) else ()
    return [e for e in epochs if e <= spec.epochs] or [spec.epochs]


def enas_samples(spec: RunSpec, settings: dict[str, Any]) -> int:
    """How many controller samples score an ENAS run (`enas_samples`; paper and original
    100); 0 for every other method, and for ENAS when the recipe sets 0 (then ENAS is
    scored on the same architecture set as the others)."""
    if spec.optimizer != "enas":
        return 0
    count = int(settings["enas_samples"])
    if count < 0:
        raise UserError(f"enas_samples must be 0 or more (got {count})")
    return count


def _evaluate_run(spec: RunSpec, run: Path, epoch: int, settings: dict[str, Any], store: Any,
                  batches: list[Any], device: Any) -> dict[str, Any]:
    """One (run, epoch) evaluation, reused from its cache file when the settings match."""
    from nb1s.harness.experiments.correlation.compute import (
        controller_samples,
        correlate,
        load_snapshot,
        sample_architectures,
    )
    from nb1s.optimizers.fixed_evaluation import architecture_errors

    mode = settings["weight_modes"].get(spec.optimizer, "normalized")
    used = {k: settings[k] for k in _REQUIRED if k not in _NOT_CACHED}
    used["weight_mode"] = mode
    samples = enas_samples(spec, settings)
    if samples:
        used["enas_samples"] = samples
    cache = RunDirectory(run).correlation_cache(epoch)
    if cache.is_file():
        cached = read_document(cache, CorrelationCache)
        if cached.settings == used:
            return cached.row.to_json()
    snap = load_snapshot(run, epoch, device)
    if samples:
        ids = controller_samples(snap.search, samples, int(settings["sample_seed"]))
        architectures = f"{samples} samples of the ENAS controller after epoch {epoch}"
    else:
        ids = sample_architectures(spec.space, settings["architecture_set"],
                                   int(settings["sample"]), int(settings["sample_seed"]))
        architectures = str(settings["architecture_set"]) + (
            f", {len(ids)} drawn" if int(settings["sample"]) else "")
    errors = architecture_errors(snap.search.model, snap.search.space, ids.tolist(), batches,
                                 mode)
    row = {"variant": spec.variant, "label": spec.label, "optimizer": spec.optimizer,
           "space": spec.space, "seed": spec.seed, "epoch": epoch,
           "n_architectures": len(ids), "architectures": architectures,
           "weight_mode": mode,
           "oneshot_error_mean": float(errors.mean()),
           **correlate(errors, store, spec.space, ids, settings["nb101_budgets"],
                       settings["repeats"])}
    write_checked(cache, {"settings": used, "row": row}, CorrelationCache)
    return row


def evaluate_plan(plan: Plan, results: Path, data: DataInputs,
                  device_name: str = "auto") -> dict[str, Any]:
    """Correlations of every finished run of `plan` at each kept snapshot; writes the JSON."""
    from nb1s.harness.experiments.correlation.compute import evaluation_batches
    from nb1s.harness.images.cifar import load_images, resolve_cifar_dir
    from nb1s.harness.nb101.store import open_store
    from nb1s.harness.search.runner import pick_device

    settings = _settings(plan)
    store = open_store(data.nb101_dir)
    images = load_images(resolve_cifar_dir(data.cifar_dir))
    device = pick_device(device_name)
    batches = evaluation_batches(images.test_images, images.test_labels,
                                 int(settings["eval_batch_size"]), int(settings["max_images"]),
                                 device)
    rows, missing = [], []
    for spec in plan.runs:
        run = run_dir(results, spec)
        if run_status(run) != "complete":
            missing.append(spec.key)
            continue
        for epoch in snapshot_epochs(spec):
            rows.append(_evaluate_run(spec, run, epoch, settings, store, batches, device))
    labels = list(plan.labels)
    if (store.synthetic or images.synthetic) and "synthetic" not in labels:
        labels.append("synthetic")
    result = {
        "schema_version": 1,
        "recipe": recipe_identity(plan.recipe, plan.version, plan.profile, plan.protocol),
        "title": plan.title, "labels": labels, "settings": settings, "rows": rows,
        "missing_runs": missing, "blocked": [b.model_dump() for b in plan.blocked],
        "data": {"nb101": store.provenance, "images": images.provenance()},
    }
    ResultsDirectory(results).write(CORRELATION_FILE, result, CorrelationResult)
    return result


def range_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per method and space: every Spearman value against the paper's stated range."""
    ref = paper()["correlation_range"]
    lo, hi = float(ref["spearman_min"]), float(ref["spearman_max"])
    scope = set(result["settings"]["range_optimizers"])
    groups: dict[tuple[str, int], list[float]] = {}
    for row in result["rows"]:
        if row["optimizer"] not in scope:
            continue
        values = groups.setdefault((row["label"], row["space"]), [])
        values += [b["spearman"] for b in row["budgets"].values() if b["spearman"] is not None]
    out = []
    for (label, space), values in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        base = {"kind": "paper", "group": f"{label} / SS{space}", "space": space,
                "metric": "spearman (all epochs, budgets)", "reference_mean": f"[{lo}, {hi}]",
                "source": ref["source"]}
        if not values:
            out.append({**base, "pass": False, "outcome": "failed",
                        "note": "no defined correlation"})
            continue
        inside = sum(lo <= v <= hi for v in values)
        row = {**base, "result_mean": f"{min(values):.3f} .. {max(values):.3f}",
               "pass": inside == len(values),
               "note": f"{inside}/{len(values)} values inside the paper's range"}
        if result.get("labels"):
            # the paper's range is about real NB101 and CIFAR-10: smoke data cannot test it
            row = undecided(row, "not checkable", f"not checkable on "
                            f"{'/'.join(result['labels'])} data ({row['note']})")
        out.append(row)
    return out


def diff_correlation(results: Path, recipe: Recipe) -> dict[str, Any]:
    """Compare correlation.json with the paper's stated range; write diff.json and diff.md."""
    res = load_analysis(results, CORRELATION_FILE, recipe, CorrelationResult)
    rows = range_rows(res)
    notes = [f"{len(res['missing_runs'])} runs are not complete and were left out"] \
        if res["missing_runs"] else []
    absent = sorted({b for r in res["rows"] for b in r["missing_budgets"]})
    if absent:
        notes.append(f"NB101 budgets {absent} are not in the data (e.g. nasbench_only108): "
                     "not correlated")
    if res["labels"]:
        notes.append("smoke/synthetic correlations say nothing about the paper's claim; the "
                     "row only exercises the comparison")
    return write_analysis_diff(
        results, recipe, res, "harness/references/paper.yaml (correlation_range)",
        {"spearman": "every value inside the stated range"}, rows, notes,
        claims_for(recipe.references.paper))


def reproduce_correlation(recipe: Recipe, results: Path, executor: Executor | None,
                          profile: Profile, protocol: Protocol, data: DataInputs | None,
                          availability: Availability,
                          on_start: Callable[[int], None] | None = None,
                          on_done: Callable[[JobResult], None] | None = None,
                          plan: Plan | None = None) -> KindResult[Any]:
    """Run the searches, evaluate the snapshots, plot and diff (module docstring).

    `plan`: the caller's plan of `recipe` (planned here when not given)."""
    from nb1s.harness.experiments.correlation.plot import plot_correlations

    runs = run_analysis_searches(recipe, results, executor, profile, protocol, data,
                                 availability, on_start, on_done, plan=plan)
    if runs.summary is None:
        return cannot_run(recipe, results, runs)
    assert data is not None  # run_analysis_searches refuses to run without data
    corr = evaluate_plan(runs.plan, results, data)
    ref = paper()["correlation_range"]
    plots = plot_correlations(corr, results / "plots", f"{recipe.name}-{profile}-{protocol}",
                              (float(ref["spearman_min"]), float(ref["spearman_max"])))
    diff = diff_correlation(results, recipe)
    return analysis_result(recipe, profile, protocol, results, runs, corr["labels"], plots, diff,
                           CorrelationReproduced, correlation=str(results / CORRELATION_FILE),
                           rows=corr["rows"])
