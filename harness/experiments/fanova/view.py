"""How a `fanova` result (fig16) is shown to people (the CLI prints `--json` itself)."""

from __future__ import annotations

from typing import Any


def render_fanova(result: dict[str, Any]) -> None:
    """Importances per space and budget, then the verdict line (or the diff rows)."""
    from rich.markup import escape
    from rich.table import Table

    from nb1s.harness.experiments.view import (
        out,
        print_labels,
        print_outcome,
        render_cannot_run,
    )

    console = out()
    if "rows" in result:  # a diff document
        for r in result["rows"]:
            console.print(f"{escape(r['group'])}: {escape(str(r['result_mean']))} "
                          f"vs {escape(str(r['reference_mean']))} -> "
                          f"{escape(r.get('outcome') or ('pass' if r['pass'] else 'fail'))}")
        console.print(escape(result["verdict"]["line"]))
        return
    if result["status"] == "cannot-run":
        render_cannot_run(result)
        return
    print_labels(result["labels"])
    from nb1s.harness.experiments.fanova.space import SYMBOLS

    table = Table(title="fANOVA individual importance (%)")
    names = result["source"]["hyperparameters"]
    pair = " x ".join(SYMBOLS[p] for p in result["pair"])
    for col in ("space", "budget", "evals", *(SYMBOLS[n] for n in names), pair,
                "incumbent", "status"):
        table.add_column(col, justify="left" if col == "status" else "right")
    for row in result["spaces"]:
        shares = row.get("importance") or {}
        table.add_row(str(row["space"]), f"{row['budget']:g}", str(row["evaluations"]),
                      *(f"{100 * shares[n]:.1f}" if n in shares else "-" for n in names),
                      "-" if row.get("pair") is None else f"{100 * row['pair']:.1f}",
                      "-" if row.get("incumbent") is None else f"{row['incumbent']:.4f}",
                      row["status"])
    console.print(table)
    print_outcome(result, (f"summary: {result['summary']}",))
