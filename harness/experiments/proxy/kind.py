"""The `proxy` kind (fig17): stand-alone proxy trainings correlated with NAS-Bench-101."""

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


class Proxy(KindBase):
    name: ClassVar[str] = "proxy"
    search_block: ClassVar[bool] = True
    paper_only: ClassVar[bool] = True

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.proxy.reproduce import reproduce_proxy
        from nb1s.harness.recipe.optimizer_catalog import availability

        plan = self.plan(request.recipe, request.profile, request.protocol)
        data, ex = launch_runs(request, plan)
        return reproduce_proxy(request.recipe, request.results, ex, request.profile,
                               request.protocol, data, availability, on_start, on_done,
                               plan=plan)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.proxy.reproduce import diff_proxy
        from nb1s.harness.experiments.result import diff_result

        return diff_result(diff_proxy(request.results, request.recipe), request.results)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.proxy.view import render_proxy

        render_proxy(result)


KIND: ExperimentKind = Proxy()  # mypy checks it implements the interface
