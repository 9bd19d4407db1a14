"""A `fanova` recipe (fig16) planned: its settings under the profile and protocol; no runs
(the BOHB runs it analyses belong to the fig5 recipe)."""

from __future__ import annotations

from nb1s.harness.recipe.plan import DataNeeds, Plan, plan_header
from nb1s.harness.recipe.schema import Profile, Recipe
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol


def plan_fanova(recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
    """The resolved settings; no runs (the BOHB runs belong to the fig5 recipe)."""
    header = plan_header(recipe, profile, protocol)
    settings = dict(header.settings)
    if header.profile_block is not None:
        settings["bohb_seed"] = header.profile_block.seeds[0]
    spaces = [int(s) for s in settings.get("spaces", [])]
    # it reads BOHB logs (synthetic ones under smoke), no NB101 index or images
    return header.but(spaces=spaces, settings=settings,
                      data=DataNeeds(synthetic=header.data.synthetic,
                                     spaces=tuple(spaces), images=False))
