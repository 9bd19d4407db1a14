"""One results folder (`nb1s run` / `reproduce` / `check`): its paths and documents.

Layout: `plan.json` (the resolved recipe, written before any run starts), `runs/VARIANT/
spaceN/seedS/` (one search run directory each, see `RunDirectory`), `logs/`, and the
derived documents: `aggregate.json`, `diff.json` + `diff.md`, `check.json`, and the
analysis results of the non-curve kinds (`correlation.json`, `proxy_correlation.json`,
`distribution.json`), whose models live with their experiment kind and are read and written
through `read`/`write` here. Reading validates (one UserError line when a document is
damaged or foreign); writing is atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from nb1s.harness.documents import (
    read_document,
    write_checked,
    write_document,
)
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import Plan
from nb1s.harness.report.documents import Aggregate, Diff
from nb1s.harness.search.run_directory import RunDirectory

PLAN_FILE = "plan.json"
RUNS_DIR = "runs"
LOGS_DIR = "logs"
AGGREGATE_FILE = "aggregate.json"
DIFF_JSON = "diff.json"
DIFF_MD = "diff.md"
CHECK_FILE = "check.json"

D = TypeVar("D", bound=BaseModel)


@dataclass(frozen=True)
class ResultsDirectory:
    """The files of one results folder (see module docstring)."""

    path: Path

    @property
    def plan_file(self) -> Path:
        return self.path / PLAN_FILE

    @property
    def aggregate_file(self) -> Path:
        return self.path / AGGREGATE_FILE

    @property
    def diff_file(self) -> Path:
        return self.path / DIFF_JSON

    @property
    def diff_markdown(self) -> Path:
        return self.path / DIFF_MD

    @property
    def check_file(self) -> Path:
        return self.path / CHECK_FILE

    @property
    def logs(self) -> Path:
        return self.path / LOGS_DIR

    def run(self, key: str) -> RunDirectory:
        """The run directory of a planned run (`RunSpec.key`: variant/spaceN/seedS)."""
        return RunDirectory(self.path / RUNS_DIR / key)

    def has_plan(self) -> bool:
        return self.plan_file.is_file()

    # --- plan ------------------------------------------------------------------------------
    def read_plan(self) -> Plan:
        """The plan; a folder without one is not a results folder (one line, exit 2)."""
        if not self.has_plan():
            raise UserError(f"{self.path} holds no results (no {PLAN_FILE}); run `nb1s run` "
                            "first")
        return read_document(self.plan_file, Plan)

    def write_plan(self, plan: Plan) -> None:
        """plan.json (every declared key, see `Plan.as_dict`), checked to read back as a
        `Plan`, atomically."""
        write_checked(self.plan_file, plan.as_dict(), Plan, indent=2)

    # --- derived documents ------------------------------------------------------------------
    def read_aggregate(self) -> Aggregate:
        return read_document(self.aggregate_file, Aggregate)

    def write_aggregate(self, agg: Aggregate) -> None:
        write_document(self.aggregate_file, agg)

    def read_diff(self) -> Diff:
        return read_document(self.diff_file, Diff)

    def write_diff(self, diff: dict[str, Any], markdown: str) -> Diff:
        """Validate and write diff.json (keys in the order the diff built them) and diff.md."""
        from nb1s.atomic import atomic_write_text

        doc = write_checked(self.diff_file, diff, Diff)
        atomic_write_text(self.diff_markdown, markdown)
        return doc

    def read(self, name: str, model: type[D]) -> D:
        """Another document of this folder (an analysis result), validated as `model`."""
        return read_document(self.path / name, model)

    def write(self, name: str, data: dict[str, Any], model: type[D],
              indent: int | None = 1) -> D:
        """Validate `data` as `model`, then write it (keys in the order they were built)
        atomically as another document of this folder (`indent` as the file always had)."""
        return write_checked(self.path / name, data, model, indent=indent)
