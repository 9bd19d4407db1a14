"""A `fanova` recipe (fig16) planned: its settings under the profile and protocol; no runs
(the BOHB runs it analyses belong to the fig5 recipe)."""

from __future__ import annotations

from nb1s.harness.recipe.plan import DataNeeds, Plan, profile_block, profile_labels
from nb1s.harness.recipe.schema import Profile, Recipe, resolve
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


def plan_fanova(recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
    """The resolved settings; no runs (the BOHB runs belong to the fig5 recipe)."""
    settings = {k: resolve(v, protocol)[0] for k, v in recipe.settings.items()}
    labels = profile_labels(profile)
    smoke = profile_block(recipe, profile)
    if smoke is not None:
        settings.update(smoke.settings)
        settings["bohb_seed"] = smoke.seeds[0]
    spaces = [int(s) for s in settings.get("spaces", [])]
    # it reads BOHB logs (synthetic ones under smoke), no NB101 index or images
    return Plan(recipe.name, recipe.version, recipe.title, recipe.kind, profile, protocol,
                [], [], None, None, spaces, labels, settings,
                DataNeeds(synthetic=bool(labels), spaces=tuple(spaces), images=False))
