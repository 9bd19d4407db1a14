"""The human view of a fig17 reproduction: 1 - Spearman per (cells, channels) and epoch."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from nb1s.harness.experiments.view import (
    fmt,
    out,
    print_labels,
    print_outcome,
    render_cannot_run,
    render_run,
)


def render_proxy(result: dict[str, Any]) -> None:
    if result["status"] == "cannot-run":
        render_cannot_run(result)
        return
    print_labels(result.get("labels") or [])
    render_run(result["run"])
    epochs = sorted({r["epoch"] for g in result["groups"] for r in g["epochs"]})
    table = Table(title="1 - Spearman(proxy valid error, NB101 valid regret)")
    for col in ("proxy", "archs", *(f"ep {e}" for e in epochs)):
        table.add_column(col, justify="left" if col == "proxy" else "right", no_wrap=True)
    for g in result["groups"]:
        by = {r["epoch"]: r["one_minus_spearman"] for r in g["epochs"]}
        table.add_row(g["label"], str(len(g["architectures"])),
                      *(fmt(by.get(e), ".3f") for e in epochs))
    out().print(table)
    print_outcome(result)
