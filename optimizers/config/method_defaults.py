"""Each built-in method's hyperparameter defaults where its original script departs from DARTS.

The values are declared on the method's `BuiltinOptimizer` entry (optimizers/builtin.py,
torch-free), so the harness can check a recipe against them (`nb1s validate`) without
importing torch; each method class points its `OneShotMethod.defaults` at that entry
through `builtin_defaults`, so there is one declaration per method.
"""

from __future__ import annotations

from ..builtin import builtin_optimizer
from .hyperparameters import HyperparameterValue


def builtin_defaults(name: str) -> dict[str, HyperparameterValue]:
    """A copy of built-in method `name`'s defaults, declared on its `BuiltinOptimizer`
    entry (optimizers/builtin.py); KeyError when `name` is not a built-in method."""
    entry = builtin_optimizer(name)
    if entry is None:
        raise KeyError(f"{name!r} is not a built-in one-shot optimizer")
    return dict(entry.defaults)
