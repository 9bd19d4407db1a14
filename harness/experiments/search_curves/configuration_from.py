"""`--configuration-from RESULTS`: Table 2 from a BOHB incumbent instead of the published one.

The paper's rule (App. F.3): "the best found configuration on search space 3 for the 50
epochs budget by BOHB". Here: among the BOHB runs of ONE configuration space on search space
3 under RESULTS (`bohb/cs{N}/ss3/{optimizer}/seed-*/`, hpbandster's result log; CS2 by
default, `--configuration-space N`), the evaluation with the lowest loss (NB101 validation
error) at the budget equal to the recipe's search epochs (50 in the paper).

Why one configuration space, CS2 by default: the original's transferred values
(`baseline_script_trans.sh`) are CS2 points (L2, cutout probability, learning rate: the three
CS2 keys), and pooling CS1-CS3 could pick a CS1 point, which never tuned the learning rate.

For each optimizer found, one extra variant `{optimizer}-bohb` joins the recipe: the
optimizer's DEFAULT variant (its method pins, e.g. PC-DARTS's K = 4) with every key of the
incumbent's completed configuration, i.e. what that BOHB evaluation trained with (the
evaluation's logged `search_settings`, else the configuration over the recipe's shared
values, which equal the CS1/CS2 completion: batch 96, momentum 0.9, 16 channels, 9 cells),
never another variant's values; cutout is on, as in `baseline_script_trans.sh`. The
published rows run besides it.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from nb1s.harness.blackbox_runs.bohb_log import BohbLog
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import plan_header
from nb1s.harness.recipe.schema import Profile, Recipe, Sourced, Variant, resolve
from nb1s.optimizers.config.hyperparameters import Hyperparameters

SOURCE_SPACE = 3
DEFAULT_CONFIGURATION_SPACE = 2
CONFIGURATION_SPACES = (1, 2, 3)
OPTION = "configuration_from"
CS_OPTION = "configuration_space"
#: the keys of a logged completion that Table 2's run takes over (its sizes stay the
#: recipe's or the profile's: a smoke BOHB run's tiny network is not the configuration)
_NOT_TAKEN = frozenset({"epochs", "max_batches_per_epoch", "max_eval_batches"})
_HYPERPARAMETERS = frozenset(f.name for f in fields(Hyperparameters)) - _NOT_TAKEN


def bohb_incumbent(results: Path, optimizer: str, budget: float,
                   configuration_space: int = DEFAULT_CONFIGURATION_SPACE
                   ) -> dict[str, Any] | None:
    """The lowest-loss SS3 evaluation of `optimizer` at `budget` under `results` within
    one configuration space, or None."""
    best: dict[str, Any] | None = None
    pattern = f"bohb/cs{configuration_space}/ss{SOURCE_SPACE}/{optimizer}/seed-*/results.json"
    for path in sorted(results.glob(pattern)):
        log = BohbLog(path.parent)  # every line validated: a damaged log is one line
        configs = log.configs_by_id()
        for entry in log.successful():
            result = entry.result
            assert result is not None  # successful(): only evaluations with a result
            if result.loss is None or entry.budget != float(budget):
                continue
            if best is None or result.loss < best["loss"]:
                info = result.info if isinstance(result.info, dict) else {}
                cid = tuple(entry.config_id)
                if cid not in configs:
                    raise UserError(f"{log.results_file}: configuration {list(cid)} is not "
                                    f"in {log.configs_file}")
                best = {"loss": float(result.loss), "config": configs[cid],
                        "config_id": list(cid), "budget": float(entry.budget),
                        "log": str(log.path), "configuration_space": configuration_space,
                        "completed": {k: v for k, v in
                                      dict(info.get("search_settings") or {}).items()
                                      if k in _HYPERPARAMETERS}}
    return best


def with_bohb_configuration(recipe: Recipe, results: Path, profile: Profile = "paper",
                            configuration_space: int = DEFAULT_CONFIGURATION_SPACE) -> Recipe:
    """`recipe` plus one `{optimizer}-bohb` variant per optimizer with an SS3 BOHB run of
    `configuration_space`.

    The budget is the recipe's search epochs under `profile` (50 in the paper; the smoke
    profile's few epochs match the fig5 smoke budgets), the profile applied by the plan
    header as for every kind.
    """
    if recipe.search is None:
        raise UserError(f"--configuration-from applies to search recipes (table2), "
                        f"not to {recipe.name}")
    if not results.is_dir():
        raise UserError(f"--configuration-from {results}: no such results folder")
    if configuration_space not in CONFIGURATION_SPACES:
        raise UserError(f"--configuration-space {configuration_space}: choose 1, 2 or 3")
    block = plan_header(recipe, profile).profile_block
    budget = float(block.epochs if block is not None
                   else resolve(recipe.search.epochs, "paper")[0])
    defaults = {v.optimizer: v for v in recipe.search.variants if v.key.endswith("-default")}
    added: list[Variant] = []
    for variant in recipe.search.variants:
        if not variant.key.endswith("-transferred"):
            continue
        found = bohb_incumbent(results, variant.optimizer, budget, configuration_space)
        if found is None:
            continue
        source = (f"BOHB incumbent of CS{configuration_space} at {budget:g} epochs: "
                  f"{found['log']} config {found['config_id']} (loss {found['loss']:.5f})")
        base = defaults.get(variant.optimizer)
        values = dict(base.hyperparameters) if base is not None else {}
        for name, value in {**found["completed"], **found["config"]}.items():
            values[name] = Sourced[Any](value=value, source=source)
        values["cutout"] = Sourced[Any](value=True, source="baseline_script_trans.sh: --cutout")
        added.append(Variant(key=f"{variant.optimizer}-bohb",
                             label=f"{variant.label.split(',')[0]}, BOHB incumbent "
                                   f"(CS{configuration_space})",
                             optimizer=variant.optimizer, hyperparameters=values,
                             note=source))
    if not added:
        raise UserError(f"--configuration-from {results}: no search-space-{SOURCE_SPACE} BOHB "
                        f"evaluation of configuration space {configuration_space} at "
                        f"{budget:g} epochs (bohb/cs{configuration_space}/ss3/<optimizer>/"
                        f"seed-*/)")
    search = recipe.search.model_copy(update={"variants": [*recipe.search.variants, *added]})
    profiles = dict(recipe.profiles)
    smoke = profiles.get("smoke")
    if smoke is not None and smoke.variants is not None:
        profiles["smoke"] = smoke.model_copy(update={"variants": [
            *smoke.variants, *(v.key for v in added)]})
    return recipe.model_copy(update={"search": search, "profiles": profiles})


def recipe_with_options(recipe: Recipe, options: dict[str, Any] | None,
                        profile: Profile = "paper") -> Recipe:
    """Apply a request's kind-specific options (`configuration_from`, `configuration_space`)
    to a search recipe."""
    source = (options or {}).get(OPTION)
    space = (options or {}).get(CS_OPTION)
    if source is None:
        if space is not None:
            raise UserError("--configuration-space needs --configuration-from")
        return recipe
    return with_bohb_configuration(recipe, Path(source), profile,
                                   DEFAULT_CONFIGURATION_SPACE if space is None else int(space))
