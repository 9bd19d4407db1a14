"""Discrete sub-networks of the supernet: exact 0/1 mixing weights for one architecture.

Random-WS and ENAS do not relax the architecture; they train and score one sampled
architecture at a time (docs/original-code.md#masked-sub-networks). The original turns an
architecture into 0/1 alpha/beta/gamma tensors and runs the supernet with them, so this module does
the same from a `nb1s.enumerate` config: beta is the one-hot of each block's op, gamma marks
the output's parents, alpha_j marks node j's parents. Writing the same 0/1 values into
`ArchWeights` makes the run directory's `arch_weights.npz` discretize back to exactly the
architecture that was reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from nb1s.enumerate import OPS, Config, SearchSpace

from .arch_weights import ArchWeights, choice_nodes
from .discretize import discrete_config
from .mixing import CellWeights

if TYPE_CHECKING:
    from .search_loop import OneShotSearch


def sample_config_id(space: SearchSpace, generator: torch.Generator | None = None) -> int:
    """A config id drawn uniformly from the whole space (loose ends included).

    The config encoding is a bijection onto (parent set per node, op per block), so a
    uniform id is the original's per-node uniform parent set and uniform op with
    replacement: uniform over the 14,580 / 29,160 / 1,312,200 configurations, not over
    unique NAS-Bench-101 cells.
    """
    return int(torch.randint(space.num_configs, (1,), generator=generator).item())


def _marks(size: int, ones: tuple[int, ...], normalized: bool,
           device: torch.device | str) -> torch.Tensor:
    out = torch.zeros(size)
    out[list(ones)] = 1.0 / len(ones) if normalized else 1.0
    return out.to(device)


def subnet_weights(space: SearchSpace, config: Config, hard_ops: bool,
                   device: torch.device | str = "cpu", *, normalized: bool = False
                   ) -> CellWeights:
    """0/1 `CellWeights` selecting exactly `config`'s edges and ops.

    Nodes without a parent choice keep `alpha=None` (their inputs are summed, which is the
    only parent set they have). `hard_ops=True` lets the cell skip the unselected ops
    (the paper's "trains only the selected subset"); False evaluates them and multiplies
    by 0, as the original does (their BN statistics, weight decay and momentum move).

    `normalized=True` gives the weights the original's correlation script evaluated the
    DARTS family with (`fixed_evaluation`): each chosen parent weighs 1 / (number of
    parents) and the ops of a block weigh softmax(one-hot), so all three ops contribute.
    """
    k = space.num_choice_blocks
    choices = set(choice_nodes(space))
    alpha: list[torch.Tensor | None] = [
        _marks(j, config.parents[j - 1], normalized, device) if j in choices else None
        for j in range(1, k + 1)
    ]
    beta = torch.zeros(k, len(OPS))
    beta[torch.arange(k), torch.tensor(config.ops)] = 1.0
    if normalized:
        beta = torch.softmax(beta, dim=-1)
    beta = beta.to(device)
    gamma = _marks(k + 1, config.parents[k], normalized, device)
    return CellWeights(alpha=alpha, beta=beta, gamma=gamma, hard_ops=hard_ops)


@torch.no_grad()
def write_config(arch: ArchWeights, config: Config) -> None:
    """Overwrite the architecture logits with `config`'s 0/1 weights (discretizes back)."""
    weights = subnet_weights(arch.space, config, hard_ops=False, device=arch.beta.device)
    arch.beta.copy_(weights.beta)
    arch.gamma.copy_(weights.gamma)
    for j in choice_nodes(arch.space):
        value = weights.alpha[j - 1]
        param = arch.alpha_of(j)
        assert value is not None and param is not None
        param.copy_(value)


class SubnetMixing:
    """Mixing that hands the supernet the 0/1 weights of one architecture at a time.

    `use` switches the architecture (each minibatch for Random-WS and ENAS, each candidate
    while screening). Until the first `use`, it follows the discretized architecture
    logits, so the loop's initial evaluation has a well-defined sub-network.
    """

    temperature: float | None = None
    #: no architecture step backpropagates through a sub-network's mixing weights
    skip_unsampled = False

    def __init__(self) -> None:
        self.config: Config | None = None
        self._weights: CellWeights | None = None

    def use(self, config: Config, space: SearchSpace, hard_ops: bool,
            device: torch.device | str) -> None:
        self.config = config
        self._weights = subnet_weights(space, config, hard_ops, device)

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]:
        if self._weights is None:
            config = discrete_config(arch.space, arch.as_numpy())
            self.use(config, arch.space, False, arch.beta.device)
        assert self._weights is not None
        return [self._weights] * num_cells


def activate(search: OneShotSearch, config: Config) -> None:
    """Make `config` the sub-network the search's next forward passes run.

    The `subnet_forward` switch decides whether unselected ops are skipped (`paper`:
    only the sampled sub-network is trained) or run and multiplied by 0 (`original`).
    """
    mixing = search.mixing
    if not isinstance(mixing, SubnetMixing):
        raise TypeError(f"{search.method.name} does not train discrete sub-networks")
    mixing.use(config, search.space, search.options.subnet_forward == "sampled", search.device)
