"""Batched CIFAR augmentation on tensors, on the training device (no PIL, no per-image loop).

Same transform as the DARTS-family search scripts (docs/original-code.md#cifar-transform): random
32x32 crop of the zero-padded (4 px) image, horizontal flip with probability 1/2, normalisation,
then cutout (a length x length square centred uniformly over the image, clipped at the border,
zeroed after normalisation) applied per image with a probability. Every random draw comes
from one `torch.Generator`, so a run is reproducible and resumable.

Speed on CPU (issue 11): `train` crops and flips the uint8 images with one integer gather
(no padded float copy of the batch) and converts to float once, which gives bit for bit
the numbers of the plain composition `train_plain` (same draws in the same order, same
float operations on the same values). And it runs with a deliberate number of torch
intra-op threads, 1 by default: these ops are too small to gain from a second thread, and
on a shared or loaded machine the threads of a 2-thread pool wait on each other, which
made the batched path 2-10x slower than a per-image loader (`bench/augment_speed.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from nb1s.harness.images.cifar import CIFAR_MEAN, CIFAR_STD


@contextmanager
def intra_op_threads(threads: int | None, device: torch.device) -> Iterator[None]:
    """Run the block with `threads` torch intra-op threads on CPU, then restore the setting.

    None, or a non-CPU device, leaves torch's setting alone.
    """
    before = torch.get_num_threads()
    if threads is None or device.type != "cpu" or threads == before:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Augmenter:
    """Turns a uint8 batch [B, 3, 32, 32] into a normalised float batch, optionally augmented.

    `cpu_threads`: torch intra-op threads while augmenting on a CPU device (1 by default,
    see the module docstring; None keeps the process-wide setting).
    """

    def __init__(self, device: torch.device, pad: int = 4,
                 mean: tuple[float, ...] = CIFAR_MEAN, std: tuple[float, ...] = CIFAR_STD,
                 cpu_threads: int | None = 1) -> None:
        self.pad = pad
        self.device = torch.device(device)
        self.cpu_threads = cpu_threads
        self.mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
        self.std = torch.tensor(std, device=device).view(1, -1, 1, 1)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        with intra_op_threads(self.cpu_threads, images.device):
            return (images.float() / 255.0 - self.mean) / self.std

    def crop_flip_uint8(self, images: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """`crop_flip` on the uint8 values: the same draws, one gather, no float copy.

        Out-of-image positions of the padded window read any pixel and are then zeroed,
        which is what zero padding gives (0 / 255 = 0.0 after conversion).
        """
        b, c, h, w = images.shape
        dev = images.device
        oy = torch.randint(0, 2 * self.pad + 1, (b,), device=dev, generator=gen)
        ox = torch.randint(0, 2 * self.pad + 1, (b,), device=dev, generator=gen)
        flip = torch.rand(b, device=dev, generator=gen) < 0.5
        rows = oy[:, None] + torch.arange(h, device=dev) - self.pad  # [B, H]
        cols = ox[:, None] + torch.arange(w, device=dev)
        cols = torch.where(flip[:, None], cols.flip(1), cols) - self.pad  # [B, W]
        inside = (((rows >= 0) & (rows < h))[:, :, None]
                  & ((cols >= 0) & (cols < w))[:, None, :])  # [B, H, W]
        flat = rows.clamp(0, h - 1)[:, :, None] * w + cols.clamp(0, w - 1)[:, None, :]
        out = images.reshape(b, c, h * w).gather(
            2, flat.reshape(b, 1, h * w).expand(b, c, h * w)).reshape(b, c, h, w)
        return out * inside[:, None]

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
        """The full training transform (bit-identical to `train_plain`, faster on CPU)."""
        with intra_op_threads(self.cpu_threads, images.device):
            x = (self.crop_flip_uint8(images, gen).float() / 255.0 - self.mean) / self.std
            if cutout_length > 0:
                x = self.cutout(x, cutout_length, cutout_prob, gen)
            return x

    def train_plain(self, images: torch.Tensor, gen: torch.Generator, cutout_length: int = 0,
                    cutout_prob: float = 0.0) -> torch.Tensor:
        """The training transform composed the straightforward way (the tests' reference)."""
        x = (self.crop_flip(images, gen) - self.mean) / self.std
        if cutout_length > 0:
            x = self.cutout(x, cutout_length, cutout_prob, gen)
        return x
