"""`nb1s search OPTIMIZER ...` (one-shot search with NB101 tracking) and `nb1s cifar digits`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from nb1s.harness.cli.output import console, emit, progress_bar
from nb1s.harness.errors import RunStopped, UserError
from nb1s.optimizers.builtin import names_phrase


@contextlib.contextmanager
def epoch_bar(description: str, enabled: bool
              ) -> Iterator[Callable[[int, int, dict[str, Any]], None] | None]:
    """Per-epoch progress on stderr showing the latest test regret (None: no bar)."""
    with progress_bar(description, enabled, status=True, elapsed=True) as bar:
        if bar is None:
            yield None
            return

        def update(epoch: int, total: int, record: dict[str, Any]) -> None:
            status = f"test regret {record['test_regret']:.4f}"
            if record.get("oneshot_valid_error") is not None:
                status += f"  one-shot valid err {record['oneshot_valid_error']:.3f}"
            bar.update(completed=epoch, total=total, status=status)

        yield update


def resume_command() -> str:
    """This invocation as a command to paste, with `--resume` added when it was missing."""
    import shlex
    import sys

    args = list(sys.argv[1:])
    if "--resume" not in args and args and args[0] == "search":
        args.append("--resume")
    return "nb1s " + shlex.join(args)


def _render_search(result: dict[str, Any]) -> None:
    final = result["final"]
    synthetic = result["synthetic"]
    tags = []
    if synthetic["nb101"]:
        tags.append("SYNTHETIC NAS-Bench-101")
    if synthetic["images"] != "cifar10":
        tags.append(f"images: {synthetic['images']} (not CIFAR-10)")
    table = Table(title=f"{result['optimizer']} on space {result['space']}, seed "
                  f"{result['seed']}: {result['status']}", show_header=False)
    rows = [("run directory", result["out"]), ("epochs recorded", str(result["records"])),
            ("final config id", str(final["config_id"])), ("NB101 hash", str(final["nb101_hash"])),
            ("test error (mean of 3)", f"{final['test_error_mean']:.4f}"),
            ("test regret", f"{final['test_regret']:.4f}"),
            ("validation regret", f"{final['valid_regret']:.4f}")]
    if final.get("oneshot_valid_error") is not None:
        rows.append(("one-shot valid error", f"{final['oneshot_valid_error']:.4f}"))
    if tags:
        rows.append(("data", "[bold yellow]" + "; ".join(tags) + "[/]"))
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


def _render_digits(result: dict[str, Any]) -> None:
    console.print(f"wrote {result['train_images']} training + {result['test_images']} test "
                  f"digit images in CIFAR-10 batch format to {result['path']} "
                  "[bold yellow](digits, not CIFAR-10)[/]")


def search_command(
    optimizer: str = typer.Argument(
        ..., help=f"{names_phrase()}."),
    space: int = typer.Option(..., "--space", help="Search space 1, 2 or 3."),
    out: Path = typer.Option(..., "--out", help="Run directory to write."),
    epochs: int | None = typer.Option(None, "--epochs", min=1,
                                      help="Search epochs (default: the method's)."),
    seed: int = typer.Option(0, "--seed", help="Seed of weights, data order, sampling."),
    overrides: list[str] = typer.Option([], "--set", help="key=value: a hyperparameter, "
                                        "an option (paper/original switch), "
                                        "preset=paper|original, or a tracking key "
                                        "(regret_reference=..., snapshot_epochs=5,15)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="NB101 index directory "
                                         "(default: $NB1S_DATA_DIR or the user data dir)."),
    cifar_dir: Path | None = typer.Option(None, "--cifar-dir", help="cifar-10-batches-py "
                                          "folder (default: $NB1S_CIFAR_DIR)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out from "
                                "its last finished epoch."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda or cuda:N."),
    recipe_meta: str | None = typer.Option(None, "--recipe-meta", help="JSON {name, "
                                           "version, profile, protocol} of the recipe "
                                           "that started this run (set by `nb1s run`); "
                                           "recorded in run.json."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """One-shot search with the discrete architecture looked up in NB101 every epoch."""
    from nb1s.harness.recipe.identity import parse_recipe_meta
    from nb1s.harness.search.runner import SearchRequest, run_search

    recipe = parse_recipe_meta(recipe_meta) if recipe_meta is not None else None
    request = SearchRequest(optimizer=optimizer, space=space, out=out, seed=seed,
                            epochs=epochs, overrides=list(overrides), data_dir=data_dir,
                            cifar_dir=cifar_dir, resume=resume, device=device,
                            recipe=recipe)
    try:
        with epoch_bar(f"{optimizer} space {space}", not as_json) as update:
            result = run_search(request, progress=update)
    except RunStopped as exc:
        if exc.label == "interrupted":
            raise RunStopped(f"{exc}: {resume_command()}", exc.exit_code, exc.label) \
                from None
        raise
    emit(result, as_json, _render_search)


def digits_command(
    out: Path = typer.Option(..., "--out", help="Folder to write (CIFAR-10 batch files)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the train/test shuffle."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write scikit-learn's handwritten digits in CIFAR-10's python batch format."""
    from nb1s.harness.guards.out_folder import check_out
    from nb1s.harness.images.digits import write_digits

    check_out(out, "data")
    if out.exists() and any(out.iterdir()) and not (out / "nb1s_dataset.json").is_file():
        raise UserError(f"{out} exists and is not a digits folder; choose another --out")
    emit(write_digits(out, seed), as_json, _render_digits)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)

    cifar = typer.Typer(help="CIFAR-10 helpers: a small real-format stand-in dataset.",
                        no_args_is_help=True)
    app.add_typer(cifar, name="cifar")

    cifar.command("digits")(digits_command)
