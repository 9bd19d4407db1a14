"""The original code's DARTS supernet and first-order search step, re-derived for comparison.

Written from the facts in the one-shot reference notes (sections 2.1-2.5, 6.1, 6.2), not
from nb1s's modules, so that it is an independent check of nb1s and the baseline of the
CPU search-step benchmark (`search_step.py`):
- one cell input; a separate 1x1 conv-BN-ReLU projection of it per choice block, plus one
  n*C wide for the input->output edge, all evaluated every forward pass;
- choice blocks: weighted (alpha) or plain sum of their candidate inputs, then a mixed op
  over the ops in the original `PRIMITIVES` column order [maxpool, conv3x3, conv1x1];
- output: the concatenation of gamma-weighted choice blocks plus the gamma-weighted
  projected input; softmax of every architecture tensor recomputed in each cell;
- the step: `Architect.step` (zero the Adam gradients, backward of the valid-batch loss,
  which also fills every weight gradient, Adam step), then the weight step (zero the
  weight gradients in place as torch 1.3 did, backward of the train-batch loss, which
  also fills the architecture gradients, gradient-norm clip 5, SGD step).

`copy_from_nb1s` loads an nb1s `OneShotSearch`'s weights, BN statistics and architecture
logits into it, so both can be stepped from identical states on identical batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from nb1s.optimizers import OneShotSearch

#: column order of every op-weight matrix in the original code (`genotypes.PRIMITIVES`)
PRIMITIVES = ("maxpool3x3", "conv3x3-bn-relu", "conv1x1-bn-relu")
BN_MOMENTUM = 0.997  # the original's torch momentum (docs/original-code.md#bn-momentum)
BN_EPS = 1e-5

Batch = tuple[torch.Tensor, torch.Tensor]


class ConvBnReluOriginal(nn.Module):
    """Conv (no bias) -> BN (momentum 0.997, affine) -> ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=BN_EPS, momentum=BN_MOMENTUM, affine=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.bn(self.conv(x)))


class MaxPoolOriginal(nn.Module):
    """maxpool3x3: stride 1, padding 1, nothing after it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.max_pool2d(x, 3, stride=1, padding=1)


def _op(name: str, channels: int) -> nn.Module:
    if name == "maxpool3x3":
        return MaxPoolOriginal()
    return ConvBnReluOriginal(channels, channels, 3 if name == "conv3x3-bn-relu" else 1)


class MixedOpOriginal(nn.Module):
    """Plain weighted sum of all three ops (PRIMITIVES order)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.ops = nn.ModuleList(_op(name, channels) for name in PRIMITIVES)

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        out = sum(w * op(x) for w, op in zip(weights, self.ops, strict=True))
        assert isinstance(out, torch.Tensor)
        return out


class CellOriginal(nn.Module):
    """n separate input projections, n choice blocks, one n*C output projection."""

    def __init__(self, steps: int, c_in: int, channels: int) -> None:
        super().__init__()
        self.steps = steps
        self.preprocess = nn.ModuleList(ConvBnReluOriginal(c_in, channels, 1)
                                        for _ in range(steps))
        self.input_to_output = ConvBnReluOriginal(c_in, steps * channels, 1)
        self.mixed_ops = nn.ModuleList(MixedOpOriginal(channels) for _ in range(steps))

    def forward(self, s0: torch.Tensor, ops: torch.Tensor, output: torch.Tensor,
                inputs: list[torch.Tensor | None]) -> torch.Tensor:
        states: list[torch.Tensor] = []
        for j in range(self.steps):
            candidates = [self.preprocess[j](s0), *states]
            weights = inputs[j]
            if weights is None:
                block_in = sum(candidates)
            else:
                block_in = sum(w * t for w, t in zip(weights[0], candidates, strict=True))
            assert isinstance(block_in, torch.Tensor)
            states.append(self.mixed_ops[j](block_in, ops[j]))
        concat = torch.cat([output[0][j + 1] * states[j] for j in range(self.steps)], dim=1)
        return concat + output[0][0] * self.input_to_output(s0)


class NetworkOriginal(nn.Module):
    """Stem, `layers` cells (pool k2 s2 padding 1 and doubled width at layers//3, 2*layers//3),
    ReLU-1x1conv-BN(affine-free) head, global average pooling, linear classifier.

    The architecture tensors are plain tensors outside `parameters()`, as in the original:
    beta [n, 3], gamma [1, n+1], and one [1, j] alpha per node j with a choice (`has_alpha`).
    """

    def __init__(self, steps: int, has_alpha: list[bool], channels: int = 16,
                 layers: int = 9, classes: int = 10,
                 arch_dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.steps = steps
        self.downsample_at = (layers // 3, 2 * layers // 3)
        self.stem = ConvBnReluOriginal(3, channels, 3)
        c, c_prev = channels, channels
        cells = []
        for i in range(layers):
            if i in self.downsample_at:
                c *= 2
            cells.append(CellOriginal(steps, c_prev, c))
            c_prev = steps * c
        self.cells = nn.ModuleList(cells)
        self.post_conv = nn.Conv2d(c_prev, c, 1, bias=False)
        self.post_bn = nn.BatchNorm2d(c, eps=BN_EPS, affine=False)
        self.classifier = nn.Linear(c, classes)
        self.beta = torch.zeros(steps, len(PRIMITIVES), dtype=arch_dtype, requires_grad=True)
        self.gamma = torch.zeros(1, steps + 1, dtype=arch_dtype, requires_grad=True)
        self.alphas: list[torch.Tensor | None] = [
            torch.zeros(1, j + 1, dtype=arch_dtype, requires_grad=True) if has else None
            for j, has in enumerate(has_alpha)]

    def arch_parameters(self) -> list[torch.Tensor]:
        return [self.beta, self.gamma, *(a for a in self.alphas if a is not None)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.stem(x)
        for i, cell in enumerate(self.cells):
            if i in self.downsample_at:
                s = nn.functional.max_pool2d(s, 2, stride=2, padding=1)
            s = cell(s, torch.softmax(self.beta, dim=-1), torch.softmax(self.gamma, dim=-1),
                     [None if a is None else torch.softmax(a, dim=-1) for a in self.alphas])
        s = self.post_bn(self.post_conv(torch.relu(s)))
        out: torch.Tensor = self.classifier(s.mean(dim=(2, 3)))
        return out


@dataclass
class OriginalSearch:
    """The re-derived network with the original's two optimizers."""

    net: NetworkOriginal
    weight_optimizer: torch.optim.SGD
    arch_optimizer: torch.optim.Adam
    grad_clip: float = 5.0

    def step(self, train: Batch, valid: Batch) -> None:
        """One search step in the original order: architecture step, then weight step."""
        criterion = nn.functional.cross_entropy
        self.arch_optimizer.zero_grad()
        criterion(self.net(valid[0]), valid[1]).backward()  # fills weight grads too
        self.arch_optimizer.step()
        self.weight_optimizer.zero_grad(set_to_none=False)  # torch 1.3 zeroes in place
        criterion(self.net(train[0]), train[1]).backward()  # fills arch grads too
        nn.utils.clip_grad_norm_(self.net.parameters(), self.grad_clip)
        self.weight_optimizer.step()


def _copy_bn(dst: nn.BatchNorm2d, src: nn.BatchNorm2d, rows: slice) -> None:
    if src.affine:
        assert dst.weight is not None and src.weight is not None
        assert dst.bias is not None and src.bias is not None
        dst.weight.copy_(src.weight[rows])
        dst.bias.copy_(src.bias[rows])
    for name in ("running_mean", "running_var"):
        getattr(dst, name).copy_(getattr(src, name)[rows])
    assert dst.num_batches_tracked is not None and src.num_batches_tracked is not None
    dst.num_batches_tracked.copy_(src.num_batches_tracked)


def _copy_cbr(dst: Any, src: Any, rows: slice = slice(None)) -> None:
    dst.conv.weight.copy_(src.conv.weight[rows])
    _copy_bn(dst.bn, src.bn, rows)


@torch.no_grad()
def copy_from_nb1s(search: OneShotSearch, ops: tuple[str, ...]) -> OriginalSearch:
    """An `OriginalSearch` holding exactly the weights, BN state and logits of an nb1s
    `OneShotSearch` (DARTS, `cell_output=added`), in the nb1s model's dtype.

    `ops` is nb1s's op column order (`nb1s.enumerate.OPS`); the fused nb1s projections
    are split back into the original's n + 1 separate ones.
    """
    model: Any = search.model
    arch, hp = search.arch, search.hp
    k = arch.space.num_choice_blocks
    has_alpha = [arch.alpha_of(j) is not None for j in range(1, k + 1)]
    dtype = next(model.parameters()).dtype
    net = NetworkOriginal(k, has_alpha, hp.init_channels, hp.layers,
                          arch_dtype=dtype).to(dtype)
    _copy_cbr(net.stem, model.stem)
    cell: Any
    for cell, ours in zip(net.cells, model.cells, strict=True):
        c = ours.channels
        for j in range(k):
            _copy_cbr(cell.preprocess[j], ours.projections, slice(j * c, (j + 1) * c))
        _copy_cbr(cell.input_to_output, ours.projections, slice(k * c, 2 * k * c))
        for mixed, block in zip(cell.mixed_ops, ours.blocks, strict=True):
            for name, op in zip(PRIMITIVES, mixed.ops, strict=True):
                if name != "maxpool3x3":
                    _copy_cbr(op, block.ops[ops.index(name)])
    net.post_conv.weight.copy_(model.head_conv.weight)
    _copy_bn(net.post_bn, model.head_bn, slice(None))
    net.classifier.weight.copy_(model.classifier.weight)
    net.classifier.bias.copy_(model.classifier.bias)
    columns = [ops.index(name) for name in PRIMITIVES]
    net.beta.copy_(arch.beta[:, columns])
    net.gamma.copy_(arch.gamma[None, :])
    for j, alpha in enumerate(net.alphas, start=1):
        if alpha is not None:
            source = arch.alpha_of(j)
            assert source is not None
            alpha.copy_(source[None, :])
    net.train(model.training)
    weight_optimizer = torch.optim.SGD(net.parameters(), lr=hp.learning_rate,
                                       momentum=hp.momentum, weight_decay=hp.weight_decay)
    arch_optimizer = torch.optim.Adam(net.arch_parameters(), lr=hp.arch_learning_rate,
                                      betas=(hp.arch_beta1, hp.arch_beta2),
                                      weight_decay=hp.arch_weight_decay)
    return OriginalSearch(net, weight_optimizer, arch_optimizer, hp.grad_clip)


def as_nb1s_logits(net: NetworkOriginal, ops: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """The original's logits keyed and ordered like nb1s's `ArchWeights` (for comparison)."""
    columns = [PRIMITIVES.index(name) for name in ops]
    out = {"beta": net.beta.detach()[:, columns], "gamma": net.gamma.detach()[0]}
    for j, alpha in enumerate(net.alphas, start=1):
        if alpha is not None:
            out[f"alpha_node{j}"] = alpha.detach()[0]
    return out
