"""Writing a search run directory (format: docs/run-schema.md; paths and documents:
`run_directory.RunDirectory`, models: `documents.py`).

Files, each replaced atomically: `run.json` (metadata, status), `epochs.jsonl` (one record
per finished epoch, epoch 0 = initial weights), `arch_weights.npz` (raw architecture
logits of every epoch, stacked), `checkpoint.pt` (everything needed for `--resume`), and
`checkpoint_epoch{E}.pt` for the epochs named by `snapshot_epochs` (supernet snapshots that
the correlation analysis of Figure 3 evaluates).
The checkpoint is written after the epoch's records; on resume, records beyond the
checkpoint's epoch (a crash between the two writes) are dropped and recomputed.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.atomic import atomic_open
from nb1s.harness.documents import validate_document
from nb1s.harness.errors import UserError
from nb1s.harness.search.documents import SCHEMA_VERSION, EpochRecord, RunMeta
from nb1s.harness.search.run_directory import (
    ARCH_FILE,
    CHECKPOINT_FILE,
    EPOCHS_FILE,
    RUN_FILE,
    RunDirectory,
    strict_json,
)

__all__ = ["ARCH_FILE", "CHECKPOINT_FILE", "EPOCHS_FILE", "RUN_FILE", "SCHEMA_VERSION",
           "RunWriter", "load_checkpoint", "resume_differences", "snapshot_path",
           "strict_json"]

#: what `stop` records; moved into the `stops` history when the run is resumed
STOP_KEYS = ("status", "stopped_at_epoch", "stop_reason", "stopped_at")


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RunWriter:
    """Owns one run directory while a search runs."""

    def __init__(self, out: Path, meta: RunMeta) -> None:
        self.out = out
        self.folder = RunDirectory(out)
        self.meta = meta
        self.records: list[EpochRecord] = []
        self.arch: list[dict[str, npt.NDArray[np.float32]]] = []

    # --- lifecycle -----------------------------------------------------------------------
    @classmethod
    def create(cls, out: Path, meta: dict[str, Any]) -> RunWriter:
        """Start a fresh run; refuses to overwrite an existing one."""
        folder = RunDirectory(out)
        if folder.has_run():
            raise UserError(f"{out} already holds a run: pass --resume to continue it, "
                            "or choose another --out")
        writer = cls(out, _as_meta({**meta, "schema_version": SCHEMA_VERSION,
                                    "status": "running", "started_at": utc_now(),
                                    "finished_at": None}, out))
        writer.write_meta()
        return writer

    @classmethod
    def reopen(cls, out: Path, meta: dict[str, Any], reported: int) -> RunWriter:
        """Continue a run whose checkpoint reached epoch `reported`.

        The stored run must have been started with the same settings (`meta` keys that
        define the experiment); records after `reported` are dropped. A run that is
        already complete is returned untouched (nothing is rewritten).
        """
        folder = RunDirectory(out)
        stored = folder.read_meta()
        old = stored.to_json()
        differ = resume_differences(old, meta)
        if differ:
            raise UserError(f"cannot resume {out}: differs from the stored run in "
                            + "; ".join(differ))
        if old.get("recipe") and meta.get("recipe") and old["recipe"] != meta["recipe"]:
            raise UserError(f"cannot resume {out}: it was started by recipe {old['recipe']}, "
                            f"not {meta['recipe']}")
        if meta.get("recipe") and not old.get("recipe"):
            old["recipe"] = meta["recipe"]
        finished = stored.status == "complete" and reported >= stored.epochs
        # A resumed run keeps the history of its stops, not a stale current stop.
        stops = [*old.get("stops", [])]
        if stored.stopped_at_epoch is not None:
            stops.append({k: old.pop(k, None) for k in STOP_KEYS})
        writer = cls(out, stored if finished else _as_meta({
            **old, "status": "running", "finished_at": None,
            "resumed_at": [*stored.resumed_at, utc_now()],
            # which package continued it (parallel to resumed_at): results_version matched,
            # the package version may not
            "resumed_with_nb1s_version": [*stored.resumed_with_nb1s_version,
                                          meta.get("nb1s_version")],
            **({"stops": stops} if stops else {})}, out))
        writer.records = [r for r in folder.read_epochs() if r.epoch <= reported]
        if folder.arch_file.is_file():
            with np.load(folder.arch_file) as data:
                keep = min(reported + 1, len(data["epoch"]))
                writer.arch = [{k: data[k][i] for k in data.files if k != "epoch"}
                               for i in range(keep)]
        if not finished:
            writer.write_meta()
        return writer

    def write_meta(self) -> None:
        self.folder.write_meta(self.meta)

    def finish(self) -> None:
        self.meta.status = "complete"
        self.meta.finished_at = utc_now()
        self.write_meta()

    def stop(self, status: str, epoch: int, reason: str) -> None:
        """Record why the run stopped early: `interrupted` (a signal) or `diverged`.

        `stopped_at_epoch` is the last epoch whose record and checkpoint were written, so
        a reader knows how far the run got and `--resume` continues from there.
        """
        self.meta = _as_meta({**self.meta.to_json(), "status": status,
                              "stopped_at_epoch": epoch, "stop_reason": reason,
                              "stopped_at": utc_now()}, self.out)  # the STOP_KEYS
        self.write_meta()

    # --- per epoch -----------------------------------------------------------------------
    def add_epoch(self, record: dict[str, Any], arch: dict[str, npt.NDArray[np.float32]]
                  ) -> None:
        """Append one epoch's record and architecture weights (rewriting both files)."""
        self.records.append(EpochRecord.model_validate(record))
        self.arch.append(arch)
        self.folder.write_epochs(self.records)
        arrays: dict[str, Any] = {k: np.stack([a[k] for a in self.arch]) for k in self.arch[0]}
        arrays["epoch"] = np.asarray([r.epoch for r in self.records])
        with atomic_open(self.folder.arch_file, "wb") as fh:
            np.savez(fh, **arrays)

    def save_checkpoint(self, state: dict[str, Any]) -> None:
        _save_torch(self.folder.checkpoint_file, state)

    def save_snapshot(self, epoch: int, state: dict[str, Any]) -> None:
        """Keep the search state after `epoch` (never overwritten by later epochs)."""
        _save_torch(self.folder.snapshot_file(epoch), state)


def _as_meta(data: dict[str, Any], out: Path) -> RunMeta:
    """The run.json about to be written, validated: a run.json its own reader would
    refuse is never written."""
    return validate_document(data, RunMeta, f"the run.json for {out}")


#: run.json keys a resume must match: the experiment (settings), the results version of the
#: search code (`nb1s.optimizers.results_version`; not the package version, which also
#: changes for releases that leave every result identical) and the data it reads.
RESUME_KEYS = ("optimizer", "space", "seed", "epochs", "hyperparameters", "options",
               "results_version")


def data_identity(meta: dict[str, Any]) -> dict[str, Any]:
    """What identifies the data of a run: the index source and columns, the image folder.

    Import time and index location are left out (re-importing the same file into another
    folder gives the same data); the checksums are what matter.
    """
    data = meta.get("data") or {}
    nb101 = data.get("nb101") or {}
    images = data.get("cifar10") or {}
    return {
        "nb101.source_sha256": (nb101.get("source") or {}).get("sha256"),
        "nb101.models": nb101.get("models"),
        "nb101.records": nb101.get("records"),
        "nb101.synthetic": nb101.get("synthetic"),
        "nb101.columns": nb101.get("columns"),
        "cifar10.kind": images.get("kind"),
        "cifar10.checksum": images.get("checksum"),
        "cifar10.split": images.get("split"),
    }


def resume_differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """`key: stored -> requested` for every setting or data identity that changed.

    Dictionaries are compared key by key so a refused resume names the two learning rates
    that differ, not forty hyperparameters each.
    """
    out: list[str] = []

    def compare(name: str, a: Any, b: Any) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                compare(f"{name}.{key}", a.get(key), b.get(key))
        elif a != b:
            out.append(f"{name}: {a!r} -> {b!r}")

    for key in RESUME_KEYS:
        if key == "results_version" and key not in old and new.get(key) is not None:
            # recorded before results versions existed: nothing proves the numbers match
            out.append(f"results_version: not recorded (a run older than results versions) "
                       f"-> {new[key]!r}")
            continue
        compare(key, old.get(key), new.get(key))
    mine, theirs = data_identity(old), data_identity(new)
    for key in mine:
        if mine[key] is not None and mine[key] != theirs[key]:  # None: not recorded then
            a, b = mine[key], theirs[key]
            if key == "nb101.columns":
                a, b = "checksums A", "checksums B"
            out.append(f"data {key}: {a!r} -> {b!r}")
    return out


def _save_torch(path: Path, state: dict[str, Any]) -> None:
    import torch

    buffer = io.BytesIO()
    torch.save(state, buffer)
    with atomic_open(path, "wb") as fh:
        fh.write(buffer.getvalue())


def snapshot_path(out: Path, epoch: int) -> Path:
    """Where the supernet snapshot after `epoch` lives in a run directory."""
    return RunDirectory(out).snapshot_file(epoch)


def load_checkpoint(out: Path) -> dict[str, Any] | None:
    """The checkpoint of a run directory, or None when there is none yet."""
    path = RunDirectory(out).checkpoint_file
    if not path.is_file():
        return None
    import torch

    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return state
