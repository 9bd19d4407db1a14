"""DARTS (Liu et al., 2019): softmax mixing; first order (`darts`) or second order (`darts2`)."""

from __future__ import annotations

from .config.hyperparameters import Hyperparameters
from .registry import OneShotMethod, register_method
from .updates import ArchUpdate, SecondOrder


@register_method
class Darts(OneShotMethod):
    name = "darts"
    description = "DARTS, first-order architecture gradient"


@register_method
class Darts2(OneShotMethod):
    name = "darts2"
    description = "DARTS, second-order (unrolled) architecture gradient"

    def make_update(self, hp: Hyperparameters) -> ArchUpdate:
        del hp
        return SecondOrder()
