"""`nb1s reference export|import`: share reference curves between labs (docs/verdicts.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from nb1s.harness.cli.options import AS_JSON
from nb1s.harness.cli.output import console, emit


def _render(result: dict[str, Any]) -> None:
    where = result.get("installed") or result.get("file")
    verb = "unchanged" if result.get("unchanged") else ("installed" if "installed" in result
                                                         else "exported")
    rec = result["recipe"]
    console.print(f"{verb}: {where}")
    console.print(f"{rec['name']} v{rec['version']} ({rec['profile']}, {rec['protocol']}) on "
                  f"{result.get('device') or 'unknown device'}, nb1s {result.get('nb1s_version')}"
                  f" at {result.get('git_hash')}, torch {result.get('torch_version')}, CUDA "
                  f"{result.get('cuda_version')}; labels: "
                  f"{', '.join(result.get('labels') or []) or 'none'}")


def export_command(
    results: Path = typer.Argument(..., help="A complete results folder (run/reproduce)."),
    out: Path = typer.Option(..., "--out", help="The reference file to write (.json)."),
    note: str = typer.Option("", "--note", help="Extra context stored in the file."),
    as_json: bool = AS_JSON,
) -> None:
    """Write a results folder's curves as a reference file with its provenance."""
    from nb1s.harness.experiments.search_curves.reference_share import export_reference

    emit(export_reference(results, out, note), as_json, _render)


def import_command(
    path: Path = typer.Argument(..., help="A file written by `nb1s reference export`."),
    force: bool = typer.Option(False, "--force", help="Replace another imported "
                               "reference of the same recipe, profile and protocol."),
    as_json: bool = AS_JSON,
) -> None:
    """Install a reference file for diff, reproduce and check ($NB1S_REFERENCES)."""
    from nb1s.harness.experiments.search_curves.reference_share import import_reference

    emit(import_reference(path, force), as_json, _render)


def register(app: typer.Typer) -> None:
    ref = typer.Typer(help="Reference curves as shareable files (export a run, import one).",
                      no_args_is_help=True)
    app.add_typer(ref, name="reference")

    ref.command("export")(export_command)
    ref.command("import")(import_command)
