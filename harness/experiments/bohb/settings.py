"""A `bohb` recipe (fig5/14/15) planned: its settings under the profile, the BOHB runs and
black-box runs it needs, and where each run's log lives in the results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.experiments.bohb.documents import SUMMARY_FILE
from nb1s.harness.experiments.bohb.master import BohbSettings
from nb1s.harness.experiments.bohb.protocol import BohbProtocol
from nb1s.harness.recipe.plan import DataNeeds, Plan, plan_header
from nb1s.harness.recipe.schema import Profile, Recipe
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol
from nb1s.optimizers.builtin import BUILTIN_OPTIMIZERS

SUMMARY = SUMMARY_FILE
#: the black-box side of Figures 5/14/15 in a results folder (the blackbox kind's layout)
BLACKBOX = "blackbox"
FIGURE_OF_CS = {1: "fig14", 2: "fig5", 3: "fig15"}
#: The plot folder every kind writes (folders written before held `figures/`; they are
#: left as they are and still listed by `render` through the summary's old key).
PLOTS = "plots"
LABELS = {o.name: f"BOHB-{o.label}" for o in BUILTIN_OPTIMIZERS}


def log_folder(results: Path, cs: int, space: int, optimizer: str, seed: int) -> Path:
    """Where one BOHB run's hpbandster log lives (configs.json + results.json)."""
    return results / "bohb" / f"cs{cs}" / f"ss{space}" / optimizer / f"seed-{seed}"


def bohb_settings(settings: dict[str, Any]) -> BohbSettings:
    budgets = [float(b) for b in settings["budgets"]]
    return BohbSettings(eta=float(settings["eta"]), min_budget=min(budgets),
                        max_budget=max(budgets), iterations=int(settings["iterations"]))


def run_plan(plan: Plan) -> list[tuple[int, int, str, int]]:
    """(cs, space, optimizer, seed) of every BOHB run of the plan."""
    s = plan.settings
    return [(cs, space, opt, seed) for cs in s["configuration_spaces"] for space in s["spaces"]
            for opt in s["optimizers"] for seed in s["bohb_seeds"]]


def profile_hyperparameters(plan: Plan) -> dict[str, Any]:
    """The budgets the plan's profile pins for every evaluation (the smoke profile's)."""
    block = plan.profile_block
    return dict(block.hyperparameters) if block is not None else {}


def blackbox_optimizers(recipe: Recipe, settings: dict[str, Any]) -> list[str]:
    """The recipe's `blackbox_optimizers` setting (fig5: the seven of Figures 5/14/15),
    each a registered black-box optimizer: a recipe names which ones its figures draw, so
    an optimizer registered later joins by being named, and a name nothing can run is
    refused here, before a folder is planned."""
    from nb1s.optimizers.discrete.registry import blackbox_optimizer

    names = settings.get("blackbox_optimizers")
    if not isinstance(names, list) or not names:
        raise UserError(f"recipe {recipe.name} needs the setting blackbox_optimizers: the "
                        "registered black-box optimizers its figures compare with")
    for name in names:
        try:
            blackbox_optimizer(str(name))
        except ValueError as exc:
            raise UserError(f"recipe {recipe.name}, setting blackbox_optimizers: {exc}"
                            ) from None
    return [str(n) for n in names]


def plan_bohb(recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
    """The recipe's settings under the profile; the data every BOHB evaluation and the
    black-box side read."""
    header = plan_header(recipe, profile, protocol)  # the profile's settings applied
    # the black-box side's HyperBand and BOHB read 4-108 epochs, and both sides must
    # measure regret on the same numbers: one four-budget index of the spaces run
    # and every evaluation trains a one-shot search on images
    settings = {"blackbox_optimizers": blackbox_optimizers(recipe, header.settings),
                **header.settings}  # the key first, where plan.json has always had it
    return header.but(settings=settings, data=DataNeeds(
        synthetic=header.data.synthetic,
        spaces=tuple(int(s) for s in header.settings["spaces"]), images=True,
        all_budgets=True))


def with_options(plan: Plan, options: dict[str, Any] | None) -> Plan:
    """The plan with the request's named options (`--time-axis`, `--smac-model` for the
    black-box side's SMAC) in place of the recipe's."""
    options = options or {}
    settings = dict(plan.settings)
    time_axis = options.get("time_axis")
    if time_axis is not None:
        BohbProtocol.from_settings({**settings, "time_axis": time_axis})  # refuses unknowns
        settings["time_axis"] = time_axis
    smac_model = options.get("smac_model")
    if smac_model is not None:
        from nb1s.harness.blackbox_runs.grid import check_smac_model

        settings["blackbox_smac_model"] = check_smac_model(smac_model)
    return plan if settings == plan.settings else plan.but(settings=settings)


def blackbox_plan(plan: Plan) -> tuple[list[tuple[str, int, int]], list[int]]:
    """The planned black-box runs, (optimizer, space, evaluations), and their seeds."""
    seeds = list(range(int(plan.settings["blackbox_repetitions"])))
    # the black-box runs' length: the recipe's evaluations unless a profile sets its own
    # (RE cannot start with fewer evaluations than its population of 100)
    default = int(plan.settings.get("blackbox_evaluations", plan.settings["evaluations"]))
    per_optimizer = dict(plan.settings.get("blackbox_evaluations_by_optimizer") or {})
    runs = [(name, int(space), int(per_optimizer.get(name, default)))
            for space in plan.settings["spaces"]
            for name in plan.settings["blackbox_optimizers"]]
    return runs, seeds
