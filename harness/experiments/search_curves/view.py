"""The human view of a search-curves reproduction (fig2/4/7/8/9, table2)."""

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


def render_finals(finals: list[dict[str, Any]], labels: list[str]) -> None:
    """Final test regret and one-shot validation error per variant and space."""
    if not finals:
        return
    tag = f" [bold yellow]({', '.join(labels)})[/]" if labels else ""
    table = Table(title=f"final values, mean ± std over seeds{tag}")
    for col in ("variant", "space", "n", "test regret", "one-shot valid error"):
        table.add_column(col, justify="right" if col != "variant" else "left")
    for r in finals:
        table.add_row(r["label"], str(r["space"]), str(r["n"]),
                      f"{fmt(r['test_regret_mean'])} ± {fmt(r['test_regret_std'])}",
                      f"{fmt(r['oneshot_valid_error_mean'])} ± "
                      f"{fmt(r['oneshot_valid_error_std'])}")
    out().print(table)


def render_reproduce(result: dict[str, Any]) -> None:
    """Labels, runs, final values, plots and the verdict (or what blocks the recipe)."""
    if result["status"] == "cannot-run":
        render_cannot_run(result)
        return
    labels = result.get("labels") or []
    print_labels(labels)
    render_run(result["run"])
    render_finals(result["finals"], labels)
    print_outcome(result)
