"""How a `blackbox` result is shown to people (the CLI prints `--json` itself)."""

from __future__ import annotations

from typing import Any


def render_blackbox(result: dict[str, Any]) -> None:
    """A reproduction (or a diff document): seeds run, final regrets, plots, verdict."""
    from rich import get_console

    console = get_console()  # set up by the CLI; the kinds never import it
    if "rows" in result:  # a diff document
        for r in result["rows"]:
            console.print(f"{r['group']} {r['metric']}: {r.get('outcome')}")
        console.print(result["verdict"]["line"])
        return

    tag = f" [{', '.join(x.upper() for x in result['labels'])}]" if result["labels"] else ""
    console.print(f"[bold]{result['recipe']}[/bold] ({result['profile']}, "
                  f"{result['protocol']}){tag}: {result['status']}")
    if result.get("run"):
        r = result["run"]
        where = "Slurm array tasks at a time" if r.get("executor") == "slurm" else "workers"
        console.print(f"  seeds run: {r['ran']}, skipped (finished): {r['skipped']}, "
                      f"{r['seconds']} s on {r['workers']} {where}")
        if r.get("slurm"):
            a = r["slurm"]
            console.print(f"  Slurm: {a['submitted_seeds']} seeds in "
                          f"{a['submitted_tasks']} array tasks (array "
                          f"{', '.join(a['array_ids']) or 'none'}); logs: {a['folder']}")
    for space, opts in result["final_regret"].items():
        shown = ", ".join(f"{o} {v:.4g}" for o, v in opts.items() if v is not None)
        console.print(f"  SS{space} mean final test regret: {shown}")
    for p in result["plots"]:
        if p.endswith(".png"):
            console.print(f"  plot: {p}")
    console.print(f"  diff: {result['diff']['markdown']}")
    console.print(f"  {result['diff']['verdict']['line']}")
