"""One colour and marker per optimizer, for every figure nb1s draws.

Why one place: a reader compares figures side by side, so RE must be the same red in the
black-box figure and in Figures 5/14/15, and DARTS the same blue in Figure 2 and as
BOHB-DARTS. The styles are facts of the registered entries, not a table here: a built-in
one-shot optimizer's on its `BuiltinOptimizer` (optimizers/builtin.py), a black-box
optimizer's on its `BlackBoxOptimizer` (optimizers/discrete/registry.py, the original's
own styles, docs/original-code.md#black-box-trajectories), so an optimizer registered at
run time brings its style with it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from nb1s.optimizers.builtin import BUILTIN_OPTIMIZERS
from nb1s.optimizers.discrete import BLACKBOX_OPTIMIZERS


@dataclass(frozen=True)
class Style:
    """How one optimizer's curve is drawn."""

    color: str
    marker: str


def styles() -> dict[str, Style]:
    """Optimizer name (the `nb1s search` name, or the black-box name) -> style, read from
    the registered entries now: the built-ins', every black-box optimizer's, and a one-shot
    plugin's `color`/`marker` when it is registered in this process (the registry is only
    asked once loaded, so drawing a figure never imports torch for it)."""
    out = {o.name: Style(o.color, o.marker) for o in BUILTIN_OPTIMIZERS
           if o.color is not None and o.marker is not None}
    registry = sys.modules.get("nb1s.optimizers.registry")
    for name, method in dict(getattr(registry, "METHODS", {})).items():
        if name not in out and method.color is not None and method.marker is not None:
            out[name] = Style(method.color, method.marker)
    out.update({name: Style(o.color, o.marker) for name, o in BLACKBOX_OPTIMIZERS.items()})
    return out


#: plot labels that name an optimizer: fig5's BOHB-tuned one-shot curves (`BOHB-` and the
#: entry's label), drawn in their optimizer's style
ALIASES: dict[str, str] = {f"BOHB-{o.label}": o.name for o in BUILTIN_OPTIMIZERS}


def style_of(name: str) -> Style | None:
    """The style of an optimizer name or plot label; None for anything else (a plugin's
    one-shot optimizer, a recipe variant that is not an optimizer name): the plot picks
    one."""
    return styles().get(ALIASES.get(name, name))


#: legend entries per row under the panels
LEGEND_COLUMNS = 5
#: height of the space under the panels: a margin plus one row of entries (inches; the
#: fractions fig5 was tuned with on its 5.4-inch figure)
LEGEND_MARGIN_IN = 0.04 * 5.4
LEGEND_ROW_IN = 0.035 * 5.4


def legend_below(fig: Any, handles: list[Any], labels: list[str],
                 fontsize: float = 7) -> float:
    """One legend for the whole figure, centred under its panels; returns the fraction of
    the figure's height it needs (`fig.tight_layout(rect=(0, that, 1, ...))`).

    Why under the panels: `loc="best"` still lays a legend over curves and bands when no
    corner is free (the search curves fill their panels), and a figure of several panels
    shows the same optimizers in each, so one legend outside all of them says it once.
    """
    columns = min(LEGEND_COLUMNS, max(1, len(handles)))
    fig.legend(handles, labels, loc="lower center", ncol=columns, fontsize=fontsize,
               frameon=False)
    rows = -(-len(handles) // columns)
    return float((LEGEND_MARGIN_IN + LEGEND_ROW_IN * rows) / fig.get_figheight())
