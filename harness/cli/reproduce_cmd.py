"""`nb1s reproduce NAME`: regenerate one paper artefact and compare it with the reference.

NAME is a recipe (or alias); its kind (nb1s.harness.experiments.registry) does the work:
`table1` enumerates the spaces and compares the counts with the paper (exit 1 on a
mismatch); search recipes are run (finished runs skipped, interrupted ones resumed),
aggregated, plotted and diffed; recipes nb1s cannot run yet say so and exit 3. This
module only parses, builds the `Request`, calls `experiments.dispatch.reproduce` and prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from nb1s.harness.cli.options import (
    ALLOW_UNDECIDED,
    AS_JSON,
    OUT,
    PROFILE,
    PROTOCOL,
    SEEDS,
    with_execution_options,
)
from nb1s.harness.cli.output import console, emit, err_console
from nb1s.harness.execution.options import ExecutionOptions

if TYPE_CHECKING:
    from nb1s.harness.recipe.schema import Recipe


def reproduce_command(
    name: str = typer.Argument(..., help="table1, or a recipe name/alias (fig2, fig12, "
                               "table2, ...; see `nb1s ls`)."),
    profile: str = PROFILE, protocol: str = PROTOCOL, out: Path | None = OUT,
    seeds: str | None = SEEDS,
    execution: ExecutionOptions = ExecutionOptions(),
    against: Path | None = typer.Option(None, "--against", help="Diff against this "
                                        "reference instead of the stored curves."),
    store_reference: bool = typer.Option(False, "--store-reference", help="Store the "
                                         "aggregate as the recipe's reference curves "
                                         "(needs a clean checkout)."),
    note: str = typer.Option("", "--note", help="Extra context stored with "
                             "--store-reference (the file is never edited by hand)."),
    allow_undecided: bool = ALLOW_UNDECIDED,
    configuration_from: Path | None = typer.Option(
        None, "--configuration-from", help="table2: also run the SS3 BOHB incumbent at "
        "the recipe's epochs found in this fig5 results folder."),
    configuration_space: int | None = typer.Option(
        None, "--configuration-space", help="table2 --configuration-from: the BOHB "
        "configuration space whose SS3 incumbent is taken (1, 2 or 3; default 2, whose "
        "keys the published transferred values are)."),
    time_axis: str | None = typer.Option(
        None, "--time-axis", help="fig5/14/15: parallel_workers draws the BOHB runs on "
        "their parallel workers instead of the paper's sequential sum (sequential_sum); "
        "the axis label says which."),
    smac_model: str | None = typer.Option(
        None, "--smac-model", help="blackbox, fig5/14/15: SMAC's surrogate, original "
        "(the SMAC3 0.x facade's, the recipes' paper and original value) or facade "
        "(SMAC3 2.x HPO facade defaults), in place of the recipe's; recorded in the run "
        "settings."),
    bohb_results: Path | None = typer.Option(
        None, "--bohb-results", help="fig16: the fig5 results folder whose BOHB runs are "
        "analysed, in place of the recipe's bohb_results setting or the fig5 folder of "
        "the same profile and protocol."),
    as_json: bool = AS_JSON,
) -> None:
    """Reproduce a table or figure of the paper; exit 1 when it does not match."""
    from nb1s.harness.cli.execution import prepare_execution, stop_if_interrupted
    from nb1s.harness.cli.recipe_cmd import load_recipe_choice
    from nb1s.harness.experiments import dispatch
    from nb1s.harness.experiments.kind import Request

    recipe, prof, proto = load_recipe_choice(name, profile, protocol, seeds)
    if time_axis is not None:
        dispatch.check_request_option(recipe, "time_axis", f"--time-axis applies to "
                                      f"fig5/14/15, not to {recipe.name}")
    if configuration_space is not None and configuration_from is None:
        from nb1s.harness.errors import UserError

        raise UserError("--configuration-space needs --configuration-from")
    if smac_model is not None:
        check_smac_model_option(recipe, smac_model)
    if bohb_results is not None:
        check_bohb_results_option(recipe, bohb_results)
    if not as_json:
        from nb1s.harness.cli.plan_cmd import summary_line

        line = summary_line(recipe, prof, proto)
        if line is not None:
            console.print(line, highlight=False, soft_wrap=True)
    request = Request(recipe, prof, proto,
                      dispatch.results_folder(recipe.name, profile, protocol, out),
                      execution, against=against, progress=not as_json,
                      store_reference=store_reference, note=note,
                      launch=prepare_execution,
                      options=_kind_options(configuration_from, time_axis,
                                            configuration_space, smac_model, bohb_results))
    with stopped_says_how_to_resume(), \
            _progress(not as_json, dispatch.busy_line(recipe)) as (on_start, on_done):
        result = dispatch.reproduce(request, on_start, on_done)
    document = result.to_json()
    if result.status == "interrupted":
        stop_if_interrupted(document["run"])
    emit(document, as_json, dispatch.renderer(recipe))
    code = dispatch.exit_code_for(result, allow_undecided)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("reproduce")(with_execution_options(reproduce_command))


def check_bohb_results_option(recipe: Recipe, folder: Path) -> None:
    """`--bohb-results` is for the kind that analyses BOHB runs (fig16); an existing folder
    (what it holds is checked run by run by the kind: fanova/inputs.py)."""
    from nb1s.harness.errors import UserError
    from nb1s.harness.experiments import dispatch

    dispatch.check_request_option(recipe, "bohb_results", "--bohb-results applies to "
                                  f"fig16 (the fANOVA of BOHB runs), not to {recipe.name}")
    if not folder.is_dir():
        raise UserError(f"--bohb-results {folder}: no such folder (give the results folder "
                        "of a `nb1s reproduce fig5` run)")


def check_smac_model_option(recipe: Recipe, smac_model: str) -> str:
    """`--smac-model` is for the kinds that take it (their `request_options`: the ones that
    run SMAC); a known model name there."""
    from nb1s.harness.blackbox_runs.grid import check_smac_model
    from nb1s.harness.experiments import dispatch

    dispatch.check_request_option(recipe, "smac_model", "--smac-model applies to the "
                                  "recipes that run SMAC (blackbox, fig5/14/15), not to "
                                  f"{recipe.name}")
    return check_smac_model(smac_model)


def _kind_options(configuration_from: Path | None, time_axis: str | None,
                  configuration_space: int | None = None,
                  smac_model: str | None = None,
                  bohb_results: Path | None = None) -> dict[str, Any] | None:
    """The kind-specific extras a request carries (None when there are none)."""
    options: dict[str, Any] = {}
    if bohb_results is not None:
        options["bohb_results"] = str(bohb_results)
    if smac_model is not None:
        options["smac_model"] = smac_model
    if configuration_from is not None:
        options["configuration_from"] = configuration_from
    if configuration_space is not None:
        options["configuration_space"] = configuration_space
    if time_axis is not None:
        options["time_axis"] = time_axis
    return options or None


@contextlib.contextmanager
def stopped_says_how_to_resume() -> Iterator[None]:
    """Whatever the kind, a Ctrl-C/SIGTERM ends in one line that names the command which
    resumes (the same command line: finished work is skipped), exit 130."""
    import shlex
    import sys

    from nb1s.harness.errors import RunStopped

    resume = "nb1s " + shlex.join(sys.argv[1:])
    try:
        yield
    except KeyboardInterrupt:
        raise RunStopped(f"stopped; what finished is kept; resume with: {resume}", 130,
                         "interrupted") from None
    except RunStopped as stop:
        if stop.label != "interrupted" or "resume with:" in str(stop):
            raise
        raise RunStopped(f"{stop}; resume with: {resume}", stop.exit_code,
                         stop.label) from None


@contextlib.contextmanager
def _progress(enabled: bool, busy: str | None
              ) -> Iterator[tuple[Callable[[int], None], Callable[[Any], None]]]:
    """(on_start, on_done) for a kind: a spinner with `busy` (a kind without runs), else the
    run bar of `nb1s run`, started only when runs start (nothing shows for a kind that has
    none, or off a terminal)."""
    from nb1s.harness.cli.execution import run_progress

    if enabled and busy is not None:
        if not err_console.is_terminal:  # a log gets the line the spinner would show
            console.print(f"{busy} ...", highlight=False, soft_wrap=True)
        with err_console.status(busy):
            yield _ignore_start, _ignore_done
        return
    with contextlib.ExitStack() as stack:
        bar: list[tuple[Any, Any]] = []

        def on_start(total: int) -> None:
            if enabled and not bar:
                bar.append(stack.enter_context(run_progress(True)))
            if bar and bar[0][0] is not None:
                bar[0][0](total)

        def on_done(res: Any) -> None:
            if bar and bar[0][1] is not None:
                bar[0][1](res)

        yield on_start, on_done


def _ignore_start(total: int) -> None:
    return None


def _ignore_done(res: Any) -> None:
    return None
