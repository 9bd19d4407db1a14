"""Running the searches behind an analysis recipe (fig3, fig17) and reporting the outcome.

fig3 and fig17 differ only in what they compute from finished runs; planning and running
the searches, the "cannot run yet" answer and the result's JSON envelope are the same for
both and live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import DataInputs, Executor, RunSummary, run_plan
from nb1s.harness.executors import JobResult
from nb1s.harness.experiments.result import KindResult, Reproduced, diff_link
from nb1s.harness.recipe.plan import Availability, Blocked, Plan, plan_recipe
from nb1s.harness.recipe.schema import Profile, Protocol, Recipe


@dataclass(frozen=True)
class AnalysisRuns:
    """The plan, what it could not run, and what running it did (None: nothing to run)."""

    plan: Plan
    blocked: list[Blocked]
    summary: RunSummary | None


def run_analysis_searches(recipe: Recipe, results: Path, executor: Executor | None,
                          profile: Profile, protocol: Protocol, data: DataInputs | None,
                          availability: Availability,
                          on_start: Callable[[int], None] | None = None,
                          on_done: Callable[[JobResult], None] | None = None,
                          plan: Plan | None = None) -> AnalysisRuns:
    """Run every unfinished search of `plan` (finished ones are skipped); without a plan,
    plan the recipe here."""
    if plan is None:
        plan = plan_recipe(recipe, profile, protocol, availability)
    if not plan.runs:
        return AnalysisRuns(plan, plan.blocked, None)
    if executor is None or data is None:
        raise UserError("no executor or data given for a recipe with runs")
    summary = run_plan(plan, results, executor, data, on_done=on_done, on_start=on_start)
    if summary.interrupted:  # no analysis of a half-run grid: say what finished, stop
        import shlex
        import sys

        from nb1s.harness.errors import RunStopped
        from nb1s.harness.execution.runner import interrupt_line

        resume = "nb1s " + shlex.join(sys.argv[1:])
        raise RunStopped(interrupt_line(summary.as_dict(), resume), 130, "interrupted")
    return AnalysisRuns(plan, plan.blocked, summary)


class AnalysisReproduced(Reproduced):
    """The `--json` document of an analysis reproduction (fig3, fig17); each analysis
    declares its own keys in a subclass."""

    run: dict[str, Any]


def cannot_run(recipe: Recipe, results: Path, runs: AnalysisRuns) -> KindResult[Any]:
    """The answer when none of the recipe's searches can run in this nb1s."""
    return KindResult.cannot_run(recipe, runs.blocked, results)


def analysis_result(recipe: Recipe, profile: Profile, protocol: Protocol, results: Path,
                    runs: AnalysisRuns, labels: list[str], plots: list[Path],
                    diff: dict[str, Any], document: type[AnalysisReproduced],
                    **extra: Any) -> KindResult[Any]:
    """The result of an analysis reproduction; `extra` adds the analysis's own keys, which
    `document` (a subclass of `AnalysisReproduced`) declares."""
    assert runs.summary is not None
    status = ("failed-runs" if not runs.summary.ok
              else ("partial" if runs.blocked else "complete"))
    return KindResult.reproduced(document.model_validate({
        "recipe": recipe.name, "version": recipe.version, "kind": recipe.kind,
        "profile": profile, "protocol": protocol, "labels": labels,
        "status": status, "results": str(results), "run": runs.summary.as_dict(),
        "blocked": runs.blocked, **extra, "plots": [str(p) for p in plots],
        "diff": diff_link(results, diff)}))
