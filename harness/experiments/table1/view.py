"""Rich rendering of a Table 1 reproduction result (see `report.reproduce_table1`)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from nb1s.harness.experiments.view import out

_ROW_LABELS = {
    "with_loose_ends": "w/ loose ends",
    "without_loose_ends": "w/o loose ends",
    "without_isomorphism": "w/o isomorphism",
}


def _table(result: dict[str, Any], spaces: list[str], paper_columns: bool) -> Table:
    """Table 1 with a paper column per space, or (narrow consoles) one column per space
    whose cell names the paper's number only where it differs from ours."""
    table = Table(title="NAS-Bench-1Shot1 Table 1, derived by enumeration",
                  caption=None if paper_columns else
                  "ours: ✓ equals the paper's count; ≠ N: the paper prints N")
    table.add_column("row", no_wrap=True)
    for n in spaces:
        if paper_columns:
            table.add_column(f"SS{n} ours", justify="right", no_wrap=True)
            table.add_column(f"SS{n} paper", justify="right", no_wrap=True)
        else:
            table.add_column(f"SS{n}", justify="right", no_wrap=True)
    blank = [""] if paper_columns else []
    for label, key in (("configurations", "configurations"),
                       ("pruned topologies", "pruned_topologies")):
        cells = []
        for n in spaces:
            cells += [f"{result[n][key]:,}", *blank]
        table.add_row(label, *cells)
    by_row: dict[str, dict[str, dict[str, Any]]] = {}
    for check in result["checks"]:
        by_row.setdefault(check["row"], {})[str(check["space"])] = check
    for row, per_space in by_row.items():
        cells = []
        for n in spaces:
            c = per_space[n]
            mark = "[green]✓[/]" if c["matches"] else ("[yellow]≠[/]" if c["ok"] else "[red]✗[/]")
            if paper_columns:
                cells += [f"{c['value']:,} {mark}", f"{c['paper']:,}"]
            else:
                differs = "" if c["matches"] else f" {c['paper']:,}"
                cells.append(f"{c['value']:,} {mark}{differs}")
        table.add_row(_ROW_LABELS[row], *cells)
        if row == "without_loose_ends":
            exact = []
            for n in spaces:
                exact += [f"{result[n]['without_loose_ends']:,}", *blank]
            table.add_row("  exact count", *exact)
    return table


def render_table1(result: dict[str, Any]) -> None:
    console = out()
    spaces: list[str] = [k for k in ("1", "2", "3") if k in result]
    table = _table(result, spaces, paper_columns=True)
    natural = console.measure(table, options=console.options.update_width(10_000)).maximum
    if natural > console.width:  # 80 columns cut the row labels: the compact form
        table = _table(result, spaces, paper_columns=False)
    console.print(table)
    rules = {c["row"]: c["rule"] for c in result["checks"]}
    console.print("  rules: " + "; ".join(f"{_ROW_LABELS[r]} = {rule}" for r, rule in rules.items())
                  + "; exact count = without_loose_ends")
    for check in result["checks"]:
        if check["note"]:
            console.print(f"  SS{check['space']} {_ROW_LABELS[check['row']]}: {check['note']}")
    verdict = ("[green]all checks pass[/]" if result["ok"]
               else "[red]a count that should match does not[/]")
    console.print(f"{verdict}  ({result['seconds']} s)  source: {result['source']}")
