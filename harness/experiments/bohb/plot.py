"""Figures 5, 14, 15: test regret of the incumbent vs simulated time, one panel per space.

Input is plain arrays: per space, label -> (time grid, regret matrix [runs, grid]), so the
BOHB-tuned one-shot curves and the black-box curves are drawn the same way (mean line,
band by protocol), log-log as in the paper. Smoke or synthetic results say so in the title.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from nb1s.harness.experiments.bohb.curves import band
from nb1s.harness.report.figure_files import save_figure

Curves = dict[int, dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]]
ONE_SHOT_COLORS = {"BOHB-DARTS": "tab:blue", "BOHB-GDAS": "tab:green",
                   "BOHB-PC-DARTS": "tab:orange"}


def plot_figure(curves: Curves, title: str, band_kind: str, out_dir: Path,
                stem: str) -> list[Path]:
    """Write `<stem>.png` and `.pdf`: one log-log panel per space of `curves`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spaces = sorted(curves)
    if not spaces:
        return []
    fig, axes = plt.subplots(1, len(spaces), figsize=(max(6.0, 4.8 * len(spaces)), 4.2),
                             squeeze=False)
    palette = plt.get_cmap("tab10")
    for ax, space in zip(axes[0], spaces, strict=True):
        for k, (label, (grid, matrix)) in enumerate(sorted(curves[space].items())):
            if not len(grid) or not len(matrix):
                continue
            mean, lo, hi = band(matrix, band_kind)
            positive = np.isfinite(mean) & (mean > 0)
            color = ONE_SHOT_COLORS.get(label, palette(k % 10))
            style = "-" if label in ONE_SHOT_COLORS else "--"
            ax.plot(grid[positive], mean[positive], style, color=color,
                    label=f"{label} (n={len(matrix)})")
            ax.fill_between(grid[positive], np.maximum(lo[positive], 1e-6), hi[positive],
                            color=color, alpha=0.15, linewidth=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"Search space {space}")
        ax.set_xlabel("simulated wall-clock time [s]")
        ax.set_ylabel("test regret")
        ax.legend(fontsize=7)
    fig.suptitle(f"{title} (band: {'mean ± std' if band_kind == 'std' else 'mean ± 2 SEM'})")
    fig.tight_layout()
    return save_figure(fig, out_dir, stem)
