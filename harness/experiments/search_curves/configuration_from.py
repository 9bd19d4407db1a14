"""`--configuration-from RESULTS`: Table 2 from a BOHB incumbent instead of the published one.

The paper's rule (App. F.3): "the best found configuration on search space 3 for the 50
epochs budget by BOHB". Here: among every BOHB run of search space 3 under RESULTS
(`bohb/cs*/ss3/{optimizer}/seed-*/`, hpbandster's result log), the evaluation with the
lowest loss (NB101 validation error) at the budget equal to the recipe's search epochs
(50 in the paper). For each optimizer found, one extra variant `{optimizer}-bohb` joins the
recipe: the published transferred variant of that optimizer with the incumbent's values in
place of the published L2 / cutout probability / learning rate, so the published rows run
besides it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Recipe, Sourced, Variant, resolve

SOURCE_SPACE = 3
OPTION = "configuration_from"


def bohb_incumbent(results: Path, optimizer: str, budget: float) -> dict[str, Any] | None:
    """The lowest-loss SS3 evaluation of `optimizer` at `budget` under `results`, or None."""
    best: dict[str, Any] | None = None
    for log in sorted(results.glob(f"bohb/cs*/ss{SOURCE_SPACE}/{optimizer}/seed-*/results.json")):
        configs = {}
        folder = log.parent
        for line in (folder / "configs.json").read_text(encoding="utf-8").splitlines():
            if line.strip():
                cid, config, _ = json.loads(line)
                configs[tuple(cid)] = config
        for line in log.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            cid, b, _, result, exception = json.loads(line)
            if result is None or exception is not None or float(b) != float(budget):
                continue
            if best is None or result["loss"] < best["loss"]:
                best = {"loss": float(result["loss"]), "config": configs[tuple(cid)],
                        "config_id": list(cid), "budget": float(b), "log": str(folder)}
    return best


def with_bohb_configuration(recipe: Recipe, results: Path, profile: str = "paper") -> Recipe:
    """`recipe` plus one `{optimizer}-bohb` variant per optimizer with an SS3 BOHB run.

    The budget is the recipe's search epochs under `profile` (50 in the paper; the smoke
    profile's few epochs match the fig5 smoke budgets).
    """
    if recipe.search is None:
        raise UserError(f"--configuration-from applies to search recipes (table2), "
                        f"not to {recipe.name}")
    if not results.is_dir():
        raise UserError(f"--configuration-from {results}: no such results folder")
    smoke = recipe.profiles.get("smoke") if profile == "smoke" else None
    budget = float(smoke.epochs if smoke is not None else resolve(recipe.search.epochs,
                                                                  "paper")[0])
    added: list[Variant] = []
    for variant in recipe.search.variants:
        if not variant.key.endswith("-transferred"):
            continue
        found = bohb_incumbent(results, variant.optimizer, budget)
        if found is None:
            continue
        source = (f"BOHB incumbent at {budget:g} epochs: {found['log']} config "
                  f"{found['config_id']} (loss {found['loss']:.5f})")
        values = {**variant.hyperparameters}
        for name, value in found["config"].items():
            values[name] = Sourced[Any](value=value, source=source)
        values["cutout"] = Sourced[Any](value=True, source="baseline_script_trans.sh: --cutout")
        added.append(Variant(key=f"{variant.optimizer}-bohb",
                             label=f"{variant.label.split(',')[0]}, BOHB incumbent",
                             optimizer=variant.optimizer, hyperparameters=values,
                             note=source))
    if not added:
        raise UserError(f"--configuration-from {results}: no search-space-{SOURCE_SPACE} BOHB "
                        f"evaluation at {budget:g} epochs (bohb/cs*/ss3/<optimizer>/seed-*/)")
    search = recipe.search.model_copy(update={"variants": [*recipe.search.variants, *added]})
    profiles = dict(recipe.profiles)
    smoke = profiles.get("smoke")
    if smoke is not None and smoke.variants is not None:
        profiles["smoke"] = smoke.model_copy(update={"variants": [
            *smoke.variants, *(v.key for v in added)]})
    return recipe.model_copy(update={"search": search, "profiles": profiles})


def recipe_with_options(recipe: Recipe, options: dict[str, Any] | None,
                        profile: str = "paper") -> Recipe:
    """Apply a request's kind-specific options (`configuration_from`) to a search recipe."""
    source = (options or {}).get(OPTION)
    return recipe if source is None else with_bohb_configuration(recipe, Path(source), profile)
