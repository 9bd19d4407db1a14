"""`nb1s blackbox OPT`: one black-box NAS optimizer on NAS-Bench-101, many seeds, resumable.

    nb1s blackbox RE --space 3 --seeds 0-499 --evaluations 280 --workers 2

Writes `OUT/ss{N}/{OPT}/seed-{k}.npy` per seed (see `experiments/blackbox/grid.py`);
finished seeds are skipped, so re-running the same command resumes. The recipe-level run
of all optimizers, spaces, plots and the diff is `nb1s reproduce blackbox`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from nb1s.harness.cli.output import console, emit
from nb1s.harness.errors import UserError

DEFAULT_OUT = Path("results") / "blackbox"


def _render(result: dict[str, Any]) -> None:
    tag = " [SYNTHETIC NB101 data]" if result["synthetic"] else ""
    console.print(f"{result['optimizer']} on space {result['space']}{tag}: "
                  f"{result['ran']} seeds run, {result['skipped']} already finished, "
                  f"{result['evaluations']} evaluations each, repeat policy "
                  f"{result['repeat_policy']}, {result['seconds']} s")
    console.print(f"  records: {result['folder']}/seed-*.npy")


def register(app: typer.Typer) -> None:
    @app.command("blackbox")
    def blackbox_command(
        optimizer: str = typer.Argument(..., help="RS, RE, RL, TPE, SMAC, HB or BOHB."),
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
        workers: int = typer.Option(1, "--workers", help="Parallel local worker processes."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Run one black-box NAS optimizer over many seeds (resumable per seed)."""
        from nb1s.harness.cli.output import progress_bar
        from nb1s.harness.experiments.blackbox.grid import (
            check_optimizer,
            check_space,
            parse_seeds,
            run_blackbox_grid,
        )
        from nb1s.harness.guards.out_folder import check_out

        check_optimizer(optimizer)
        check_space(space)
        seed_list = parse_seeds(seeds)
        if workers < 1:
            raise UserError(f"--workers must be at least 1 (got {workers})")
        check_out(Path(out), "results", out)
        with progress_bar(f"{optimizer} space {space}", not as_json) as bar:
            state = {"done": 0, "total": 0}

            def on_start(total: int) -> None:
                state["total"] = total
                if bar is not None:
                    bar.set_counts(0, total)

            def on_seeds(_settings: Any, done: list[int]) -> None:
                state["done"] += len(done)
                if bar is not None:
                    bar.set_counts(state["done"], state["total"])

            result = run_blackbox_grid(optimizer, space, seed_list, evaluations, Path(out),
                                       data_dir=data_dir, policy=repeat_policy,
                                       workers=workers, on_start=on_start, on_seeds=on_seeds)
        emit(result, as_json, _render)
