"""Expand a recipe, a profile and a protocol into the concrete list of runs.

This is the one place where `paper`/`original` values are chosen and where the `smoke`
profile is decided: it shrinks budgets, labels everything `smoke`/`synthetic` and says
that the runs read a synthetic NAS-Bench-101 index and the digits images (`Plan.data`). The
resolved plan (saved with the results) says exactly which value every run used and why;
every later step reads the plan instead of looking at the profile again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.recipe.schema import Profile, Protocol, Recipe, SmokeProfile, resolve
from nb1s.harness.recipe.search_settings import (
    SettingError,
    SettingValue,
    hyperparameter_values,
    set_arguments,
    spec_of,
)
from nb1s.optimizers.config import HyperparameterValue

Availability = Callable[[str], str | None]


@dataclass(frozen=True)
class RunSpec:
    """One search run: optimizer x space x seed with every setting resolved."""

    variant: str
    label: str
    optimizer: str
    space: int
    seed: int
    epochs: int
    hyperparameters: dict[str, HyperparameterValue]
    options: dict[str, str]
    sources: dict[str, str]
    #: tracking keys (`regret_reference`, `snapshot_epochs`): how the harness measures it
    tracking: dict[str, SettingValue] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Relative run directory, stable across profiles and executors."""
        return f"{self.variant}/space{self.space}/seed{self.seed}"

    def settings(self) -> dict[str, SettingValue]:
        """Everything passed to `nb1s search --set`: hyperparameters, options, tracking."""
        return {**self.hyperparameters, **self.options, **self.tracking}

    def set_arguments(self) -> list[str]:
        """The `key=value` texts of `nb1s search --set` (the settings codec writes them)."""
        return set_arguments(self.settings())


@dataclass(frozen=True)
class Blocked:
    """A part of the recipe that cannot run yet, and why."""

    variant: str
    label: str
    reason: str


@dataclass(frozen=True)
class DataNeeds:
    """What data the plan reads, decided once from the profile.

    `synthetic`: the profile runs on data nb1s builds itself (a synthetic NAS-Bench-101
    index and the digits images, see harness/execution/smoke_data.py) unless the user
    passes data folders; else the user's NAS-Bench-101 index and CIFAR-10. `spaces`: the
    search spaces the index must cover. `images`: whether anything trains (a distribution
    only looks architectures up). `all_budgets`: whether the index must hold the 4/12/36/108
    epoch budgets of `nasbench_full` (HyperBand and BOHB baselines), not only 108 epochs.
    """

    synthetic: bool = False
    spaces: tuple[int, ...] = ()
    images: bool = True
    all_budgets: bool = False


@dataclass(frozen=True)
class Plan:
    """The resolved recipe: what will run, what cannot, and how to aggregate it."""

    recipe: str
    version: int
    title: str
    kind: str
    profile: Profile
    protocol: Protocol
    runs: list[RunSpec]
    blocked: list[Blocked]
    final_epoch: str | None
    band: str | None
    spaces: list[int]
    labels: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    #: derived from the profile; neither is part of plan.json (its format predates them)
    data: DataNeeds = field(default_factory=DataNeeds)
    #: the hyperparameters the profile itself pins (the smoke profile's budgets)
    profile_hyperparameters: tuple[str, ...] = ()

    @property
    def runnable(self) -> bool:
        """Something runs: searches, or an analysis that needs none (nothing is blocked)."""
        return bool(self.runs) or not self.blocked

    def as_dict(self) -> dict[str, Any]:
        """The plan as plan.json and `nb1s plan --json` show it."""
        out = asdict(self)
        del out["data"], out["profile_hyperparameters"]
        return out


def _no_check(_: str) -> str | None:
    return None


def _space_numbers(value: Any) -> tuple[int, ...]:
    """The `spaces` setting of a recipe without searches, as space numbers (else none)."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(n for n in value if isinstance(n, int) and not isinstance(n, bool))


def _typed(name: str, value: Any) -> SettingValue:
    """A recipe value through the settings codec (parse_recipe has already checked it)."""
    try:
        return spec_of(name).coerce(value)
    except SettingError as exc:
        raise UserError(f"recipe setting {exc}") from None


#: the profile that replaces a recipe's budgets with its `profiles: smoke:` block and runs
#: on synthetic data; the one place its name is compared (issue 19: the profile is applied
#: once, in the plan, and the kinds ask these two functions)
SMOKE = "smoke"


def profile_block(recipe: Recipe, profile: Profile | str) -> SmokeProfile | None:
    """The recipe's replacement block for `profile` (None for the paper profile); a smoke
    run of a recipe without a smoke block is refused in one line."""
    if profile != SMOKE:
        return None
    block = recipe.profiles.get("smoke")
    if block is None:
        raise UserError(f"recipe {recipe.name!r} has no smoke profile")
    return block


def profile_labels(profile: Profile | str) -> list[str]:
    """The labels a result of `profile` carries (a smoke result is not a reproduction)."""
    return ["smoke", "synthetic"] if profile == SMOKE else []


def plan_recipe(recipe: Recipe, profile: Profile = "paper", protocol: Protocol = "paper",
                availability: Availability = _no_check) -> Plan:
    """Resolve `recipe` under `profile` and `protocol`.

    `availability(optimizer)` returns None when the optimizer can run, else the reason it
    cannot; those variants are listed in `Plan.blocked` instead of failing the recipe.
    """
    labels = profile_labels(profile)
    synthetic = bool(labels)
    settings = {k: resolve(v, protocol)[0] for k, v in recipe.settings.items()}
    if recipe.search is None:  # an analysis without searches (whether its kind is
        # implemented is the experiment registry's question: experiments.dispatch.plan_for)
        looked_up = _space_numbers(settings.get("spaces"))
        return Plan(recipe.name, recipe.version, recipe.title, recipe.kind, profile, protocol,
                    [], [], None, None, [], labels, settings,
                    DataNeeds(synthetic, looked_up, images=False))
    s = recipe.search
    spaces, spaces_src = resolve(s.spaces, protocol)
    seeds, seeds_src = resolve(s.seeds, protocol)
    epochs, epochs_src = resolve(s.epochs, protocol)
    final_epoch = resolve(s.final_epoch, protocol)[0]
    band = resolve(s.band, protocol)[0]
    smoke = profile_block(recipe, profile)
    variants = list(s.variants)
    smoke_src = ""
    if smoke is not None:
        smoke_src = f"smoke profile: {smoke.reason}"
        settings.update(smoke.settings)
        spaces = smoke.spaces or spaces
        seeds, seeds_src = smoke.seeds, smoke_src
        epochs, epochs_src = smoke.epochs, smoke_src
        if smoke.variants is not None:
            variants = [v for v in variants if v.key in smoke.variants]
    runs: list[RunSpec] = []
    blocked: list[Blocked] = []
    for variant in variants:
        reason = availability(variant.optimizer)
        if reason is not None:
            blocked.append(Blocked(variant.key, variant.label, reason))
            continue
        hyper: dict[str, SettingValue] = {}
        sources = {"epochs": epochs_src, "seeds": seeds_src, "spaces": spaces_src}
        for name, pin in {**s.hyperparameters, **variant.hyperparameters}.items():
            value, sources[name] = resolve(pin, protocol)
            hyper[name] = _typed(name, value)
        options: dict[str, str] = {}
        for name, pin in s.options.items():
            value, sources[name] = resolve(pin, protocol)
            options[name] = str(_typed(name, value))
        tracking: dict[str, SettingValue] = {}
        for name, pin in s.tracking.items():
            value, sources[name] = resolve(pin, protocol)
            tracking[name] = _typed(name, value)
        if smoke is not None:
            for name, value in smoke.hyperparameters.items():
                hyper[name], sources[name] = _typed(name, value), smoke_src
            for name, value in smoke.options.items():
                options[name], sources[name] = str(_typed(name, value)), smoke_src
            for name, value in smoke.tracking.items():
                tracking[name], sources[name] = _typed(name, value), smoke_src
        try:
            typed_hyper = hyperparameter_values(hyper)
        except SettingError as exc:
            raise UserError(f"recipe setting {exc}") from None
        run_spaces = [n for n in (variant.spaces or spaces) if n in spaces]
        for space in run_spaces:
            for seed in seeds:
                runs.append(RunSpec(variant.key, variant.label, variant.optimizer, space, seed,
                                    int(epochs), dict(typed_hyper), dict(options),
                                    dict(sources), dict(tracking)))
    return Plan(recipe.name, recipe.version, recipe.title, recipe.kind, profile, protocol, runs,
                blocked, final_epoch, band, list(spaces), labels, settings,
                DataNeeds(synthetic, tuple(int(n) for n in spaces), images=True),
                tuple(smoke.hyperparameters) if smoke is not None else ())
