"""One colour and marker per optimizer, for every figure nb1s draws.

Why one table: a reader compares figures side by side, so RE must be the same red in the
black-box figure and in Figures 5/14/15, and DARTS the same blue in Figure 2 and as
BOHB-DARTS. The black-box and BOHB-one-shot entries are the original's own
(`optimizers/bohb_one_shot/plots/uncertanty_plots.py`,
docs/original-code.md#black-box-trajectories); the one-shot optimizers take the colour of
their BOHB-tuned curve; Random-WS, ENAS and DARTS 2nd order, which the original never drew
beside them, take colours no other entry uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Style:
    """How one optimizer's curve is drawn."""

    color: str
    marker: str


#: optimizer name (the `nb1s search` name, or the black-box name) -> style
STYLES: dict[str, Style] = {
    # one-shot optimizers (BOHB-tuned: the original's BOHB-DARTS/GDAS/PC-DARTS styles)
    "darts": Style("dodgerblue", "^"),
    "darts2": Style("navy", "P"),
    "gdas": Style("forestgreen", "x"),
    "pcdarts": Style("darkorange", "v"),
    "random_ws": Style("olive", "d"),
    "enas": Style("teal", "p"),
    # discrete black-box optimizers (the original's styles)
    "RE": Style("crimson", "o"),
    "RS": Style("darkorchid", "D"),
    "RL": Style("sienna", "s"),
    "TPE": Style("deepskyblue", "<"),
    "SMAC": Style("violet", "h"),
    "HB": Style("darkgray", ">"),
    "BOHB": Style("gold", "*"),
}

#: plot labels that name an optimizer of STYLES
ALIASES: dict[str, str] = {"BOHB-DARTS": "darts", "BOHB-GDAS": "gdas",
                           "BOHB-PC-DARTS": "pcdarts"}


def style_of(name: str) -> Style | None:
    """The style of an optimizer name or plot label; None for anything else (a plugin's
    optimizer, a recipe variant that is not an optimizer name): the plot picks one."""
    return STYLES.get(ALIASES.get(name, name))


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
