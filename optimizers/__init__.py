"""One-shot architecture search in PyTorch (layer 2: no files, no NAS-Bench-101).

The supernet (`supernet.py`) and the shared loop (`search_loop.py`) are common to every
method; a method (`darts.py`, `gdas.py`, `pcdarts.py`, `random_ws.py`, `enas.py`) only
picks its mixing, its update rule, optionally how the reported architecture is selected, and
its defaults, and registers itself in `registry.py`.
"""

from .arch_weights import ArchWeights
from .discretize import discrete_config, discrete_config_id
from .hyperparameters import RANGES, Hyperparameters, range_problems
from .mixing import CellWeights, GumbelMixing, SoftmaxMixing, gumbel_softmax
from .options import OPTION_SPECS, Options
from .registry import METHODS, OneShotMethod, get_method, method_names, register_method
from .search_loop import BatchSource, EpochResult, OneShotSearch
from .supernet import Supernet, channel_shuffle, count_parameters

__all__ = [
    "METHODS",
    "OPTION_SPECS",
    "RANGES",
    "ArchWeights",
    "BatchSource",
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
