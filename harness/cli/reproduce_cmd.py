"""`nb1s reproduce NAME`: regenerate one paper artefact and compare it with the reference.

`table1` enumerates the spaces and compares the counts with the paper (exit 1 on a
mismatch), exactly as before recipes existed. Every other name is a recipe (or alias):
its searches are run (finished ones skipped, interrupted ones resumed), aggregated,
plotted and diffed; recipes nb1s cannot run yet say so and exit 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nb1s.harness.cli.output import emit, err_console
from nb1s.harness.cli.recipe_cmd import (
    ALLOW_UNDECIDED,
    AS_JSON,
    CIFAR_DIR,
    CLUSTER,
    DATA_DIR,
    EXECUTOR,
    GPUS,
    IMAGE,
    OUT,
    PARTITION,
    PROFILE,
    PROTOCOL,
    SMOKE_DATA,
    TIMEOUT,
    WORKERS,
)
from nb1s.harness.cli.recipe_view import (
    render_correlation,
    render_distribution,
    render_proxy,
    render_reproduce,
)
from nb1s.harness.cli.table1_view import render_table1
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.table1.report import reproduce_table1

if TYPE_CHECKING:
    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.recipe.schema import Profile, Protocol, Recipe

EXIT_CANNOT_RUN = 3


def register(app: typer.Typer) -> None:
    @app.command("reproduce")
    def reproduce_command(
        name: str = typer.Argument(..., help="table1, or a recipe name/alias (fig2, fig12, "
                                   "table2, ...; see `nb1s ls`)."),
        profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
        executor: str = EXECUTOR, workers: int | None = WORKERS, gpus: str | None = GPUS,
        image: str | None = IMAGE, slurm_partition: str | None = PARTITION,
        slurm_cluster: str | None = CLUSTER, timeout_min: int = TIMEOUT,
        data_dir: Path | None = DATA_DIR, cifar_dir: Path | None = CIFAR_DIR,
        smoke_data: Path | None = SMOKE_DATA,
        against: Path | None = typer.Option(None, "--against", help="Diff against this "
                                            "reference instead of the stored curves."),
        store_reference: bool = typer.Option(False, "--store-reference", help="Store the "
                                             "aggregate as the recipe's reference curves "
                                             "(needs a clean checkout)."),
        note: str = typer.Option("", "--note", help="Extra context stored with "
                                 "--store-reference (the file is never edited by hand)."),
        allow_undecided: bool = ALLOW_UNDECIDED,
        as_json: bool = AS_JSON,
    ) -> None:
        """Reproduce a table or figure of the paper; exit 1 when it does not match."""
        if name == "table1":
            result = reproduce_table1()
            emit(result, as_json, render_table1)
            if not result["ok"]:
                raise typer.Exit(1)
            return
        from nb1s.harness.cli.execution import (
            ExecutionOptions,
            default_results,
            prepare_execution,
            run_progress,
        )
        from nb1s.harness.cli.recipe_cmd import load_recipe_choice
        from nb1s.harness.experiments.search_curves.reproduce import reproduce_recipe
        from nb1s.harness.guards.out_folder import check_out
        from nb1s.harness.recipe.optimizer_catalog import availability
        from nb1s.harness.recipe.plan import plan_recipe
        from nb1s.harness.recipe.schema import PAPER_ONLY_KINDS

        recipe, prof, proto = load_recipe_choice(name, profile, protocol)
        if recipe.kind == "enumeration":
            raise UserError(f"recipe {recipe.name} is reproduced by `nb1s reproduce table1`")
        results = out or default_results(recipe.name, profile, protocol)
        # every kind writes a results folder (plan.json and more), the analysis kinds too:
        # refuse a folder that belongs to something else before any data is prepared
        check_out(results, "results")
        if note and not store_reference:
            raise UserError("--note is stored with --store-reference only")
        if store_reference:
            from nb1s.harness.experiments.search_curves.reference_curves import (
                require_clean_checkout,
            )

            require_clean_checkout()
        if recipe.kind in PAPER_ONLY_KINDS and (store_reference or against is not None):
            raise UserError(f"{recipe.name} is compared with the paper's numbers only; "
                            "--against and --store-reference do not apply")
        if recipe.kind == "blackbox":  # through the kinds registry (every kind, once it is)
            _reproduce_kind(recipe, results, prof, proto, ExecutionOptions(
                executor, workers, gpus, image, slurm_partition, slurm_cluster, timeout_min,
                data_dir, cifar_dir, smoke_data), as_json, allow_undecided)
            return
        if recipe.kind == "distribution":
            _reproduce_distribution(recipe, results, prof, proto, data_dir, smoke_data,
                                    as_json)
            return
        plan = plan_recipe(recipe, prof, proto, availability)
        opts = ExecutionOptions(executor, workers, gpus, image, slurm_partition, slurm_cluster,
                                timeout_min, data_dir, cifar_dir, smoke_data)
        data, ex = prepare_execution(plan, results, opts) if plan.runs else (None, None)
        if recipe.kind == "correlation":
            from nb1s.harness.experiments.correlation.reproduce import reproduce_correlation

            with run_progress(not as_json and ex is not None) as (on_start, on_done):
                corr = reproduce_correlation(recipe, results, ex, prof, proto, data,
                                             availability, on_start, on_done)
            emit(corr, as_json, render_correlation)
            _exit_for(corr, allow_undecided)
            return
        if recipe.kind == "proxy":
            from nb1s.harness.experiments.proxy.reproduce import reproduce_proxy

            with run_progress(not as_json and ex is not None) as (on_start, on_done):
                proxy = reproduce_proxy(recipe, results, ex, prof, proto, data, availability,
                                        on_start, on_done)
            emit(proxy, as_json, render_proxy)
            _exit_for(proxy, allow_undecided)
            return
        with run_progress(not as_json and ex is not None) as (on_start, on_done):
            result = reproduce_recipe(recipe, results, ex, prof, proto, data=data,
                                      against=against, availability=availability,
                                      on_start=on_start, on_done=on_done)
        if result["status"] == "interrupted":
            from nb1s.harness.cli.execution import stop_if_interrupted

            stop_if_interrupted(result["run"])
        if store_reference and result["status"] in ("complete", "partial"):
            import json

            from nb1s.harness.experiments.search_curves.reference_curves import store_curves

            agg = json.loads(Path(result["aggregate"]).read_text(encoding="utf-8"))
            made_by = (f"produced by `nb1s reproduce {recipe.name} --profile {profile} "
                       f"--protocol {protocol} --store-reference`")
            result["stored_reference"] = str(store_curves(agg, note=made_by, context=note,
                                                          results=results))
        emit(result, as_json, render_reproduce)
        _exit_for(result, allow_undecided)


def _exit_for(result: dict[str, Any], allow_undecided: bool) -> None:
    """Exit 3 when nothing could run, 1 on failed runs or a failed diff, 4 undecided."""
    from nb1s.harness.report.verdict import exit_code

    if result["status"] == "cannot-run":
        raise typer.Exit(EXIT_CANNOT_RUN)
    if result["status"] == "failed-runs":
        raise typer.Exit(1)
    code = exit_code(result["diff"]["verdict"]["status"], allow_undecided)
    if code:
        raise typer.Exit(code)


def _reproduce_kind(recipe: Recipe, results: Path, profile: Profile, protocol: Protocol,
                    opts: ExecutionOptions, as_json: bool, allow_undecided: bool) -> None:
    """A recipe whose kind is in `experiments.registry.KINDS`: plan, run, diff, render."""
    from nb1s.harness.cli.execution import run_progress
    from nb1s.harness.experiments.kind import Request
    from nb1s.harness.experiments.registry import kind_for

    kind = kind_for(recipe.kind)
    request = Request(recipe, profile, protocol, results, opts, progress=not as_json)
    with run_progress(not as_json) as (on_start, on_done):
        result = kind.reproduce(request, on_start, on_done)
    emit(result, as_json, kind.render)
    _exit_for(result, allow_undecided)


def _reproduce_distribution(recipe: Recipe, results: Path, profile: Profile, protocol: Protocol,
                            data_dir: Path | None, smoke_data: Path | None,
                            as_json: bool) -> None:
    """fig6: no searches; look every architecture up, plot, summarise and diff."""
    from nb1s.harness.experiments.distribution.reproduce import reproduce_distribution

    if as_json:
        result = reproduce_distribution(recipe, results, profile, protocol, data_dir,
                                        smoke_data)
    else:
        with err_console.status(f"{recipe.name}: looking up every architecture"):
            result = reproduce_distribution(recipe, results, profile, protocol, data_dir,
                                            smoke_data)
    emit(result, as_json, render_distribution)
    _exit_for(result, allow_undecided=False)
