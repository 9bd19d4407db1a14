"""Which experiment kinds exist: recipe `kind:` -> the module that implements it.

Entries are import paths, loaded on first use, so listing the kinds costs no torch import
and a kind's heavy dependencies (hpbandster, fanova) load only when that kind runs.
Adding a kind: write `experiments/<name>/` with a `KIND` object and add one line here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from nb1s.harness.errors import UserError

if TYPE_CHECKING:
    from nb1s.harness.experiments.kind import ExperimentKind

# recipe kind -> "module:attribute" of its ExperimentKind
KINDS: dict[str, str] = {
    "enumeration": "nb1s.harness.experiments.table1.kind:KIND",
    "search": "nb1s.harness.experiments.search_curves.kind:KIND",
    "correlation": "nb1s.harness.experiments.correlation.kind:KIND",
    "distribution": "nb1s.harness.experiments.distribution.kind:KIND",
    "proxy": "nb1s.harness.experiments.proxy.kind:KIND",
    "fanova": "nb1s.harness.experiments.fanova.kind:KIND",
    "bohb": "nb1s.harness.experiments.bohb.kind:KIND",
    "blackbox": "nb1s.harness.experiments.blackbox.kind:KIND",
}


def kind_for(name: str) -> ExperimentKind:
    """The implementation of recipe kind `name` (UserError when nb1s has none)."""
    target = KINDS.get(name)
    if target is None:
        raise UserError(f"experiment kind {name!r} is not implemented in nb1s")
    module, attr = target.split(":")
    kind: ExperimentKind = getattr(importlib.import_module(module), attr)
    return kind


def registered(kind: str) -> ExperimentKind | None:
    """The implementation of recipe kind `kind`, or None when nb1s has none."""
    return kind_for(kind) if kind in KINDS else None


def implemented() -> tuple[str, ...]:
    """The recipe kinds nb1s can run, in registration order."""
    return tuple(KINDS)
