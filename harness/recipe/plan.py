"""Expand a recipe, a profile and a protocol into the concrete list of runs.

This is the one place where `paper`/`original` values are chosen and where the `smoke`
profile is decided: it shrinks budgets, labels everything `smoke`/`synthetic` and says
that the runs read a synthetic NAS-Bench-101 index and the digits images (`Plan.data`). The
resolved plan (saved with the results) says exactly which value every run used and why;
every later step reads the plan instead of looking at the profile again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Strict

from nb1s.harness.documents import Document
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
#: a tracking setting as plan.json holds it: `snapshot_epochs` (a tuple in memory) reads
#: back from its JSON list, everything else strictly
TrackingValue = bool | int | float | str | Annotated[tuple[int, ...], Strict(False)]


class RunSpec(Document):
    """One planned search run: optimizer x space x seed with every setting resolved."""

    model_config = ConfigDict(frozen=True)

    variant: str = Field(description="the recipe's variant")
    label: str = Field(description="legend label")
    optimizer: str = Field(description="registered optimizer")
    space: int = Field(description="search space")
    seed: int = Field(description="seed")
    epochs: int = Field(description="search epochs")
    hyperparameters: dict[str, HyperparameterValue] = Field(
        default_factory=dict, description="`--set` hyperparameters")
    options: dict[str, str] = Field(default_factory=dict, description="`--set` options")
    sources: dict[str, str] = Field(default_factory=dict,
                                    description="where each setting came from")
    tracking: dict[str, TrackingValue] = Field(
        default_factory=dict,
        description="`--set` tracking keys (regret reference, snapshot epochs); absent in "
                    "plans written before them")

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


class Blocked(Document):
    """A part of the recipe that cannot run yet, and why."""

    model_config = ConfigDict(frozen=True)

    variant: str = Field(description="the variant (or kind) that cannot run")
    label: str = Field(description="its label")
    reason: str = Field(description="why it cannot run yet")


@dataclass(frozen=True, kw_only=True)
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


class Plan(Document):
    """`plan.json`: the recipe as resolved for one results folder, for every kind.

    The one type of the plan: kinds build it (from `plan_header`, keyword arguments only),
    `nb1s plan --json` shows it and `ResultsDirectory` writes and reads it. The header
    (recipe to settings) is the same for every kind and decided once from the profile;
    a search grid adds `runs`, an analysis its settings. Files written before the header
    was complete (no `title`, `kind`, `profile` or `protocol`) are refused in one line.
    """

    model_config = ConfigDict(frozen=True)

    recipe: str = Field(description="recipe name")
    version: int = Field(description="recipe version")
    title: str = Field(description="the recipe's title")
    kind: str = Field(description="experiment kind")
    profile: Profile = Field(description="`paper` or `smoke`")
    protocol: Protocol = Field(description="`paper` or `original`")
    runs: list[RunSpec] = Field(default_factory=list, description="every planned search run")
    blocked: list[Blocked] = Field(default_factory=list,
                                   description="variants that cannot run, and why")
    final_epoch: str | None = Field(default=None, description="`last` or `last_saved`")
    band: str | None = Field(default=None, description="`std` or `sem`")
    spaces: list[int] = Field(default_factory=list, description="spaces the plan touches")
    labels: list[str] = Field(default_factory=list, description="`smoke`, `synthetic`")
    settings: dict[str, Any] = Field(default_factory=dict,
                                     description="the recipe's analysis settings (the "
                                                 "profile's replacements applied)")
    command: Literal["run", "check"] | None = Field(
        default=None, description="`run` or `check`: which command owns the folder (written "
                                  "with the folder; absent from `nb1s plan --json`)")
    #: derived from the recipe and profile, never written (a plan read from plan.json has
    #: the defaults: what reads a folder asks the recipe's kind for a fresh plan)
    data: DataNeeds = Field(default_factory=DataNeeds, exclude=True)
    #: the hyperparameters the profile itself pins (the smoke profile's budgets)
    profile_hyperparameters: tuple[str, ...] = Field(default=(), exclude=True)
    #: the profile's replacement block (None for the paper profile): kinds read their smoke
    #: seeds, spaces and budgets here instead of deciding the profile again
    profile_block: SmokeProfile | None = Field(default=None, exclude=True)

    @property
    def runnable(self) -> bool:
        """Something runs: searches, or an analysis that needs none (nothing is blocked)."""
        return bool(self.runs) or not self.blocked

    def but(self, **changes: Any) -> Plan:
        """This plan with some fields replaced, validated like a new one (a misspelt field
        name is a TypeError, a wrong value a ValidationError)."""
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise TypeError(f"Plan has no field(s) {', '.join(unknown)}")
        return type(self).model_validate({**dict(self), **changes})

    def as_dict(self) -> dict[str, Any]:
        """The plan as plan.json and `nb1s plan --json` show it (every declared key; the
        `command` only once a folder has one)."""
        out = self.model_dump(mode="json")
        if out["command"] is None:
            del out["command"]
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


def plan_header(recipe: Recipe, profile: Profile = "paper", protocol: Protocol = "paper",
                needs_block: bool = True) -> Plan:
    """The plan every kind starts from, with the profile applied here, once.

    The recipe's identity, the labels of `profile`, its replacement block
    (`Plan.profile_block`), the recipe's settings under `protocol` with the block's
    replacements, and whether the data is synthetic. A kind adds what is its own (search
    runs, data needs, typed settings) with `Plan.but`. `needs_block`: the smoke profile of
    a recipe without a smoke block is refused in one line, unless the kind runs it on
    synthetic data alone (fig6 looks architectures up in the synthetic index).
    """
    block = (profile_block(recipe, profile) if needs_block
             else recipe.profiles.get("smoke") if profile == SMOKE else None)
    labels = profile_labels(profile)
    settings = {k: resolve(v, protocol)[0] for k, v in recipe.settings.items()}
    if block is not None:
        settings.update(block.settings)
    return Plan(recipe=recipe.name, version=recipe.version, title=recipe.title,
                kind=recipe.kind, profile=profile, protocol=protocol, labels=labels,
                settings=settings, data=DataNeeds(synthetic=bool(labels)),
                profile_block=block)


def plan_recipe(recipe: Recipe, profile: Profile = "paper", protocol: Protocol = "paper",
                availability: Availability = _no_check) -> Plan:
    """Resolve `recipe` under `profile` and `protocol`.

    `availability(optimizer)` returns None when the optimizer can run, else the reason it
    cannot; those variants are listed in `Plan.blocked` instead of failing the recipe.
    """
    # an analysis without searches may run its smoke profile without a smoke block
    header = plan_header(recipe, profile, protocol, needs_block=recipe.search is not None)
    synthetic = header.data.synthetic
    if recipe.search is None:  # an analysis without searches (whether its kind is
        # implemented is the experiment registry's question: experiments.dispatch.plan_for)
        looked_up = _space_numbers(header.settings.get("spaces"))
        return header.but(data=DataNeeds(synthetic=synthetic, spaces=looked_up, images=False))
    s = recipe.search
    spaces, spaces_src = resolve(s.spaces, protocol)
    seeds, seeds_src = resolve(s.seeds, protocol)
    epochs, epochs_src = resolve(s.epochs, protocol)
    final_epoch = resolve(s.final_epoch, protocol)[0]
    band = resolve(s.band, protocol)[0]
    smoke = header.profile_block
    variants = list(s.variants)
    smoke_src = ""
    if smoke is not None:
        smoke_src = f"smoke profile: {smoke.reason}"
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
            blocked.append(Blocked(variant=variant.key, label=variant.label, reason=reason))
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
                runs.append(RunSpec(variant=variant.key, label=variant.label,
                                    optimizer=variant.optimizer, space=space, seed=seed,
                                    epochs=int(epochs), hyperparameters=dict(typed_hyper),
                                    options=dict(options), sources=dict(sources),
                                    tracking=dict(tracking)))
    return header.but(runs=runs, blocked=blocked, final_epoch=final_epoch, band=band,
                      spaces=list(spaces),
                      data=DataNeeds(synthetic=synthetic, spaces=tuple(int(n) for n in spaces),
                                     images=True),
                      profile_hyperparameters=(tuple(smoke.hyperparameters)
                                               if smoke is not None else ()))
