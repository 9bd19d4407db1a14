"""The three NAS-Bench-101 operations and the conv-BN-ReLU block the supernet is built from.

All NB101-style blocks are Conv -> BN -> ReLU (only the classifier head is DARTS-style
ReLU -> Conv -> BN). BN momentum and the affine flag come from `Options`, because the
released code's PyTorch momentum 0.997 means the opposite of NB101's TensorFlow decay 0.997.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .fast_paths import FAST_PATHS

BN_EPSILON = 1e-5


class ConvBnRelu(nn.Module):
    """k x k convolution (no bias, 'same' padding) -> BatchNorm -> ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int, bn_momentum: float,
                 affine: bool = True) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel, stride=1, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, eps=BN_EPSILON, momentum=bn_momentum, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.bn(self.conv(x)))


class _MaxPool3x3ChannelsLast(torch.autograd.Function):
    """3x3/1/1 max-pool computed in channels-last layout, value and gradient returned NCHW.

    Converting the gradient back as well matters: a channels-last gradient flowing on
    would make the convolutions before it pick other (equally valid, differently
    rounded) algorithms.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        cl = x.contiguous(memory_format=torch.channels_last)
        out, indices = torch.ops.aten.max_pool2d_with_indices(cl, [3, 3], [1, 1], [1, 1],
                                                              [1, 1], False)
        ctx.save_for_backward(cl, indices)
        return out.contiguous()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        cl, indices = ctx.saved_tensors
        grad_in = torch.ops.aten.max_pool2d_with_indices_backward(
            grad.contiguous(memory_format=torch.channels_last), cl, [3, 3], [1, 1], [1, 1],
            [1, 1], False, indices)
        return grad_in.contiguous()


class MaxPool3x3(nn.Module):
    """NB101's maxpool3x3: stride 1, padding 1, no BN and no ReLU; keeps the channel count.

    On CPU an NCHW input is pooled in channels-last layout (the exact fast path
    `FAST_PATHS.cpu_maxpool_channels_last`): PyTorch's channels-last CPU kernel is
    vectorised over channels, the NCHW one is not.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (FAST_PATHS.cpu_maxpool_channels_last and x.device.type == "cpu" and x.dim() == 4
                and not x.is_contiguous(memory_format=torch.channels_last)):
            out: torch.Tensor = _MaxPool3x3ChannelsLast.apply(x)
            return out
        return nn.functional.max_pool2d(x, 3, stride=1, padding=1)


def make_op(name: str, channels: int, bn_momentum: float, affine: bool) -> nn.Module:
    """Build one op by its NB101 name (`nb1s.enumerate.OPS`)."""
    if name == "conv3x3-bn-relu":
        return ConvBnRelu(channels, channels, 3, bn_momentum, affine)
    if name == "conv1x1-bn-relu":
        return ConvBnRelu(channels, channels, 1, bn_momentum, affine)
    if name == "maxpool3x3":
        return MaxPool3x3()
    raise ValueError(f"unknown op {name!r}")
