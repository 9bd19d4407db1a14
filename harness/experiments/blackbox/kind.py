"""The `blackbox` experiment kind: the seven black-box NAS baselines on NAS-Bench-101.

    RESULTS/plan.json                    the resolved plan (binds the folder to the recipe)
    RESULTS/blackbox/ss{N}/{OPT}/seed-{k}.npy   records of one seed (see grid.py)
    RESULTS/summary.json                 per space and optimizer: final regret statistics
    RESULTS/plots/blackbox-ss{N}.png/.pdf       test regret vs simulated time, log-log
    RESULTS/diff.json, diff.md           the claim "RE is the best black-box optimizer"

The layout of every kind (docs/architecture.md): this module only adapts the kind to the
`ExperimentKind` interface; `settings.py` resolves the recipe and plans, `reproduce.py`
runs, analyses and diffs, `view.py` renders, `documents.py` types what it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from nb1s.harness.experiments.kind import ExperimentKind, Request, Result, Shown

if TYPE_CHECKING:
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


class BlackboxKind:
    """`ExperimentKind` of the black-box baselines (see the module docstring)."""

    name: ClassVar[str] = "blackbox"
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")
    #: the `nb1s reproduce` options it takes (`dispatch.check_request_option`)
    request_options: ClassVar[tuple[str, ...]] = ("smac_model",)

    def cost_rows(self, plan: Plan, line: str, hours: Mapping[str, float]) -> list[Any]:
        """`nb1s plan`'s rows: one per (space, optimizer) seed batch
        (`cost.blackbox_grid_rows`, imported here, not at module level: `nb1s ls` imports
        every kind)."""
        from nb1s.harness.experiments.cost import blackbox_grid_rows

        return blackbox_grid_rows(plan, line, hours)

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        from nb1s.harness.experiments.blackbox.settings import plan_blackbox

        return plan_blackbox(recipe, profile, protocol)

    def reproduce(self, request: Request, on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.blackbox.reproduce import reproduce_blackbox

        return reproduce_blackbox(request, on_start, on_done)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.experiments.blackbox.reproduce import diff_blackbox

        return diff_blackbox(request)

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.blackbox.view import render_blackbox

        render_blackbox(result)


KIND: ExperimentKind = BlackboxKind()
