"""One-shot architecture search in PyTorch (layer 2: no files, no NAS-Bench-101).

The supernet (`supernet.py`) and the shared loop (`search_loop.py`) are common to every
method; a method (`darts.py`, `gdas.py`, `pcdarts.py`, `random_ws.py`, `enas.py`,
`fixed_arch.py`) only picks its mixing, its update rule, optionally how the reported
architecture is selected, and its defaults, and registers itself in `registry.py`; the list
of built-ins is `builtin.py`.

The pure configuration types (`config/`: `Hyperparameters`, `Options`, `OPTION_SPECS`,
`RANGES`) and the list of built-in optimizers import without torch. The torch names below
are loaded on first access (PEP 562), so `from nb1s.optimizers import Hyperparameters`
stays cheap while `from nb1s.optimizers import OneShotSearch` works as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .builtin import BUILTIN_NAMES, BUILTIN_OPTIMIZERS, BuiltinOptimizer
from .config import OPTION_SPECS, RANGES, Hyperparameters, Options, range_problems

if TYPE_CHECKING:
    from .arch_weights import ArchWeights
    from .discretize import discrete_config, discrete_config_id
    from .mixing import CellWeights, GumbelMixing, SoftmaxMixing, gumbel_softmax
    from .registry import METHODS, OneShotMethod, get_method, method_names, register_method
    from .search_loop import BatchSource, EpochResult, OneShotSearch
    from .supernet import Supernet, channel_shuffle, count_parameters

#: name -> the submodule that defines it (these submodules import torch)
_LAZY: dict[str, str] = {
    "ArchWeights": "arch_weights",
    "discrete_config": "discretize", "discrete_config_id": "discretize",
    "CellWeights": "mixing", "GumbelMixing": "mixing", "SoftmaxMixing": "mixing",
    "gumbel_softmax": "mixing",
    "METHODS": "registry", "OneShotMethod": "registry", "get_method": "registry",
    "method_names": "registry", "register_method": "registry",
    "BatchSource": "search_loop", "EpochResult": "search_loop", "OneShotSearch": "search_loop",
    "Supernet": "supernet", "channel_shuffle": "supernet", "count_parameters": "supernet",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


__all__ = [
    "BUILTIN_NAMES",
    "BUILTIN_OPTIMIZERS",
    "METHODS",
    "OPTION_SPECS",
    "RANGES",
    "ArchWeights",
    "BatchSource",
    "BuiltinOptimizer",
    "CellWeights",
    "EpochResult",
    "GumbelMixing",
    "Hyperparameters",
    "OneShotMethod",
    "OneShotSearch",
    "Options",
    "SoftmaxMixing",
    "Supernet",
    "channel_shuffle",
    "count_parameters",
    "discrete_config",
    "discrete_config_id",
    "get_method",
    "gumbel_softmax",
    "method_names",
    "range_problems",
    "register_method",
]
