"""The one list of built-in optimizers (no torch: the CLI reads it at start-up).

Everything that enumerates the optimizers nb1s ships is derived from this tuple: the
registry imports each entry's module (which registers its `OneShotMethod` class), `nb1s
search --help` lists the names, the search-curve plots take their colours from it, `nb1s
validate` checks recipes against the defaults, and a test holds `docs/run-schema.md` to it.
Adding an optimizer is one module plus one entry here; a plugin's optimizer is registered
at run time and needs no entry (its class carries its own defaults).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config.hyperparameters import HyperparameterValue

_NONE: Mapping[str, HyperparameterValue] = MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class BuiltinOptimizer:
    """One optimizer nb1s ships: its name, where it is defined and its facts."""

    name: str
    #: the `nb1s.optimizers` submodule whose import registers the method class
    module: str
    #: its name in figures and tables (fig5's BOHB-tuned curve: `BOHB-` + this)
    label: str
    #: the `Hyperparameters` fields its original script sets apart from DARTS (why each
    #: value: the method's module docstring, e.g. optimizers/gdas.py); the method class
    #: points its `OneShotMethod.defaults` here, so there is one declaration, torch-free
    defaults: Mapping[str, HyperparameterValue] = field(default_factory=lambda: _NONE)
    #: its curve's colour and marker in every figure (BOHB-tuned ones: the original's
    #: BOHB-DARTS/GDAS/PC-DARTS styles; Random-WS, ENAS and DARTS 2nd order, never drawn
    #: beside them in the original, take colours no other optimizer uses); None: a curve
    #: that is not an optimizer's own (the fixed architecture) takes the palette's colour
    color: str | None = None
    marker: str | None = None


BUILTIN_OPTIMIZERS: tuple[BuiltinOptimizer, ...] = (
    BuiltinOptimizer(name="darts", module="darts", label="DARTS", color="dodgerblue",
                     marker="^"),
    BuiltinOptimizer(name="darts2", module="darts", label="DARTS (2nd order)", color="navy",
                     marker="P"),
    BuiltinOptimizer(name="gdas", module="gdas", label="GDAS", color="forestgreen",
                     marker="x",
                     defaults=MappingProxyType({"epochs": 100, "arch_grad_clip": 5.0})),
    BuiltinOptimizer(name="pcdarts", module="pcdarts", label="PC-DARTS",
                     color="darkorange", marker="v",
                     defaults=MappingProxyType({"epochs": 100, "partial_channels": 4})),
    BuiltinOptimizer(name="random_ws", module="random_ws", label="Random-WS", color="olive",
                     marker="d",
                     defaults=MappingProxyType({"batch_size": 64, "grad_clip": 0.25})),
    BuiltinOptimizer(name="enas", module="enas", label="ENAS", color="teal", marker="p",
                     defaults=MappingProxyType({"batch_size": 64, "grad_clip": 0.25,
                                                "weight_decay": 1e-4,
                                                "selection_batches": 1})),
    BuiltinOptimizer(name="fixed", module="fixed_arch", label="fixed architecture"),
)

BUILTIN_NAMES: tuple[str, ...] = tuple(o.name for o in BUILTIN_OPTIMIZERS)


def builtin_optimizer(name: str) -> BuiltinOptimizer | None:
    """The entry of built-in optimizer `name`; None for any other name (a plugin's)."""
    return next((o for o in BUILTIN_OPTIMIZERS if o.name == name), None)


def builtin_modules() -> tuple[str, ...]:
    """The submodules to import so that every built-in optimizer is registered (once each)."""
    return tuple(dict.fromkeys(o.module for o in BUILTIN_OPTIMIZERS))


def names_phrase() -> str:
    """The names as an English list ("darts, ..., enas or fixed"), for help texts."""
    *head, last = BUILTIN_NAMES
    return f"{', '.join(head)} or {last}"
