"""`fixed`: stand-alone training of ONE architecture (the proxy models of Figure 17).

The released `single_architecture_training/train.py` sets the supernet's architecture
weights to the 0/1 encoding of one sampled architecture and trains with `discrete=True`,
so only the selected ops run and nothing architectural is ever updated. This method is
the same composition of shared parts: the Random-WS `SubnetMixing` pinned to one config
(always with unselected ops skipped, whatever `subnet_forward` says, since a stand-alone
model has no other ops), an architecture step that does nothing, and no selector, so each
epoch reports the discretized logits, which hold the architecture's 0/1 weights.

The architecture is `--set architecture=CONFIG_ID` or, when that is -1, drawn from the
run's seed (`sample_without_loose_ends`). The seed is read back with
`torch.initial_seed()`, which `OneShotSearch` has just set to the run's seed; the draw
uses its own generator so it does not depend on the model size: the same seed gives the
same architecture for every (cells, channels) proxy, as Figure 17 needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import torch

from nb1s.enumerate import Config, SearchSpace, decode

from .config.method_defaults import builtin_defaults
from .mixing import CellWeights
from .registry import OneShotMethod, register_method
from .subnetwork import SubnetMixing, sample_config_id, write_config
from .updates import ArchUpdate

if TYPE_CHECKING:
    from .arch_weights import ArchWeights
    from .config.hyperparameters import Hyperparameters
    from .search_loop import Batch, OneShotSearch


def has_loose_ends(space: SearchSpace, config: Config) -> bool:
    """True when some choice block has no path to the output (NB101 would prune it).

    Every block has at least one parent and node 1's only parent is the input, so every
    block is reachable from the input; a loose end can only be a block that feeds nothing
    that leads to the output.
    """
    k = space.num_choice_blocks
    useful = set(config.parents[k])
    for j in range(k, 0, -1):
        if j in useful:
            useful.update(config.parents[j - 1])
    return any(j not in useful for j in range(1, k + 1))


def sample_without_loose_ends(space: SearchSpace, seed: int) -> int:
    """A config id drawn uniformly among the space's configs without loose ends.

    Rejection sampling over uniform config ids, so every loose-end-free configuration
    (parent sets and ops) is equally likely. The original drew with its recursive
    per-node sampler, which is not uniform over these configurations; its exact draws
    (and so its 150 architectures) are not reproduced.
    """
    gen = torch.Generator().manual_seed(seed)
    while True:
        config_id = sample_config_id(space, gen)
        if not has_loose_ends(space, decode(space, config_id)):
            return config_id


class FixedMixing(SubnetMixing):
    """`SubnetMixing` pinned to one architecture, resolved on first use from the space."""

    def __init__(self, architecture: int, seed: int) -> None:
        super().__init__()
        self.architecture = architecture
        self.seed = seed

    def resolve(self, arch: ArchWeights) -> Config:
        """The trained config; also writes its 0/1 weights into the logits (reported)."""
        if self.config is None:
            space = arch.space
            config_id = self.architecture
            if config_id < 0:
                config_id = sample_without_loose_ends(space, self.seed)
            elif config_id >= space.num_configs:
                raise ValueError(f"architecture {config_id} is not a config id of space "
                                 f"{space.number} (0..{space.num_configs - 1})")
            self.use(decode(space, config_id), space, True, arch.beta.device)
        assert self.config is not None
        write_config(arch, self.config)
        return self.config

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]:
        if self.config is None:
            self.resolve(arch)
        return super().cell_weights(arch, num_cells)


class NoArchitectureStep(ArchUpdate):
    """A stand-alone model has no architecture to learn: the step does nothing."""

    def step(self, search: OneShotSearch, train: Batch, valid: Batch, lr: float) -> None:
        del train, valid, lr
        mixing = search.mixing
        if isinstance(mixing, FixedMixing) and mixing.config is None:
            mixing.resolve(search.arch)


@register_method
class FixedArchitecture(OneShotMethod):
    name = "fixed"
    description = "one architecture trained stand-alone (0/1 weights, no architecture steps)"
    defaults: ClassVar[dict[str, Any]] = builtin_defaults("fixed")

    def make_mixing(self, hp: Hyperparameters) -> FixedMixing:
        return FixedMixing(hp.architecture, torch.initial_seed())

    def make_update(self, hp: Hyperparameters) -> NoArchitectureStep:
        del hp
        return NoArchitectureStep()
