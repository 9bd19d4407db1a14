"""The fast CPU augmentation equals the plain composition bit for bit, with the same draws.

`Augmenter.train` (uint8 gather, deliberate intra-op threads) against `train_plain`
(pad the float batch, gather, flip with `torch.where`), and the thread setting around it.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nb1s.harness.images.augment import Augmenter, intra_op_threads
from nb1s.harness.images.device_batches import DeviceBatches
from nb1s.optimizers import Options, get_method


@pytest.mark.parametrize("batch", [1, 7, 64])
@pytest.mark.parametrize(("cutout", "prob"), [(0, 0.0), (16, 1.0), (8, 0.5)])
def test_fast_train_is_bit_identical_to_plain(batch: int, cutout: int, prob: float) -> None:
    aug = Augmenter(torch.device("cpu"))
    images = torch.randint(0, 256, (batch, 3, 32, 32), dtype=torch.uint8,
                           generator=torch.Generator().manual_seed(batch))
    for seed in range(5):
        fast_gen = torch.Generator().manual_seed(seed)
        plain_gen = torch.Generator().manual_seed(seed)
        fast = aug.train(images, fast_gen, cutout, prob)
        plain = aug.train_plain(images, plain_gen, cutout, prob)
        assert fast.dtype == plain.dtype == torch.float32
        assert torch.equal(fast, plain)
        assert torch.equal(fast_gen.get_state(), plain_gen.get_state())  # same draws


def test_the_comparison_sees_a_one_pixel_change() -> None:
    """Bit-identity is a real check: one changed pixel in the visible window shows."""
    aug = Augmenter(torch.device("cpu"))
    images = torch.full((4, 3, 32, 32), 100, dtype=torch.uint8)
    changed = images.clone()
    changed[:, :, 16, 16] = 101  # the centre is inside every crop window
    fast = aug.train(changed, torch.Generator().manual_seed(0))
    plain = aug.train_plain(images, torch.Generator().manual_seed(0))
    assert not torch.equal(fast, plain)


def test_intra_op_threads_restores_the_setting() -> None:
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with intra_op_threads(1, torch.device("cpu")):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), intra_op_threads(1, torch.device("cpu")):
            raise RuntimeError("boom")
        assert torch.get_num_threads() == 2
        with intra_op_threads(None, torch.device("cpu")):
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_search_batches_leave_the_step_its_threads() -> None:
    """Batches are made single-threaded; the consumer (the search step) keeps 2."""
    before = torch.get_num_threads()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(40, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=40).astype(np.int64)
    hp = get_method("darts").hyperparameters(epochs=1, batch_size=8)
    source = DeviceBatches(images, labels, np.arange(20), np.arange(20, 40), hp, Options(),
                           torch.device("cpu"), seed=0)
    try:
        torch.set_num_threads(2)
        seen = [torch.get_num_threads() for _ in source.train_pairs(0, 1)]
        assert seen and set(seen) == {2}
    finally:
        torch.set_num_threads(before)
