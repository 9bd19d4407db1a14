"""Figure-2-style plots of an aggregate: one panel per search space, PNG and PDF.

As in the paper's figures: the left axis is the NB101 test regret (log scale; solid line at
the mean over seeds, shaded band), the right axis the supernet ("one-shot") validation
error of the same runs (dash-dot, fainter band). Which band is drawn (std or SEM) follows
the recipe's protocol and is written on the figure. Smoke or synthetic results carry that
label in the title, so a plot can never pass for a reproduction of the paper. One legend
sits under the panels, never over data (`styles.legend_below`, as Figures 5/14/15); an
entry gives its seeds per space where the spaces differ.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.report.figure_files import save_figure
from nb1s.harness.report.styles import legend_below, style_of


def _arr(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def plot_aggregate(agg: dict[str, Any], out_dir: Path, stem: str | None = None) -> list[Path]:
    """Draw `agg` and write `<stem>.png` and `<stem>.pdf` into `out_dir`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    spaces = sorted({g["space"] for g in agg["groups"]})
    if not spaces:
        return []
    width = max(6.5, 5.0 * len(spaces))
    fig, axes = plt.subplots(1, len(spaces), figsize=(width, 4.6), squeeze=False)
    palette = plt.get_cmap("tab10")
    variant_order = list(dict.fromkeys(g["variant"] for g in agg["groups"]))
    # variant -> (its regret line, its label, seeds per space)
    entries: dict[str, tuple[Any, str, dict[int, int]]] = {}
    for ax, space in zip(axes[0], spaces, strict=True):
        twin = ax.twinx()
        for g in (g for g in agg["groups"] if g["space"] == space):
            idx = variant_order.index(g["variant"])
            style = style_of(g["variant"])
            color = style.color if style is not None else palette(idx % 10)
            marker = style.marker if style is not None else None
            x = np.array(g["epochs"])
            reg = g["metrics"]["test_regret"]
            mean, band = _arr(reg["mean"]), _arr(reg["band"])
            (line,) = ax.plot(x, mean, color=color, lw=2, marker=marker, markevery=0.1, ms=5)
            entries.setdefault(g["variant"], (line, g["label"], {}))[2][space] = int(g["n"])
            ax.fill_between(x, mean - band, mean + band, color=color, alpha=0.3, lw=0)
            os_ = g["metrics"]["oneshot_valid_error"]
            om, ob = _arr(os_["mean"]), _arr(os_["band"])
            if np.isfinite(om).any():
                twin.plot(x, om, color=color, ls="-.", alpha=0.4)
                twin.fill_between(x, om - ob, om + ob, color=color, alpha=0.1, lw=0)
        ax.set_yscale("log", nonpositive="mask")
        twin.set_yscale("log", nonpositive="mask")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Test Regret (NB) (-)")
        twin.set_ylabel("Validation Error (OS) (-.-)")
        ax.set_title(f"Search space {space}")
        ax.grid(True, which="both", alpha=0.2)
    bottom = legend_below(fig, [line for line, _, _ in entries.values()],
                          [_entry(label, seeds) for _, label, seeds in entries.values()])
    band_name = "mean ± std" if agg["band"] == "std" else "mean ± SEM"
    # The recipe title names the paper's budget; say what was actually run beside it.
    ran = max((len(g["epochs"]) - 1 for g in agg["groups"]), default=0)
    title = f"{agg['recipe']} v{agg['version']}: {agg['title']}  [{band_name}; " \
            f"profile {agg['profile']}, protocol {agg['protocol']}; {ran} epochs run]"
    title = "\n".join(textwrap.wrap(title, width=int(width * 14)))
    if agg.get("labels"):
        title = f"{' · '.join(x.upper() for x in agg['labels'])}: NOT A REPRODUCTION\n{title}"
    fig.suptitle(title, fontsize=9, color="darkred" if agg.get("labels") else "black")
    fig.tight_layout(rect=(0.0, bottom, 1.0, 1.0))
    return save_figure(fig, out_dir, stem or f"{agg['recipe']}-{agg['profile']}-{agg['protocol']}")


def _entry(label: str, seeds: dict[int, int]) -> str:
    """`label (n=3)`, or `label (n=3 in SS1, 2 in SS3)` where the spaces differ."""
    if len(set(seeds.values())) == 1:
        return f"{label} (n={next(iter(seeds.values()))})"
    return f"{label} (n=" + ", ".join(f"{n} in SS{space}"
                                      for space, n in sorted(seeds.items())) + ")"
