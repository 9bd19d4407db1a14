"""Legends sit outside the data (issue 21, item 10): the search curves of Figures 2/4/7/8/9
and Figures 5/14/15 draw one legend under their panels (`styles.legend_below`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from harness_fixtures import aggregate_of, write_results

from nb1s.harness.experiments.bohb import plot as bohb_plot
from nb1s.harness.experiments.search_curves import plot as curves_plot


def _drawn(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[Any]:
    """The figures `module` hands to save_figure (drawn, not written)."""
    figures: list[Any] = []

    def keep(fig: Any, out_dir: Path, stem: str) -> list[Path]:
        fig.canvas.draw()
        figures.append(fig)
        return [out_dir / f"{stem}.png"]

    monkeypatch.setattr(module, "save_figure", keep)
    return figures


def _legend_clear_of_every_axes(fig: Any) -> list[str]:
    """The one figure legend's texts, once it is known to overlap no panel, its ticks and
    axis labels included (twins too)."""
    assert all(ax.get_legend() is None for ax in fig.axes)  # no legend inside a panel
    (legend,) = fig.legends
    box = legend.get_window_extent()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:  # the panel with its tick labels and axis labels
        assert not box.overlaps(ax.get_tightbbox(renderer)), ax.get_title()
    assert box.y0 >= 0  # not cut off at the bottom
    return [t.get_text() for t in legend.get_texts()]


def test_search_curve_legend_is_under_the_panels(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Curves that fill every corner of both panels (where `loc="best"` had to cover
    data); one entry per variant, with its seeds per space where they differ."""
    figures = _drawn(monkeypatch, curves_plot)
    write_results(tmp_path, {("darts", 1): [[0.1, 0.02, 0.01], [0.3, 0.04, 0.03]],
                             ("gdas", 1): [[0.01, 0.05, 0.2], [0.02, 0.05, 0.3]],
                             ("darts", 3): [[0.1, 0.02, 0.01]],
                             ("gdas", 3): [[0.01, 0.05, 0.2], [0.02, 0.05, 0.3]]})
    curves_plot.plot_aggregate(aggregate_of(tmp_path), tmp_path / "plots")
    (fig,) = figures
    texts = _legend_clear_of_every_axes(fig)
    assert texts == ["DARTS (n=2 in SS1, 1 in SS3)", "GDAS (n=2)"]


def test_figure5_legend_is_under_the_panels(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    figures = _drawn(monkeypatch, bohb_plot)
    grid = np.geomspace(1.0, 1e4, 20)
    falling = np.vstack([np.geomspace(0.1, 0.001, 20)] * 2)
    curves = {space: {"RE": (grid, falling), "BOHB-DARTS": (grid, falling[:, ::-1])}
              for space in (1, 2)}
    bohb_plot.plot_figure(curves, "SYNTHETIC test", "std", tmp_path, "fig5-test")
    (fig,) = figures
    assert sorted(_legend_clear_of_every_axes(fig)) == ["BOHB-DARTS (n=2)", "RE (n=2)"]
