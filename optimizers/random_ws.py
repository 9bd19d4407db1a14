"""Random search with weight sharing (Li & Talwalkar, 2019; paper Algorithm 4,
docs/original-code.md#random-ws).

Three components, the rest is the shared loop: (1) `SubnetMixing`, the supernet runs
exact 0/1 weights of one architecture; (2) `UniformSampling` as the "architecture step",
so before every weight step a new architecture is drawn uniformly from the whole space
(the architecture split batch is not used: Random-WS has nothing to learn there); (3) a
`ScreenSelector` with uniform samples, so each epoch reports the best of the top-5 of
1000 screened architectures. Defaults follow `random_weight_share.py`: batch 64, weight
gradient clip 0.25, weight decay 3e-4, the DARTS learning-rate schedule.

Known differences to the original, on purpose: the budget is whole epochs (the original
trains int(epochs * 25000 / 64) minibatches, 49 epochs and 372 batches for E = 50); epoch 0
is a selection with the untrained weights (the original starts at epoch 1); the original's
extra end-of-run selection rounds (3 for E = 100) that overwrite the last epoch's files
are not repeated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from nb1s.enumerate import decode

from .config.hyperparameters import Hyperparameters
from .config.method_defaults import builtin_defaults
from .mixing import Mixing
from .registry import OneShotMethod, register_method
from .selection import ScreenSelector
from .subnetwork import SubnetMixing, activate, sample_config_id
from .updates import ArchUpdate

if TYPE_CHECKING:
    from nb1s.enumerate import Config

    from .search_loop import Batch, OneShotSearch


def uniform_config(search: OneShotSearch) -> Config:
    """A uniformly random architecture of the search's space (torch's seeded RNG)."""
    return decode(search.space, sample_config_id(search.space))


class UniformSampling(ArchUpdate):
    """The Random-WS "architecture step": switch to a fresh uniform sample."""

    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        del train, valid, lr
        activate(search, uniform_config(search))


@register_method
class RandomWS(OneShotMethod):
    name = "random_ws"
    description = "Random-WS, a uniform sub-network per minibatch; best of 1000 screened"
    defaults: ClassVar[dict[str, Any]] = builtin_defaults("random_ws")

    def make_mixing(self, hp: Hyperparameters) -> Mixing:
        del hp
        return SubnetMixing()

    def make_update(self, hp: Hyperparameters) -> UniformSampling:
        del hp
        return UniformSampling()

    def make_selector(self, hp: Hyperparameters) -> ScreenSelector:
        return ScreenSelector(uniform_config, hp.selection_samples, hp.selection_batches,
                              hp.selection_top_k)
