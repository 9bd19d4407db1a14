"""The `correlation` kind (fig3): supernet snapshots ranked against NAS-Bench-101."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nb1s.harness.experiments.kind import (
    ExperimentKind,
    KindBase,
    Request,
    Result,
    Shown,
    launch_runs,
)


class Correlation(KindBase):
    name: ClassVar[str] = "correlation"
    search_block: ClassVar[bool] = True
    paper_only: ClassVar[bool] = True

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.correlation.reproduce import reproduce_correlation
        from nb1s.harness.recipe.optimizer_catalog import availability

        plan = self.plan(request.recipe, request.profile, request.protocol)
        data, ex = launch_runs(request, plan)
        return reproduce_correlation(request.recipe, request.results, ex, request.profile,
                                     request.protocol, data, availability, on_start, on_done,
                                     plan=plan)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.correlation.reproduce import diff_correlation
        from nb1s.harness.experiments.result import diff_result

        return diff_result(diff_correlation(request.results, request.recipe), request.results)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.correlation.view import render_correlation

        render_correlation(result)


KIND: ExperimentKind = Correlation()  # mypy checks it implements the interface
