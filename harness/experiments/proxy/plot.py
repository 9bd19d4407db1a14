"""Figure-17-style plots: 1 - Spearman over epochs, one figure per cell count.

As `plot_correlation_for_num_cells_var_channels` drew them (docs/original-code.md#figure-17):
one curve per channel count labelled "{E} epochs + {L} cells + {C} ch.", x "Epoch",
y "1 - Correlation (Spearman)" on a log axis (values of 0 or below cannot be drawn there
and are left out). Smoke or synthetic results carry that label in the title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb1s.harness.report.figure_files import save_figure


def plot_proxy(result: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    """One PNG+PDF per cell count of a proxy result (`{stem}-cells{L}`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    labels = result.get("labels") or []
    paths: list[Path] = []
    for cells in sorted({g["cells"] for g in result["groups"]}):
        groups = sorted((g for g in result["groups"] if g["cells"] == cells),
                        key=lambda g: g["channels"])
        fig, ax = plt.subplots(figsize=(4.6, 3.4))
        cmap = plt.get_cmap("viridis")
        for i, g in enumerate(groups):
            pts = [(r["epoch"], r["one_minus_spearman"]) for r in g["epochs"]
                   if r["one_minus_spearman"] is not None and r["one_minus_spearman"] > 0]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                    color=cmap(i / max(1, len(groups) - 1)),
                    label=f"{g['epochs_trained']} epochs + {cells} cells + {g['channels']} ch.")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Epoch")
        ax.set_ylabel("1 - Correlation (Spearman)")
        ax.grid(True, alpha=0.2)
        ax.legend(fontsize=6)
        title = f"{result['recipe']['name']} v{result['recipe']['version']}: {cells} cells"
        if labels:
            title = f"{' · '.join(x.upper() for x in labels)}: NOT A REPRODUCTION\n{title}"
        ax.set_title(title, fontsize=8, color="darkred" if labels else "black")
        fig.tight_layout()
        paths += save_figure(fig, out_dir, f"{stem}-cells{cells}")
    return paths
