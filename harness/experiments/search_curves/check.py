"""`nb1s check OPTIMIZER --recipe fig2`: gate a new optimizer against the built-in ones.

The candidate runs under the recipe's shared hyperparameters (no variant overrides) with
the recipe's spaces, seeds (or `--seeds`) and epochs. Its per-seed results are then
compared with the stored reference curves of every built-in variant, per space, on two
numbers per seed: the final test regret and the anytime test regret (the geometric mean
of the regret curve over the epochs both sides have, the area under the log curve).
Lower is better for both.

Each comparison answers one of four words, by the one rule of `nb1s diff`
(`nb1s.harness.report.decision`, docs/verdicts.md):
- `same` when the candidate's per-seed results are bit-identical to the reference on
  every seed both hold (a copy of the baseline, whatever other seeds either side has);
- otherwise `no decision` when either side has fewer than the recipe's `min_seeds`
  values;
- else the ratio of geometric means with its interval against the margin (`--margin`,
  default x1.25): `better` / `worse` when the interval lies wholly beyond the margin
  (the direction says which), `same` when it lies inside (TOST), and `no decision`
  otherwise (the note says whether it is consistent with no difference, and about how
  many seeds per side would decide it). Holm controls the family-wise error over the
  gate's comparisons (final regret against `gate_against`, one per space) and,
  separately, over every other comparison.
Cohen's d and Cliff's delta are reported beside it, computed on the values that decided the
row (`effect_seeds` says which): the common seeds when the exact rule decided it (a
bit-identical copy thus shows 0, whatever extra seeds either side has), every seed of each
side when the ratio rule did. The gate fails when the candidate is
`worse` than the `gate_against` variant (default: DARTS) on final regret in any space,
the way a maintainer would reject a pull request that regresses the baseline; when any of
those comparisons is `no decision` the gate is `no-decision`, which fails too unless the
caller allows it (a gate that cannot decide has not shown the candidate is fine).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.search_curves.diff import (
    common_seeds,
    curve_statistic,
    decide,
    exact_match,
    log_row,
)
from nb1s.harness.recipe.plan import Plan, RunSpec, plan_recipe
from nb1s.harness.recipe.schema import DiffSpec, Profile, Protocol, Recipe
from nb1s.harness.report.stats import cliffs_delta, cliffs_magnitude, cohens_d

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
    runs = [RunSpec(variant=CANDIDATE, label=f"candidate ({optimizer})", optimizer=optimizer,
                    space=space, seed=seed, epochs=template.epochs, hyperparameters=dict(hyper),
                    options=dict(template.options), sources=dict(sources),
                    tracking=dict(template.tracking))
            for space in base.spaces for seed in seeds]
    return base.but(runs=runs, blocked=[])


def _finals(group: dict[str, Any]) -> list[float]:
    m = group["metrics"]["test_regret"]
    return [v for v in m["final"]["values"] if v is not None and math.isfinite(v)]


def _anytime(cand: dict[str, Any], ref: dict[str, Any], floor: float
             ) -> tuple[list[float], list[float]]:
    """Per-seed anytime statistics of both groups over the epochs both have."""
    rc = cand["metrics"]["test_regret"]["per_seed"]
    fc = ref["metrics"]["test_regret"]["per_seed"]
    epochs = min([len(c) for c in rc] + [len(c) for c in fc]) if rc and fc else 0
    return curve_statistic(rc, epochs, floor), curve_statistic(fc, epochs, floor)


def on_seeds(group: dict[str, Any], seeds: list[int]) -> dict[str, Any]:
    """`group` with only `seeds`' per-seed test regret (curves and finals), in that order."""
    index = {s: i for i, s in enumerate(group.get("seeds") or [])}
    m = group["metrics"]["test_regret"]
    curves, finals = m["per_seed"], m["final"]["values"]
    keep = [index[s] for s in seeds]
    return {**group, "seeds": list(seeds), "metrics": {"test_regret": {
        "per_seed": [curves[i] for i in keep if i < len(curves)],
        "final": {"values": [finals[i] for i in keep if i < len(finals)]}}}}


def _effects(candidate: list[float], reference: list[float], seeds: str) -> dict[str, Any]:
    """Cliff's delta and Cohen's d of the two samples, and on which seeds they were taken."""
    if not candidate or not reference:
        return {"cohens_d": None, "cliffs_delta": None, "magnitude": "-",
                "effect_seeds": seeds}
    delta = cliffs_delta(candidate, reference)
    d = cohens_d(candidate, reference)
    return {"cohens_d": d if math.isfinite(d) else None, "cliffs_delta": delta,
            "magnitude": cliffs_magnitude(delta), "effect_seeds": seeds}


def measure_pair(candidate: list[float], reference: list[float], spec: DiffSpec,
                 identical: bool | None = None,
                 common: tuple[list[float], list[float]] | None = None) -> dict[str, Any]:
    """One comparison, measured (decided later with its family by `decide_pairs`).

    `identical`: whether the per-seed results are bit-identical on the common seeds
    (None: no common seed); `common`: both sides' values on those seeds.

    The effect sizes describe the values that decided the row, so that they never
    contradict it: when the exact rule decides (`identical`), the common seeds' values
    (a copy of the baseline is 0 by construction, where all seeds of each side mixed
    seed sets: 2 candidate seeds against 4 reference seeds gave a copy Cliff's delta
    -0.25); otherwise every value of each side, the samples the ratio interval uses.
    Taking the common seeds there too would describe a sample the decision never saw.
    """
    if not candidate or not reference:
        return {"verdict": "no decision", "note": "no values"}
    row: dict[str, Any] = {"n_candidate": len(candidate), "n_reference": len(reference),
                           "candidate_mean": float(np.mean(candidate)),
                           "reference_mean": float(np.mean(reference))}
    if identical:
        cand_common, ref_common = common if common is not None else (candidate, reference)
        row.update(_effects(cand_common, ref_common, f"{len(cand_common)} common"))
        return {**row, "verdict": "same", "outcome": "exact",
                "note": "bit-identical to the reference on every common seed"}
    row.update(_effects(candidate, reference, "all"))
    row = log_row(row, candidate, reference, spec)
    if row.get("too_few_seeds"):
        return {**row, "verdict": "no decision"}
    return row


def decide_pairs(pairs: list[dict[str, Any]], spec: DiffSpec) -> list[dict[str, Any]]:
    """One family of measured comparisons decided together, as check words."""
    decided = decide(pairs, spec)
    out = []
    for r in decided:
        if r.get("rule") is None or r.get("too_few_seeds"):
            out.append(r)
            continue
        word = {"equivalent": "same", "consistent": "no decision",
                "underpowered": "no decision"}.get(r["outcome"])
        if r["outcome"] == "failed":
            word = "better" if r["log_ratio"] < 0 else "worse"
        out.append({**r, "verdict": word})
    return out


def compare(candidate: list[float], reference: list[float], spec: DiffSpec) -> dict[str, Any]:
    """better / same / worse / no decision for one pair alone (a family of one)."""
    return decide_pairs([measure_pair(candidate, reference, spec)], spec)[0]


def check_candidate(candidate: dict[str, Any], reference: dict[str, Any], spec: DiffSpec,
                    gate_against: str = "darts", allow_undecided: bool = False
                    ) -> dict[str, Any]:
    """Rows per space and built-in variant, plus the gate verdict."""
    rows = []
    spaces = sorted({g["space"] for g in candidate["groups"]})
    for space in spaces:
        cand = next(g for g in candidate["groups"] if g["space"] == space)
        for ref in (g for g in reference["groups"] if g["space"] == space):
            c_any, r_any = _anytime(cand, ref, spec.floor)
            final_exact = exact_match(cand, ref, "test_regret", "final")
            curve_exact = exact_match(cand, ref, "test_regret", "curve")
            # the common seeds' values: measure_pair reads them only for an exact match
            final_common: tuple[list[float], list[float]] | None = None
            curve_common: tuple[list[float], list[float]] | None = None
            if final_exact or curve_exact:
                common = common_seeds(cand, ref)
                c_on, r_on = on_seeds(cand, common), on_seeds(ref, common)
                if final_exact:
                    final_common = (_finals(c_on), _finals(r_on))
                if curve_exact:
                    curve_common = _anytime(c_on, r_on, spec.floor)
            rows.append({"space": space, "against": ref["variant"], "label": ref["label"],
                         "final": measure_pair(_finals(cand), _finals(ref), spec, final_exact,
                                               final_common),
                         "anytime": measure_pair(c_any, r_any, spec, curve_exact,
                                                 curve_common)})
    # the gate's comparisons are one family, every other comparison another
    gate_idx = [i for i, r in enumerate(rows) if r["against"] == gate_against]
    rest = [(i, part) for i, r in enumerate(rows) for part in ("final", "anytime")
            if not (i in gate_idx and part == "final")]
    for family in ([(i, "final") for i in gate_idx], rest):
        decided = decide_pairs([rows[i][part] for i, part in family], spec)
        for (i, part), r in zip(family, decided, strict=True):
            rows[i][part] = r
    gate_rows = [rows[i] for i in gate_idx]
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
    gate["margin"] = spec.margin
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


def checkable_recipes() -> list[str]:
    """Recipes a candidate can be gated on: grids of one-shot searches with reference
    curves that `nb1s reproduce --store-reference` can produce."""
    from nb1s.harness.recipe.catalog import recipe_files
    from nb1s.harness.recipe.schema import RecipeError, parse_recipe

    names = []
    for path in recipe_files():
        try:
            recipe = parse_recipe(path)
        except RecipeError:
            continue
        if recipe.kind == "search" and recipe.search is not None:
            names.append(recipe.name)
    return names


def require_checkable(recipe: Recipe) -> None:
    """Refuse a recipe that is not a grid of one-shot searches before anything else.

    Other kinds are compared with the paper's numbers only (`reproduce` refuses
    `--store-reference` for them), so a check could never find curves to gate against,
    and the command it would recommend for producing them would be refused too.
    """
    if recipe.kind == "search" and recipe.search is not None:
        return
    raise UserError(f"nb1s check gates a one-shot optimizer on a grid of searches; "
                    f"{recipe.name} is of kind {recipe.kind!r}, compared with the paper only. "
                    f"Use one of: {', '.join(checkable_recipes())}")


def check_reference(recipe: Recipe, profile: str, protocol: str,
                    reference: Path | None) -> tuple[dict[str, Any], str]:
    """The curves the candidate is gated against (`--reference`, else an imported
    reference, else the packaged one) and the file they came from, which the result names:
    a gate is only as good as its reference, so the user must see which one it was."""
    from nb1s.harness.experiments.search_curves.reference_curves import (
        load_curves,
        load_reference_file,
    )

    if reference is not None:
        return load_reference_file(reference), str(reference)
    ref, why = load_curves(recipe.name, profile, protocol, recipe.version)
    if ref is None:
        raise UserError(f"{why}; produce them with `nb1s reproduce {recipe.name} --profile "
                        f"{profile} --protocol {protocol} --store-reference`, or install a "
                        "shared one with `nb1s reference import FILE`")
    return ref, why


def run_check(optimizer: str, recipe: Recipe, profile: Profile, protocol: Protocol,
              out: Path | None, gate_against: str, reference: Path | None,
              min_seeds: int | None, allow_undecided: bool, execute: Execute,
              margin: float | None = None) -> CheckOutcome:
    """Run the candidate under the recipe, aggregate it and gate it (module docstring).

    `optimizer` is a registered name or `package.module:Class` (run through
    `nb1s.harness.plugin_search`); `execute` runs a plan's runs (the CLI's, with its
    executor options and progress bar); `margin` overrides the recipe's equivalence margin.
    Writes `aggregate.json` and `check.json`.
    """
    from nb1s.harness.documents import write_document
    from nb1s.harness.executors.base import python_program
    from nb1s.harness.experiments.dispatch import decision_rules, results_folder
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_document
    from nb1s.harness.recipe.optimizer_catalog import (
        availability,
        load_plugin,
        registered_spelling,
    )
    from nb1s.harness.search.results_directory import ResultsDirectory

    require_checkable(recipe)
    program: tuple[str, ...] | None = None
    name = optimizer
    if ":" in optimizer:
        name = load_plugin(optimizer).name
        program = (*python_program("nb1s.harness.plugin_search"), optimizer)
    else:
        name = registered_spelling(optimizer)  # `DARTS` is `darts`, as for `nb1s search`
        if (reason := availability(name)) is not None:
            raise UserError(reason)
    spec = decision_rules(recipe, min_seeds, margin)  # a bad --margin stops before any run
    ref, ref_file = check_reference(recipe, profile, protocol, reference)
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
              "reference": ref_file,
              **check_candidate(agg, ref, spec, gate_against,
                                allow_undecided)}
    write_document(folder.check_file, result)
    return CheckOutcome(None, result)
