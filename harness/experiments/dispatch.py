"""From a recipe to its experiment kind: what `reproduce`, `run`, `diff`, `ls` and `validate`
share, so the CLI only parses, builds a `Request`, calls one function here and prints.

A recipe whose `kind:` has no registered implementation still loads, lists and plans: its
plan is "cannot run yet" (one `Blocked` entry naming what it requires), `nb1s reproduce`
answers `status: cannot-run` (exit 3) and `nb1s run` refuses it in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nb1s.harness.errors import UserError
from nb1s.harness.execution.options import default_results
from nb1s.harness.experiments.kind import Request, Result, Shown
from nb1s.harness.experiments.registry import kind_for, registered
from nb1s.harness.experiments.result import EXIT_CANNOT_RUN, KindResult

if TYPE_CHECKING:
    from nb1s.harness.recipe.located_yaml import YamlProblem
    from nb1s.harness.recipe.plan import Plan
    from nb1s.harness.recipe.schema import DiffSpec, Profile, Protocol, Recipe

__all__ = ["EXIT_CANNOT_RUN", "exit_code_for"]


def kind_problems(path: Path, recipe: Recipe) -> list[YamlProblem]:
    """What a recipe's shape must agree with its kind: a search block exactly when the kind
    runs a grid of searches; a kind nb1s cannot run lists what it `requires`."""
    from nb1s.harness.recipe.located_yaml import YamlProblem, load_located

    kind = registered(recipe.kind)
    if kind is None:
        message = (None if recipe.requires else
                   f"kind {recipe.kind!r} cannot run in nb1s: list what it 'requires'")
    elif kind.search_block and recipe.search is None:
        message = f"a recipe of kind {recipe.kind!r} needs a 'search' block"
    elif not kind.search_block and recipe.search is not None:
        message = f"a recipe of kind {recipe.kind!r} must not have a 'search' block"
    else:
        message = None
    if message is None:
        return []
    return [YamlProblem(str(path), load_located(path).line_of(("kind",)), "kind", message)]


def load_checked(name: str) -> Recipe:
    """A recipe by name, alias or file, validated against the schema and its kind."""
    from nb1s.harness.recipe.catalog import find_recipe_file, load_recipe

    recipe = load_recipe(name)
    problems = kind_problems(find_recipe_file(name), recipe)
    if problems:
        raise UserError(f"invalid recipe: {problems[0]}")
    return recipe


def decision_rules(recipe: Recipe, min_seeds: int | None, margin: float | None = None
                   ) -> DiffSpec:
    """The recipe's diff rules with the command line's overrides (validated: one line)."""
    from pydantic import ValidationError

    from nb1s.harness.recipe.schema import DiffSpec

    update = {k: v for k, v in (("min_seeds", min_seeds), ("margin", margin)) if v is not None}
    if not update:
        return recipe.diff
    try:
        return DiffSpec.model_validate({**recipe.diff.model_dump(), **update})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise UserError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}") from None


def results_folder(name: str, profile: str, protocol: str, out: Path | None) -> Path:
    """`--out`, else `results/<name>-<profile>-<protocol>`."""
    return out if out is not None else default_results(name, profile, protocol)


def plan_for(recipe: Recipe, profile: Profile = "paper", protocol: Protocol = "paper") -> Plan:
    """The recipe's plan by its kind; an unregistered kind plans as "cannot run yet"."""
    from nb1s.harness.recipe.plan import Blocked, plan_recipe

    kind = registered(recipe.kind)
    if kind is not None:
        return kind.plan(recipe, profile, protocol)
    base = plan_recipe(recipe, profile, protocol, lambda _: "its kind is not implemented")
    reason = (f"kind {recipe.kind!r} is not implemented in nb1s (needs: "
              f"{', '.join(recipe.requires)})")
    return base.but(runs=[], blocked=[Blocked(variant=recipe.kind, label=recipe.title,
                                              reason=reason)])


def runnable_plan(recipe: Recipe, profile: Profile, protocol: Protocol) -> Plan:
    """The plan `nb1s run` executes: every variant runnable, else one line and nothing run."""
    plan = plan_for(recipe, profile, protocol)
    if not plan.runs:
        reasons = "; ".join(f"{b.label}: {b.reason}" for b in plan.blocked) or \
            "it has no search runs (try `nb1s reproduce`)"
        raise UserError(f"recipe {recipe.name} cannot run yet: {reasons}")
    if plan.blocked:  # never exit 0 having silently dropped a variant
        reasons = "; ".join(f"{b.label}: {b.reason}" for b in plan.blocked)
        raise UserError(f"recipe {recipe.name} has variants nb1s cannot run ({reasons}); "
                        "nothing was run")
    return plan


def _admit(request: Request, paper_only: bool) -> None:
    """What is refused before any data is prepared, in the order users meet it."""
    from nb1s.harness.guards.out_folder import check_out

    # every kind writes a results folder (plan.json and more), the analysis kinds too:
    # refuse a folder that belongs to something else before any data is prepared
    check_out(request.results, "results")
    if request.note and not request.store_reference:
        raise UserError("--note is stored with --store-reference only")
    if request.store_reference:
        from nb1s.harness.experiments.search_curves.reference_curves import (
            require_clean_checkout,
        )

        require_clean_checkout()
    if paper_only and (request.store_reference or request.against is not None):
        raise UserError(f"{request.recipe.name} is compared with the paper's numbers only; "
                        "--against and --store-reference do not apply")


def cannot_run(recipe: Recipe, plan: Plan, results: Path) -> Result:
    """The answer of `reproduce` when nothing of the recipe can run in this nb1s."""
    return KindResult.cannot_run(recipe, plan.blocked, results)


def check_request_option(recipe: Recipe, option: str, refusal: str) -> None:
    """Refuse (`refusal`, one line) a kind-specific `nb1s reproduce` option that the
    recipe's kind does not take: which options a kind takes is its `request_options`
    (read with a default like `busy`: a kind that declares none takes none)."""
    kind = registered(recipe.kind)
    if option not in getattr(kind, "request_options", ()):
        raise UserError(refusal)


def busy_line(recipe: Recipe) -> str | None:
    """The spinner message of a kind that works without search runs (None: a bar or nothing)."""
    kind = registered(recipe.kind)
    busy: str | None = getattr(kind, "busy", None)
    return busy.format(recipe=recipe.name) if busy else None


def reproduce(request: Request, on_start: Callable[[int], None] | None = None,
              on_done: Callable[[Any], None] | None = None) -> Result:
    """`nb1s reproduce`: admit the request, then hand it to the recipe's kind."""
    from nb1s.harness.guards.folder_lock import folder_lock

    kind = registered(request.recipe.kind)
    if getattr(kind, "results_folder", True):
        _admit(request, bool(kind is not None and kind.paper_only))
    if kind is None:
        plan = plan_for(request.recipe, request.profile, request.protocol)
        return cannot_run(request.recipe, plan, request.results)
    if not getattr(kind, "results_folder", True):
        return kind.reproduce(request, on_start, on_done)
    # one reproduce per results folder, whatever the kind: two would run the same seeds
    # or runs twice and interleave their summaries (the runner's own lock is re-entrant)
    with folder_lock(request.results, f"nb1s reproduce {request.recipe.name}"):
        return kind.reproduce(request, on_start, on_done)


def renderer(recipe: Recipe) -> Callable[[Shown], None]:
    """How a `reproduce` result of this recipe is shown to people."""
    from nb1s.harness.experiments.view import render_cannot_run

    kind = registered(recipe.kind)
    return kind.render if kind is not None else render_cannot_run


def diff_folder(results: Path, against: Path | None = None, min_seeds: int | None = None,
                report: Path | None = None, margin: float | None = None) -> Result:
    """`nb1s diff`: re-derive a results folder's comparison through its recipe's kind."""
    from nb1s.atomic import atomic_write_text
    from nb1s.harness.recipe.catalog import load_recipe
    from nb1s.harness.search.results_directory import PLAN_FILE, ResultsDirectory

    folder = ResultsDirectory(results)
    if not folder.has_plan():
        raise UserError(f"{results} is not a results folder (no {PLAN_FILE})")
    plan = folder.read_plan()  # validated: a damaged or foreign plan.json is one line
    recipe = load_recipe(plan.recipe)
    if recipe.version != plan.version:
        raise UserError(f"results are {recipe.name} v{plan.version} but the recipe is now "
                        f"v{recipe.version}: re-run them")
    kind = kind_for(recipe.kind)
    if kind.paper_only and against is not None:
        raise UserError(f"{recipe.name} is compared with the paper's numbers only; "
                        "--against does not apply")
    result = kind.diff(Request(recipe, plan.profile, plan.protocol, results, against=against,
                               min_seeds=min_seeds, margin=margin, progress=False))
    if report is not None:
        atomic_write_text(report, folder.diff_markdown.read_text(encoding="utf-8"))
    return result


def exit_code_for(result: Result, allow_undecided: bool = False) -> int:
    """3 when nothing could run, 1 on failed runs, a failed diff or a failed check, 4 when
    the diff could not decide (0 with `allow_undecided`), else 0: read from the result's
    typed status and verdict (`KindResult.exit_code`)."""
    return result.exit_code(allow_undecided)


def listing_row(recipe: Recipe) -> dict[str, Any]:
    """One recipe as `nb1s ls --json` lists it."""
    kind = registered(recipe.kind)
    optimizers = sorted({v.optimizer for v in recipe.search.variants}) if recipe.search else []
    implied = kind.profiles if kind is not None else ("paper",)
    profiles = list(dict.fromkeys(["paper", *implied, *recipe.profiles]))
    return {"name": recipe.name, "version": recipe.version, "title": recipe.title,
            "reproduces": recipe.reproduces, "aliases": recipe.aliases, "kind": recipe.kind,
            "paper_source": recipe.paper_source, "optimizers": optimizers,
            "requires": recipe.requires, "runnable": kind is not None, "profiles": profiles}
