"""The interface every experiment kind implements (search curves, correlation, black-box, ...).

A recipe's `kind:` names one `ExperimentKind`; `nb1s reproduce`, `run`, `diff` and `ls` look
it up in `nb1s.harness.experiments.registry.KINDS` and call these methods, so the CLI holds
no per-kind branches and a new kind is one folder plus one line in the registry.

Results are plain JSON-able dicts at this seam for now: `status` (`complete`, `partial`,
`interrupted`, `failed-runs`, `cannot-run`) and, once diffed, `diff` with a `verdict`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from nb1s.harness.execution.options import ExecutionOptions

if TYPE_CHECKING:
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import Profile, Recipe
    from nb1s.harness.recipe.schema import Protocol as RecipeProtocol

Result = dict[str, Any]


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
    progress: bool = True  # a rich progress bar on a terminal (False under --json)
    options: dict[str, Any] | None = None  # kind-specific extras (e.g. --configuration-from)


class ExperimentKind(Protocol):
    """Plan, run/analyse, diff and render one kind of paper experiment."""

    name: ClassVar[str]  # the recipe's `kind:` value
    search_block: ClassVar[bool]  # its recipes hold a grid of `nb1s search` runs
    paper_only: ClassVar[bool]  # compared with published numbers only: no --against
    profiles: ClassVar[tuple[str, ...]]  # the profiles it can run ("paper", "smoke")

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

    def render(self, result: Result) -> None:
        """Print the human view of a `reproduce`/`diff` result (the CLI prints JSON itself)."""
        ...
