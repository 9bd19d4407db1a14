"""Reading one search run directory (`run.json` + `epochs.jsonl`, see docs/run-schema.md).

`nb1s search` writes these files; the harness only reads them: to decide whether a run is
finished (skip), interrupted (resume) or absent (start), and to aggregate its curves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

RunStatus = Literal["missing", "partial", "complete"]


def run_status(path: Path) -> RunStatus:
    """`complete` when run.json says so, `partial` when a run started, else `missing`.

    A directory without run.json (killed before its first write) counts as missing: there
    is nothing to resume from. `partial` covers `running`, `interrupted`, `diverged` and
    a stale `running` whose process died (see `run_state` to tell them apart).
    """
    meta = path / "run.json"
    if not meta.is_file():
        return "missing"
    try:
        status = json.loads(meta.read_text(encoding="utf-8")).get("status")
    except (OSError, json.JSONDecodeError):
        return "partial"
    return "complete" if status == "complete" else "partial"


def run_state(path: Path) -> str:
    """What run.json says, corrected by the folder lock: a `running` run whose process is
    gone (the lock is free: killed, machine rebooted) is `stale`, not alive."""
    from nb1s.harness.guards.folder_lock import is_held

    meta = path / "run.json"
    if not meta.is_file():
        return "missing"
    try:
        status = str(json.loads(meta.read_text(encoding="utf-8")).get("status"))
    except (OSError, json.JSONDecodeError):
        return "unreadable"
    if status == "running" and not is_held(path):
        return "stale"
    return status


@dataclass(frozen=True)
class RunRecord:
    """A finished run's metadata and its per-epoch records (epoch 0 = initial weights)."""

    path: Path
    meta: dict[str, Any]
    epochs: list[dict[str, Any]]

    @property
    def synthetic(self) -> bool:
        """True when any input (NB101 data or images) was synthetic or a stand-in."""
        data = self.meta.get("data") or {}
        nb101 = data.get("nb101") or {}
        images = data.get("cifar10") or {}
        return bool(nb101.get("synthetic")) or bool(images.get("synthetic")) \
            or images.get("kind") == "digits"

    def series(self, key: str) -> list[float | None]:
        """One metric over epochs, in epoch order (None where the run recorded none)."""
        return [rec.get(key) for rec in self.epochs]


def read_run(path: Path) -> RunRecord:
    """Load a run directory; records are sorted by epoch and deduplicated (last wins).

    Deduplication guards against a resumed run that re-appended an epoch.
    """
    meta = json.loads((path / "run.json").read_text(encoding="utf-8"))
    by_epoch: dict[int, dict[str, Any]] = {}
    epochs_file = path / "epochs.jsonl"
    if epochs_file.is_file():
        for line in epochs_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                by_epoch[int(rec["epoch"])] = rec
    return RunRecord(path, meta, [by_epoch[e] for e in sorted(by_epoch)])
