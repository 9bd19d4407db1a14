"""GDAS (Dong & Yang, 2019): Gumbel-softmax mixing with a linearly decaying temperature.

Hard one-hot samples choose one op per choice block (only that op is evaluated), soft samples
weight the edges; the architecture gradient is clipped to norm 5; the original defaults to
100 epochs and decays tau from 10 to 1 over the configured epochs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .config.hyperparameters import Hyperparameters
from .config.method_defaults import builtin_defaults
from .mixing import GumbelMixing, Mixing
from .registry import OneShotMethod, register_method


@register_method
class Gdas(OneShotMethod):
    name = "gdas"
    description = "GDAS, hard Gumbel-softmax ops, soft Gumbel edges, tau 10 -> 1"
    defaults: ClassVar[dict[str, Any]] = builtin_defaults("gdas")

    def make_mixing(self, hp: Hyperparameters) -> Mixing:
        return GumbelMixing(hp.tau_max, skip_unsampled=hp.sampled_ops_only)

    def temperature(self, hp: Hyperparameters, epoch: float) -> float | None:
        """tau_max - (tau_max - tau_min) * epoch / epochs (training epoch e uses e)."""
        return hp.tau_max - (hp.tau_max - hp.tau_min) * epoch / hp.epochs
