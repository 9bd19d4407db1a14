"""Which `--out` folders a command may write into, decided before anything is written.

A results folder belongs to the command (and recipe) that made it: `nb1s check` writing
its plan and aggregate over a `reproduce` folder, a search writing its run files into a
CIFAR-10 folder, or a run dropped into the current directory all leave results that look
valid and are not. Each command states what it writes (`kind`) and this module refuses
anything else with one line, before any data is prepared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from nb1s.harness.errors import UserError

OutKind = Literal["search", "results", "check", "data"]

#: files that mark a folder as a data set nb1s reads (never a place to write results)
DATASET_MARKERS = ("provenance.json", "nb1s_dataset.json", "batches.meta", "data_batch_1")
RUN_FILE = "run.json"
PLAN_FILE = "plan.json"


def check_out(out: Path, kind: OutKind, raw: str | None = None) -> None:
    """Refuse an `--out` that is empty, the current directory, a file, a data set or the
    results of another command (see module docstring); `raw` is the text the user typed."""
    if raw is not None and not raw.strip():
        raise UserError("--out is empty: name the folder to write")
    where = out.expanduser()
    if where.resolve() == Path.cwd().resolve():
        raise UserError("--out is the current directory: name a folder to write into")
    if where.exists() and not where.is_dir():
        raise UserError(f"--out {out} is a file, not a folder")
    above = next((p for p in where.absolute().parents if p.exists()), None)
    if above is not None and not above.is_dir():
        raise UserError(f"--out {out} lies under {above}, which is a file, not a folder")
    if not where.is_dir():
        return
    marker = next((m for m in DATASET_MARKERS if (where / m).is_file()), None)
    if marker is not None and kind != "data":  # data writers decide about their own kind
        raise UserError(f"--out {out} is a data set (it holds {marker}); choose another folder")
    has_run = (where / RUN_FILE).is_file()
    has_plan = (where / PLAN_FILE).is_file()
    if kind == "search":
        if has_plan:
            raise UserError(f"--out {out} is a results folder of `nb1s run`/`reproduce`; "
                            "a search needs its own folder")
        return
    if kind == "data":
        if has_run or has_plan:
            raise UserError(f"--out {out} holds results; choose another folder for data")
        return
    if has_run:
        raise UserError(f"--out {out} holds a single search run; choose another folder")
    if has_plan:
        owner = plan_command(where / PLAN_FILE)
        mine = "check" if kind == "check" else "run"
        if owner != mine:
            theirs = "`nb1s check`" if owner == "check" else "`nb1s run`/`reproduce`"
            raise UserError(f"--out {out} holds results of {theirs}; choose another folder")


def plan_command(plan_file: Path) -> str:
    """`check` or `run` (run and reproduce share a results layout) for a plan.json.

    Plans written before the `command` key existed are told apart by their variants:
    `nb1s check` is the only command whose plan has the single variant `candidate`.
    """
    try:
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(f"{plan_file} is unreadable; choose another folder") from None
    if not isinstance(plan, dict):
        raise UserError(f"{plan_file} is not a plan; choose another folder")
    command = plan.get("command")
    if command in ("check", "run"):
        return str(command)
    variants = {r.get("variant") for r in plan.get("runs") or [] if isinstance(r, dict)}
    return "check" if variants == {"candidate"} else "run"
