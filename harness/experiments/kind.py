"""The interface every experiment kind implements (search curves, correlation, black-box, ...).

A recipe's `kind:` names one `ExperimentKind`; `nb1s reproduce`, `run`, `diff`, `ls` and
`validate` look it up in `nb1s.harness.experiments.registry.KINDS` and call these methods,
so the CLI holds no per-kind branches and a new kind is one folder plus one line in the
registry (docs/architecture.md, "Adding an experiment kind").

`reproduce` and `diff` answer a typed `KindResult` (`experiments/result.py`): status,
verdict, labels, results folder and the kind's own typed details (what `--json` prints);
`KindResult.exit_code` (through `dispatch.exit_code_for`) maps it to the exit code, and
`KindResult.cannot_run` is the one "cannot run" answer. `render` shows the details'
JSON document, the same one `--json` prints.

`KindBase` holds the defaults (a recipe's search grid as its plan, no `--against`, no
progress message); a kind may subclass it or implement the protocol from scratch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.experiments.result import KindResult

if TYPE_CHECKING:
    from nb1s.harness.execution.runner import DataInputs, Executor
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol

Result = KindResult[Any]
#: what `render` shows: a result's `--json` document (`KindResult.to_json`)
Shown = dict[str, Any]
# (plan, results folder, options) -> the data folders and the executor its runs use
Launcher = Callable[["Plan", Path, ExecutionOptions], "tuple[DataInputs, Executor]"]


@dataclass(frozen=True)
class Request:
    """One invocation of `reproduce`/`run`/`diff` on one recipe, resolved by the CLI."""

    recipe: Recipe
    profile: Profile
    protocol: RecipeProtocol
    results: Path
    execution: ExecutionOptions = field(default_factory=ExecutionOptions)
    against: Path | None = None  # reference to diff against instead of the stored one
    min_seeds: int | None = None  # statistical rows need this many seeds to decide
    margin: float | None = None  # `--margin`: the equivalence margin as a ratio
    progress: bool = True  # a rich progress bar on a terminal (False under --json)
    options: dict[str, Any] | None = None  # kind-specific extras (e.g. --configuration-from)
    store_reference: bool = False  # keep the aggregate as the recipe's reference curves
    note: str = ""  # context stored with --store-reference
    # prepares data and executor for a plan with runs; the CLI passes its own (data folders,
    # smoke data, executor options), so kinds never import the layer above them
    launch: Launcher | None = None


class ExperimentKind(Protocol):
    """Plan, run/analyse, diff and render one kind of paper experiment."""

    name: ClassVar[str]  # the recipe's `kind:` value
    search_block: ClassVar[bool]  # its recipes hold a grid of `nb1s search` runs
    paper_only: ClassVar[bool]  # compared with published numbers only: no --against
    # the profiles it runs for every recipe of the kind; a recipe's `profiles:` block adds more
    profiles: ClassVar[tuple[str, ...]]

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        """The runs (or analyses) this recipe needs, with nothing executed."""
        ...

    def reproduce(self, request: Request,
                  on_start: Callable[[int], None] | None = None,
                  on_done: Callable[[Any], None] | None = None) -> Result:
        """Run what is unfinished, analyse, plot and diff; never raises on a failed diff."""
        ...

    def diff(self, request: Request) -> Result:
        """Re-derive the comparison from an existing results folder (`nb1s diff`)."""
        ...

    def render(self, result: Shown) -> None:
        """Print the human view of a result's document (the CLI prints JSON itself).

        Views print to rich's global console (`rich.get_console()`), which the CLI sets up
        once, so a kind never imports the CLI.
        """
        ...


class KindBase:
    """Defaults for an `ExperimentKind`: subclass and override what differs.

    `busy` is an optional one-line message (formatted with `recipe`) the CLI shows as a
    spinner while a kind without search runs works (fig6 looks up every architecture);
    the CLI reads it with a default, so kinds that do not subclass this need not define it.
    """

    name: ClassVar[str] = ""
    search_block: ClassVar[bool] = False
    paper_only: ClassVar[bool] = False
    profiles: ClassVar[tuple[str, ...]] = ("paper",)
    busy: ClassVar[str | None] = None
    # False: `reproduce` writes no results folder (Table 1 only prints its counts), so no
    # --out checks apply; read with a default like `busy`
    results_folder: ClassVar[bool] = True

    def plan(self, recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
        """The recipe's resolved grid; variants whose optimizer is missing are `blocked`."""
        from nb1s.harness.recipe.optimizer_catalog import availability
        from nb1s.harness.recipe.plan import plan_recipe

        return plan_recipe(recipe, profile, protocol, availability)

    def diff(self, request: Request) -> Result:
        from nb1s.harness.errors import UserError

        raise UserError(f"recipe kind {self.name!r} has no `nb1s diff`; re-run `nb1s reproduce "
                        f"{request.recipe.name}`")


def launch_runs(request: Request, plan: Plan) -> tuple[DataInputs | None, Executor | None]:
    """Data and executor for `plan`'s runs ((None, None) when it has none)."""
    if not plan.runs:
        return None, None
    if request.launch is None:
        from nb1s.harness.errors import UserError

        raise UserError("no executor given for a recipe with runs")
    return request.launch(plan, request.results, request.execution)
