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


BUILTIN_OPTIMIZERS: tuple[BuiltinOptimizer, ...] = (
    BuiltinOptimizer("darts", "darts"),
    BuiltinOptimizer("darts2", "darts"),
    BuiltinOptimizer("gdas", "gdas"),
    BuiltinOptimizer("pcdarts", "pcdarts"),
    BuiltinOptimizer("random_ws", "random_ws"),
    BuiltinOptimizer("enas", "enas"),
    BuiltinOptimizer("fixed", "fixed_arch"),
)

BUILTIN_NAMES: tuple[str, ...] = tuple(o.name for o in BUILTIN_OPTIMIZERS)


def builtin_modules() -> tuple[str, ...]:
    """The submodules to import so that every built-in optimizer is registered (once each)."""
    return tuple(dict.fromkeys(o.module for o in BUILTIN_OPTIMIZERS))


def names_phrase() -> str:
    """The names as an English list ("darts, ..., enas or fixed"), for help texts."""
    *head, last = BUILTIN_NAMES
    return f"{', '.join(head)} or {last}"
