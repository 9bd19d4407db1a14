"""Figures 5, 14, 15: test regret of the incumbent vs simulated time, one panel per space.

Input is plain arrays: per space, label -> (time grid, regret matrix [runs, grid]), so the
BOHB-tuned one-shot curves and the black-box curves are drawn the same way (mean line,
band by protocol), log-log as in the paper. Colours and markers come from the one style
table (`harness/report/styles.py`); the legend sits below the panels, never over data; the
x axis says which time it shows; a run whose regret reaches 0 or below (not drawable on a
log axis) is counted in its legend entry and noted on the panel. Smoke or synthetic results
say so in the title.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.harness.experiments.bohb.curves import band, nonpositive_seeds
from nb1s.harness.experiments.bohb.protocol import TIME_AXIS_LABELS
from nb1s.harness.report.figure_files import save_figure
from nb1s.harness.report.styles import legend_below, style_of
from nb1s.optimizers.builtin import BUILTIN_OPTIMIZERS

Curves = dict[int, dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]]
ONE_SHOT_LABELS = tuple(f"BOHB-{o.label}" for o in BUILTIN_OPTIMIZERS)


def plot_figure(curves: Curves, title: str, band_kind: str, out_dir: Path,
                stem: str, time_axis: str = "sequential_sum",
                notes: tuple[str, ...] = ()) -> list[Path]:
    """Write `<stem>.png` and `.pdf`: one log-log panel per space of `curves`.

    `notes` are written under the title (the protocol's choices a reader must know, e.g.
    the regret reference and the left edge).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spaces = sorted(curves)
    if not spaces:
        return []
    fig, axes = plt.subplots(1, len(spaces), figsize=(max(7.0, 5.2 * len(spaces)), 5.4),
                             squeeze=False)
    palette = plt.get_cmap("tab10")
    handles: dict[str, Any] = {}
    for ax, space in zip(axes[0], spaces, strict=True):
        below: list[str] = []
        for k, (label, (grid, matrix)) in enumerate(sorted(curves[space].items())):
            if not len(grid) or not len(matrix):
                continue
            mean, lo, hi = band(matrix, band_kind)
            positive = np.isfinite(mean) & (mean > 0)
            style = style_of(label)
            color = style.color if style is not None else palette(k % 10)
            marker = style.marker if style is not None else None
            line = "-" if label in ONE_SHOT_LABELS else "--"
            nonpositive = nonpositive_seeds(matrix)
            if nonpositive:
                below.append(f"{label} {nonpositive}/{len(matrix)}")
            (handle,) = ax.plot(grid[positive], mean[positive], line, color=color,
                                marker=marker, markevery=0.1, ms=6, lw=2,
                                label=f"{label} (n={len(matrix)})")
            handles.setdefault(label, handle)
            # a band reaching 0 or below has no lower edge on a log axis: left open there
            low = np.where(lo > 0, lo, np.nan)
            ax.fill_between(grid[positive], low[positive], hi[positive],
                            color=color, alpha=0.15, linewidth=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"Search space {space}")
        ax.set_xlabel(TIME_AXIS_LABELS.get(time_axis, time_axis), fontsize=8)
        ax.set_ylabel("test regret")
        if below:
            ax.text(0.01, 0.01, "runs reaching regret ≤ 0 (not drawable on a log axis): "
                    + ", ".join(below), transform=ax.transAxes, fontsize=6, va="bottom",
                    wrap=True)
    bottom = legend_below(fig, list(handles.values()),
                          [h.get_label() for h in handles.values()])
    heading = f"{title} (band: {'mean ± std' if band_kind == 'std' else 'mean ± 2 SEM'})"
    if notes:
        width = int(max(7.0, 5.2 * len(spaces)) * 15)
        heading += "\n" + "\n".join(textwrap.wrap("; ".join(notes), width=width))
    fig.suptitle(heading, fontsize=9)
    fig.tight_layout(rect=(0.0, bottom, 1.0, 1.0))
    return save_figure(fig, out_dir, stem)
