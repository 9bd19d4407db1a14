"""`nb1s data import|info|synth`: install, inspect and fabricate NAS-Bench-101 data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from nb1s.harness.cli.output import console, emit, progress_bar
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.paths import resolve_data_dir


def parse_spaces(text: str | None) -> list[int]:
    """'1,3' -> [1, 3]; the spaces themselves are checked by the enumerator."""
    if not text:
        return []
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UserError(f"--spaces takes comma-separated numbers, got {text!r}") from None


def space_minimum_report(data_dir: Path | None, space: int, budget: int) -> dict[str, Any]:
    """Minimum errors from the index both ways, beside the original code's constants."""
    from nb1s.harness.nb101.store import open_store
    from nb1s.harness.references import paper

    store = open_store(data_dir)
    computed = store.space_minimum(space, budget)
    constants = paper()["regret_constants"]
    published = {"test_min_error": float(constants["test_min_error"][space]),
                 "valid_min_error": float(constants["valid_min_error"][space])}
    return {"space": space, "budget": budget, "synthetic": store.synthetic,
            "computed": computed, "original_code_constants": published,
            "constants_source": constants["source"]}


def _render_import(result: dict[str, Any]) -> None:
    tag = " [bold yellow](SYNTHETIC data)[/]" if result["synthetic"] else ""
    console.print(f"imported {result['records']:,} records of {result['models']:,} models, "
                  f"budgets {result['budgets']} into {result['directory']}{tag}")
    console.print(f"source {result['source']['name']} ({result['source']['size']:,} bytes, "
                  f"sha256 {result['source']['sha256']})")


def _render_info(result: dict[str, Any]) -> None:
    # No borders and no outer padding: "official file" + a 64-digit sha256 fit in 80
    # columns; narrower, the values fold onto the next line rather than lose characters.
    table = Table(title=f"NAS-Bench-101 index: {result['directory']}", show_header=False,
                  box=None, pad_edge=False, padding=(0, 2, 0, 0), title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    prov = result["provenance"]
    rows = [
        ("synthetic", "[bold yellow]YES: invented numbers, not NAS-Bench-101[/]"
         if prov["synthetic"] else "no"),
        ("source", f"{prov['source']['name']} ({prov['source']['size']:,} bytes)"),
        ("sha256", str(prov["source"]["sha256"])),
        ("official file", str(prov.get("official_file"))),
        ("models", f"{prov['models']:,}"),
        ("records", f"{prov['records']:,}"),
        ("budgets", ", ".join(map(str, prov["budgets"]))),
        ("imported", f"{prov['imported_at']} by nb1s {prov['nb1s_version']}"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)
    minimum = result.get("space_minimum")
    if minimum:
        t = Table(title=f"space {minimum['space']}: minimum error at {minimum['budget']} epochs"
                  + (" (SYNTHETIC)" if minimum["synthetic"] else ""))
        for col in ("", "min of means", "min single repeat", "original code constant"):
            t.add_column(col)
        c, k = minimum["computed"], minimum["original_code_constants"]
        t.add_row("test", f"{c['test_min_of_means']:.6f}", f"{c['test_min_single_repeat']:.6f}",
                  f"{k['test_min_error']:.6f}")
        t.add_row("validation", f"{c['valid_min_of_means']:.6f}",
                  f"{c['valid_min_single_repeat']:.6f}", f"{k['valid_min_error']:.6f}")
        console.print(t)
        console.print(f"constants: {minimum['constants_source']}")


def _render_synth(result: dict[str, Any]) -> None:
    console.print(f"wrote {result['records']:,} SYNTHETIC records ({result['models']:,} models, "
                  f"budgets {result['budgets']}, seed {result['seed']}) to {result['path']}")


def import_command(
    path: Path = typer.Argument(..., help="nasbench_only108.tfrecord or "
                                "nasbench_full.tfrecord."),
    into: Path | None = typer.Option(None, "--into", help="Index directory "
                                     "(default: $NB1S_DATA_DIR or ~/.local/share/nb1s/nb101)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Verify and import a NAS-Bench-101 tfrecord into the memory-mapped index."""
    from nb1s.harness.nb101.importer import import_tfrecord

    directory = resolve_data_dir(into)
    with progress_bar(f"importing {path.name}", not as_json, counter="bytes") as bar:
        provenance = import_tfrecord(path, directory,
                                     progress=None if bar is None else bar.set_counts)
    emit({"directory": str(directory), **provenance}, as_json, _render_import)


def info_command(
    space: int | None = typer.Option(None, "--space", help="Also compute this space's "
                                     "minimum errors (1, 2 or 3)."),
    budget: int = typer.Option(108, "--budget", help="Epoch budget for --space."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Index directory."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """What is installed (provenance); with --space, minimum errors vs the constants."""
    from nb1s.harness.nb101.store import open_store

    store = open_store(data_dir)
    result: dict[str, Any] = {"directory": str(store.directory),
                              "provenance": store.provenance}
    if space is not None:
        result["space_minimum"] = space_minimum_report(data_dir, space, budget)
    emit(result, as_json, _render_info)


def synth_command(
    out: Path = typer.Option(..., "--out", help="tfrecord file to write."),
    full: bool = typer.Option(False, "--full", help="Budgets 4/12/36/108 (default 108)."),
    models: int | None = typer.Option(None, "--models", min=1, help="Only the first N "
                                      "unique graphs (default: all 423,624)."),
    spaces: str | None = typer.Option(None, "--spaces", help="Also include every graph of "
                                      "these search spaces, e.g. '1' or '1,2'."),
    seed: int = typer.Option(0, "--seed", help="Seed of the invented metrics."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write a SYNTHETIC NAS-Bench-101 file in the official format (invented numbers)."""
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    if out.is_dir():
        raise UserError(f"--out {out} is a folder; name the .tfrecord file to write")
    with progress_bar("synthesizing models", not as_json) as bar:
        result = write_synthetic_tfrecord(out, models=models, seed=seed, full=full,
                                          spaces=parse_spaces(spaces),
                                          progress=None if bar is None else bar.set_counts)
    emit(result, as_json, _render_synth)


def register(app: typer.Typer) -> None:
    data = typer.Typer(help="NAS-Bench-101 data: import the official file, inspect, synthesize.",
                       no_args_is_help=True)
    app.add_typer(data, name="data")

    data.command("import")(import_command)
    data.command("info")(info_command)
    data.command("synth")(synth_command)
