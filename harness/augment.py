"""Batched CIFAR augmentation on tensors, on the training device (no PIL, no per-image loop).

Same transform as the DARTS-family search scripts (reference section 5): random 32x32 crop of
the zero-padded (4 px) image, horizontal flip with probability 1/2, normalisation, then
cutout (a length x length square centred uniformly over the image, clipped at the border,
zeroed after normalisation) applied per image with a probability. Every random draw comes
from one `torch.Generator`, so a run is reproducible and resumable.
"""

from __future__ import annotations

import torch

from .cifar import CIFAR_MEAN, CIFAR_STD


class Augmenter:
    """Turns a uint8 batch [B, 3, 32, 32] into a normalised float batch, optionally augmented."""

    def __init__(self, device: torch.device, pad: int = 4,
                 mean: tuple[float, ...] = CIFAR_MEAN, std: tuple[float, ...] = CIFAR_STD) -> None:
        self.pad = pad
        self.mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, -1, 1, 1)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        return (images.float() / 255.0 - self.mean) / self.std

    def crop_flip(self, images: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """Random crop with zero padding and random horizontal flip, on [0, 1] floats."""
        b, _, h, w = images.shape
        dev = images.device
        x = torch.nn.functional.pad(images.float() / 255.0, (self.pad,) * 4)
        oy = torch.randint(0, 2 * self.pad + 1, (b,), device=dev, generator=gen)
        ox = torch.randint(0, 2 * self.pad + 1, (b,), device=dev, generator=gen)
        rows = (oy[:, None] + torch.arange(h, device=dev))[:, :, None]  # [B, H, 1]
        cols = (ox[:, None] + torch.arange(w, device=dev))[:, None, :]  # [B, 1, W]
        batch = torch.arange(b, device=dev)[:, None, None]
        out = x.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)
        flip = torch.rand(b, device=dev, generator=gen) < 0.5
        return torch.where(flip[:, None, None, None], out.flip(3), out)

    def cutout(self, x: torch.Tensor, length: int, prob: float,
               gen: torch.Generator) -> torch.Tensor:
        """Zero a length x length square (clipped) per image with probability `prob`."""
        b, _, h, w = x.shape
        dev = x.device
        cy = torch.randint(0, h, (b,), device=dev, generator=gen)
        cx = torch.randint(0, w, (b,), device=dev, generator=gen)
        apply = torch.rand(b, device=dev, generator=gen) < prob
        ys = torch.arange(h, device=dev)[None, :]
        xs = torch.arange(w, device=dev)[None, :]
        in_y = (ys >= (cy[:, None] - length // 2)) & (ys < (cy[:, None] + length // 2))
        in_x = (xs >= (cx[:, None] - length // 2)) & (xs < (cx[:, None] + length // 2))
        hole = in_y[:, :, None] & in_x[:, None, :] & apply[:, None, None]
        return x.masked_fill(hole[:, None], 0.0)

    def train(self, images: torch.Tensor, gen: torch.Generator, cutout_length: int = 0,
              cutout_prob: float = 0.0) -> torch.Tensor:
        """The full training transform."""
        x = (self.crop_flip(images, gen) - self.mean) / self.std
        if cutout_length > 0:
            x = self.cutout(x, cutout_length, cutout_prob, gen)
        return x
