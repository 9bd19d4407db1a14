"""Which executors exist: `--executor NAME` -> the module that builds it.

Entries are import paths of an `ExecutorEntry` (executors/base.py), loaded on first use,
so choosing `local` never imports the Docker SDK or submitit. Adding an executor: write
`executors/<name>.py` with an executor class and an `ENTRY`, and add one line here; an
executor outside nb1s (a plugin, a test) calls `register_executor(name, ENTRY)` once from
its own module instead, and `--executor name` then works in `run`, `reproduce` and `check`
of that process.
"""

from __future__ import annotations

import importlib

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import ExecutorEntry

# --executor name -> "module:attribute" of its ExecutorEntry, or the entry itself when
# registered at run time (order: as listed in messages)
EXECUTORS: dict[str, str | ExecutorEntry] = {
    "local": "nb1s.harness.executors.local:ENTRY",
    "docker": "nb1s.harness.executors.docker_runner:ENTRY",
    "slurm": "nb1s.harness.executors.slurm:ENTRY",
}


def names() -> tuple[str, ...]:
    """The registered executors, in registration order."""
    return tuple(EXECUTORS)


def register_executor(name: str, entry: ExecutorEntry | str) -> None:
    """Add executor `name` (its `ExecutorEntry`, or "module:attribute" of one); one call.

    A name already registered to another entry is refused (ValueError), as the one-shot
    optimizer registry refuses one (`register_method`): a plugin must not silently
    replace `local` or another plugin's executor."""
    if not name or not name.isidentifier():
        raise ValueError(f"executor name {name!r} must be a non-empty identifier")
    if not isinstance(entry, ExecutorEntry | str):
        raise ValueError(f"executor {name!r}: expected an ExecutorEntry, not {type(entry)}")
    if name in EXECUTORS and EXECUTORS[name] != entry:
        raise ValueError(f"executor name {name!r} is already registered")
    EXECUTORS[name] = entry


def entry_for(name: str) -> ExecutorEntry:
    """The registration of executor `name` (a one-line UserError when there is none)."""
    target = EXECUTORS.get(name)
    if target is None:
        raise UserError(f"unknown executor {name!r}: choose one of {', '.join(names())}")
    if isinstance(target, ExecutorEntry):
        return target
    module, attr = target.split(":")
    entry: ExecutorEntry = getattr(importlib.import_module(module), attr)
    return entry
