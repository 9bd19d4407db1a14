"""One panel per space: test regret of the incumbent vs simulated time, log-log.

As the original's `uncertanty_plots.py` (docs/original-code.md#black-box-trajectories): mean line
per optimizer on a log time grid, its colours and markers (`harness/report/styles.py`, the one
style table of every figure); unlike it, a band across seeds (std or 2 SEM, the recipe's `band`)
is drawn for the black-box optimizers too. The recipe's `left_edge` decides what a seed shows
before its first evaluation, and the notes under the title say it. Non-positive regrets
(possible with one random repeat, a published constant, or on synthetic data) cannot be shown
on a log axis: the legend counts the seeds that reach one and a note on the panel says so.
The legend sits outside the axes.
"""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nb1s.harness.report.figure_files import save_figure
from nb1s.harness.report.styles import style_of


def band_halfwidth(curves: npt.NDArray[np.float64], band: str) -> npt.NDArray[np.float64]:
    """Per grid point: std (ddof 1) or 2 SEM across the seeds that have a value."""
    n = np.sum(~np.isnan(curves), axis=0)
    with warnings.catch_warnings():  # grid points before any seed's first evaluation
        warnings.simplefilter("ignore", RuntimeWarning)
        std = np.sqrt(np.nansum((curves - np.nanmean(curves, axis=0)) ** 2, axis=0)
                      / np.maximum(n - 1, 1))
    half = std if band == "std" else 2.0 * std / np.sqrt(np.maximum(n, 1))
    result: npt.NDArray[np.float64] = np.where(n > 1, half, 0.0)
    return result


def plot_space(space: int, grid: npt.NDArray[np.float64],
               curves: dict[str, npt.NDArray[np.float64]], band: str, labels: list[str],
               out_dir: Path, notes: tuple[str, ...] = ()) -> list[Path]:
    """Draw and save `blackbox-ss{space}.png/.pdf`; `curves` maps optimizer -> [seeds, grid]."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.8))
    below = []
    for name, c in curves.items():
        if not len(c):
            continue
        style = style_of(name)
        color, marker = (style.color, style.marker) if style is not None else ("black", ".")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(c, axis=0)
        half = band_halfwidth(c, band)
        show = mean > 0
        with np.errstate(invalid="ignore"):
            nonpositive = int(np.sum(np.any(c <= 0, axis=1)))
        extra = f", {nonpositive} reach regret ≤ 0" if nonpositive else ""
        if nonpositive:
            below.append(name)
        ax.plot(grid[show], mean[show], color=color, marker=marker, markevery=0.1, lw=2,
                ms=6, label=f"{name} ({len(c)} seeds{extra})")
        low = np.where(mean - half > 0, mean - half, np.nan)
        ax.fill_between(grid[show], low[show], (mean + half)[show], color=color, alpha=0.15)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("simulated wall-clock time: cumulative NB101 training time [s]")
    ax.set_ylabel("test regret")
    tag = f" [{', '.join(x.upper() for x in labels)}]" if labels else ""
    heading = f"Space {space}: black-box NAS{tag}"
    if notes:
        heading += "\n" + "\n".join(textwrap.wrap("; ".join(notes), width=110))
    ax.set_title(heading, fontsize=9)
    if below:
        ax.text(0.01, 0.01, "seeds at regret ≤ 0 are not drawable on a log axis: "
                + ", ".join(below), transform=ax.transAxes, fontsize=7, va="bottom")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    return save_figure(fig, out_dir, f"blackbox-ss{space}")
