"""How architecture logits become the mixing weights a cell uses in its forward pass.

This is where DARTS and GDAS differ (paper Algorithms 1 and 3): DARTS applies a softmax to
alpha, beta and gamma; GDAS samples a hard one-hot Gumbel-softmax for the ops (one op per
choice block, straight-through gradients) and a soft Gumbel-softmax for the edges, freshly
for each of the cells. Methods that train one discrete sub-network at a time hand exact
0/1 weights through `subnetwork.SubnetMixing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from .arch_weights import ArchWeights


@dataclass
class CellWeights:
    """Mixing weights of one cell: alpha per choice block (None = unweighted sum),
    beta [k, 3] (op weights, `OPS` order) and gamma [k + 1] (input, block 1..k -> output)."""

    alpha: list[torch.Tensor | None]
    beta: torch.Tensor
    gamma: torch.Tensor
    #: True when beta rows are one-hot samples, so unselected ops may be skipped
    hard_ops: bool = False


class Mixing(Protocol):
    """Turns architecture logits into the weights of each cell."""

    temperature: float | None
    #: True when an architecture step's forward may skip unsampled ops (GDAS's hard
    #: samples); the loop then keeps the plain backward under in-place zeroing
    skip_unsampled: bool

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]: ...


def _alphas(arch: ArchWeights, fn: object) -> list[torch.Tensor | None]:
    out: list[torch.Tensor | None] = []
    for j in range(1, arch.space.num_choice_blocks + 1):
        a = arch.alpha_of(j)
        out.append(None if a is None else fn(a))  # type: ignore[operator]
    return out


class SoftmaxMixing:
    """DARTS / PC-DARTS: softmax over every weight vector; the same weights for all cells."""

    temperature: float | None = None
    skip_unsampled = False

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]:
        weights = CellWeights(
            alpha=_alphas(arch, lambda a: torch.softmax(a, dim=-1)),
            beta=torch.softmax(arch.beta, dim=-1),
            gamma=torch.softmax(arch.gamma, dim=-1),
        )
        return [weights] * num_cells


def gumbel_softmax(logits: torch.Tensor, tau: float, hard: bool) -> torch.Tensor:
    """Gumbel-softmax over the last axis.

    With `hard`, the forward value is an exact one-hot of the sampled argmax while the
    gradient is that of the soft sample (straight-through): the unselected entries are
    exactly 0.0 in the forward pass, which lets the supernet skip their ops.
    """
    gumbels = -torch.empty_like(logits).exponential_().log()
    soft = torch.softmax((logits + gumbels) / tau, dim=-1)
    if not hard:
        return soft
    index = soft.argmax(dim=-1, keepdim=True)
    one_hot = torch.zeros_like(soft).scatter_(-1, index, 1.0)
    return one_hot - soft.detach() + soft


class GumbelMixing:
    """GDAS as in the original code: hard samples for ops, soft samples for edges, per cell."""

    def __init__(self, temperature: float, skip_unsampled: bool = True) -> None:
        self.temperature: float | None = temperature
        #: evaluate only the sampled op of each choice block (the original does; a speed lever)
        self.skip_unsampled = skip_unsampled

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]:
        tau = float(self.temperature or 1.0)
        return [
            CellWeights(
                alpha=_alphas(arch, lambda a: gumbel_softmax(a, tau, hard=False)),
                beta=gumbel_softmax(arch.beta, tau, hard=True),
                gamma=gumbel_softmax(arch.gamma, tau, hard=False),
                hard_ops=self.skip_unsampled,
            )
            for _ in range(num_cells)
        ]

