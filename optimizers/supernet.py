"""The NAS-Bench-1Shot1 one-shot model (paper Section 3.1, Figure 1;
docs/original-code.md#supernet-skeleton).

Stem (3x3 conv, `init_channels`), `layers` cells in three stages with a 2x2 max-pool and a
doubling of the width between stages, then a ReLU-1x1conv-BN(affine-free) head, global
average pooling and a linear classifier. Each cell holds one choice block per intermediate
node (a mixed op over the three NB101 ops), fixed-width 1x1 projections of the cell input
(one per choice block plus one for the output edge) and an output that adds the projected
input to the concatenation of the weighted choice blocks. The architecture weights live
outside this module (`ArchWeights`) and arrive as `CellWeights`, one per cell, so DARTS,
GDAS and PC-DARTS share this class unchanged.
"""

from __future__ import annotations

import torch
from torch import nn

from nb1s.enumerate import OPS, SearchSpace

from .config.options import Options
from .fast_paths import FAST_PATHS
from .mixing import CellWeights
from .ops import BN_EPSILON, ConvBnRelu, make_op


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave `groups` channel groups: [N, g, C/g, H, W] -> swap axes 1, 2 -> flatten."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class MixedOp(nn.Module):
    """Weighted sum of the three NB101 ops; PC-DARTS variant with `partial` = K > 1.

    With K > 1 only the first C/K channels go through the ops, the rest pass untouched,
    and a channel shuffle with K groups mixes them for the next layer (no random mask,
    as in the original). With `skip_zero` ops whose weight is exactly 0 (GDAS hard
    samples) are not evaluated at all.
    """

    def __init__(self, channels: int, options: Options, partial: int = 1) -> None:
        super().__init__()
        if channels % partial:
            raise ValueError(f"{channels} channels cannot be split into {partial} parts")
        self.partial = partial
        self.op_channels = channels // partial
        self.ops = nn.ModuleList(
            make_op(name, self.op_channels, options.torch_bn_momentum, options.affine_ops)
            for name in OPS
        )

    def forward(self, x: torch.Tensor, weights: torch.Tensor, skip_zero: bool,
                active: list[int] | None = None) -> torch.Tensor:
        """`active` (indices of non-zero weights) may be given to save a device sync."""
        part = x[:, : self.op_channels] if self.partial > 1 else x
        if active is None:
            active = ([i for i, v in enumerate(weights.detach().tolist()) if v != 0.0]
                      if skip_zero else list(range(len(self.ops))))
        # start from the first term, not from 0 (`sum`'s start would cost one more add)
        out = weights[active[0]] * self.ops[active[0]](part)
        for i in active[1:]:
            out = out + weights[i] * self.ops[i](part)
        if self.partial == 1:
            return out
        return channel_shuffle(torch.cat([out, x[:, self.op_channels:]], dim=1), self.partial)


class Cell(nn.Module):
    """One cell: fused input projections, k choice blocks and the output node."""

    def __init__(self, space: SearchSpace, c_in: int, channels: int, options: Options,
                 partial: int = 1) -> None:
        super().__init__()
        k = space.num_choice_blocks
        self.k = k
        self.channels = channels
        self.added = options.cell_output == "added"
        self.out_proj_channels = k * channels if self.added else channels
        # The k + 1 1x1 projections of the cell input are one fused conv + BN + ReLU: the
        # same parameters and the same math (BN is per channel), one kernel launch.
        self.projections = ConvBnRelu(c_in, k * channels + self.out_proj_channels, 1,
                                      options.torch_bn_momentum)
        self.blocks = nn.ModuleList(MixedOp(channels, options, partial) for _ in range(k))

    @property
    def out_channels(self) -> int:
        return self.k * self.channels + (0 if self.added else self.channels)

    def forward(self, s0: torch.Tensor, w: CellWeights) -> torch.Tensor:
        proj = self.projections(s0)
        c = self.channels
        # one host read of the hard samples per cell instead of one per choice block
        active = ([[i for i, v in enumerate(row) if v != 0.0] for row in w.beta.detach().tolist()]
                  if w.hard_ops else [None] * self.k)
        if FAST_PATHS.split_projections:
            parts = list(proj.split([c] * self.k + [self.out_proj_channels], dim=1))
        else:
            parts = [proj[:, j * c : (j + 1) * c] for j in range(self.k)] + [proj[:, self.k * c :]]
        states: list[torch.Tensor] = []
        for j in range(1, self.k + 1):
            candidates = [parts[j - 1], *states]
            alpha = w.alpha[j - 1]
            if alpha is None:
                block_in = sum(candidates[1:], candidates[0])
            else:
                block_in = sum((alpha[i] * candidates[i] for i in range(1, len(candidates))),
                               alpha[0] * candidates[0])
            states.append(self.blocks[j - 1](block_in, w.beta[j - 1], w.hard_ops, active[j - 1]))
        gamma = w.gamma
        weighted = [gamma[j] * states[j - 1] for j in range(1, self.k + 1)]
        projected_input = gamma[0] * parts[self.k]
        if self.added:
            return torch.cat(weighted, dim=1) + projected_input
        return torch.cat([projected_input, *weighted], dim=1)


class Supernet(nn.Module):
    """The whole one-shot model; `forward(x, cell_weights)` with one `CellWeights` per cell."""

    def __init__(self, space: SearchSpace, options: Options, init_channels: int = 16,
                 layers: int = 9, num_classes: int = 10, partial: int = 1) -> None:
        super().__init__()
        self.space = space
        self.options = options
        self.layers = layers
        c = init_channels
        self.stem = ConvBnRelu(3, c, 3, options.torch_bn_momentum)
        self.downsample_at = {layers // 3, 2 * layers // 3}
        cells = []
        c_in = c
        for i in range(layers):
            if i in self.downsample_at:
                c *= 2
            cell = Cell(space, c_in, c, options, partial)
            cells.append(cell)
            c_in = cell.out_channels
        self.cells = nn.ModuleList(cells)
        self.head_conv = nn.Conv2d(c_in, c, 1, bias=False)
        # The head's BN keeps PyTorch's default momentum and is affine-free in every setting.
        self.head_bn = nn.BatchNorm2d(c, eps=BN_EPSILON, affine=False)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor, cell_weights: list[CellWeights]) -> torch.Tensor:
        if len(cell_weights) != self.layers:
            raise ValueError(f"need {self.layers} CellWeights, got {len(cell_weights)}")
        s = self.stem(x)
        for i, cell in enumerate(self.cells):
            if i in self.downsample_at:
                s = nn.functional.max_pool2d(s, 2, stride=2, padding=self.options.pool_padding)
            s = cell(s, cell_weights[i])
        s = self.head_bn(self.head_conv(torch.relu(s)))
        return self.classifier(s.mean(dim=(2, 3)))


def count_parameters(model: nn.Module) -> int:
    """Trainable parameter count (what the reference's 1,101,402 etc. count)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
