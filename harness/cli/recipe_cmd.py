"""`nb1s validate`, `nb1s ls`, `nb1s run`, `nb1s diff` and `nb1s check` (recipes and results)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nb1s.harness.cli.options import (
    ALLOW_UNDECIDED,
    AS_JSON,
    MARGIN,
    MIN_SEEDS,
    OUT,
    PROFILE,
    PROTOCOL,
    SEEDS,
    with_execution_options,
)
from nb1s.harness.cli.output import emit
from nb1s.harness.cli.recipe_view import (
    render_check,
    render_diff,
    render_ls,
    render_run,
    render_validate,
)
from nb1s.harness.errors import UserError
from nb1s.harness.execution.options import ExecutionOptions

if TYPE_CHECKING:  # pydantic is imported only by the commands that use recipes
    from nb1s.harness.recipe.located_yaml import YamlProblem
    from nb1s.harness.recipe.schema import Profile, Protocol, Recipe


def parse_profile_protocol(profile: str, protocol: str) -> tuple[Profile, Protocol]:
    """Validate the two choices once; a typo is a one-line UserError."""
    from nb1s.harness.recipe.schema import PROFILES, PROTOCOLS

    if profile not in PROFILES:
        raise UserError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
    if protocol not in PROTOCOLS:
        raise UserError(f"unknown protocol {protocol!r}: choose one of {', '.join(PROTOCOLS)}")
    return profile, protocol


def load_recipe_choice(name: str, profile: str, protocol: str, seeds: str | None = None
                       ) -> tuple[Recipe, Profile, Protocol]:
    """The recipe a command names, with its validated profile and protocol (and `--seeds`)."""
    from nb1s.harness.experiments.dispatch import load_checked
    from nb1s.harness.recipe.seeds import parse_seeds, with_seeds

    prof, proto = parse_profile_protocol(profile, protocol)
    chosen = parse_seeds(seeds) if seeds is not None else None
    return with_seeds(load_checked(name), chosen), prof, proto


def validate_files(target: str | None) -> dict[str, Any]:
    """Validate one recipe (name or path) or every recipe; JSON-ready result."""
    from nb1s.harness.experiments.dispatch import kind_problems
    from nb1s.harness.recipe.catalog import find_recipe_file, recipe_files, recipes_dir
    from nb1s.harness.recipe.schema import RecipeError, parse_recipe

    files = [find_recipe_file(target)] if target else recipe_files()
    out = []
    for f in files:
        try:
            r = parse_recipe(f)
            shape = kind_problems(f, r) + default_override_problems(f, r)
            if shape:
                raise RecipeError(shape)
            unknown = unknown_optimizers(r) + value_problems(r)
            out.append({"file": str(f), "ok": not unknown, "name": r.name,
                        "version": r.version, "kind": r.kind, "problems": unknown})
        except RecipeError as exc:
            out.append({"file": str(f), "ok": False, "problems": [str(p) for p in exc.problems],
                        "errors": [p.__dict__ for p in exc.problems]})
    return {"folder": str(recipes_dir()), "files": out, "ok": all(f["ok"] for f in out)}


def unknown_optimizers(recipe: Recipe) -> list[str]:
    """One problem per variant naming an optimizer this installation does not register.

    `nb1s run` would otherwise plan around such a variant and drop it; a recipe that
    validates must be one that runs as written.
    """
    from nb1s.harness.recipe.optimizer_catalog import builtin_optimizers

    if recipe.search is None:
        return []
    known = builtin_optimizers()
    return [f"search.variants[{v.key}].optimizer: unknown optimizer {v.optimizer!r} "
            f"(registered: {', '.join(known)})"
            for v in recipe.search.variants if v.optimizer not in known]


def value_problems(recipe: Recipe) -> list[str]:
    """Hyperparameters of any planned run (both profiles) outside their declared range.

    The same check (`nb1s.optimizers.range_problems`) as `nb1s search`, so a recipe that
    validates never starts runs that `nb1s search` then refuses.
    """
    from nb1s.harness.recipe.plan import plan_recipe
    from nb1s.optimizers import range_problems

    if recipe.search is None:
        return []
    problems: list[str] = []
    profiles: list[Profile] = ["paper"]
    if "smoke" in recipe.profiles:
        profiles.append("smoke")
    for profile in profiles:
        for spec in plan_recipe(recipe, profile, "paper").runs:
            for problem in range_problems({**spec.hyperparameters, "epochs": spec.epochs}):
                line = f"{profile} profile, variant {spec.variant}: {problem}"
                if line not in problems:
                    problems.append(line)
    return problems


def default_override_problems(path: Path, recipe: Recipe) -> list[YamlProblem]:
    """A shared hyperparameter that silently replaces a method default is an error."""
    from nb1s.harness.recipe.located_yaml import YamlProblem, load_located
    from nb1s.harness.recipe.method_defaults import default_overrides

    overrides = default_overrides(recipe)
    if not overrides:
        return []
    located = load_located(path)
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for o in overrides:
        key = (o.name, o.optimizer, f"{o.value!r} overrides the {o.optimizer} default "
                                    f"{o.default!r}")
        if o.variant not in grouped.setdefault(key, []):
            grouped[key].append(o.variant)
    return [YamlProblem(str(path), located.line_of(("search", "hyperparameters", name)),
                        f"search.hyperparameters.{name}",
                        f"shared value {what} in variants {', '.join(variants)}; pin "
                        f"{name} in those variants if that is intended")
            for (name, _, what), variants in grouped.items()]


def list_recipes() -> dict[str, Any]:
    """Every recipe with what it reproduces and whether its kind runs in this nb1s."""
    from nb1s.harness.experiments.dispatch import listing_row
    from nb1s.harness.recipe.catalog import recipe_files, recipes_dir
    from nb1s.harness.recipe.schema import RecipeError, parse_recipe

    rows: list[dict[str, Any]] = []
    for f in recipe_files():
        try:
            r = parse_recipe(f)
        except RecipeError as exc:
            rows.append({"name": f.stem, "error": str(exc.problems[0])})
            continue
        rows.append(listing_row(r))
    return {"folder": str(recipes_dir()), "recipes": rows}


def validate_command(
    recipe: str | None = typer.Argument(None, help="Recipe name or file (default: all)."),
    as_json: bool = AS_JSON,
) -> None:
    """Check recipes against the schema; every problem as file:line: field message."""
    result = validate_files(recipe)
    emit(result, as_json, render_validate)
    if not result["ok"]:
        raise typer.Exit(1)


def ls_command(as_json: bool = AS_JSON) -> None:
    """List the recipes and what each reproduces."""
    emit(list_recipes(), as_json, render_ls)


def run_command(
    recipe: str = typer.Argument(..., help="Recipe name, alias or file."),
    profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
    seeds: str | None = SEEDS,
    execution: ExecutionOptions = ExecutionOptions(), as_json: bool = AS_JSON,
) -> None:
    """Run every unfinished search of a recipe (finished runs are skipped)."""
    from nb1s.harness.cli.execution import execute_plan
    from nb1s.harness.experiments.dispatch import results_folder, runnable_plan

    r, prof, proto = load_recipe_choice(recipe, profile, protocol, seeds)
    plan = runnable_plan(r, prof, proto)
    results = results_folder(r.name, profile, protocol, out)
    summary = execute_plan(plan, results, execution, not as_json)
    emit(summary.as_dict(), as_json, render_run)
    if not summary.ok:
        raise typer.Exit(1)


def diff_command(
    results: Path = typer.Argument(..., help="A results folder written by run/reproduce."),
    against: Path | None = typer.Option(None, "--against", help="Reference: a curves "
                                        ".json or another results folder (default: the "
                                        "stored reference curves of the recipe)."),
    report: Path | None = typer.Option(None, "--report", help="Also copy the Markdown "
                                       "report here."),
    min_seeds: int | None = MIN_SEEDS, margin: float | None = MARGIN,
    allow_undecided: bool = ALLOW_UNDECIDED, as_json: bool = AS_JSON,
) -> None:
    """Compare results with a reference, row by row (docs/verdicts.md).

    Exit 0 on pass / consistent / not checkable, 1 when a row fails, 4 when no decision.
    """
    from nb1s.harness.experiments.dispatch import diff_folder, exit_code_for

    result = diff_folder(results, against, min_seeds, report, margin)
    emit(result.to_json(), as_json, render_diff)
    code = exit_code_for(result, allow_undecided)
    if code:
        raise typer.Exit(code)


def check_command(
    optimizer: str = typer.Argument(..., help="Registered name or package.module:Class."),
    recipe: str = typer.Option("fig2", "--recipe", help="Recipe to run it under."),
    profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
    gate_against: str = typer.Option("darts", "--gate-against", help="Built-in variant "
                                     "the gate must not be worse than."),
    reference: Path | None = typer.Option(None, "--reference", help="Reference curves "
                                          "(default: stored curves of the recipe)."),
    execution: ExecutionOptions = ExecutionOptions(), min_seeds: int | None = MIN_SEEDS,
    seeds: str | None = SEEDS, margin: float | None = MARGIN,
    allow_undecided: bool = ALLOW_UNDECIDED, as_json: bool = AS_JSON,
) -> None:
    """Run a new optimizer and gate it against the reference curves (docs/verdicts.md).

    Exit 0 on pass, 1 when worse than the baseline, 4 when no decision.
    """
    from nb1s.harness.cli.execution import execute_plan
    from nb1s.harness.experiments.search_curves.check import run_check
    from nb1s.harness.report.verdict import exit_code

    r, prof, proto = load_recipe_choice(recipe, profile, protocol, seeds)
    outcome = run_check(optimizer, r, prof, proto, out, gate_against, reference, min_seeds,
                        allow_undecided,
                        lambda plan, results, program: execute_plan(
                            plan, results, execution, not as_json, program=program),
                        margin=margin)
    if outcome.result is None:
        emit(outcome.failed_runs, as_json, render_run)
        raise typer.Exit(1)
    emit(outcome.result, as_json, render_check)
    code = exit_code(outcome.result["gate"]["status"], allow_undecided)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
    app.command("ls")(ls_command)
    app.command("run")(with_execution_options(run_command))
    app.command("diff")(diff_command)
    app.command("check")(with_execution_options(check_command))
