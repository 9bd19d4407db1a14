"""`nb1s hash`: NAS-Bench-101 hashes of JSON-lines specs, one result line per input line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import typer

from nb1s.enumerate import InvalidSpecError, hash_spec
from nb1s.harness.errors import UserError


def hash_line(line: str) -> dict[str, Any]:
    """Hash one JSON line `{"matrix": ..., "ops": ...}`; errors become `{"error": ...}`."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg}"}
    if not isinstance(record, dict) or "matrix" not in record or "ops" not in record:
        return {"error": "expected an object with 'matrix' and 'ops'"}
    try:
        hashed = hash_spec(record["matrix"], record["ops"])
    except InvalidSpecError as exc:
        return {"error": str(exc)}
    return {"hash": hashed.hash, "pruned_matrix": hashed.pruned_matrix,
            "pruned_ops": hashed.pruned_ops}


def _run(stream: TextIO) -> int:
    """Hash every line to stdout; the number of invalid lines.

    A stream tool reports a bad line in place and goes on. When every line was invalid
    (wrong file, wrong format) nothing useful came out, so that is bad input: exit 2 with
    one line on stderr, as for any other bad input.
    """
    lines = errors = 0
    first_error = ""
    for line in stream:
        if not line.strip():
            continue
        out = hash_line(line)
        lines += 1
        if "error" in out:
            errors += 1
            first_error = first_error or str(out["error"])
        sys.stdout.write(json.dumps(out) + "\n")
    if lines and errors == lines:
        sys.stdout.flush()
        raise UserError(f"none of the {lines} input line(s) is a valid spec "
                        f"(first: {first_error}); each line is JSON "
                        f'{{"matrix": [[...]], "ops": [...]}}')
    return errors


def hash_command(
    path: Path | None = typer.Argument(None, help="JSON-lines file (default: stdin)."),
    as_json: bool = typer.Option(True, "--json/--no-json",
                                 help="Output is always JSON lines; accepted for symmetry."),
) -> None:
    """NB101 hash of each spec read as JSON lines (matrix + ops), like ModelSpec."""
    del as_json
    if path is None:
        _run(sys.stdin)
        return
    if not path.is_file():
        raise UserError(f"no such file: {path}")
    with path.open(encoding="utf-8") as fh:
        _run(fh)


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_command)
