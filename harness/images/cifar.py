"""CIFAR-10 from the standard python batches (`cifar-10-batches-py`), verified, plus splits.

The folder is given by option or `$NB1S_CIFAR_DIR`. Real CIFAR-10 is recognised by the
official per-file MD5 checksums (the ones torchvision verifies); a folder written by
`nb1s cifar digits` carries a marker file and is loaded as `kind: digits`. Anything else
is refused, so a run can never silently train on the wrong images.

Splits (option `data_split`): `original` is what the released search scripts do, 25k/25k
over all 50k training images in file order, so NB101's validation images (data_batch_5)
sit in the architecture split; `bohb_20k` is the 20k/20k over data_batch_1..4 (NB101's
training images) that the paper states for its BOHB experiments, data_batch_5 never used.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.harness.errors import UserError

CIFAR_ENV = "NB1S_CIFAR_DIR"
BATCHES_DIR = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
#: Official MD5 of each file of cifar-10-python.tar.gz (as listed by torchvision).
CIFAR10_MD5 = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
    "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
}
#: Written next to the batches by `nb1s cifar digits`; real CIFAR-10 never has it.
MARKER_FILE = "nb1s_dataset.json"
#: DARTS normalisation constants (docs/original-code.md#cifar-transform).
CIFAR_MEAN = (0.49139968, 0.48215827, 0.44653124)
CIFAR_STD = (0.24703233, 0.24348505, 0.26158768)

UInt8Array = npt.NDArray[np.uint8]
IntArray = npt.NDArray[np.int64]


@dataclass
class ImageData:
    """Training batches 1..5 (kept per file for the splits) and the test batch."""

    path: Path
    kind: str  # "cifar10" or "digits"
    train_images: list[UInt8Array]  # per data_batch_i: [n_i, 3, 32, 32]
    train_labels: list[IntArray]
    test_images: UInt8Array
    test_labels: IntArray
    label_names: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        """Digits are real images but not CIFAR-10: a stand-in, flagged in every record."""
        return self.kind != "cifar10"

    def checksum(self) -> str:
        """sha256 of the decoded images and labels, in file order.

        Recorded in run.json so `--resume` can refuse a different image folder even when
        both are digits or both sit at the same path (about a second for CIFAR-10).
        """
        import hashlib

        h = hashlib.sha256()
        for array in (*self.train_images, *self.train_labels, self.test_images,
                      self.test_labels):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()

    def provenance(self) -> dict[str, Any]:
        return {"path": str(self.path), "kind": self.kind, "synthetic": self.synthetic,
                "train_images": int(sum(len(x) for x in self.train_images)),
                "test_images": len(self.test_images)}


def resolve_cifar_dir(option: str | os.PathLike[str] | None) -> Path:
    """The `cifar-10-batches-py` folder from the option, else `$NB1S_CIFAR_DIR`."""
    raw = option if option is not None else os.environ.get(CIFAR_ENV)
    if not raw:
        raise UserError(
            "no CIFAR-10 folder given: pass --cifar-dir or set NB1S_CIFAR_DIR to the "
            "extracted cifar-10-batches-py folder (https://www.cs.toronto.edu/~kriz/"
            "cifar-10-python.tar.gz), or make a small stand-in with `nb1s cifar digits --out DIR`")
    path = Path(raw).expanduser()
    if (path / BATCHES_DIR).is_dir():
        path = path / BATCHES_DIR
    missing = [n for n in (*TRAIN_FILES, TEST_FILE, META_FILE) if not (path / n).is_file()]
    if missing:
        raise UserError(f"{path} is not a cifar-10-batches-py folder: missing {', '.join(missing)}")
    return path


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_kind(path: Path) -> str:
    """`digits` for a marked stand-in; `cifar10` when every official checksum matches."""
    marker = path / MARKER_FILE
    if marker.is_file():
        kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
        if kind != "digits":
            raise UserError(f"{marker}: unknown dataset kind {kind!r}")
        return "digits"
    bad = [name for name, md5 in CIFAR10_MD5.items() if file_md5(path / name) != md5]
    if bad:
        raise UserError(
            f"CIFAR-10 checksum mismatch in {path} for {', '.join(bad)}: re-extract the "
            "official cifar-10-python.tar.gz")
    return "cifar10"


def _get(batch: dict[Any, Any], key: str) -> Any:
    # The official pickles come from Python 2: loaded with encoding="bytes", keys are bytes.
    return batch[key.encode()] if key.encode() in batch else batch[key]


def read_batch(path: Path) -> tuple[UInt8Array, IntArray]:
    """One pickled batch as ([n, 3, 32, 32] uint8, [n] int64)."""
    with path.open("rb") as fh:
        batch = pickle.load(fh, encoding="bytes")
    data = np.asarray(_get(batch, "data"), dtype=np.uint8).reshape(-1, 3, 32, 32)
    labels = np.asarray(_get(batch, "labels"), dtype=np.int64)
    if len(data) != len(labels):
        raise UserError(f"{path}: {len(data)} images but {len(labels)} labels")
    return data, labels


def load_images(path: Path) -> ImageData:
    """Verify and load a resolved batches folder (see `resolve_cifar_dir`)."""
    kind = detect_kind(path)
    images, labels = zip(*(read_batch(path / n) for n in TRAIN_FILES), strict=True)
    test_images, test_labels = read_batch(path / TEST_FILE)
    with (path / META_FILE).open("rb") as fh:
        meta = pickle.load(fh, encoding="bytes")
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in _get(meta, "label_names")]
    return ImageData(path=path, kind=kind, train_images=list(images), train_labels=list(labels),
                     test_images=test_images, test_labels=test_labels, label_names=names)


def search_split(data: ImageData, split: str, train_portion: float
                 ) -> tuple[UInt8Array, IntArray, IntArray, IntArray]:
    """(images, labels, weight-split indices, architecture-split indices).

    `original`: all five training batches, the first floor(portion * n) images for the
    weights and the rest for the architecture; `bohb_20k`: the same over data_batch_1..4.
    """
    files = 5 if split == "original" else 4
    if split not in ("original", "bohb_20k"):
        raise ValueError(f"unknown data split {split!r}")
    images = np.concatenate(data.train_images[:files])
    labels = np.concatenate(data.train_labels[:files])
    cut = math.floor(train_portion * len(images))
    if not 0 < cut < len(images):
        raise UserError(f"train_portion {train_portion} leaves an empty split")
    idx = np.arange(len(images), dtype=np.int64)
    return images, labels, idx[:cut], idx[cut:]
