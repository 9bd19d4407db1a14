"""The `search` kind: grids of one-shot searches, their curves, plots and diff (fig2/4/7/8/9,
table2); `--store-reference` keeps the aggregate as the recipe's reference curves."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from nb1s.harness.experiments.kind import (
    ExperimentKind,
    KindBase,
    Request,
    Result,
    Shown,
    launch_runs,
)

if TYPE_CHECKING:
    from nb1s.harness.report.documents import Aggregate


class SearchCurves(KindBase):
    name: ClassVar[str] = "search"
    search_block: ClassVar[bool] = True

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.search_curves.configuration_from import (
            recipe_with_options,
        )
        from nb1s.harness.experiments.search_curves.reproduce import (
            reproduce_recipe,
            store_reference,
        )
        from nb1s.harness.recipe.optimizer_catalog import availability

        # table2 --configuration-from: the BOHB incumbent joins as extra variants
        recipe = recipe_with_options(request.recipe, request.options, request.profile)
        plan = self.plan(recipe, request.profile, request.protocol)
        data, ex = launch_runs(request, plan)
        aggregates: list[Aggregate] = []  # the one the diff used, handed over in memory
        result = reproduce_recipe(recipe, request.results, ex, request.profile,
                                  request.protocol, data=data, against=request.against,
                                  availability=availability, on_start=on_start,
                                  on_done=on_done, on_aggregate=aggregates.append,
                                  plan=plan)
        if request.store_reference and result.status in ("complete", "partial"):
            stored = str(store_reference(request, aggregates[0]))
            result = result.model_copy(update={"details": result.details.model_copy(
                update={"stored_reference": stored})})
        return result

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.dispatch import decision_rules
        from nb1s.harness.experiments.result import diff_result
        from nb1s.harness.experiments.search_curves.reproduce import diff_results

        return diff_result(diff_results(request.results, request.recipe, request.against,
                                         decision_rules(request.recipe, request.min_seeds,
                                                        request.margin)), request.results)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.search_curves.view import render_reproduce

        render_reproduce(result)


KIND: ExperimentKind = SearchCurves()  # mypy checks it implements the interface
