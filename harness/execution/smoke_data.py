"""Inputs of the `smoke` profile: a synthetic NAS-Bench-101 index and the digits images.

Built with the same public commands a user would type (`nb1s data synth`, `nb1s data
import`, `nb1s cifar digits`), so the smoke profile exercises the real data path end to
end. Both are labelled by their producers (the index's provenance says `synthetic`, the
image folder says `digits`), and every run, aggregate, plot and report inherits the label.
The folder is reused when it already holds both, so a resumed smoke reproduction does not
rebuild them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import DataInputs

SMOKE_SEED = 0


def _nb1s(*args: str) -> None:
    cmd = [sys.executable, "-m", "nb1s.harness.cli.app", *args, "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise UserError(f"preparing smoke data failed: `nb1s {' '.join(args)}`: {tail[0]}")


def _index_covers(index: Path, spaces: list[int]) -> bool:
    meta = index / "smoke.json"
    if not meta.is_file() or not (index / "provenance.json").is_file():
        return False
    return set(spaces) <= set(json.loads(meta.read_text(encoding="utf-8"))["spaces"])


def prepare_smoke_data(folder: Path, spaces: list[int], images: bool = True) -> DataInputs:
    """Synthetic NB101 index covering `spaces` plus digits images, under `folder`.

    `images=False` skips the digits (analyses that train nothing, e.g. fig6).
    """
    from nb1s.atomic import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    index = folder / "nb101-synthetic"
    digits = folder / "digits"
    if not _index_covers(index, spaces):
        record = folder / "nb101-synthetic.tfrecord"
        wanted = ",".join(str(s) for s in sorted({1, 2, 3} & set(spaces)) or [1])
        _nb1s("data", "synth", "--out", str(record), "--models", "1", "--spaces", wanted,
              "--seed", str(SMOKE_SEED))
        _nb1s("data", "import", str(record), "--into", str(index))
        record.unlink(missing_ok=True)
        atomic_write_text(index / "smoke.json", json.dumps(
            {"spaces": sorted(int(s) for s in wanted.split(",")), "synthetic": True,
             "seed": SMOKE_SEED}) + "\n")
    if not images:
        return DataInputs(nb101_dir=index)
    if not (digits / "nb1s_dataset.json").is_file():
        _nb1s("cifar", "digits", "--out", str(digits))
    return DataInputs(nb101_dir=index, cifar_dir=digits)
