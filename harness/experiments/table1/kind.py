"""The `enumeration` kind (Table 1): the spaces enumerated and counted, compared with the
paper's numbers; no results folder, nothing to diff later."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nb1s.harness.experiments.kind import ExperimentKind, KindBase, Request, Result, Shown


class Enumeration(KindBase):
    name: ClassVar[str] = "enumeration"
    paper_only: ClassVar[bool] = True
    results_folder: ClassVar[bool] = False  # prints its counts; writes nothing

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.result import KindResult
        from nb1s.harness.experiments.table1.documents import Table1Counts
        from nb1s.harness.experiments.table1.reproduce import reproduce_table1

        counts = Table1Counts.model_validate(reproduce_table1())
        # the counts are checked here, not diffed: a count off the paper fails (exit 1)
        return KindResult(recipe=request.recipe.name, status="complete",
                          verdict="pass" if counts.ok else "fail", details=counts)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.table1.view import render_table1

        render_table1(result)


KIND: ExperimentKind = Enumeration()  # mypy checks it implements the interface
