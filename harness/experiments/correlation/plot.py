"""Figure-3-style plots: Spearman correlation over search epochs, one line per NB101 budget.

As the released plotting code drew them (docs/original-code.md#figure-3): x = the snapshot
epochs, y = "Spearman Correlation", one line per budget coloured `magma(i/4)` in sorted
budget order, the method name as title; one panel per method and space. The paper's
stated range for DARTS, PC-DARTS, GDAS and Random-WS is shaded for orientation. Smoke or
synthetic results carry that label in the title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb1s.harness.report.figure_files import save_figure


def plot_correlations(result: dict[str, Any], out_dir: Path, stem: str,
                      paper_range: tuple[float, float] | None) -> list[Path]:
    """Draw every (variant, space) of a correlation result; write PNG and PDF."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for row in result["rows"]:
        groups.setdefault((row["label"], row["space"]), []).append(row)
    if not groups:
        return []
    keys = sorted(groups, key=lambda k: (k[1], k[0]))
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.4), squeeze=False)
    cmap = plt.get_cmap("magma")
    # colour by position among the recipe's budgets, so a budget keeps its colour when the
    # data lacks the others (e.g. nasbench_only108)
    all_budgets = sorted(int(b) for b in result["settings"]["nb101_budgets"])
    for ax, key in zip(axes[0], keys, strict=True):
        rows = sorted(groups[key], key=lambda r: r["epoch"])
        budgets = sorted({int(b) for r in rows for b in r["budgets"]})
        if paper_range is not None:
            ax.axhspan(*paper_range, color="0.85", zorder=0, label="paper's stated range")
        for budget in budgets:
            xs, ys = [], []
            for r in rows:
                value = r["budgets"].get(str(budget), {}).get("spearman")
                if value is not None:
                    xs.append(r["epoch"])
                    ys.append(value)
            i = all_budgets.index(budget) if budget in all_budgets else len(all_budgets)
            ax.plot(xs, ys, marker="o", color=cmap(i / 4), label=f"NB {budget} epochs")
        ax.set_ylim(-1, 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Spearman Correlation")
        ax.set_title(f"{key[0]}, search space {key[1]}", fontsize=9)
        ax.grid(True, alpha=0.2)
        ax.legend(fontsize=6, loc="lower right")
    labels = result.get("labels") or []
    title = f"{result['recipe']['name']} v{result['recipe']['version']}: {result['title']}"
    if labels:
        title = f"{' · '.join(x.upper() for x in labels)}: NOT A REPRODUCTION\n{title}"
    fig.suptitle(title, fontsize=9, color="darkred" if labels else "black")
    fig.tight_layout()
    return save_figure(fig, out_dir, stem)
