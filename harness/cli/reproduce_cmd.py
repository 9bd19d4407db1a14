"""`nb1s reproduce NAME`: regenerate one paper artefact and compare it with the paper."""

from __future__ import annotations

import typer

from ..errors import UserError
from ..table1_report import reproduce_table1
from .output import emit
from .table1_view import render_table1


def register(app: typer.Typer) -> None:
    @app.command("reproduce")
    def reproduce_command(
        name: str = typer.Argument(..., help="What to reproduce: table1 (more with the recipes)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    ) -> None:
        """Reproduce a table or figure of the paper; exit 1 when it does not match."""
        if name != "table1":
            raise UserError(f"unknown reproduction {name!r}: available: table1")
        result = reproduce_table1()
        emit(result, as_json, render_table1)
        if not result["ok"]:
            raise typer.Exit(1)
