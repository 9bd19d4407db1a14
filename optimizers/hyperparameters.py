"""Every hyperparameter of a one-shot search, with the original code's defaults.

A run records all of them (not just the ones a user changed) so that any curve can be traced
back to the exact numbers that produced it. Optimizers may override defaults (GDAS and
PC-DARTS default to 100 epochs in the original scripts) through `OneShotMethod.defaults`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any


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
    #: are overridden in its code, pitfall 15)
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
