"""`nb1s validate`, `nb1s ls`, `nb1s run`, `nb1s diff` and `nb1s check` (recipes and results)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nb1s.harness.cli.output import emit
from nb1s.harness.cli.recipe_view import (
    render_check,
    render_diff,
    render_ls,
    render_run,
    render_validate,
)
from nb1s.harness.errors import UserError

if TYPE_CHECKING:  # pydantic is imported only by the commands that use recipes
    from nb1s.harness.recipe.located_yaml import YamlProblem
    from nb1s.harness.recipe.schema import DiffSpec, Profile, Protocol, Recipe

# Options shared by every command that runs searches (reused OptionInfo objects).
PROFILE = typer.Option("paper", "--profile", help="paper (as published) or smoke (tiny budgets, "
                       "synthetic data).")
PROTOCOL = typer.Option("paper", "--protocol", help="Where paper and released code disagree: "
                        "paper or original.")
OUT = typer.Option(None, "--out", help="Results folder (default results/NAME-PROFILE-PROTOCOL).")
EXECUTOR = typer.Option("local", "--executor", help="local, docker or slurm.")
WORKERS = typer.Option(None, "--workers", min=1, help="Parallel runs (default: one per GPU, "
                       "or half the CPU cores).")
GPUS = typer.Option(None, "--gpus", help="GPU ids to use, e.g. 0,1,2 (default: all visible).")
IMAGE = typer.Option(None, "--image", help="Docker image (default nb1s:latest).")
PARTITION = typer.Option(None, "--slurm-partition", help="Slurm partition.")
CLUSTER = typer.Option(None, "--slurm-cluster", help="submitit cluster: slurm (default: auto) "
                       "or local (this machine, for testing).")
TIMEOUT = typer.Option(24 * 60, "--timeout-min", help="Slurm time limit per run, minutes.")
DATA_DIR = typer.Option(None, "--data-dir", help="NB101 index folder (paper profile).")
CIFAR_DIR = typer.Option(None, "--cifar-dir", help="cifar-10-batches-py folder.")
SMOKE_DATA = typer.Option(None, "--smoke-data", help="Where the smoke profile's synthetic "
                          "index and digits are built/reused (default RESULTS/data).")
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")
MIN_SEEDS = typer.Option(None, "--min-seeds", min=2, help="Seeds per group below which a "
                         "statistical row is underpowered (default: the recipe's diff.min_seeds,"
                         " 3 unless it says otherwise).")
ALLOW_UNDECIDED = typer.Option(False, "--allow-undecided", help="Exit 0 on 'no decision' "
                               "(default: exit 4, a gate that cannot decide does not pass).")


def decision_rules(recipe: Recipe, min_seeds: int | None) -> DiffSpec:
    """The recipe's diff rules with the command line's overrides."""
    if min_seeds is None:
        return recipe.diff
    return recipe.diff.model_copy(update={"min_seeds": min_seeds})


def parse_profile_protocol(profile: str, protocol: str) -> tuple[Profile, Protocol]:
    """Validate the two choices once; a typo is a one-line UserError."""
    from nb1s.harness.recipe.schema import PROFILES, PROTOCOLS

    if profile not in PROFILES:
        raise UserError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
    if protocol not in PROTOCOLS:
        raise UserError(f"unknown protocol {protocol!r}: choose one of {', '.join(PROTOCOLS)}")
    return profile, protocol


def load_recipe_choice(name: str, profile: str, protocol: str
                       ) -> tuple[Recipe, Profile, Protocol]:
    """The recipe a command names, with its validated profile and protocol."""
    from nb1s.harness.recipe.catalog import load_recipe

    prof, proto = parse_profile_protocol(profile, protocol)
    return load_recipe(name), prof, proto


def validate_files(target: str | None) -> dict[str, Any]:
    """Validate one recipe (name or path) or every recipe; JSON-ready result."""
    from nb1s.harness.recipe.catalog import find_recipe_file, recipe_files, recipes_dir
    from nb1s.harness.recipe.schema import RecipeError, parse_recipe

    files = [find_recipe_file(target)] if target else recipe_files()
    out = []
    for f in files:
        try:
            r = parse_recipe(f)
            overrides = default_override_problems(f, r)
            if overrides:
                raise RecipeError(overrides)
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
    from nb1s.harness.recipe.catalog import recipe_files, recipes_dir
    from nb1s.harness.recipe.schema import RUNNABLE_KINDS, RecipeError, parse_recipe

    rows: list[dict[str, Any]] = []
    for f in recipe_files():
        try:
            r = parse_recipe(f)
        except RecipeError as exc:
            rows.append({"name": f.stem, "error": str(exc.problems[0])})
            continue
        optimizers = sorted({v.optimizer for v in r.search.variants}) if r.search else []
        rows.append({"name": r.name, "version": r.version, "title": r.title,
                     "reproduces": r.reproduces, "aliases": r.aliases, "kind": r.kind,
                     "paper_source": r.paper_source, "optimizers": optimizers,
                     "requires": r.requires, "runnable": r.kind in RUNNABLE_KINDS,
                     "profiles": ["paper", *(r.profiles or (
                         ["smoke"] if r.kind == "distribution" else []))]})
    return {"folder": str(recipes_dir()), "recipes": rows}


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate_command(
        recipe: str | None = typer.Argument(None, help="Recipe name or file (default: all)."),
        as_json: bool = AS_JSON,
    ) -> None:
        """Check recipes against the schema; every problem as file:line: field message."""
        result = validate_files(recipe)
        emit(result, as_json, render_validate)
        if not result["ok"]:
            raise typer.Exit(1)

    @app.command("ls")
    def ls_command(as_json: bool = AS_JSON) -> None:
        """List the recipes and what each reproduces."""
        emit(list_recipes(), as_json, render_ls)

    @app.command("run")
    def run_command(
        recipe: str = typer.Argument(..., help="Recipe name, alias or file."),
        profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
        executor: str = EXECUTOR, workers: int | None = WORKERS, gpus: str | None = GPUS,
        image: str | None = IMAGE, slurm_partition: str | None = PARTITION,
        slurm_cluster: str | None = CLUSTER, timeout_min: int = TIMEOUT,
        data_dir: Path | None = DATA_DIR, cifar_dir: Path | None = CIFAR_DIR,
        smoke_data: Path | None = SMOKE_DATA, as_json: bool = AS_JSON,
    ) -> None:
        """Run every unfinished search of a recipe (finished runs are skipped)."""
        from nb1s.harness.cli.execution import ExecutionOptions, default_results, execute_plan
        from nb1s.harness.recipe.optimizer_catalog import availability
        from nb1s.harness.recipe.plan import plan_recipe

        r, prof, proto = load_recipe_choice(recipe, profile, protocol)
        plan = plan_recipe(r, prof, proto, availability)
        if not plan.runs:
            reasons = "; ".join(f"{b.label}: {b.reason}" for b in plan.blocked) or \
                "it has no search runs (try `nb1s reproduce`)"
            raise UserError(f"recipe {r.name} cannot run yet: {reasons}")
        if plan.blocked:  # never exit 0 having silently dropped a variant
            reasons = "; ".join(f"{b.label}: {b.reason}" for b in plan.blocked)
            raise UserError(f"recipe {r.name} has variants nb1s cannot run ({reasons}); "
                            "nothing was run")
        results = out or default_results(r.name, profile, protocol)
        opts = ExecutionOptions(executor, workers, gpus, image, slurm_partition, slurm_cluster,
                                timeout_min, data_dir, cifar_dir, smoke_data)
        summary = execute_plan(plan, results, opts, not as_json)
        emit(summary.as_dict(), as_json, render_run)
        if not summary.ok:
            raise typer.Exit(1)

    @app.command("diff")
    def diff_command(
        results: Path = typer.Argument(..., help="A results folder written by run/reproduce."),
        against: Path | None = typer.Option(None, "--against", help="Reference: a curves "
                                            ".json or another results folder (default: the "
                                            "stored reference curves of the recipe)."),
        report: Path | None = typer.Option(None, "--report", help="Also copy the Markdown "
                                           "report here."),
        min_seeds: int | None = MIN_SEEDS, allow_undecided: bool = ALLOW_UNDECIDED,
        as_json: bool = AS_JSON,
    ) -> None:
        """Compare results with a reference, row by row (docs/verdicts.md).

        Exit 0 on pass / not checkable, 1 when a row fails, 4 when no decision.
        """
        from nb1s.atomic import atomic_write_text
        from nb1s.harness.experiments.search_curves.reproduce import diff_results
        from nb1s.harness.recipe.catalog import load_recipe
        from nb1s.harness.recipe.schema import PAPER_ONLY_KINDS
        from nb1s.harness.report.verdict import exit_code
        from nb1s.harness.search.results_directory import PLAN_FILE, ResultsDirectory

        folder = ResultsDirectory(results)
        if not folder.has_plan():
            raise UserError(f"{results} is not a results folder (no {PLAN_FILE})")
        plan = folder.read_plan()
        r = load_recipe(plan.recipe)
        if r.version != plan.version:
            raise UserError(f"results are {r.name} v{plan.version} but the recipe is now "
                            f"v{r.version}: re-run them")
        if r.kind in PAPER_ONLY_KINDS and against is not None:
            raise UserError(f"{r.name} is compared with the paper's numbers only; "
                            "--against does not apply")
        if r.kind == "distribution":
            from nb1s.harness.experiments.distribution.reproduce import diff_distribution

            result = diff_distribution(results, r)
        elif r.kind == "correlation":
            from nb1s.harness.experiments.correlation.reproduce import diff_correlation

            result = diff_correlation(results, r)
        elif r.kind == "proxy":
            from nb1s.harness.experiments.proxy.reproduce import diff_proxy

            result = diff_proxy(results, r)
        else:
            result = diff_results(results, r, against, decision_rules(r, min_seeds))
        if report is not None:
            atomic_write_text(report, folder.diff_markdown.read_text(encoding="utf-8"))
        emit(result, as_json, render_diff)
        code = exit_code(result["verdict"]["status"], allow_undecided)
        if code:
            raise typer.Exit(code)

    @app.command("check")
    def check_command(
        optimizer: str = typer.Argument(..., help="Registered name or package.module:Class."),
        recipe: str = typer.Option("fig2", "--recipe", help="Recipe to run it under."),
        profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
        gate_against: str = typer.Option("darts", "--gate-against", help="Built-in variant "
                                         "the gate must not be worse than."),
        reference: Path | None = typer.Option(None, "--reference", help="Reference curves "
                                              "(default: stored curves of the recipe)."),
        executor: str = EXECUTOR, workers: int | None = WORKERS, gpus: str | None = GPUS,
        image: str | None = IMAGE, slurm_partition: str | None = PARTITION,
        slurm_cluster: str | None = CLUSTER, timeout_min: int = TIMEOUT,
        data_dir: Path | None = DATA_DIR, cifar_dir: Path | None = CIFAR_DIR,
        smoke_data: Path | None = SMOKE_DATA, min_seeds: int | None = MIN_SEEDS,
        allow_undecided: bool = ALLOW_UNDECIDED, as_json: bool = AS_JSON,
    ) -> None:
        """Run a new optimizer and gate it against the reference curves (docs/verdicts.md).

        Exit 0 on pass, 1 when worse than the baseline, 4 when no decision.
        """
        import sys

        from nb1s.harness.cli.execution import ExecutionOptions, default_results, execute_plan
        from nb1s.harness.documents import write_document
        from nb1s.harness.experiments.search_curves.aggregate import aggregate_document
        from nb1s.harness.experiments.search_curves.check import candidate_plan, check_candidate
        from nb1s.harness.experiments.search_curves.reference_curves import (
            load_curves,
            load_reference_file,
        )
        from nb1s.harness.recipe.optimizer_catalog import availability, load_plugin
        from nb1s.harness.report.verdict import exit_code
        from nb1s.harness.search.results_directory import ResultsDirectory

        r, prof, proto = load_recipe_choice(recipe, profile, protocol)
        program: tuple[str, ...] | None = None
        name = optimizer
        if ":" in optimizer:
            name = load_plugin(optimizer).name
            program = (sys.executable, "-m", "nb1s.harness.plugin_search", optimizer)
        elif (reason := availability(optimizer)) is not None:
            raise UserError(reason)
        ref: dict[str, Any] | None
        if reference is not None:
            ref = load_reference_file(reference)
        else:
            ref, why = load_curves(r.name, profile, protocol, r.version)
            if ref is None:
                raise UserError(f"{why}; produce them with `nb1s reproduce {r.name} --profile "
                                f"{profile} --protocol {protocol} --store-reference`")
        assert ref is not None
        baselines = sorted({str(g["variant"]) for g in ref["groups"]})
        if gate_against not in baselines:
            raise UserError(f"--gate-against {gate_against!r} is not a variant of the "
                            f"reference (it has: {', '.join(baselines) or 'none'})")
        plan = candidate_plan(r, name, prof, proto)
        results = out or default_results(f"check-{name}-{r.name}", profile, protocol)
        opts = ExecutionOptions(executor, workers, gpus, image, slurm_partition, slurm_cluster,
                                timeout_min, data_dir, cifar_dir, smoke_data)
        summary = execute_plan(plan, results, opts, not as_json, program=program)
        if not summary.ok:
            emit(summary.as_dict(), as_json, render_run)
            raise typer.Exit(1)
        folder = ResultsDirectory(results)
        aggregate = aggregate_document(results)
        folder.write_aggregate(aggregate)
        agg = aggregate.to_json()
        if not agg["recipe_check"]["ok"]:
            bad = agg["recipe_check"]["mismatched"][0]
            raise UserError(f"{results} holds runs of another recipe identity (e.g. "
                            f"{bad['run']}: {bad['recorded']}); use a fresh --out")
        result = {"optimizer": optimizer, "recipe": r.name, "version": r.version,
                  "profile": profile, "protocol": protocol, "results": str(results),
                  **check_candidate(agg, ref, decision_rules(r, min_seeds), gate_against,
                                    allow_undecided)}
        write_document(folder.check_file, result)
        emit(result, as_json, render_check)
        code = exit_code(result["gate"]["status"], allow_undecided)
        if code:
            raise typer.Exit(code)
