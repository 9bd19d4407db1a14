"""The typed recipe schema: one YAML file per paper experiment, validated with pydantic.

A recipe is data, not code. It pins every hyperparameter and seed of one experiment and
says where each value comes from: a pinned field is either one value with one `source`,
or, where the paper and the released code disagree, both values (`paper`, `original`)
with a source for each. Which one a run uses is the recipe's `protocol` (chosen at run
time, recorded in the results). `version` changes whenever a recipe's meaning changes, so
results can always be traced to the exact recipe that produced them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from nb1s.harness.recipe.located_yaml import LocatedYaml, YamlProblem, load_located
from nb1s.harness.recipe.settings_check import settings_problems, space_list_problems

T = TypeVar("T")

Protocol = Literal["paper", "original"]
PROTOCOLS: tuple[Protocol, ...] = ("paper", "original")
# A recipe's `kind:` is any kind name; which names exist is the kind registry's fact
# (nb1s.harness.experiments.registry, one entry per kind, a kind registered at run time
# included), not a list here. Whether nb1s implements the named kind, whether its recipes
# hold a `search` block and whether it is compared with the paper only are properties of
# the registered kind, checked by `nb1s validate` with the file and line
# (`dispatch.kind_problems`: an unregistered kind must list what it `requires`).
KIND_NAME = r"^[a-z][a-z0-9_]*$"
Profile = Literal["paper", "smoke"]
PROFILES: tuple[Profile, ...] = ("paper", "smoke")

_SOURCE = Field(min_length=3, description="where the value comes from (paper section, file)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict, Generic[T]):
    """One value that paper and released code agree on (or that only one states)."""

    value: T
    source: str = _SOURCE


class ProtocolSources(_Strict):
    paper: str = _SOURCE
    original: str = _SOURCE


class ByProtocol(_Strict, Generic[T]):
    """A value on which the paper and the released code disagree: both are kept."""

    paper: T
    original: T
    source: ProtocolSources
    note: str | None = None


def _pin_kind(raw: Any) -> str:
    if isinstance(raw, dict) and ("paper" in raw or "original" in raw):
        return "by_protocol"
    if isinstance(raw, (Sourced, ByProtocol)):
        return "by_protocol" if isinstance(raw, ByProtocol) else "single"
    return "single"


# The discriminator keeps error locations readable: `epochs.single.source` instead of a
# list of every union member's complaints. The tags are stripped when locating errors.
PIN_TAGS = ("single", "by_protocol")

PinInt = Annotated[
    Annotated[Sourced[int], Tag("single")] | Annotated[ByProtocol[int], Tag("by_protocol")],
    Discriminator(_pin_kind),
]
PinInts = Annotated[
    Annotated[Sourced[list[int]], Tag("single")]
    | Annotated[ByProtocol[list[int]], Tag("by_protocol")],
    Discriminator(_pin_kind),
]
Scalar = bool | int | float | str
PinScalar = Annotated[
    Annotated[Sourced[Scalar], Tag("single")] | Annotated[ByProtocol[Scalar], Tag("by_protocol")],
    Discriminator(_pin_kind),
]
FinalEpoch = Literal["last", "last_saved"]
PinFinal = Annotated[
    Annotated[Sourced[FinalEpoch], Tag("single")]
    | Annotated[ByProtocol[FinalEpoch], Tag("by_protocol")],
    Discriminator(_pin_kind),
]
Band = Literal["std", "sem"]
PinBand = Annotated[
    Annotated[Sourced[Band], Tag("single")] | Annotated[ByProtocol[Band], Tag("by_protocol")],
    Discriminator(_pin_kind),
]
PinAny = Annotated[
    Annotated[Sourced[Any], Tag("single")] | Annotated[ByProtocol[Any], Tag("by_protocol")],
    Discriminator(_pin_kind),
]


def resolve(pin: Sourced[Any] | ByProtocol[Any], protocol: Protocol) -> tuple[Any, str]:
    """The value a protocol uses and the source it cites."""
    if isinstance(pin, ByProtocol):
        return getattr(pin, protocol), getattr(pin.source, protocol)
    return pin.value, pin.source


_KEY = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=60)
_SPACE_RANGE = {1, 2, 3}


def _checked_spaces(v: list[int] | None) -> list[int] | None:
    """Spaces are refused when the recipe is read, with file and line, not by each run later."""
    if v is not None and (not v or not set(v) <= _SPACE_RANGE):
        raise ValueError("spaces must be a non-empty subset of [1, 2, 3]")
    return v


class Variant(_Strict):
    """One curve of a figure: an optimizer with its own hyperparameter overrides."""

    key: str = _KEY
    label: str = Field(min_length=1)
    optimizer: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    spaces: list[int] | None = None
    hyperparameters: dict[str, PinScalar] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("spaces")
    @classmethod
    def _known_spaces(cls, v: list[int] | None) -> list[int] | None:
        return _checked_spaces(v)


class SearchBlock(_Strict):
    """Everything a grid of one-shot searches needs; expanded by `recipe_plan`."""

    spaces: PinInts
    seeds: PinInts
    epochs: PinInt
    final_epoch: PinFinal
    band: PinBand
    hyperparameters: dict[str, PinScalar] = Field(default_factory=dict)
    options: dict[str, PinScalar] = Field(default_factory=dict)
    #: how the harness measures each run (`regret_reference`, `snapshot_epochs`)
    tracking: dict[str, PinScalar] = Field(default_factory=dict)
    variants: list[Variant] = Field(min_length=1)

    @field_validator("spaces")
    @classmethod
    def _known_spaces(cls, v: Any) -> Any:
        lists = [v.value] if isinstance(v, Sourced) else [v.paper, v.original]
        if any(not values or not set(values) <= _SPACE_RANGE for values in lists):
            raise ValueError("spaces must be a non-empty subset of [1, 2, 3]")
        return v

    @model_validator(mode="after")
    def _unique_keys(self) -> SearchBlock:
        keys = [v.key for v in self.variants]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"variant keys must be unique; repeated: {', '.join(dup)}")
        groups = {"hyperparameters": self.hyperparameters, "options": self.options,
                  "tracking": self.tracking}
        for a, b in (("hyperparameters", "options"), ("hyperparameters", "tracking"),
                     ("options", "tracking")):
            clash = set(groups[a]) & set(groups[b])
            if clash:
                raise ValueError(f"a name is in both {a} and {b}: {sorted(clash)}")
        return self


class SmokeProfile(_Strict):
    """Tiny budgets for a CPU end-to-end run; never compared with the paper."""

    spaces: list[int] | None = None
    seeds: list[int] = Field(min_length=1, description="seeds of the smoke runs (any number; "
                             "`--seeds` replaces them)")
    epochs: int = Field(ge=1, le=5)
    variants: list[str] | None = None
    hyperparameters: dict[str, Scalar] = Field(default_factory=dict)
    options: dict[str, Scalar] = Field(default_factory=dict)
    tracking: dict[str, Scalar] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict,
                                     description="analysis settings replaced in this profile")
    reason: str = Field(min_length=3)

    @field_validator("spaces")
    @classmethod
    def _known_spaces(cls, v: list[int] | None) -> list[int] | None:
        return _checked_spaces(v)


def _deterministic_profiles() -> list[Profile]:
    """smoke runs on the CPU with fixed seeds: the same seeds give the same bits."""
    return ["smoke"]


class DiffSpec(_Strict):
    """Decision rules of `nb1s diff` and `nb1s check` (nb1s choices, see docs/verdicts.md)."""

    alpha: float = Field(default=0.05, gt=0, lt=0.5, description=(
        "family-wise level over the statistical rows of one verdict (Holm): a row fails when "
        "the (1 - alpha) interval of the ratio lies outside the margin"))
    margin: float = Field(default=1.25, gt=1, le=10, description=(
        "equivalence margin as a ratio, symmetric: within x1.25 means 1/1.25 < ratio < 1.25"))
    floor: float = Field(default=1e-5, gt=0, description=(
        "values below it (a regret of 0) are raised to it before taking logs"))
    min_seeds: int = Field(default=3, ge=2, description="seeds per group below which a "
                           "statistical row is underpowered (neither pass nor fail)")
    equivalence_alpha: float = Field(default=0.05, gt=0, lt=0.5, description="TOST level: "
                                     "a row is equivalent when TOST p is below it")
    exact_profiles: list[Profile] = Field(default_factory=_deterministic_profiles, description=(
        "deterministic profiles: runs with the reference's seeds must equal it bit for bit"))


class References(_Strict):
    """What a reproduction is compared with: paper numbers and stored nb1s curves."""

    paper: list[str] = Field(default_factory=list)
    curves: str | None = None


class Recipe(_Strict):
    """One paper experiment (see module docstring)."""

    name: str = _KEY
    version: int = Field(ge=1)
    title: str = Field(min_length=3)
    reproduces: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    paper_source: str = _SOURCE
    kind: str = Field(pattern=KIND_NAME)
    description: str = Field(min_length=10)
    protocols: dict[Protocol, str]
    requires: list[str] = Field(default_factory=list)
    search: SearchBlock | None = None
    settings: dict[str, PinAny] = Field(default_factory=dict)
    profiles: dict[Literal["smoke"], SmokeProfile] = Field(default_factory=dict)
    references: References = Field(default_factory=References)
    diff: DiffSpec = DiffSpec()
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Recipe:
        if set(self.protocols) != set(PROTOCOLS):
            raise ValueError("protocols must describe both 'paper' and 'original'")
        smoke = self.profiles.get("smoke")
        if smoke is not None and self.search is not None and smoke.variants is not None:
            unknown = set(smoke.variants) - {v.key for v in self.search.variants}
            if unknown:
                raise ValueError(f"smoke profile names unknown variants: {sorted(unknown)}")
        if smoke is not None and set(smoke.settings) - set(self.settings):
            raise ValueError(f"smoke profile replaces unknown settings: "
                             f"{sorted(set(smoke.settings) - set(self.settings))}")
        return self


class RecipeError(Exception):
    """A recipe file that does not validate; carries every located problem."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union tags and generic class names from an error location."""
    return tuple(p for p in loc if not (isinstance(p, str) and (
        p in PIN_TAGS or p.startswith(("Sourced[", "ByProtocol[")) or p.startswith("function-")
    )))


def problems_from_validation(located: LocatedYaml, exc: ValidationError) -> list[YamlProblem]:
    """Turn pydantic errors into file:line:field problems using the recorded lines."""
    out = []
    for err in exc.errors(include_url=False):
        loc = _strip_tags(tuple(err["loc"]))
        field_name = ".".join(str(p) for p in loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (typo?)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        out.append(YamlProblem(located.file, located.line_of(loc), field_name, msg))
    return out


def parse_recipe(path: Path) -> Recipe:
    """Load and validate one recipe file; raise `RecipeError` listing every problem.

    After the schema, every search setting is checked against its declaration
    (`settings_check`), so a misspelt hyperparameter fails here, with its line, instead of
    in every run it would start.
    """
    located = load_located(path)
    problems = list(located.problems)
    if located.data is not None and not isinstance(located.data, dict):
        problems.append(YamlProblem(str(path), 1, "", "a recipe must be a YAML mapping"))
    if problems:
        raise RecipeError(problems)
    try:
        recipe = Recipe.model_validate(located.data)
    except ValidationError as exc:
        raise RecipeError(problems_from_validation(located, exc)) from None
    if recipe.name != path.stem:
        raise RecipeError([YamlProblem(str(path), located.line_of(("name",)), "name",
                                       f"name {recipe.name!r} must equal the file name "
                                       f"{path.stem!r}")])
    problems = settings_problems(located) + space_list_problems(located)
    if problems:
        raise RecipeError(problems)
    return recipe
