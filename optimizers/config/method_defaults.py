"""Each built-in method's hyperparameter defaults where its original script departs from DARTS.

The values live here, in a torch-free module, so that the harness can check a recipe
against them (`nb1s validate`) without importing torch; each method class points its
`OneShotMethod.defaults` at its entry, so there is one declaration per method.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .hyperparameters import HyperparameterValue

_Defaults = Mapping[str, HyperparameterValue]

#: method name -> the `Hyperparameters` fields its original script sets differently (why
#: each value: the module docstring of the method, e.g. optimizers/gdas.py).
BUILTIN_DEFAULTS: Mapping[str, _Defaults] = MappingProxyType({
    "darts": MappingProxyType({}),
    "darts2": MappingProxyType({}),
    "gdas": MappingProxyType({"epochs": 100, "arch_grad_clip": 5.0}),
    "pcdarts": MappingProxyType({"epochs": 100, "partial_channels": 4}),
    "random_ws": MappingProxyType({"batch_size": 64, "grad_clip": 0.25}),
    "enas": MappingProxyType({"batch_size": 64, "grad_clip": 0.25, "weight_decay": 1e-4,
                              "selection_batches": 1}),
    "fixed": MappingProxyType({}),
})


def builtin_defaults(name: str) -> dict[str, HyperparameterValue]:
    """A copy of `name`'s defaults (KeyError when `name` is not a built-in method)."""
    return dict(BUILTIN_DEFAULTS[name])
