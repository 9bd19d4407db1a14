"""Write scikit-learn's bundled handwritten digits as a CIFAR-10-format batches folder.

The real loader path (pickled batches, checksums, splits, augmentation) then runs on real,
learnable images in tests and CPU demos. Each 8x8 grey digit (0..16) is scaled to 0..255,
upsampled 4x to 32x32 and repeated on 3 channels; labels are the digit. The files keep
CIFAR-10's names and pickle keys (bytes keys like the Python 2 originals); a marker file and
each batch's `batch_label` say that this is *digits, not CIFAR-10*, and runs record
`kind: digits`.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.atomic import atomic_dir, atomic_open
from nb1s.harness.images.cifar import MARKER_FILE, TEST_FILE, TRAIN_FILES

TEST_FRACTION = 1 / 6


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits as ([n, 3, 32, 32] uint8, [n] int64) in scikit-learn's order."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    small = np.asarray(bunch.images, dtype=np.float64)  # [n, 8, 8] in 0..16
    scaled = np.rint(small * (255.0 / 16.0)).astype(np.uint8)
    big = scaled.repeat(4, axis=1).repeat(4, axis=2)
    return np.repeat(big[:, None], 3, axis=1), np.asarray(bunch.target, dtype=np.int64)


def _dump(path: Path, obj: Any) -> None:
    with atomic_open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)


def write_digits(out: Path, seed: int = 0) -> dict[str, Any]:
    """Write the folder (atomically as a whole); return a summary."""
    images, labels = digits_arrays()
    order = np.random.default_rng(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    n_test = round(len(images) * TEST_FRACTION)
    train_x, train_y = images[n_test:], labels[n_test:]
    parts = np.array_split(np.arange(len(train_x)), len(TRAIN_FILES))
    with atomic_dir(out) as tmp:
        for i, (name, part) in enumerate(zip(TRAIN_FILES, parts, strict=True), start=1):
            _dump(tmp / name, {
                b"batch_label": f"digits (scikit-learn), NOT CIFAR-10: training batch {i} of 5"
                .encode(),
                b"labels": train_y[part].tolist(),
                b"data": train_x[part].reshape(len(part), -1),
                b"filenames": [f"digit_{int(j):04d}.png".encode() for j in order[n_test:][part]],
            })
        _dump(tmp / TEST_FILE, {
            b"batch_label": b"digits (scikit-learn), NOT CIFAR-10: testing batch 1 of 1",
            b"labels": labels[:n_test].tolist(),
            b"data": images[:n_test].reshape(n_test, -1),
            b"filenames": [f"digit_{int(j):04d}.png".encode() for j in order[:n_test]],
        })
        _dump(tmp / "batches.meta", {
            b"num_cases_per_batch": len(parts[0]),
            b"label_names": [str(d).encode() for d in range(10)],
            b"num_vis": 3072,
        })
        summary = {"kind": "digits", "synthetic": True,
                   "source": "sklearn.datasets.load_digits (8x8 upsampled to 32x32x3)",
                   "seed": seed, "train_images": len(train_x), "test_images": n_test}
        with atomic_open(tmp / MARKER_FILE, "w") as fh:
            fh.write(json.dumps(summary, indent=2) + "\n")
    return {**summary, "path": str(out)}
