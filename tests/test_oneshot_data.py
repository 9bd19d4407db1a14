"""CIFAR-10 loader, checksums, splits, the digits stand-in and tensor augmentation."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from nb1s.harness.errors import UserError
from nb1s.harness.images import cifar
from nb1s.harness.images.augment import Augmenter
from nb1s.harness.images.cifar import load_images, resolve_cifar_dir, search_split
from nb1s.harness.images.device_batches import DeviceBatches, cutout_probability
from nb1s.harness.images.digits import write_digits
from nb1s.optimizers import Hyperparameters, Options


@pytest.fixture(scope="module")
def digits_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("digits") / "cifar-10-batches-py"
    write_digits(out)
    return out


def test_digits_files_have_cifar_batch_format(digits_dir: Path) -> None:
    names = sorted(p.name for p in digits_dir.iterdir())
    assert names == sorted([*cifar.TRAIN_FILES, "test_batch", "batches.meta", "nb1s_dataset.json"])
    with (digits_dir / "data_batch_1").open("rb") as fh:
        batch = pickle.load(fh, encoding="bytes")
    assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
    assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape[1] == 3072
    assert b"NOT CIFAR-10" in batch[b"batch_label"]
    with (digits_dir / "batches.meta").open("rb") as fh:
        meta = pickle.load(fh, encoding="bytes")
    assert set(meta) == {b"num_cases_per_batch", b"label_names", b"num_vis"}


def test_loader_reads_digits_as_digits(digits_dir: Path) -> None:
    data = load_images(resolve_cifar_dir(digits_dir.parent))  # parent folder also accepted
    assert data.kind == "digits" and data.synthetic
    assert sum(len(x) for x in data.train_images) + len(data.test_images) == 1797
    assert data.train_images[0].shape[1:] == (3, 32, 32)
    assert set(np.concatenate(data.train_labels).tolist()) == set(range(10))
    # the three channels are the same grey digit, 4x upsampled
    img = data.train_images[0][0]
    assert np.array_equal(img[0], img[2]) and np.array_equal(img[0, ::4, ::4], img[0, 1::4, 1::4])


def test_checksums_decide_real_cifar(digits_dir: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "cifar-10-batches-py"
    copy.mkdir()
    for name in cifar.CIFAR10_MD5:
        (copy / name).write_bytes((digits_dir / name).read_bytes())
    with pytest.raises(UserError, match="checksum mismatch"):
        load_images(resolve_cifar_dir(copy))
    # with the files' own checksums standing in for the official ones it loads as CIFAR-10
    monkeypatch.setattr(cifar, "CIFAR10_MD5",
                        {n: cifar.file_md5(copy / n) for n in cifar.CIFAR10_MD5})
    data = load_images(resolve_cifar_dir(copy))
    assert data.kind == "cifar10" and not data.synthetic


def test_missing_folder_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 digits_dir: Path) -> None:
    monkeypatch.delenv(cifar.CIFAR_ENV, raising=False)
    with pytest.raises(UserError, match="NB1S_CIFAR_DIR"):
        resolve_cifar_dir(None)
    with pytest.raises(UserError, match="missing data_batch_1"):
        resolve_cifar_dir(tmp_path)
    monkeypatch.setenv(cifar.CIFAR_ENV, str(digits_dir))
    assert resolve_cifar_dir(None) == digits_dir


def test_splits_both_ways(digits_dir: Path) -> None:
    data = load_images(digits_dir)
    n = [len(x) for x in data.train_images]
    _, _, w, a = search_split(data, "original", 0.5)
    assert len(w) + len(a) == sum(n) and len(w) == sum(n) // 2
    assert w.max() < a.min()  # file order, no shuffle of the indices
    images, _labels, w, a = search_split(data, "bohb_20k", 0.5)
    assert len(w) + len(a) == sum(n[:4]) == len(images)  # data_batch_5 never used
    assert np.array_equal(images[: n[0]], data.train_images[0])
    with pytest.raises(UserError, match="empty split"):
        search_split(data, "bohb_20k", 0.0)


def test_crop_flip_is_a_shifted_or_mirrored_window() -> None:
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(1, 256, (6, 3, 32, 32), dtype=torch.uint8)
    aug = Augmenter(torch.device("cpu"))
    out = aug.crop_flip(images, gen)
    padded = torch.nn.functional.pad(images.float() / 255, (4, 4, 4, 4))
    for b in range(6):
        matches = [(dy, dx, f) for dy in range(9) for dx in range(9) for f in (False, True)
                   if torch.equal(out[b], (lambda v, f=f: v.flip(2) if f else v)(
                       padded[b, :, dy:dy + 32, dx:dx + 32]))]
        assert matches, f"image {b} is not a crop of its padded original"


def test_cutout_zeroes_one_clipped_square() -> None:
    gen = torch.Generator().manual_seed(1)
    aug = Augmenter(torch.device("cpu"))
    x = torch.ones(64, 3, 32, 32)
    assert torch.equal(aug.cutout(x, 16, 0.0, gen), x)
    out = aug.cutout(x, 16, 1.0, gen)
    zero = out[:, 0] == 0
    areas = zero.sum(dim=(1, 2))
    assert bool((areas > 0).all()) and bool((areas <= 256).all())
    assert bool((areas < 256).any())  # some squares are clipped at the border
    for b in range(64):
        rows, cols = zero[b].any(1).nonzero(), zero[b].any(0).nonzero()
        assert int(zero[b].sum()) == len(rows) * len(cols)  # a rectangle
        assert torch.equal(zero[b], (out[b] == 0).all(0))


def test_cutout_schedule_both_ways() -> None:
    hp = Hyperparameters(epochs=5, cutout=True, cutout_prob=0.8)
    assert cutout_probability(hp, Options(), 0) == 0.8
    ramp = Options().with_values(cutout_schedule="ramp")
    assert [cutout_probability(hp, ramp, e) for e in range(5)] == pytest.approx(
        [0.0, 0.2, 0.4, 0.6, 0.8])
    assert cutout_probability(Hyperparameters(cutout=False), Options(), 3) == 0.0


def _source(digits_dir: Path, options: Options, seed: int = 0) -> DeviceBatches:
    data = load_images(digits_dir)
    hp = Hyperparameters(batch_size=50, max_batches_per_epoch=3, max_eval_batches=2)
    x, y, w, a = search_split(data, options.data_split, hp.train_portion)
    return DeviceBatches(x, y, w, a, hp, options, torch.device("cpu"), seed)


def test_batches_are_reproducible_and_resumable(digits_dir: Path) -> None:
    one, two = _source(digits_dir, Options()), _source(digits_dir, Options())
    first = [(t[0].clone(), v[1].clone()) for t, v in one.train_pairs(0, 1)]
    state = one.state_dict()
    after = [t[0] for t, _ in one.train_pairs(1, 2)]
    again = [(t[0], v[1]) for t, v in two.train_pairs(0, 1)]
    assert len(first) == 3
    assert all(torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
               for a, b in zip(first, again, strict=True))
    three = _source(digits_dir, Options(), seed=99)
    three.load_state_dict(state)
    resumed = [t[0] for t, _ in three.train_pairs(1, 2)]
    assert all(torch.equal(a, b) for a, b in zip(after, resumed, strict=True))


def test_eval_augmentation_both_ways(digits_dir: Path) -> None:
    plain = _source(digits_dir, Options().with_values(eval_augmentation="unaugmented"))
    x, y = next(iter(plain.eval_batches(1)))
    # un-augmented: exactly the normalised stored images
    idx = [int(i) for i in (plain.labels == y[0]).nonzero()]
    normalised = plain.augmenter.normalize(plain.images[idx])
    assert any(torch.equal(x[0], n) for n in normalised)
    aug = _source(digits_dir, Options())
    xa, ya = next(iter(aug.eval_batches(1)))
    assert torch.equal(ya, y)  # same order of images (same seed) ...
    assert not torch.equal(xa, x)  # ... but augmented
