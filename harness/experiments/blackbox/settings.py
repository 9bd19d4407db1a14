"""A `blackbox` recipe resolved under one profile and protocol, and its plan (no runs: the
grid is optimizers x spaces x seeds, recorded in plan.json's settings)."""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields, replace
from typing import Any

from nb1s.harness.blackbox_runs.curves import (
    LEFT_EDGES,
    REGRET_REFERENCES,
)
from nb1s.harness.blackbox_runs.grid import (
    check_optimizer,
    check_space,
    parse_seeds,
)
from nb1s.harness.errors import UserError
from nb1s.harness.recipe.plan import DataNeeds, Plan, plan_header
from nb1s.harness.recipe.schema import Profile, Recipe, resolve
from nb1s.harness.recipe.schema import Protocol as RecipeProtocol
from nb1s.optimizers.discrete.smac3 import MODELS as SMAC_MODELS


@dataclass(frozen=True)
class BlackboxSettings:
    """A blackbox recipe resolved under one profile and protocol."""

    optimizers: list[str]
    spaces: list[int]
    seeds: list[int]
    evaluations: int
    repeat_policy: str
    incumbent: str
    band: str
    sources: dict[str, str]
    #: per-optimizer budgets that replace `evaluations` (the smoke profile's small SMAC)
    evaluations_by_optimizer: dict[str, int]
    #: what regret is measured against (`curves.regret_reference`)
    regret_reference: str = "min_of_means"
    #: a seed's curve before its first evaluation (`curves.regret_curve`)
    left_edge: str = "blank"
    #: SMAC's surrogate model (`optimizers/discrete/smac3.py` MODELS), recorded in every
    #: SMAC run file (grid.GridSettings)
    smac_model: str = SMAC_MODELS[0]

    def evaluations_of(self, optimizer: str) -> int:
        return int(self.evaluations_by_optimizer.get(optimizer, self.evaluations))


#: the optional settings a recipe may leave out, with BlackboxSettings' defaults
_DEFAULTS = {f.name: f.default for f in fields(BlackboxSettings) if f.default is not MISSING}


def resolve_settings(recipe: Recipe, header: Plan) -> BlackboxSettings:
    """Recipe settings with the protocol's values and the profile's replacements (the
    header's block: the profile is decided in `plan_header` only)."""
    protocol = header.protocol
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in ("optimizers", "spaces", "seeds", "evaluations", "repeat_policy",
                 "incumbent", "band"):
        if name not in recipe.settings:
            raise UserError(f"recipe {recipe.name} lacks the blackbox setting {name!r}")
        values[name], sources[name] = resolve(recipe.settings[name], protocol)
    values["evaluations_by_optimizer"] = {}
    values.update(_DEFAULTS)  # the optional settings' defaults are BlackboxSettings'
    for name in ("evaluations_by_optimizer", "regret_reference", "left_edge", "smac_model"):
        if name in recipe.settings:
            values[name], sources[name] = resolve(recipe.settings[name], protocol)
    smoke = header.profile_block
    if smoke is not None:
        why = f"smoke profile: {smoke.reason}"
        values["seeds"], sources["seeds"] = smoke.seeds, why
        if smoke.spaces:
            values["spaces"], sources["spaces"] = smoke.spaces, why
        for name, value in smoke.settings.items():
            values[name], sources[name] = value, why
    seeds = values["seeds"]
    seed_list = parse_seeds(seeds) if isinstance(seeds, str) else [int(s) for s in seeds]
    return BlackboxSettings([check_optimizer(str(o)) for o in values["optimizers"]],
                            [check_space(int(s)) for s in values["spaces"]], seed_list,
                            int(values["evaluations"]), str(values["repeat_policy"]),
                            str(values["incumbent"]), str(values["band"]), sources,
                            {check_optimizer(str(k)): int(v) for k, v in
                             dict(values["evaluations_by_optimizer"] or {}).items()},
                            _one_of(values, "regret_reference", REGRET_REFERENCES),
                            _one_of(values, "left_edge", LEFT_EDGES),
                            _one_of(values, "smac_model", SMAC_MODELS))


def with_options(settings: BlackboxSettings,
                 options: dict[str, Any] | None) -> BlackboxSettings:
    """The settings with the request's named options (`--smac-model`) in place of the
    recipe's; the option is named as the value's source, so plan.json and summary.json say
    where it came from."""
    model = (options or {}).get("smac_model")
    if model is None:
        return settings
    return replace(settings, smac_model=_one_of({"smac_model": model}, "smac_model",
                                                SMAC_MODELS),
                   sources={**settings.sources, "smac_model": "--smac-model"})


def _one_of(values: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = str(values[name])
    if value not in allowed:
        raise UserError(f"{name}={value!r}: choose one of {', '.join(allowed)}")
    return value


def plan_blackbox(recipe: Recipe, profile: Profile, protocol: RecipeProtocol) -> Plan:
    """The resolved settings as the plan; the data is a four-budget index of the spaces."""
    header = plan_header(recipe, profile, protocol)
    s = resolve_settings(recipe, header)
    return header.but(band=s.band, spaces=list(s.spaces), settings=asdict(s),
                      data=DataNeeds(synthetic=header.data.synthetic,
                                     spaces=tuple(s.spaces), images=False,
                                     all_budgets=True))
