"""Device-resident batches for the one-shot search (implements `optimizers.BatchSource`).

The whole split lives on the training device as uint8 (150 MB for CIFAR-10 on a GPU);
each epoch draws a fresh permutation of each split (like the original `SubsetRandomSampler`,
last batch kept) and augments whole batches on the device. One generator drives every
draw, and its state is part of the checkpoint, so a resumed run sees the same batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from nb1s.harness.images.augment import Augmenter, intra_op_threads
from nb1s.optimizers import Hyperparameters, Options

Batch = tuple[torch.Tensor, torch.Tensor]


def cutout_probability(hp: Hyperparameters, options: Options, epoch: int) -> float:
    """Cutout probability of a training epoch: constant (`original`) or `ramp`.

    `ramp` is the probability the DARTS script logs, prob * epoch / (epochs - 1); no
    original optimizer applied it (the DARTS assignment is inert, GDAS and PC-DARTS have
    no ramp) and the paper describes none, so it is only ever a named choice.
    """
    if not hp.cutout:
        return 0.0
    if options.cutout_schedule == "original" or hp.epochs <= 1:
        return hp.cutout_prob
    return hp.cutout_prob * epoch / (hp.epochs - 1)


class DeviceBatches:
    """Weight-split and architecture-split batches drawn on `device`."""

    def __init__(self, images: npt.NDArray[np.uint8], labels: npt.NDArray[np.int64],
                 weight_idx: npt.NDArray[np.int64], arch_idx: npt.NDArray[np.int64],
                 hp: Hyperparameters, options: Options, device: torch.device, seed: int) -> None:
        self.hp = hp
        self.options = options
        self.device = device
        self.images = torch.from_numpy(np.ascontiguousarray(images)).to(device)
        self.labels = torch.from_numpy(np.ascontiguousarray(labels)).to(device)
        self.weight_idx = torch.from_numpy(weight_idx).to(device)
        self.arch_idx = torch.from_numpy(arch_idx).to(device)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.augmenter = Augmenter(device)

    def _batches(self, idx: torch.Tensor, augment: bool, cutout_prob: float,
                 limit: int) -> Iterator[Batch]:
        gen = self.generator
        order = idx[torch.randperm(len(idx), device=self.device, generator=gen)]
        bs = self.hp.batch_size
        for count, start in enumerate(range(0, len(order), bs)):
            if limit and count >= limit:
                return
            # Gathering and augmenting run with the augmenter's deliberate thread count
            # (see augment.py); the context closes before the batch is handed out, so the
            # search step itself keeps the process-wide setting.
            with intra_op_threads(self.augmenter.cpu_threads, self.device):
                take = order[start : start + bs]
                raw = self.images[take]
                if augment:
                    length = self.hp.cutout_length if self.hp.cutout else 0
                    x = self.augmenter.train(raw, gen, length, cutout_prob)
                else:
                    x = self.augmenter.normalize(raw)
                y = self.labels[take]
            yield x, y

    def train_pairs(self, epoch: int, epochs: int) -> Iterator[tuple[Batch, Batch]]:
        del epochs
        prob = cutout_probability(self.hp, self.options, epoch)
        limit = self.hp.max_batches_per_epoch
        # Draw both queues' batches in a fixed interleaved order (pairs), as the loop uses them.
        yield from zip(self._batches(self.weight_idx, True, prob, limit),
                       self._batches(self.arch_idx, True, prob, limit), strict=False)

    def eval_batches(self, epoch: int) -> Iterator[Batch]:
        augment = self.options.eval_augmentation == "original"
        prob = cutout_probability(self.hp, self.options, max(epoch - 1, 0))
        return self._batches(self.arch_idx, augment, prob, self.hp.max_eval_batches)

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])
