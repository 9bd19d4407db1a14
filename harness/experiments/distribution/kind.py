"""The `distribution` kind (fig6): every architecture of each space looked up, no training.

It runs under the smoke profile without a `profiles:` block (a synthetic index is enough).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nb1s.harness.experiments.kind import (
    ExperimentKind,
    KindBase,
    Request,
    Result,
    Shown,
)


class Distribution(KindBase):
    name: ClassVar[str] = "distribution"
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")
    busy: ClassVar[str | None] = "{recipe}: looking up every architecture"

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.distribution.reproduce import reproduce_distribution

        plan = self.plan(request.recipe, request.profile, request.protocol)
        return reproduce_distribution(request.recipe, request.results, request.profile,
                                      request.protocol, request.execution.data_dir,
                                      request.execution.smoke_data, plan)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.distribution.reproduce import diff_distribution
        from nb1s.harness.experiments.result import diff_result

        return diff_result(diff_distribution(request.results, request.recipe), request.results)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.distribution.view import render_distribution

        render_distribution(result)


KIND: ExperimentKind = Distribution()  # mypy checks it implements the interface
