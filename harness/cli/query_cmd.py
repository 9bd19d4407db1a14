"""`nb1s query`: every repeat and the mean of one NAS-Bench-101 model.

The model is named by a spec (`--matrix` + `--ops`), by a search-space config
(`--space N --config ID`, the enumerator's encoding) or by its `--hash`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from nb1s.harness.cli.output import console, emit
from nb1s.harness.errors import UserError

#: Short op names accepted on the command line besides NB101's full names.
OP_ALIASES = {"conv3x3": "conv3x3-bn-relu", "conv1x1": "conv1x1-bn-relu",
              "maxpool": "maxpool3x3"}
SHOWN = ("test_accuracy", "validation_accuracy", "train_accuracy", "training_time")


def resolve_hash(matrix: str | None, ops: str | None, space: int | None, config: int | None,
                 module_hash: str | None) -> tuple[str, dict[str, Any]]:
    """The NB101 hash the options name, and how it was named (for the output)."""
    from nb1s.enumerate import decode, get_space, hash_spec
    from nb1s.enumerate.encoding import to_nb101_spec

    modes = [matrix is not None or ops is not None, space is not None or config is not None,
             module_hash is not None]
    if sum(modes) != 1:
        raise UserError("name the model one way: --matrix with --ops, --space with --config, "
                        "or --hash")
    if module_hash is not None:
        return module_hash.strip().lower(), {"hash": module_hash}
    if space is not None or config is not None:
        if space is None or config is None:
            raise UserError("--space and --config go together")
        sp = get_space(space)
        m, o = to_nb101_spec(sp, decode(sp, config))
        return hash_spec(m, o).hash, {"space": sp.number, "config": config}
    if matrix is None or ops is None:
        raise UserError("--matrix and --ops go together")
    try:
        parsed = json.loads(matrix)
    except json.JSONDecodeError as exc:
        raise UserError(f"--matrix is not JSON: {exc.msg}") from None
    op_list = [OP_ALIASES.get(op.strip(), op.strip()) for op in ops.split(",")]
    return hash_spec(parsed, op_list).hash, {"matrix": parsed, "ops": op_list}


def query_model(data_dir: Path | None, module_hash: str, budget: int) -> dict[str, Any]:
    """Fixed data, the repeats at `budget` and their means, as plain JSON values."""
    from nb1s.harness.nb101.store import open_store

    store = open_store(data_dir)
    store.check_budget(budget)
    try:
        row = store.row_of(module_hash)
    except KeyError:
        raise UserError(f"model {module_hash} is not in the index at {store.directory}") from None
    fixed = store.fixed(row)
    repeats = store.computed(row).get(budget, [])
    mean = ({key: sum(r[key] for r in repeats) / len(repeats) for key in repeats[0]}
            if repeats else {})
    return {
        "hash": module_hash,
        "budget": budget,
        "synthetic": store.synthetic,
        "module_adjacency": fixed["module_adjacency"].tolist(),
        "module_operations": fixed["module_operations"],
        "trainable_parameters": fixed["trainable_parameters"],
        "repeats": repeats,
        "mean": mean,
    }


def _render(result: dict[str, Any]) -> None:
    tag = "  [bold yellow]SYNTHETIC data[/]" if result["synthetic"] else ""
    console.print(f"[bold]{result['hash']}[/]  {result['trainable_parameters']:,} parameters, "
                  f"{result['budget']} epochs{tag}")
    console.print("ops: " + ", ".join(result["module_operations"]))
    console.print("adjacency: " + json.dumps(result["module_adjacency"]))
    table = Table()
    table.add_column("metric")
    columns = [(f"repeat {i}", r) for i, r in enumerate(result["repeats"])]
    if result["mean"]:
        columns.append(("mean", result["mean"]))
    for label, _ in columns:
        table.add_column(label, justify="right")
    for stage in ("final", "halfway"):
        for key in SHOWN:
            name = f"{stage}_{key}"
            fmt = "{:.1f}" if key == "training_time" else "{:.5f}"
            table.add_row(name, *(fmt.format(values[name]) for _, values in columns))
    console.print(table)


def query_command(
    matrix: str | None = typer.Option(None, "--matrix", help="Adjacency matrix as JSON."),
    ops: str | None = typer.Option(None, "--ops", help="Comma-separated ops incl. input, "
                                   "output (conv3x3, conv1x1, maxpool accepted)."),
    space: int | None = typer.Option(None, "--space", help="Search space (1, 2, 3)."),
    config: int | None = typer.Option(None, "--config", help="Config id in --space."),
    module_hash: str | None = typer.Option(None, "--hash", help="NB101 model hash."),
    budget: int = typer.Option(108, "--epochs", "--budget",
                               help="Epoch budget (4, 12, 36 or 108 in the full file), "
                                    "as Google's API calls it; --budget is an alias."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Index directory."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Look one model up: every training repeat and the mean."""
    module, named_by = resolve_hash(matrix, ops, space, config, module_hash)
    result = query_model(data_dir, module, budget)
    emit({"query": named_by, **result}, as_json, _render)


def register(app: typer.Typer) -> None:
    app.command("query")(query_command)
