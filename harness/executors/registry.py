"""Which executors exist: `--executor NAME` -> the module that builds it.

Entries are import paths of an `ExecutorEntry` (executors/base.py), loaded on first use,
so choosing `local` never imports the Docker SDK or submitit. Adding an executor: write
`executors/<name>.py` with an executor class and an `ENTRY`, and add one line here.
"""

from __future__ import annotations

import importlib

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import ExecutorEntry

# --executor name -> "module:attribute" of its ExecutorEntry (order: as listed in messages)
EXECUTORS: dict[str, str] = {
    "local": "nb1s.harness.executors.local:ENTRY",
    "docker": "nb1s.harness.executors.docker_runner:ENTRY",
    "slurm": "nb1s.harness.executors.slurm:ENTRY",
}


def names() -> tuple[str, ...]:
    """The registered executors, in registration order."""
    return tuple(EXECUTORS)


def entry_for(name: str) -> ExecutorEntry:
    """The registration of executor `name` (a one-line UserError when there is none)."""
    target = EXECUTORS.get(name)
    if target is None:
        raise UserError(f"unknown executor {name!r}: choose one of {', '.join(names())}")
    module, attr = target.split(":")
    entry: ExecutorEntry = getattr(importlib.import_module(module), attr)
    return entry
