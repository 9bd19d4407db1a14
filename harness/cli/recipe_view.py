"""Rich rendering of recipe, run, reproduce, diff and check results (print only)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from nb1s.harness.cli.output import console
from nb1s.harness.report.number_format import format_number as _fmt


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
    table = Table(title=f"recipes in {result['folder']}")
    for col in ("name", "v", "reproduces", "kind", "optimizers", "title"):
        table.add_column(col)
    for r in result["recipes"]:
        if "error" in r:
            table.add_row(r["name"], "-", "-", "[red]invalid[/]", "", r["error"])
            continue
        kind = r["kind"] if r["runnable"] else f"[yellow]{r['kind']}: cannot run yet[/]"
        table.add_row(r["name"], str(r["version"]), ", ".join(r["reproduces"]), kind,
                      " ".join(r["optimizers"]) or "-", r["title"])
    console.print(table)
    console.print("`nb1s ls --json` lists what each recipe that cannot run yet requires.")


def _render_finals(finals: list[dict[str, Any]], labels: list[str]) -> None:
    if not finals:
        return
    tag = f" [bold yellow]({', '.join(labels)})[/]" if labels else ""
    table = Table(title=f"final values, mean ± std over seeds{tag}")
    for col in ("variant", "space", "n", "test regret", "one-shot valid error"):
        table.add_column(col, justify="right" if col != "variant" else "left")
    for r in finals:
        table.add_row(r["label"], str(r["space"]), str(r["n"]),
                      f"{_fmt(r['test_regret_mean'])} ± {_fmt(r['test_regret_std'])}",
                      f"{_fmt(r['oneshot_valid_error_mean'])} ± "
                      f"{_fmt(r['oneshot_valid_error_std'])}")
    console.print(table)


def render_run(result: dict[str, Any]) -> None:
    console.print(f"results: {result['results']}  executor: {result['executor']['executor']}")
    console.print(f"started {len(result['started'])}, resumed {len(result['resumed'])}, "
                  f"skipped (finished) {len(result['skipped'])}, failed {len(result['failed'])}"
                  f"  ({result['seconds']} s)")
    for f in result["failed"]:
        console.print(f"[red]failed[/] {f['run']} (exit {f['returncode']}), log: {f['log']}")
    for b in result["blocked"]:
        console.print(f"[yellow]cannot run yet[/] {escape(b['label'])}: {escape(b['reason'])}")


def _print_labels(labels: list[str]) -> None:
    if labels:
        console.print(f"[bold yellow]{' / '.join(x.upper() for x in labels)}: not a "
                      "reproduction of the paper[/]")


def _print_outcome(result: dict[str, Any]) -> None:
    """Plots, report path, diff notes and the coloured one-line verdict of a reproduction."""
    console.print(f"plots: {', '.join(result['plots']) or 'none'}")
    console.print(f"diff report: {result['diff']['markdown']}")
    for note in result["diff"]["notes"]:
        console.print(f"  note: {escape(note)}")
    v = result["diff"]["verdict"]
    color = {"pass": "green", "fail": "red"}.get(v["status"], "yellow")
    console.print(f"[{color}]{escape(v['line'])}[/]")


def render_reproduce(result: dict[str, Any]) -> None:
    if result["status"] == "cannot-run":
        console.print(f"[yellow]{result['recipe']} cannot run yet:[/]")
        for b in result["blocked"]:
            console.print(f"  {escape(b['label'])}: {escape(b['reason'])}")
        return
    labels = result.get("labels") or []
    _print_labels(labels)
    render_run(result["run"])
    _render_finals(result["finals"], labels)
    _print_outcome(result)


def _outcome(row: dict[str, Any]) -> str:
    """How the row was decided: exact / equivalent / checked, FAIL, or an undecided kind."""
    from nb1s.harness.report.verdict import outcome_of

    kind = outcome_of(row)
    if row["pass"] is None:
        return f"[yellow]{kind}[/] {escape(row.get('note', ''))}"
    return f"[green]{kind}[/]" if row["pass"] else f"[red]FAIL[/] {escape(row.get('note', ''))}"


def render_distribution(result: dict[str, Any]) -> None:
    labels = result.get("labels") or []
    _print_labels(labels)
    first = result["spaces"][0] if result["spaces"] else {}
    table = Table(title=f"{result['recipe']} v{result['version']}: NB101 test error per space "
                  f"(set {first.get('architecture_set', '-')}, repeats "
                  f"{first.get('repeats', '-')})")
    thresholds = list(first.get("test_error", {}).get("fraction_below", {}))
    for col in ("SS", "archs", "min", "median", "max", *(f"<{t}" for t in thresholds)):
        table.add_column(col, justify="right", no_wrap=True)
    for s in result["spaces"]:
        t = s["test_error"]
        q = t["quantiles"]
        table.add_row(str(s["space"]), str(s["n_architectures"]),
                      *(_fmt(q[k], ".4f") for k in ("q0", "q50", "q100")),
                      *(f"{t['fraction_below'][k]:.0%}" for k in thresholds))
    console.print(table)
    console.print(f"summary: {result['distribution']}")
    _print_outcome(result)


def render_correlation(result: dict[str, Any]) -> None:
    if result["status"] == "cannot-run":
        render_reproduce(result)
        return
    labels = result.get("labels") or []
    _print_labels(labels)
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
    console.print(table)
    _print_outcome(result)


def render_proxy(result: dict[str, Any]) -> None:
    """Figure 17: 1 - Spearman per (cells, channels) and epoch."""
    if result["status"] == "cannot-run":
        render_reproduce(result)
        return
    _print_labels(result.get("labels") or [])
    render_run(result["run"])
    epochs = sorted({r["epoch"] for g in result["groups"] for r in g["epochs"]})
    table = Table(title="1 - Spearman(proxy valid error, NB101 valid regret)")
    for col in ("proxy", "archs", *(f"ep {e}" for e in epochs)):
        table.add_column(col, justify="left" if col == "proxy" else "right", no_wrap=True)
    for g in result["groups"]:
        by = {r["epoch"]: r["one_minus_spearman"] for r in g["epochs"]}
        table.add_row(g["label"], str(len(g["architectures"])),
                      *(_fmt(by.get(e), ".3f") for e in epochs))
    console.print(table)
    _print_outcome(result)


def render_diff(result: dict[str, Any]) -> None:
    table = Table(title=f"diff of {result['aggregate']['recipe']} v{result['aggregate']['version']}"
                  f" against {result['reference']}")
    for col in ("group", "kind", "metric", "ours", "reference", "diff", "tol", "p", "result"):
        table.add_column(col)
    for r in result["rows"]:
        ours, ref = _fmt(r.get("result_mean")), _fmt(r.get("reference_mean"))
        if r["kind"] == "band":
            ours, ref = f"{r['in_band_fraction']:.0%} in band", f"≥{r['required_fraction']:.0%}"
        table.add_row(r["group"], r["kind"], r["metric"], ours, ref, _fmt(r.get("diff")),
                      _fmt(r.get("tolerance")), _fmt(r.get("p"), ".3g"),
                      _outcome(r))
    if result["rows"]:
        console.print(table)
    for note in result["notes"]:
        console.print(f"note: {escape(note)}")
    v = result["verdict"]
    color = {"pass": "green", "fail": "red"}.get(v["status"], "yellow")
    console.print(f"[{color}]{escape(v['line'])}[/]")


def render_check(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['optimizer']} vs the built-in optimizers ({result['recipe']})")
    for col in ("space", "against", "final: verdict", "Δ mean", "Cliff's δ", "Cohen's d", "p",
                "anytime: verdict"):
        table.add_column(col)
    colors = {"better": "green", "worse": "red", "same": "white", "no decision": "yellow"}
    for r in result["rows"]:
        f, a = r["final"], r["anytime"]
        table.add_row(str(r["space"]), r["label"],
                      f"[{colors[f['verdict']]}]{f['verdict']}[/]", _fmt(f.get("diff")),
                      f"{_fmt(f.get('cliffs_delta'), '.2f')} ({f.get('magnitude', '-')})",
                      _fmt(f.get("cohens_d"), ".2f"), _fmt(f.get("p"), ".3g"),
                      f"[{colors[a['verdict']]}]{a['verdict']}[/]")
    console.print(table)
    g = result["gate"]
    color = {"pass": "green", "fail": "red"}.get(g["status"], "yellow")
    console.print(f"[{color}]{escape(g['line'])}[/]")
