"""The architecture weights alpha (edges into choice blocks), beta (ops), gamma (output edges).

One set is shared by all cells of the supernet (docs/original-code.md#shared-architecture-weights).
Shapes are read from the space's parent options in `nb1s.enumerate.spaces`, never re-typed: node j
gets an alpha vector over its j candidate parents only when it has a real choice (node 1, and node 2
of space 1, have none and sum their inputs). Beta columns follow `nb1s.enumerate.OPS` (NB101's
order), so an argmax is directly an NB101 op label.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from nb1s.enumerate import OPS, SearchSpace

INIT_SCALE = 1e-3


def choice_nodes(space: SearchSpace) -> list[int]:
    """Choice blocks (1..k) that select among more than one parent set."""
    return [j for j in range(1, space.num_choice_blocks + 1)
            if len(space.parent_options[j - 1]) > 1]


class ArchWeights(nn.Module):
    """Raw (pre-softmax) architecture logits, drawn as 1e-3 * N(0, 1) like the original."""

    def __init__(self, space: SearchSpace) -> None:
        super().__init__()
        self.space = space
        n = space.num_choice_blocks
        self.beta = nn.Parameter(INIT_SCALE * torch.randn(n, len(OPS)))
        self.gamma = nn.Parameter(INIT_SCALE * torch.randn(n + 1))
        self.alpha = nn.ParameterDict(
            {f"node{j}": nn.Parameter(INIT_SCALE * torch.randn(j)) for j in choice_nodes(space)}
        )

    def alpha_of(self, node: int) -> nn.Parameter | None:
        key = f"node{node}"
        return self.alpha.get(key, None)

    def as_numpy(self) -> dict[str, npt.NDArray[np.float32]]:
        """A detached copy keyed like the run directory's `arch_weights.npz`."""
        out = {"beta": self.beta.detach().float().cpu().numpy().copy(),
               "gamma": self.gamma.detach().float().cpu().numpy().copy()}
        for key, value in self.alpha.items():
            out[f"alpha_{key}"] = value.detach().float().cpu().numpy().copy()
        return out
