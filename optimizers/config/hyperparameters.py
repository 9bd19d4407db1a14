"""Every hyperparameter of a one-shot search, with the original code's defaults.

A run records all of them (not just the ones a user changed) so that any curve can be traced
back to the exact numbers that produced it. Optimizers may override defaults (GDAS and
PC-DARTS default to 100 epochs in the original scripts) through `OneShotMethod.defaults`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

#: The type of every `Hyperparameters` field's value.
HyperparameterValue = bool | int | float


@dataclass(frozen=True)
class Hyperparameters:
    """Search hyperparameters (defaults: the original DARTS-family `train_search.py`)."""

    epochs: int = 50
    batch_size: int = 96
    learning_rate: float = 0.025
    learning_rate_min: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 3e-4
    grad_clip: float = 5.0
    arch_learning_rate: float = 3e-4
    arch_weight_decay: float = 1e-3
    arch_beta1: float = 0.5
    arch_beta2: float = 0.999
    #: gradient-norm clip on the architecture weights (GDAS only in the original; 0 = off)
    arch_grad_clip: float = 0.0
    init_channels: int = 16
    #: `fixed` method only: the config id to train (-1: sampled from the run's seed)
    architecture: int = -1
    layers: int = 9
    train_portion: float = 0.5
    warm_start_epochs: int = 0
    cutout: bool = False
    cutout_length: int = 16
    cutout_prob: float = 1.0
    #: Gumbel-softmax temperature range (GDAS); linear from tau_max to tau_min over `epochs`
    tau_max: float = 10.0
    tau_min: float = 1.0
    #: partial-channel factor K (PC-DARTS); 1 = every channel goes through the ops
    partial_channels: int = 1
    #: GDAS: evaluate only the op a hard sample selected (the original does)
    sampled_ops_only: bool = True
    #: Random-WS / ENAS: architectures screened after each epoch, minibatches each one
    #: sees, and how many of the best are then scored on the whole selection split
    selection_samples: int = 1000
    selection_batches: int = 10
    selection_top_k: int = 5
    #: ENAS controller (the original's values; its argparse lr 0.0035 and entropy 0.1
    #: are overridden in its code, docs/original-code.md#enas-overridden-arguments)
    controller_steps: int = 300
    controller_learning_rate: float = 3.5e-4
    controller_entropy_weight: float = 1e-4
    controller_baseline_decay: float = 0.99
    controller_lstm_size: int = 64
    controller_temperature: float = 5.0
    controller_tanh_constant: float = 2.5
    controller_op_tanh_reduce: float = 5.0
    #: small-size knobs for CPU tests and demos; 0 = no limit
    max_batches_per_epoch: int = 0
    max_eval_batches: int = 0
    # speed / reproducibility levers
    channels_last: bool = False
    amp_bf16: bool = False
    deterministic: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_values(self, **values: Any) -> Hyperparameters:
        return replace(self, **values)

    @classmethod
    def field_types(cls) -> dict[str, type]:
        """Python type of each field, used to parse `--set key=value` strings."""
        kinds: dict[str, type] = {"int": int, "float": float, "bool": bool}
        return {f.name: kinds[str(f.type)] for f in fields(cls)}


@dataclass(frozen=True)
class Range:
    """Allowed values of one hyperparameter: finite, within [low, high] (open where said)."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def problem(self, value: float) -> str | None:
        """Why `value` is out of range, or None when it is allowed."""
        if not math.isfinite(value):
            return "must be a finite number"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {'>' if self.low_open else '>='} {self.low:g}"
        if self.high is not None and (value >= self.high if self.high_open
                                      else value > self.high):
            return f"must be {'<' if self.high_open else '<='} {self.high:g}"
        return None


_POSITIVE = Range(0.0, low_open=True)
_NON_NEGATIVE = Range(0.0)
_AT_LEAST_ONE = Range(1.0)
_UNIT_OPEN = Range(0.0, 1.0, high_open=True)

#: The one declaration of every hyperparameter's range. Checked by `range_problems`, which
#: the CLI (`--set`), the recipe validator and the search runner all call, so a value that
#: would silently produce a garbage run (NaN learning rate, zero layers) is refused before
#: anything starts. Booleans need no range. `architecture` is also bounded by the space's
#: number of configs, which only the caller knows (`max_config_id`).
RANGES: dict[str, Range] = {
    "epochs": _AT_LEAST_ONE, "batch_size": _AT_LEAST_ONE,
    "learning_rate": _POSITIVE, "learning_rate_min": _NON_NEGATIVE,
    "momentum": _UNIT_OPEN, "weight_decay": _NON_NEGATIVE, "grad_clip": _POSITIVE,
    "arch_learning_rate": _NON_NEGATIVE, "arch_weight_decay": _NON_NEGATIVE,
    "arch_beta1": _UNIT_OPEN, "arch_beta2": _UNIT_OPEN, "arch_grad_clip": _NON_NEGATIVE,
    "init_channels": _AT_LEAST_ONE, "architecture": Range(-1.0), "layers": _AT_LEAST_ONE,
    "train_portion": Range(0.0, 1.0, low_open=True, high_open=True),
    "warm_start_epochs": _NON_NEGATIVE, "cutout_length": _AT_LEAST_ONE,
    "cutout_prob": Range(0.0, 1.0), "tau_max": _POSITIVE, "tau_min": _POSITIVE,
    "partial_channels": _AT_LEAST_ONE, "selection_samples": _AT_LEAST_ONE,
    "selection_batches": _AT_LEAST_ONE, "selection_top_k": _AT_LEAST_ONE,
    "controller_steps": _NON_NEGATIVE, "controller_learning_rate": _NON_NEGATIVE,
    "controller_entropy_weight": _NON_NEGATIVE, "controller_baseline_decay": Range(0.0, 1.0),
    "controller_lstm_size": _AT_LEAST_ONE, "controller_temperature": _POSITIVE,
    "controller_tanh_constant": _POSITIVE, "controller_op_tanh_reduce": _POSITIVE,
    "max_batches_per_epoch": _NON_NEGATIVE, "max_eval_batches": _NON_NEGATIVE,
}


def range_problems(values: dict[str, Any], max_config_id: int | None = None) -> list[str]:
    """One line per value outside its declared range (`RANGES`); empty when all are fine.

    `values` may be partial (a recipe's overrides) or complete (`Hyperparameters.as_dict`).
    `max_config_id` bounds `architecture` (the space's number of configs minus one).
    """
    problems = []
    for key, value in values.items():
        rng = RANGES.get(key)
        if rng is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        why = rng.problem(float(value))
        if why is None and key == "architecture" and max_config_id is not None \
                and value > max_config_id:
            why = f"must be a config id <= {max_config_id} (or -1 to sample one)"
        if why is not None:
            problems.append(f"{key}={value!r} {why}")
    if (values.get("tau_min") is not None and values.get("tau_max") is not None
            and isinstance(values["tau_min"], int | float)
            and isinstance(values["tau_max"], int | float)
            and values["tau_min"] > values["tau_max"]):
        problems.append(f"tau_min={values['tau_min']!r} must be <= tau_max={values['tau_max']!r}")
    return problems
