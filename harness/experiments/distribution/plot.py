"""Figure-6-style histograms: one panel per search space, PNG and PDF.

As the released plotting code drew them (docs/original-code.md#figure-6): a histogram of the
test error with many bins (800), log-scaled x and y axes, the x range capped at 0.3, the
number of architectures in the title. Smoke or synthetic data carries that label in the
figure's title, so a plot can never pass for a reproduction of the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nb1s.harness.experiments.distribution.compute import SpaceSamples
from nb1s.harness.report.figure_files import save_figure


def plot_distributions(samples: Sequence[SpaceSamples], out_dir: Path, stem: str,
                       bins: int, xlim: tuple[float, float], title: str,
                       labels: Sequence[str] = ()) -> list[Path]:
    """Draw one histogram panel per space and write `<stem>.png` and `<stem>.pdf`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not samples:
        return []
    fig, axes = plt.subplots(1, len(samples), figsize=(4.6 * len(samples), 3.8),
                             squeeze=False)
    for ax, s in zip(axes[0], samples, strict=True):
        lo = max(float(s.test.min()), 1e-4)
        hi = max(float(s.test.max()), lo * 1.01)
        edges = np.linspace(lo, hi, bins + 1)
        ax.hist(s.test, bins=edges, color="tab:blue", alpha=0.85)
        ax.set_xscale("log")
        ax.set_yscale("log")
        left = max(xlim[0], lo * 0.9)
        ax.set_xlim(left, max(xlim[1], left * 1.5))
        ax.set_xlabel("Test error")
        ax.set_ylabel("Count")
        ax.set_title(f"Search space {s.space} (no. architectures {s.n_architectures})",
                     fontsize=9)
        ax.grid(True, which="both", alpha=0.2)
    if labels:
        title = f"{' · '.join(x.upper() for x in labels)}: NOT A REPRODUCTION\n{title}"
    fig.suptitle(title, fontsize=9, color="darkred" if labels else "black")
    fig.tight_layout()
    return save_figure(fig, out_dir, stem)
