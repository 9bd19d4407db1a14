"""`nb1s enumerate`: count a search space (Table 1 rules) or the whole NAS-Bench-101 space."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import typer
from rich.table import Table

from nb1s.harness.cli.output import console, emit
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.table1.reproduce import reproduce_table1
from nb1s.harness.experiments.table1.view import render_table1


def _nb101(as_json: bool) -> None:
    from nb1s.enumerate import enumerate_nb101_space
    from nb1s.harness.references import paper

    started = time.perf_counter()
    with console.status("enumerating every NAS-Bench-101 graph (<= 7 vertices, <= 9 edges)",
                        spinner="dots") if not as_json else contextlib.nullcontext():
        space = enumerate_nb101_space()
    result: dict[str, Any] = {
        "unique_nb101": space.unique_nb101,
        "labeled_graphs": space.labelled_graphs,
        "per_vertices": {
            str(v): {"unique_nb101": space.unique_per_vertices[v],
                     "labeled_graphs": space.labelled_per_vertices[v]}
            for v in sorted(space.unique_per_vertices)
        },
        "paper": {"unique_nb101": paper()["nb101"]["unique_graphs"]},
        "seconds": round(time.perf_counter() - started, 3),
    }
    result["matches_paper"] = result["unique_nb101"] == result["paper"]["unique_nb101"]

    def render(r: dict[str, Any]) -> None:
        table = Table(title="NAS-Bench-101 space (Google's generator, hashed)")
        table.add_column("vertices", justify="right")
        table.add_column("labelled graphs", justify="right")
        table.add_column("new unique graphs", justify="right")
        for v, row in r["per_vertices"].items():
            table.add_row(v, f"{row['labeled_graphs']:,}", f"{row['unique_nb101']:,}")
        mark = "[green]✓[/]" if r["matches_paper"] else "[red]✗[/]"
        table.add_row("total", f"{r['labeled_graphs']:,}", f"{r['unique_nb101']:,}",
                      style="bold")
        console.print(table)
        console.print(f"unique graphs {r['unique_nb101']:,} vs NAS-Bench-101 paper "
                      f"{r['paper']['unique_nb101']:,} {mark}  ({r['seconds']} s)")

    emit(result, as_json, render)
    if not result["matches_paper"]:
        raise typer.Exit(1)


def enumerate_command(
    space: str = typer.Option("all", "--space", "-s",
                              help="1, 2, 3, all, or nb101 (the whole NAS-Bench-101 space)"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Enumerate a search space and count it under every Table 1 rule."""
    if space == "nb101":
        _nb101(as_json)
        return
    if space == "all":
        spaces = [1, 2, 3]
    elif space in ("1", "2", "3"):
        spaces = [int(space)]
    else:
        raise UserError(f"unknown --space {space!r}: choose 1, 2, 3, all or nb101")
    result = reproduce_table1(spaces)
    emit(result, as_json, render_table1)


def register(app: typer.Typer) -> None:
    app.command("enumerate")(enumerate_command)
