"""The pure configuration of a one-shot search: hyperparameters, paper/original switches,
and each built-in method's defaults.

Nothing here imports torch (a test holds it to that), so the harness can plan, validate
and type recipes against these declarations in a fraction of a second; the search code
imports them from here too, so there is one declaration of each.
"""

from .hyperparameters import RANGES, Hyperparameters, HyperparameterValue, Range, range_problems
from .method_defaults import builtin_defaults
from .options import OPTION_SPECS, PAPER_SILENT, PRESETS, Options, OptionSpec, PresetName

__all__ = [
    "OPTION_SPECS",
    "PAPER_SILENT",
    "PRESETS",
    "RANGES",
    "HyperparameterValue",
    "Hyperparameters",
    "OptionSpec",
    "Options",
    "PresetName",
    "Range",
    "builtin_defaults",
    "range_problems",
]
