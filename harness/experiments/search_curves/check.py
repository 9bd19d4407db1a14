"""`nb1s check OPTIMIZER --recipe fig2`: gate a new optimizer against the built-in ones.

The candidate runs under the recipe's shared hyperparameters (no variant overrides) with
the recipe's spaces, seeds and epochs. Its per-seed results are then compared with the
stored reference curves of every built-in variant, per space, on two numbers per seed:
the final test regret and the anytime test regret (the mean of the regret curve over all
epochs, i.e. the normalised area under it). Lower is better for both.

Each comparison answers one of four words (lower is better):
- `no decision` when either side has fewer than the recipe's `min_seeds` values: a
  handful of seeds can neither show a difference nor agreement;
- `better` / `worse` when Welch's test is significant at the recipe's `alpha` *and*
  Cliff's delta is at least "small" (|delta| >= 0.147);
- `same` only when TOST shows the means agree within the recipe's margin
  (max(abs_tol, rel_tol * |reference mean|)) at `equivalence_alpha`;
- `no decision` otherwise (neither a difference nor agreement is shown).
Cohen's d is reported beside it. The gate fails when the candidate is `worse` than the
`gate_against` variant (default: DARTS) on final regret in any space, the way a
maintainer would reject a pull request that regresses the baseline; when any of those
comparisons is `no decision` the gate is `no-decision`, which fails too unless the caller
allows it (a gate that cannot decide has not shown the candidate is fine).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import Plan, RunSpec, plan_recipe
from nb1s.harness.recipe.schema import DiffSpec, Profile, Protocol, Recipe
from nb1s.harness.report.stats import cliffs_delta, cliffs_magnitude, cohens_d, tost, welch

if TYPE_CHECKING:
    from nb1s.harness.execution.runner import RunSummary

CANDIDATE = "candidate"


def candidate_plan(recipe: Recipe, optimizer: str, profile: Profile,
                   protocol: Protocol) -> Plan:
    """The recipe's grid with one variant: the candidate optimizer, shared settings only."""
    base = plan_recipe(recipe, profile, protocol)
    if not base.runs:
        raise UserError(f"recipe {recipe.name!r} has no runnable search grid to check against")
    template = base.runs[0]
    shared = recipe.search.hyperparameters if recipe.search else {}
    keep = set(shared) | set(base.profile_hyperparameters)
    hyper = {k: v for k, v in template.hyperparameters.items() if k in keep}
    sources = {k: v for k, v in template.sources.items() if k in keep or k in (
        "epochs", "seeds", "spaces")}
    seeds = sorted({r.seed for r in base.runs})
    runs = [RunSpec(CANDIDATE, f"candidate ({optimizer})", optimizer, space, seed,
                    template.epochs, dict(hyper), dict(template.options), dict(sources),
                    dict(template.tracking))
            for space in base.spaces for seed in seeds]
    return Plan(base.recipe, base.version, base.title, base.kind, profile, protocol, runs, [],
                base.final_epoch, base.band, base.spaces, base.labels, base.settings,
                base.data, base.profile_hyperparameters)


def _per_seed(group: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Final and anytime (curve mean) test regret per seed, finite values only."""
    m = group["metrics"]["test_regret"]
    finals = [v for v in m["final"]["values"] if v is not None and math.isfinite(v)]
    anytime = []
    for row in m["per_seed"]:
        vals = [v for v in row if v is not None and math.isfinite(v)]
        if vals:
            anytime.append(float(np.mean(vals)))
    return finals, anytime


def compare(candidate: list[float], reference: list[float], spec: DiffSpec) -> dict[str, Any]:
    """better / same / worse / no decision (lower is better) with effect sizes."""
    if not candidate or not reference:
        return {"verdict": "no decision", "note": "no values"}
    w = welch(candidate, reference)
    delta = cliffs_delta(candidate, reference)
    d = cohens_d(candidate, reference)
    ref_mean = float(np.mean(reference))
    margin = max(spec.abs_tol, spec.rel_tol * abs(ref_mean))
    t = tost(candidate, reference, margin)
    n = min(len(candidate), len(reference))
    if n < spec.min_seeds:
        verdict, note = "no decision", f"{n} seed(s) on one side, fewer than " \
            f"min_seeds={spec.min_seeds}"
    elif w.p < spec.alpha and abs(delta) >= 0.147:
        verdict = "better" if w.mean_diff < 0 else "worse"
        note = f"Welch p={w.p:.3g} < {spec.alpha}, Cliff's delta {delta:+.2f}"
    elif t.p < spec.equivalence_alpha:
        verdict, note = "same", f"equivalent within ±{margin:.3g} (TOST p={t.p:.3g})"
    else:
        verdict, note = "no decision", "neither a difference nor agreement within " \
            f"±{margin:.3g} is shown (Welch p={w.p:.3g}, TOST p={t.p:.3g})"
    return {"verdict": verdict, "note": note, "n_candidate": len(candidate),
            "n_reference": len(reference), "candidate_mean": float(np.mean(candidate)),
            "reference_mean": ref_mean, "diff": w.mean_diff, "p": w.p, "tost_p": t.p,
            "margin": margin, "cohens_d": d if math.isfinite(d) else None,
            "cliffs_delta": delta, "magnitude": cliffs_magnitude(delta)}


def check_candidate(candidate: dict[str, Any], reference: dict[str, Any], spec: DiffSpec,
                    gate_against: str = "darts", allow_undecided: bool = False
                    ) -> dict[str, Any]:
    """Rows per space and built-in variant, plus the gate verdict."""
    rows = []
    spaces = sorted({g["space"] for g in candidate["groups"]})
    for space in spaces:
        cand = next(g for g in candidate["groups"] if g["space"] == space)
        c_final, c_any = _per_seed(cand)
        for ref in (g for g in reference["groups"] if g["space"] == space):
            r_final, r_any = _per_seed(ref)
            rows.append({"space": space, "against": ref["variant"], "label": ref["label"],
                         "final": compare(c_final, r_final, spec),
                         "anytime": compare(c_any, r_any, spec)})
    gate_rows = [r for r in rows if r["against"] == gate_against]
    worse = [r for r in gate_rows if r["final"]["verdict"] == "worse"]
    open_rows = [r for r in gate_rows if r["final"]["verdict"] == "no decision"]
    gate: dict[str, Any]
    if not gate_rows:
        gate = {"status": "no-baseline",
                "line": f"NO GATE: the reference has no {gate_against!r} curves"}
    elif worse:
        gate = {"status": "fail", "line": f"FAIL: worse than {gate_against} on final test "
                f"regret in space(s) {', '.join(str(r['space']) for r in worse)}"}
    elif open_rows:
        gate = {"status": "no-decision", "line": f"NO DECISION: final test regret vs "
                f"{gate_against} is undecided in space(s) "
                f"{', '.join(str(r['space']) for r in open_rows)} "
                f"({open_rows[0]['final']['note']})"
                + (" [allowed by --allow-undecided]" if allow_undecided else "")}
    else:
        gate = {"status": "pass", "line": f"PASS: not worse than {gate_against} on final test "
                f"regret in any of {len(gate_rows)} space(s)"}
    counts = {v: sum(r["final"]["verdict"] == v for r in gate_rows)
              for v in ("better", "same", "worse", "no decision")}
    gate["counts"] = counts
    gate["allow_undecided"] = allow_undecided
    labels = sorted(set(candidate.get("labels") or []) | set(reference.get("labels") or []))
    if labels:
        gate["line"] += f" [{', '.join(labels)}]"
    return {"rows": rows, "gate": gate, "gate_against": gate_against, "labels": labels}


CHECK_FILE = "check.json"  # = results_directory.CHECK_FILE
# (plan, results folder, program or None) -> what running the plan's runs did
Execute = Callable[[Plan, Path, "tuple[str, ...] | None"], "RunSummary"]


@dataclass(frozen=True)
class CheckOutcome:
    """`nb1s check`: the failed run summary when runs failed, else the gate result."""

    failed_runs: dict[str, Any] | None
    result: dict[str, Any] | None


def check_reference(recipe: Recipe, profile: str, protocol: str,
                    reference: Path | None) -> dict[str, Any]:
    """The curves the candidate is gated against: `--reference`, else the stored ones."""
    from nb1s.harness.experiments.search_curves.reference_curves import (
        load_curves,
        load_reference_file,
    )

    if reference is not None:
        return load_reference_file(reference)
    ref, why = load_curves(recipe.name, profile, protocol, recipe.version)
    if ref is None:
        raise UserError(f"{why}; produce them with `nb1s reproduce {recipe.name} --profile "
                        f"{profile} --protocol {protocol} --store-reference`")
    return ref


def run_check(optimizer: str, recipe: Recipe, profile: Profile, protocol: Protocol,
              out: Path | None, gate_against: str, reference: Path | None,
              min_seeds: int | None, allow_undecided: bool, execute: Execute) -> CheckOutcome:
    """Run the candidate under the recipe, aggregate it and gate it (module docstring).

    `optimizer` is a registered name or `package.module:Class` (run through
    `nb1s.harness.plugin_search`); `execute` runs a plan's runs (the CLI's, with its
    executor options and progress bar). Writes `aggregate.json` and `check.json`.
    """

    from nb1s.harness.documents import write_document
    from nb1s.harness.executors.base import python_program
    from nb1s.harness.experiments.dispatch import decision_rules, results_folder
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_document
    from nb1s.harness.recipe.optimizer_catalog import availability, load_plugin
    from nb1s.harness.search.results_directory import ResultsDirectory

    program: tuple[str, ...] | None = None
    name = optimizer
    if ":" in optimizer:
        name = load_plugin(optimizer).name
        program = (*python_program("nb1s.harness.plugin_search"), optimizer)
    elif (reason := availability(optimizer)) is not None:
        raise UserError(reason)
    ref = check_reference(recipe, profile, protocol, reference)
    baselines = sorted({str(g["variant"]) for g in ref["groups"]})
    if gate_against not in baselines:
        raise UserError(f"--gate-against {gate_against!r} is not a variant of the "
                        f"reference (it has: {', '.join(baselines) or 'none'})")
    plan = candidate_plan(recipe, name, profile, protocol)
    results = results_folder(f"check-{name}-{recipe.name}", profile, protocol, out)
    summary = execute(plan, results, program)
    if not summary.ok:
        return CheckOutcome(summary.as_dict(), None)
    folder = ResultsDirectory(results)
    aggregate = aggregate_document(results)
    folder.write_aggregate(aggregate)
    agg = aggregate.to_json()
    if not agg["recipe_check"]["ok"]:
        bad = agg["recipe_check"]["mismatched"][0]
        raise UserError(f"{results} holds runs of another recipe identity (e.g. "
                        f"{bad['run']}: {bad['recorded']}); use a fresh --out")
    result = {"optimizer": optimizer, "recipe": recipe.name, "version": recipe.version,
              "profile": profile, "protocol": protocol, "results": str(results),
              **check_candidate(agg, ref, decision_rules(recipe, min_seeds), gate_against,
                                allow_undecided)}
    write_document(folder.check_file, result)
    return CheckOutcome(None, result)
