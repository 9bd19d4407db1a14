"""The human view of a fig3 reproduction: rank correlations per snapshot and budget."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from nb1s.harness.experiments.view import (
    out,
    print_labels,
    print_outcome,
    render_cannot_run,
    render_run,
)


def render_correlation(result: dict[str, Any]) -> None:
    if result["status"] == "cannot-run":
        render_cannot_run(result)
        return
    labels = result.get("labels") or []
    print_labels(labels)
    render_run(result["run"])
    budgets = sorted({int(b) for r in result["rows"] for b in r["budgets"]})
    table = Table(title="Spearman (Kendall) of supernet error vs NB101 test error")
    for col in ("method", "SS", "seed", "epoch", "archs", *(f"NB {b}" for b in budgets)):
        table.add_column(col, justify="left" if col == "method" else "right", no_wrap=True)
    for r in result["rows"]:
        cells = []
        for b in budgets:
            c = r["budgets"].get(str(b))
            cells.append("-" if c is None or c["spearman"] is None else
                         f"{c['spearman']:+.2f} ({c['kendall']:+.2f})")
        table.add_row(r["label"], str(r["space"]), str(r["seed"]), str(r["epoch"]),
                      str(r["n_architectures"]), *cells)
    out().print(table)
    print_outcome(result)
