"""Rich rendering of recipe, run, diff and check results (print only).

A `reproduce` result is rendered by its experiment kind (`ExperimentKind.render`, next to the
kind in harness/experiments/); the run summary view is shared with the kinds.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from nb1s.harness.cli.output import console
from nb1s.harness.experiments.view import fmt as _fmt
from nb1s.harness.experiments.view import render_run  # noqa: F401  (re-exported)


def render_validate(result: dict[str, Any]) -> None:
    for f in result["files"]:
        if f["ok"]:
            console.print(f"[green]✓[/] {f['file']}  ({f['name']} v{f['version']}, {f['kind']})")
        else:
            for p in f["problems"]:
                console.print(f"[red]✗[/] {escape(p)}", highlight=False)
    n_bad = sum(not f["ok"] for f in result["files"])
    console.print(f"{len(result['files']) - n_bad} valid, {n_bad} invalid")


def render_ls(result: dict[str, Any]) -> None:
    """One row per recipe; on a console too narrow for that table (80 columns: titles
    wrapped over 3-7 lines), one block per recipe instead, every value whole."""
    table = Table(title=f"recipes in {result['folder']}")
    for col in ("name", "v", "reproduces", "kind", "optimizers", "title"):
        table.add_column(col)
    for r in result["recipes"]:
        if "error" in r:
            table.add_row(r["name"], "-", "-", "[red]invalid[/]", "", r["error"])
            continue
        table.add_row(r["name"], str(r["version"]), ", ".join(r["reproduces"]), _ls_kind(r),
                      " ".join(r["optimizers"]) or "-", r["title"])
    natural = console.measure(table, options=console.options.update_width(10_000)).maximum
    if natural <= console.width:
        console.print(table)
    else:
        console.print(_ls_blocks(result))
    console.print("`nb1s ls --json` lists what each recipe that cannot run yet requires.")


def _ls_kind(r: dict[str, Any]) -> str:
    return r["kind"] if r["runnable"] else f"[yellow]{r['kind']}: cannot run yet[/]"


def _ls_blocks(result: dict[str, Any]) -> Table:
    """The narrow form of `nb1s ls`: name and version, then kind, what it reproduces,
    optimizers and title on their own lines (wrapped only where a line is too long)."""
    grid = Table(title=f"recipes in {result['folder']}", show_header=False, box=None,
                 pad_edge=False, padding=(0, 2, 0, 0), title_justify="left")
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for r in result["recipes"]:
        if "error" in r:
            grid.add_row(r["name"], f"[red]invalid[/]: {escape(r['error'])}")
            continue
        lines = [f"[bold]{escape(r['title'])}[/]",
                 f"{_ls_kind(r)} · {escape(', '.join(r['reproduces']))}"]
        if r["optimizers"]:
            lines.append("optimizers: " + " ".join(r["optimizers"]))
        grid.add_row(f"{r['name']} v{r['version']}", "\n".join(lines))
        grid.add_row("", "")
    return grid


def _outcome(row: dict[str, Any]) -> str:
    """How the row was decided: exact / equivalent / checked, FAIL, or an undecided kind."""
    from nb1s.harness.report.verdict import outcome_of

    kind = outcome_of(row)
    if row["pass"] is None:
        return f"[yellow]{kind}[/] {escape(row.get('note', ''))}"
    return f"[green]{kind}[/]" if row["pass"] else f"[red]FAIL[/] {escape(row.get('note', ''))}"


def render_diff(result: dict[str, Any]) -> None:
    table = Table(title=f"diff of {result['aggregate']['recipe']} v{result['aggregate']['version']}"
                  f" against {result['reference']}")
    for col in ("group", "kind", "metric", "ours", "reference", "diff", "tol", "p", "result"):
        table.add_column(col)
    from nb1s.harness.report.diff_report import row_cells

    for r in result["rows"]:
        ours, ref, diff, tol, p = row_cells(r)
        table.add_row(r["group"], r["kind"], r["metric"], ours, ref, diff, tol, p, _outcome(r))
    if result["rows"]:
        console.print(table)
    for note in result["notes"]:
        console.print(f"note: {escape(note)}")
    v = result["verdict"]
    color = {"pass": "green", "fail": "red"}.get(v["status"], "yellow")
    console.print(f"[{color}]{escape(v['line'])}[/]")


def _ratio(row: dict[str, Any]) -> str:
    if row.get("ratio") is None:
        return "-"
    lo, hi = row["ratio_ci"]
    return f"x{row['ratio']:.3g} [{lo:.3g}, {hi:.3g}]"


def _effect_seeds(row: dict[str, Any]) -> str:
    """`, on 2 common` when the effect sizes were taken on the common seeds only."""
    seeds = row.get("effect_seeds")
    return f", on {seeds}" if seeds not in (None, "all") else ""


def render_check(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['optimizer']} vs the built-in optimizers ({result['recipe']})")
    if result.get("reference"):
        table.caption = f"reference: {result['reference']}"
    for col in ("space", "against", "final: verdict", "ratio [CI]", "Cliff's δ", "Cohen's d",
                "p (Holm)", "anytime: verdict"):
        table.add_column(col)
    colors = {"better": "green", "worse": "red", "same": "white", "no decision": "yellow"}
    for r in result["rows"]:
        f, a = r["final"], r["anytime"]
        table.add_row(str(r["space"]), r["label"],
                      f"[{colors[f['verdict']]}]{f['verdict']}[/]", _ratio(f),
                      f"{_fmt(f.get('cliffs_delta'), '.2f')} ({f.get('magnitude', '-')}"
                      + _effect_seeds(f) + ")",
                      _fmt(f.get("cohens_d"), ".2f"), _fmt(f.get("p_beyond_holm"), ".3g"),
                      f"[{colors[a['verdict']]}]{a['verdict']}[/]")
    console.print(table)
    for r in result["rows"]:
        if r["final"]["verdict"] == "no decision" and r["against"] == result["gate_against"]:
            console.print(f"SS{r['space']} vs {escape(r['label'])}: "
                          f"{escape(r['final'].get('note', ''))}")
    g = result["gate"]
    color = {"pass": "green", "fail": "red"}.get(g["status"], "yellow")
    console.print(f"[{color}]{escape(g['line'])}[/]")
