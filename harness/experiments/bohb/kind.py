"""Recipe kind `bohb` (recipes/fig5.yaml): BOHB runs, black-box grid, figures, claims.

Data flow of `reproduce`: recipe -> plan (settings by profile and protocol) -> for every
(configuration space, search space, optimizer, seed) one BOHB run whose evaluations are
`nb1s search` runs (`master.run_bohb`, or a Slurm array through `distributed`), logged with
hpbandster's `json_result_logger` at `<results>/bohb/cs{N}/ss{S}/{optimizer}/seed-{k}/`
(a finished run is skipped, an interrupted one replayed) -> the black-box grid (through
`harness/blackbox_runs/`) -> per configuration space one figure (Fig. 14 = CS1, Fig. 5 =
CS2, Fig. 15 = CS3) -> claim rows -> `bohb-summary.json`.

The layout of every kind (docs/architecture.md): this module only adapts the kind to the
`ExperimentKind` interface; `settings.py` plans, `runs.py` runs the BOHB runs and the
black-box side, `reproduce.py` analyses and diffs, `view.py` renders, `documents.py` types
what it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from nb1s.harness.experiments.kind import ExperimentKind, Request, Result, Shown

if TYPE_CHECKING:
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


class BohbKind:
    """Figures 5, 14 and 15."""

    name: ClassVar[str] = "bohb"
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = True
    profiles: ClassVar[tuple[str, ...]] = ("paper", "smoke")
    #: the `nb1s reproduce` options it takes (`dispatch.check_request_option`)
    request_options: ClassVar[tuple[str, ...]] = ("time_axis", "smac_model")

    def cost_rows(self, plan: Plan, line: str, hours: Mapping[str, float]) -> list[Any]:
        """`nb1s plan`'s rows: the BOHB runs, then the black-box side (`cost.bohb_rows`,
        imported here, not at module level: `nb1s ls` imports every kind)."""
        from nb1s.harness.experiments.cost import bohb_rows

        return bohb_rows(plan, line, hours)

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        from nb1s.harness.experiments.bohb.settings import plan_bohb

        return plan_bohb(recipe, profile, protocol)

    def reproduce(self, request: Request,
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        from nb1s.harness.experiments.bohb.reproduce import reproduce_bohb

        plan = self.plan(request.recipe, request.profile, request.protocol)
        return reproduce_bohb(request, plan, on_start, on_done)

    def diff(self, request: Request) -> Result:
        """The diff document re-derived from the BOHB logs and black-box seed files
        (diff.json, diff.md); a planned BOHB run missing or unfinished FAILS it, and the
        figures drawn again from part of the runs say `partial` in their titles."""
        from nb1s.harness.experiments.bohb.reproduce import diff_bohb

        return diff_bohb(request, self.plan(request.recipe, request.profile,
                                            request.protocol))

    def render(self, result: Shown) -> None:
        from nb1s.harness.experiments.bohb.view import render_bohb

        render_bohb(result)


KIND: ExperimentKind = BohbKind()
