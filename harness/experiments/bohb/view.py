"""How a `bohb` result (fig5/14/15) is shown to people (the CLI prints `--json` itself)."""

from __future__ import annotations

from typing import Any


def render_bohb(result: dict[str, Any]) -> None:
    """Labels, one line per BOHB run, the plots and the claim rows with the verdict."""
    import rich

    console = rich.get_console()
    for label in result.get("labels", []):
        console.print(f"[bold yellow]{label.upper()}[/]: not a reproduction of the paper")
    for run in result.get("runs", []):
        console.print(f"{run['key']}: {run['evaluations']} evaluations, best loss "
                      f"{run['best_loss']}, final regret {run['final_regret']}")
    # "figures": the key (and folder) of results written before every kind used plots/
    for fig in result.get("plots") or result.get("figures") or []:
        console.print(f"plot: {fig}")
    for row in result["diff"]["rows"]:
        console.print(f"  {row.get('name', row.get('metric'))}: {row['outcome']} "
                      f"({row.get('note', '')})")
    console.print(result["diff"]["verdict"]["line"])
