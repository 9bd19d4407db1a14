"""The `proxy` kind (fig17): stand-alone proxy trainings correlated with NAS-Bench-101."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from nb1s.harness.experiments.kind import ExperimentKind, KindBase, Request, Result, launch_runs


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
                               request.protocol, data, availability, on_start, on_done)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.proxy.reproduce import diff_proxy

        return diff_proxy(request.results, request.recipe)

    def render(self, result: Result) -> None:
        from nb1s.harness.experiments.proxy.view import render_proxy

        render_proxy(result)


KIND: ExperimentKind = Proxy()  # mypy checks it implements the interface
