"""`nb1s plan RECIPE`: every run a recipe resolves to, its settings, data and cost, run nothing.

A researcher about to spend GPU-weeks sees here what `reproduce`/`run` would start: one
row per run (per seed batch for black-box grids) with every hyperparameter, seed and protocol
switch, the data it reads, GPU-hours from the paper's footnote-4 runtimes (its GPU, scaled
by epochs and images) and, with `--measure`, CPU time from a step timed on this machine
(harness/experiments/cost.py, measure.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape
from rich.table import Table

from nb1s.harness.cli.options import AS_JSON, PROFILE, PROTOCOL, SEEDS
from nb1s.harness.cli.output import console, emit, err_console

if TYPE_CHECKING:  # pydantic is imported only by the commands that use recipes
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol

def summary_line(recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> str | None:
    """The one line `reproduce` prints before it starts (None for a kind without runs);
    `recipe` as `load_recipe_choice` returns it, `--seeds` applied."""
    from nb1s.harness.experiments.cost import plan_cost
    from nb1s.harness.experiments.cost import summary_line as line
    from nb1s.harness.experiments.dispatch import plan_for
    from nb1s.harness.recipe.seeds import seeds_option

    cost = plan_cost(plan_for(recipe, profile, protocol))
    return line(cost, seeds_option(recipe)) if cost.runs else None


def _hours(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _settings(values: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in values.items())


def _shared_settings(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The settings every row has with one value (printed once above the table)."""
    if len(rows) < 2:
        return {}
    first = rows[0]
    return {k: v for k, v in first.items() if all(k in r and r[k] == v for r in rows[1:])}


#: console columns from which the per-run settings are a table column
WIDE_TABLE = 140


def settings_groups(keys: list[str], settings: list[str]) -> list[tuple[str, str]]:
    """(label, settings) once per distinct settings string, in the rows' order.

    A label names the group's run keys compactly: per `/`-separated part one value, `*`
    where the group has every value that runs with the same first part have there, or
    `{a,b}`; when that pattern would name runs outside the group, the keys themselves.
    """
    order: dict[str, list[str]] = {}
    for key, value in zip(keys, settings, strict=True):
        order.setdefault(value, []).append(key)
    split_keys = [k.split("/") for k in keys]
    out = []
    for value, members in order.items():
        parts = [m.split("/") for m in members]
        width = len(parts[0])
        label = ", ".join(members)
        if all(len(p) == width for p in parts):
            peers = [k for k in split_keys if len(k) == width and k[0] == parts[0][0]]
            pattern = []
            size = 1
            for i in range(width):
                mine = list(dict.fromkeys(p[i] for p in parts))
                every = list(dict.fromkeys(p[i] for p in peers))
                size *= len(mine)
                pattern.append(mine[0] if len(mine) == 1 else "*" if set(mine) == set(every)
                               else "{" + ",".join(mine) + "}")
            if size == len(set(members)):
                label = "/".join(pattern)
        out.append((label, value))
    return out


def render_plan(result: dict[str, Any]) -> None:
    console.print(f"[bold]{escape(result['recipe'])}[/] ({result['kind']}), "
                  f"{result['profile']} profile, {result['protocol']} protocol: "
                  f"{result['count']} runs, {result['seeds']} seeds in all")
    console.print(f"data: {escape(result['data'])}", highlight=False)
    if not result["runs"]:
        console.print("nothing to train: this recipe analyses data or results (no GPU or "
                      "search cost); its settings: "
                      + escape(_settings(result["settings"])), highlight=False)
        for b in result["blocked"]:
            console.print(f"[yellow]cannot run yet[/] {escape(b['label'])}: "
                          f"{escape(b['reason'])}")
        return
    shared = _shared_settings([r["settings"] for r in result["runs"]])
    if shared:
        console.print(f"settings of every run: {escape(_settings(shared))}", highlight=False)
    own = [_settings({k: v for k, v in r["settings"].items() if k not in shared})
           for r in result["runs"]]
    # A settings column needs room; below WIDE_TABLE columns (an 80-column terminal) each
    # distinct group of settings is printed once under the table instead of being folded
    # mid-word into a 10-character column on every row.
    inline = console.width >= WIDE_TABLE
    table = Table(show_lines=False)
    for col in ("run", "seeds", "epochs", "steps or evals", "GPU-h (paper GPU)", "CPU here"):
        table.add_column(col, no_wrap=col == "run")
    if inline:
        table.add_column("settings of this run" if shared else "settings", overflow="fold")
    for r, settings in zip(result["runs"], own, strict=True):
        seeds = r["seeds"]
        shown = (str(seeds[0]) if len(seeds) == 1 else
                 f"{seeds[0]}-{seeds[-1]} ({len(seeds)})" if seeds == list(
                     range(seeds[0], seeds[0] + len(seeds))) else ",".join(map(str, seeds)))
        work = r["steps"] if r["kind"] == "search" else r["evaluations"]
        cells = [escape(r["key"]), shown, str(r["epochs"] or "-"), str(work),
                 _hours(r["gpu_hours"]), _duration(r["cpu_seconds"])]
        table.add_row(*cells, *([escape(settings)] if inline else []))
    console.print(table)
    if not inline and any(own):
        console.print("settings of each run" + (" (besides those of every run)" if shared
                                                 else "") + ":", highlight=False)
        for label, settings in settings_groups([r["key"] for r in result["runs"]], own):
            console.print(f"  {escape(label)}: {escape(settings or '-')}", highlight=False)
    total = result["total"]
    gpu = result["gpu"]
    unpriced = sorted({r["gpu_basis"] for r in result["runs"] if r["gpu_hours"] is None})
    if total["gpu_hours"] is None:
        console.print(f"GPU: no estimate ({escape('; '.join(unpriced))})", highlight=False)
    else:
        left_out = (f"; without the rows the footnote does not price: "
                    f"{'; '.join(unpriced)}" if unpriced else "")
        console.print(f"GPU: {_hours(total['gpu_hours'])} GPU-hours in all on the paper's "
                      f"{gpu['device']} ({gpu['source']}), {gpu['basis']}"
                      + escape(left_out), highlight=False)
    cpu = result["cpu"]
    if total["cpu_seconds"] is not None:
        console.print(f"CPU: {_duration(total['cpu_seconds'])} in all on one process of this "
                      f"machine ({escape(cpu['note'])})", highlight=False)
        for key, m in cpu["measured"].items():
            console.print(f"  {escape(key)}: {m['seconds']:.3g} s per {m['unit']} "
                          f"({escape(m['how'])})", highlight=False)
    else:
        console.print(f"CPU: {escape(cpu['note'])}", highlight=False)
    for b in result["blocked"]:
        console.print(f"[yellow]cannot run yet[/] {escape(b['label'])}: {escape(b['reason'])}")


def plan_command(
    recipe: str = typer.Argument(..., help="Recipe name, alias or file."),
    profile: str = PROFILE, protocol: str = PROTOCOL, seeds: str | None = SEEDS,
    measure: bool = typer.Option(False, "--measure", help="Time one step of each run "
                                 "(one seed of each black-box optimizer) on this machine "
                                 "for a CPU estimate."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="NB101 index the "
                                         "black-box measurement reads (default: a "
                                         "synthetic one built for it)."),
    as_json: bool = AS_JSON,
) -> None:
    """Show every run of a recipe with its settings, data and estimated cost; run nothing."""
    from nb1s.harness.cli.recipe_cmd import load_recipe_choice
    from nb1s.harness.experiments.cost import plan_cost, with_cpu
    from nb1s.harness.experiments.dispatch import plan_for

    chosen, prof, proto = load_recipe_choice(recipe, profile, protocol, seeds)
    cost = plan_cost(plan_for(chosen, prof, proto))
    if measure and cost.runs:
        from nb1s.harness.experiments.measure import measure as timed

        with err_console.status("timing one step of each run on this machine") \
                if not as_json and err_console.is_terminal else _Quiet():
            measured = timed(cost, data_dir, _note_measured(as_json))
        cost = with_cpu(cost, measured, _cpu_note(cost))
    emit(cost.as_dict(), as_json, render_plan)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_command)


def _cpu_note(cost: Any) -> str:
    """How the CPU column was made, for the kinds of rows `cost` has."""
    kinds = {r.kind for r in cost.runs}
    notes = ["timed in this process with torch's default threads, summed over rows as if "
             "one ran after another"]
    if "search" in kinds:
        notes.append("search rows: steps and process start-up only, no evaluation passes "
                     "or look-ups (a lower bound)")
    if "blackbox" in kinds:
        notes.append("black-box rows: one seed alone times the seeds (the grid runs RS/RE/RL "
                     "vectorised, 50 seeds at once, so theirs is an upper bound)")
    if "bohb" in kinds:
        notes.append("BOHB rows: not measured (their one-shot evaluations vary per "
                     "configuration; see the GPU column)")
    return "; ".join(notes)


class _Quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _note_measured(as_json: bool) -> Any:
    def note(key: str) -> None:
        if not as_json and not err_console.is_terminal:
            err_console.print(f"measured {key}", highlight=False)

    return note
