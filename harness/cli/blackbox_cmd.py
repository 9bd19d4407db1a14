"""`nb1s blackbox OPT`: one black-box NAS optimizer on NAS-Bench-101, many seeds, resumable.

    nb1s blackbox RE --space 3 --seeds 0-499 --evaluations 280 --workers 2
    nb1s blackbox SMAC --space 3 --executor slurm --workers 64 --slurm-partition cpu

Writes `OUT/ss{N}/{OPT}/seed-{k}.npy` per seed (see `blackbox_runs/grid.py`);
finished seeds are skipped, so re-running the same command resumes. `--executor slurm`
submits the pending seeds as one submitit job array (`blackbox_runs/cluster.py`)
and waits for it. The recipe-level run of all optimizers, spaces, plots and the diff is
`nb1s reproduce blackbox`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from nb1s.harness.cli.options import EXECUTION
from nb1s.harness.cli.output import console, emit
from nb1s.harness.errors import UserError
from nb1s.harness.execution.options import ExecutionOptions

DEFAULT_OUT = Path("results") / "blackbox"
#: the shared executor options this command honours, declared once in cli/options.py
_OPTION = {row.field: row.option for row in EXECUTION}


def _render(result: dict[str, Any]) -> None:
    tag = " [SYNTHETIC NB101 data]" if result["synthetic"] else ""
    console.print(f"{result['optimizer']} on space {result['space']}{tag}: "
                  f"{result['ran']} seeds run, {result['skipped']} already finished, "
                  f"{result['evaluations']} evaluations each, repeat policy "
                  f"{result['repeat_policy']}"
                  + (f", SMAC model {result['smac_model']}" if result.get("smac_model") else "")
                  + f", {result['seconds']} s")
    for line in result.get("damaged", []):
        console.print(f"  [yellow]damaged seed file run again[/]: {line}")
    if "slurm" in result:
        array = result["slurm"]
        ids = ", ".join(array["array_ids"]) or "none (nothing left to run)"
        console.print(f"  Slurm: {array['submitted_seeds']} seeds in "
                      f"{array['submitted_tasks']} array tasks (array {ids}); "
                      f"logs: {array['folder']}")
    console.print(f"  records: {result['folder']}/seed-*.npy")


def optimizer_names() -> str:
    """The registered black-box optimizers as an English list, for the help text (read
    from the registry, so a registered one is listed and no list here goes stale)."""
    from nb1s.optimizers.discrete import BLACKBOX_OPTIMIZERS

    *head, last = BLACKBOX_OPTIMIZERS
    return f"{', '.join(head)} or {last}" if head else last


def blackbox_command(
    optimizer: str = typer.Argument(..., help=f"{optimizer_names()}."),
    space: int = typer.Option(..., "--space", help="Search space 1, 2 or 3."),
    seeds: str = typer.Option("0-499", "--seeds", help="Seeds, e.g. 0-499 or 0,3,5-9."),
    evaluations: int = typer.Option(280, "--evaluations", help="Evaluations per seed "
                                    "(HB/BOHB: this many x 108 epochs of budget)."),
    out: str = typer.Option(str(DEFAULT_OUT), "--out", help="Results folder "
                            "(OUT/ss{N}/{OPT}/seed-{k}.npy)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="NB101 index folder "
                                         "(HB/BOHB need the four-budget full file)."),
    repeat_policy: str = typer.Option("one_random_repeat", "--repeat-policy",
                                      help="one_random_repeat (the original's) or "
                                      "mean_of_repeats (the paper's text)."),
    smac_model: str = typer.Option("original", "--smac-model",
                                   help="SMAC's surrogate: original (the SMAC3 0.x "
                                   "facade's, the recipe's paper and original value) or "
                                   "facade (SMAC3 2.x HPO facade defaults); SMAC only."),
    workers: int | None = typer.Option(None, "--workers", help="Parallel local worker "
                                       "processes (default 1); with --executor slurm, "
                                       "array tasks at a time (default 64)."),
    executor: str = typer.Option("local", "--executor", help="local (worker processes) "
                                 "or slurm (one submitit job array)."),
    slurm_partition: str | None = _OPTION["slurm_partition"],
    slurm_cluster: str | None = _OPTION["slurm_cluster"],
    timeout_min: int = _OPTION["timeout_min"],
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Run one black-box NAS optimizer over many seeds (resumable per seed)."""
    from nb1s.harness.blackbox_runs.grid import check_optimizer, check_smac_model
    from nb1s.harness.guards.folder_lock import folder_lock
    from nb1s.harness.guards.out_folder import check_out

    optimizer = check_optimizer(optimizer)  # canonical spelling: `rs` runs RS
    check_smac_model(smac_model)
    if workers is not None and workers < 1:
        raise UserError(f"--workers must be at least 1 (got {workers})")
    seed_list = checked_seeds(optimizer, space, seeds, evaluations, Path(out), workers)
    execution = ExecutionOptions(executor=executor, workers=workers,
                                 slurm_partition=slurm_partition,
                                 slurm_cluster=slurm_cluster, timeout_min=timeout_min,
                                 data_dir=data_dir)
    check_out(Path(out), "results", out)
    with folder_lock(Path(out), f"nb1s blackbox {optimizer} --space {space}"):
        result = run_command(optimizer, space, seed_list, evaluations, Path(out),
                             data_dir, repeat_policy, workers, execution, as_json,
                             smac_model)
    emit(result, as_json, _render)


def register(app: typer.Typer) -> None:
    app.command("blackbox")(blackbox_command)


def checked_seeds(optimizer: str, space: int, seeds: str, evaluations: int, out: Path,
                  workers: int | None) -> list[int]:
    """The seeds, once the optimizer, space and the grid's size are known to be sane:
    a grid larger than this machine is refused with its estimate before anything is
    allocated or written (blackbox_runs/budget.py)."""
    from nb1s.harness.blackbox_runs.budget import check_fits, estimate
    from nb1s.harness.blackbox_runs.grid import (
        check_optimizer,
        check_space,
        count_seeds,
        parse_seeds,
    )

    check_optimizer(optimizer)
    check_space(space)
    if evaluations < 1:
        raise UserError(f"--evaluations must be at least 1 (got {evaluations})")
    check_fits(estimate([(optimizer, evaluations)], count_seeds(seeds), workers or 1), out)
    return parse_seeds(seeds)


def run_command(optimizer: str, space: int, seeds: list[int], evaluations: int, out: Path,
                data_dir: Path | None, repeat_policy: str, workers: int | None,
                execution: ExecutionOptions, as_json: bool,
                smac_model: str = "original") -> dict[str, Any]:
    """The grid behind a progress bar; Ctrl-C/SIGTERM stops it and says how to resume."""
    from nb1s.harness.blackbox_runs.grid import run_blackbox_grid
    from nb1s.harness.cli.output import progress_bar
    from nb1s.harness.executors.task_map import runs_arrays

    where = " (Slurm array)" if runs_arrays(execution.executor) else ""
    state = {"done": 0, "total": 0}
    try:
        with progress_bar(f"{optimizer} space {space}{where}", not as_json) as bar:

            def on_start(total: int) -> None:
                state["total"] = total
                if bar is not None:
                    bar.set_counts(0, total)

            def on_seeds(_settings: Any, done: list[int]) -> None:
                state["done"] += len(done)
                if bar is not None:
                    bar.set_counts(state["done"], state["total"])

            return run_blackbox_grid(optimizer, space, seeds, evaluations, out,
                                     data_dir=data_dir, policy=repeat_policy,
                                     workers=workers or 1, on_start=on_start,
                                     on_seeds=on_seeds, execution=execution,
                                     smac_model=smac_model)
    except KeyboardInterrupt:
        import shlex
        import sys

        from nb1s.harness.errors import RunStopped

        resume = "nb1s " + shlex.join(sys.argv[1:])
        raise RunStopped(f"stopped: {state['done']} of {state['total']} pending seeds of "
                         f"{optimizer} on space {space} finished and kept in {out}; resume "
                         f"with: {resume}", 130, "interrupted") from None
