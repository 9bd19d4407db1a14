"""The `fanova` experiment kind (recipe fig16): no searches, an analysis of BOHB logs.

It trains nothing itself: its input is the fig5 recipe's BOHB runs (given with the
`bohb_results` option, the recipe's `bohb_results` setting, or the fig5 results folder of
the same profile and protocol), so it is compared with the paper's statement only and
`--against` does not apply.

The layout of every kind (docs/architecture.md): this module only adapts the kind to the
`ExperimentKind` interface; `settings.py` plans, `reproduce.py` analyses, plots and diffs,
`view.py` renders, `documents.py` types what it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from nb1s.harness.experiments.kind import ExperimentKind, Request, Result, Shown

if TYPE_CHECKING:
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


class FanovaKind:
    """Figure 16: fANOVA per space and budget over the CS2 DARTS BOHB evaluations."""

    name: ClassVar[str] = "fanova"
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")
    request_options: ClassVar[tuple[str, ...]] = ("bohb_results",)

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        from nb1s.harness.experiments.fanova.settings import plan_fanova

        return plan_fanova(recipe, profile, protocol)

    def reproduce(self, request: Request,
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        """Analyse, plot and diff (reproduce.py); `cannot-run` when no BOHB run is found."""
        from nb1s.harness.experiments.fanova.reproduce import reproduce_fanova

        return reproduce_fanova(request, self.plan(request.recipe, request.profile,
                                                   request.protocol))

    def diff(self, request: Request) -> Result:
        """The diff document re-derived from an existing fanova.json."""
        from nb1s.harness.experiments.fanova.reproduce import diff_fanova_results

        return diff_fanova_results(request)

    def render(self, result: Shown) -> None:
        """Importances per space and budget, then the verdict line (or the diff rows)."""
        from nb1s.harness.experiments.fanova.view import render_fanova

        render_fanova(result)


KIND: ExperimentKind = FanovaKind()
