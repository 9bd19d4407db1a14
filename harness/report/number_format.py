"""How a number stands in a table cell, in the terminal and in the Markdown report alike.

One formatter, so `nb1s diff` prints the same digits on screen as in `diff.md`: None is
"-", a float takes the format spec (4 significant digits unless the column says
otherwise), anything else prints as itself (ints stay exact, strings pass through).
"""

from __future__ import annotations

from typing import Any


def format_number(x: Any, spec: str = ".4g") -> str:
    """`x` for a table cell: "-" for None, `format(x, spec)` for a float, else `str(x)`."""
    if x is None:
        return "-"
    return format(x, spec) if isinstance(x, float) else str(x)
