"""The one list of built-in optimizers (no torch: the CLI reads it at start-up).

Everything that enumerates the optimizers nb1s ships is derived from this tuple: the
registry imports each entry's module (which registers its `OneShotMethod` class), `nb1s
search --help` lists the names, the search-curve plots take their colours from it, and a
test holds `docs/run-schema.md` to it. Adding an optimizer is one module plus one entry
here; a plugin's optimizer is registered at run time and needs no entry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuiltinOptimizer:
    """One optimizer nb1s ships: its registered name and where it is defined."""

    name: str
    #: the `nb1s.optimizers` submodule whose import registers the method class
    module: str
    #: matplotlib colour of its curves; None: the plot's palette picks one
    color: str | None = None


BUILTIN_OPTIMIZERS: tuple[BuiltinOptimizer, ...] = (
    BuiltinOptimizer("darts", "darts", "tab:blue"),
    BuiltinOptimizer("darts2", "darts", "tab:purple"),
    BuiltinOptimizer("gdas", "gdas", "tab:green"),
    BuiltinOptimizer("pcdarts", "pcdarts", "tab:orange"),
    BuiltinOptimizer("random_ws", "random_ws", "tab:brown"),
    BuiltinOptimizer("enas", "enas", "tab:red"),
    BuiltinOptimizer("fixed", "fixed_arch"),
)

BUILTIN_NAMES: tuple[str, ...] = tuple(o.name for o in BUILTIN_OPTIMIZERS)


def builtin_modules() -> tuple[str, ...]:
    """The submodules to import so that every built-in optimizer is registered (once each)."""
    return tuple(dict.fromkeys(o.module for o in BUILTIN_OPTIMIZERS))


def plot_colors() -> dict[str, str]:
    """Optimizer name -> curve colour, for the built-ins that have a fixed one."""
    return {o.name: o.color for o in BUILTIN_OPTIMIZERS if o.color is not None}


def names_phrase() -> str:
    """The names as an English list ("darts, ..., enas or fixed"), for help texts."""
    *head, last = BUILTIN_NAMES
    return f"{', '.join(head)} or {last}"
