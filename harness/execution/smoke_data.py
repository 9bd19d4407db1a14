"""Inputs of the `smoke` profile: a synthetic NAS-Bench-101 index and the digits images.

Built by calling the same library functions the public commands call (`nb1s data synth`
-> `write_synthetic_tfrecord`, `nb1s data import` -> `import_tfrecord`, `nb1s cifar
digits` -> `write_digits`), in this process, so the smoke profile exercises the real data
path end to end and writes byte for byte what those commands write. Both are labelled by
their producers (the index's provenance says `synthetic`, the image folder says `digits`),
and every run, aggregate, plot and report inherits the label. The folder is reused when it
already holds both, so a resumed smoke reproduction does not rebuild them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import Field

from nb1s.harness.documents import Document, read_document, write_checked
from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import DataInputs

SMOKE_SEED = 0
SMOKE_META = "smoke.json"
#: the seed `nb1s cifar digits` uses by default (its train/test shuffle)
DIGITS_SEED = 0


@contextmanager
def _step(command: str) -> Iterator[None]:
    """Name the equivalent command when a step fails, in one line."""
    try:
        yield
    except UserError as exc:
        raise UserError(f"preparing smoke data failed: `nb1s {command}`: {exc}") from None


class SmokeIndexMeta(Document):
    """`smoke.json` beside a smoke index: what it was built for (reused while it covers
    the spaces asked for)."""

    spaces: list[int] = Field(description="search spaces whose graphs it holds")
    synthetic: bool = Field(description="always true")
    budgets: list[int] | None = Field(None, description="4/12/36/108 for the four-budget "
                                                        "index (HB/BOHB); absent otherwise")
    seed: int = Field(description="seed of the synthetic model")


def _index_covers(index: Path, spaces: list[int]) -> bool:
    meta = index / SMOKE_META
    if not meta.is_file() or not (index / "provenance.json").is_file():
        return False
    # a damaged or foreign smoke.json is one line naming it, never a KeyError
    return set(spaces) <= set(read_document(meta, SmokeIndexMeta).spaces)


def _build_index(folder: Path, index: Path, spaces: list[int], all_budgets: bool) -> None:
    """One synthetic model plus every graph of `spaces`, imported into `index`.

    `all_budgets`: every graph at 4, 12, 36 and 108 epochs (`nb1s data synth --full`, the
    shape of `nasbench_full.tfrecord`), which HyperBand and BOHB evaluate on.
    """
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    record = folder / f"{index.name}.tfrecord"
    wanted = sorted({1, 2, 3} & set(spaces)) or [1]
    listed = ",".join(str(s) for s in wanted)
    full = " --full" if all_budgets else ""
    with _step(f"data synth --out {record} --models 1 --spaces {listed} --seed {SMOKE_SEED}"
               f"{full}"):
        if record.is_dir():
            raise UserError(f"--out {record} is a folder; name the .tfrecord file to write")
        write_synthetic_tfrecord(record, models=1, seed=SMOKE_SEED, spaces=wanted,
                                 full=all_budgets)
    with _step(f"data import {record} --into {index}"):
        import_tfrecord(record, index)
    record.unlink(missing_ok=True)
    budgets = {"budgets": [4, 12, 36, 108]} if all_budgets else {}
    write_checked(index / SMOKE_META, {"spaces": wanted, "synthetic": True, **budgets,
                                       "seed": SMOKE_SEED}, SmokeIndexMeta, indent=None)


def _build_digits(digits: Path) -> None:
    from nb1s.harness.guards.out_folder import check_out
    from nb1s.harness.images.digits import write_digits

    with _step(f"cifar digits --out {digits}"):
        check_out(digits, "data")
        if digits.exists() and any(digits.iterdir()):
            raise UserError(f"{digits} exists and is not a digits folder; choose another "
                            "--out")
        write_digits(digits, DIGITS_SEED)


def prepare_smoke_data(folder: Path, spaces: list[int], images: bool = True,
                       all_budgets: bool = False) -> DataInputs:
    """Synthetic NB101 index covering `spaces` plus digits images, under `folder`.

    `images=False` skips the digits (analyses that train nothing, e.g. fig6);
    `all_budgets=True` builds the four-budget index (`nb101-synthetic-full`) that the
    black-box baselines' HyperBand and BOHB need (Figures 5, 14, 15).
    """
    folder.mkdir(parents=True, exist_ok=True)
    index = folder / ("nb101-synthetic-full" if all_budgets else "nb101-synthetic")
    digits = folder / "digits"
    if not _index_covers(index, spaces):
        _build_index(folder, index, spaces, all_budgets)
    if not images:
        return DataInputs(nb101_dir=index)
    if not (digits / "nb1s_dataset.json").is_file():
        _build_digits(digits)
    return DataInputs(nb101_dir=index, cifar_dir=digits)
