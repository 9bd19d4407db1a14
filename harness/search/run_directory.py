"""One search run directory: its paths, and reading and writing its documents.

`nb1s search` writes the folder through `RunWriter` (which uses this class for every file),
and the harness reads it here: to decide whether a run is finished (skip), interrupted
(resume) or absent (start), to aggregate its curves and to find its snapshots. The
documents are the models of `search/documents.py` (format: docs/run-schema.md); reading
validates them, so a damaged or foreign run.json stops a command with one line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from nb1s.harness.documents import (
    read_document,
    read_lines,
    to_json_text,
    write_document,
    write_lines,
)
from nb1s.harness.search.documents import EpochRecord, RunMeta

RunStatus = Literal["missing", "partial", "complete"]

RUN_FILE = "run.json"
EPOCHS_FILE = "epochs.jsonl"
ARCH_FILE = "arch_weights.npz"
CHECKPOINT_FILE = "checkpoint.pt"


@dataclass(frozen=True)
class RunDirectory:
    """The files of one run folder (see docs/run-schema.md for each)."""

    path: Path

    @property
    def run_file(self) -> Path:
        return self.path / RUN_FILE

    @property
    def epochs_file(self) -> Path:
        return self.path / EPOCHS_FILE

    @property
    def arch_file(self) -> Path:
        return self.path / ARCH_FILE

    @property
    def checkpoint_file(self) -> Path:
        return self.path / CHECKPOINT_FILE

    def snapshot_file(self, epoch: int) -> Path:
        """Where the supernet snapshot after `epoch` lives."""
        return self.path / f"checkpoint_epoch{int(epoch)}.pt"

    def correlation_cache(self, epoch: int) -> Path:
        """Figure 3's cached correlation row of the snapshot after `epoch`."""
        return self.path / f"correlation_epoch{int(epoch)}.json"

    def has_run(self) -> bool:
        return self.run_file.is_file()

    # --- state (lenient: a damaged run.json is a state here, not an error) -----------------
    def _peek_status(self) -> str | None:
        """The `status` of run.json without validating the rest; None when unreadable."""
        try:
            data = json.loads(self.run_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return str(data.get("status")) if isinstance(data, dict) else None

    def status(self) -> RunStatus:
        """`complete` when run.json says so, `partial` when a run started, else `missing`.

        A directory without run.json (killed before its first write) counts as missing:
        there is nothing to resume from. `partial` covers `running`, `interrupted`,
        `diverged`, an unreadable run.json and a stale `running` whose process died (see
        `state` to tell them apart).
        """
        if not self.has_run():
            return "missing"
        return "complete" if self._peek_status() == "complete" else "partial"

    def state(self) -> str:
        """What run.json says, corrected by the folder lock: a `running` run whose process
        is gone (the lock is free: killed, machine rebooted) is `stale`, not alive."""
        from nb1s.harness.guards.folder_lock import is_held

        if not self.has_run():
            return "missing"
        status = self._peek_status()
        if status is None:
            return "unreadable"
        if status == "running" and not is_held(self.path):
            return "stale"
        return status

    # --- documents -----------------------------------------------------------------------
    def read_meta(self) -> RunMeta:
        return read_document(self.run_file, RunMeta)

    def write_meta(self, meta: RunMeta) -> None:
        write_document(self.run_file, meta, indent=2, strict=True)

    def read_epochs(self) -> list[EpochRecord]:
        """The records as stored, in file order (none when the file does not exist yet)."""
        return read_lines(self.epochs_file, EpochRecord) if self.epochs_file.is_file() else []

    def write_epochs(self, records: list[EpochRecord]) -> None:
        write_lines(self.epochs_file, records, strict=True)

    def read(self) -> RunRecord:
        """Load the run; records sorted by epoch and deduplicated (last wins).

        Deduplication guards against a resumed run that re-appended an epoch.
        """
        meta = self.read_meta()
        by_epoch = {rec.epoch: rec for rec in self.read_epochs()}
        return RunRecord(self.path, meta, [by_epoch[e] for e in sorted(by_epoch)])

    def records_digest(self) -> str:
        """sha256 of the run's records (run.json + epochs.jsonl): which data an aggregate
        used. Bytes as stored, so any change to either file changes it."""
        h = hashlib.sha256()
        for f in (self.run_file, self.epochs_file):
            h.update(f.name.encode() + b"\0" + (f.read_bytes() if f.is_file() else b"") + b"\0")
        return h.hexdigest()


@dataclass(frozen=True)
class RunRecord:
    """A run's validated metadata and per-epoch records (epoch 0 = initial weights)."""

    path: Path
    meta: RunMeta
    epochs: list[EpochRecord]

    @property
    def synthetic(self) -> bool:
        """True when any input (NB101 data or images) was synthetic or a stand-in."""
        return self.meta.synthetic

    def series(self, key: str) -> list[float | None]:
        """One metric over epochs, in epoch order (None where the run recorded none)."""
        return [getattr(rec, key, None) for rec in self.epochs]


def run_status(path: Path) -> RunStatus:
    """`RunDirectory(path).status()` (kept for callers that hold a path)."""
    return RunDirectory(path).status()


def run_state(path: Path) -> str:
    """`RunDirectory(path).state()` (kept for callers that hold a path)."""
    return RunDirectory(path).state()


def strict_json(value: Any, indent: int | None = None) -> str:
    """JSON that other tools can read: a NaN or infinity is an error, never bare `NaN`."""
    return to_json_text(value, indent, strict=True)
