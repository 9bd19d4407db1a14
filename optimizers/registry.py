"""The optimizer registry: an optimizer is one small `OneShotMethod` subclass.

A method chooses (1) its mixing (how logits become cell weights), (2) its update rule and
(3) optional hyperparameter defaults; the supernet, the search loop and the discretization
are shared. Register with `@register_method`; `nb1s search NAME` then finds it.

The method modules import this one; this one imports none of them. The built-ins are
loaded by name from `builtin.BUILTIN_OPTIMIZERS` on first look-up, so the import graph has
no cycle and the list of built-ins exists once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar

from .builtin import builtin_modules
from .config.hyperparameters import Hyperparameters
from .mixing import Mixing, SoftmaxMixing
from .updates import ArchUpdate, FirstOrder

if TYPE_CHECKING:
    from .selection import ScreenSelector


class OneShotMethod:
    """Base class: DARTS 1st order unless a subclass overrides a component."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: hyperparameter defaults that differ from `Hyperparameters()` for this method
    defaults: ClassVar[dict[str, Any]] = {}
    #: a plugin's plot colour and marker (matplotlib names); a built-in's are on its
    #: `BuiltinOptimizer` entry (builtin.py, read without torch); None: the plot picks one
    color: ClassVar[str | None] = None
    marker: ClassVar[str | None] = None

    def make_mixing(self, hp: Hyperparameters) -> Mixing:
        del hp
        return SoftmaxMixing()

    def make_update(self, hp: Hyperparameters) -> ArchUpdate:
        del hp
        return FirstOrder()

    def make_selector(self, hp: Hyperparameters) -> ScreenSelector | None:
        """How each epoch's reported architecture is chosen; None: discretize the logits.

        Sampling methods (Random-WS, ENAS) have no logits worth discretizing: they screen
        sampled architectures with the shared weights instead (`selection.py`).
        """
        del hp
        return None

    def temperature(self, hp: Hyperparameters, epoch: float) -> float | None:
        """Mixing temperature while training epoch `epoch` (None when it has none)."""
        del hp, epoch
        return None

    def hyperparameters(self, **overrides: Any) -> Hyperparameters:
        """This method's defaults with user overrides applied on top."""
        return Hyperparameters().with_values(**{**self.defaults, **overrides})


METHODS: dict[str, type[OneShotMethod]] = {}


def register_method(cls: type[OneShotMethod]) -> type[OneShotMethod]:
    """Class decorator adding a method to `METHODS` under its `name`."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a non-empty `name`")
    if cls.name in METHODS and METHODS[cls.name] is not cls:
        raise ValueError(f"optimizer name {cls.name!r} is already registered")
    METHODS[cls.name] = cls
    return cls


def load_builtins() -> None:
    """Import every built-in optimizer's module, which registers its classes."""
    for module in builtin_modules():
        importlib.import_module(f"{__package__}.{module}")


def get_method(name: str) -> OneShotMethod:
    """An instance of the registered method `name` (ValueError lists the known names).

    Names match case-insensitively (`DARTS` is `darts`), as the black-box names do
    (`rs` is `RS`): a user should not have to remember which family spells which way.
    An exact match wins; a case-insensitive one must be unique.
    """
    load_builtins()
    cls = METHODS.get(name)
    if cls is None:
        folded = [key for key in METHODS if key.casefold() == name.casefold()]
        if len(folded) == 1:
            cls = METHODS[folded[0]]
    if cls is None:
        raise ValueError(
            f"unknown optimizer {name!r}: choose one of {', '.join(sorted(METHODS))}")
    return cls()


def method_names() -> list[str]:
    """Every registered name, built-ins and plugins alike, sorted."""
    load_builtins()
    return sorted(METHODS)
