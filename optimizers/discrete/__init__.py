"""Discrete (black-box) NAS on the NAS-Bench-1Shot1 spaces (layer 2: no files, no NB101).

The harness supplies an `Objective` (config ids -> NB101 errors and training time); the
optimizers here propose config ids through the categorical encoding of a space
(`encoding.py`) and return `Trajectory` records (`records.py`). RS, RE and REINFORCE are
numpy code vectorised across seeds; TPE (hyperopt), SMAC (SMAC3 2.x) and HB/BOHB
(hpbandster) wrap their libraries, which are imported only when such a run starts (the
`blackbox` extra).
"""

from .encoding import DiscreteEncoding, configuration_space, encoding_for
from .objective import Evaluation, Objective, RepeatPolicy, RepeatTable, TableObjective
from .records import RECORD_DTYPE, Trajectory
from .registry import (
    BLACKBOX_OPTIMIZERS,
    BlackBoxOptimizer,
    blackbox_optimizer,
    register_blackbox,
    run_blackbox,
)

__all__ = [
    "BLACKBOX_OPTIMIZERS",
    "RECORD_DTYPE",
    "BlackBoxOptimizer",
    "DiscreteEncoding",
    "Evaluation",
    "Objective",
    "RepeatPolicy",
    "RepeatTable",
    "TableObjective",
    "Trajectory",
    "blackbox_optimizer",
    "configuration_space",
    "encoding_for",
    "register_blackbox",
    "run_blackbox",
]
