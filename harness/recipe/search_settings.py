"""The one codec of search settings: typed value <-> `--set key=value` <-> `run.json`.

A search setting is a hyperparameter (`Hyperparameters`), a paper/original switch
(`OPTION_SPECS`, plus `preset`), or a tracking key (how the harness measures the run:
`regret_reference`, `snapshot_epochs`). The same value travels three ways: a recipe pins it
(YAML), the plan hands it to `nb1s search` as `--set key=value` text, and the run records
it in `run.json` (`hyperparameters`, `options`, `tracking`). Every direction goes through
the `SettingSpec` of its key here, so a value can never change on the way: `parse(format(v))
== v` and `from_record(record(v)) == v` for every key (a property test holds it), and a
finished run's settings are rebuilt from its `run.json` without going through text.

Torch-free: the declarations it reads (`nb1s.optimizers.config`) import no torch, so
planning and `nb1s validate` stay fast.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Literal

from nb1s.harness.errors import UserError
from nb1s.optimizers.config import (
    OPTION_SPECS,
    PRESETS,
    RANGES,
    Hyperparameters,
    HyperparameterValue,
)

#: A typed setting value: hyperparameters are bool/int/float, switches and
#: `regret_reference` str, `snapshot_epochs` a sorted tuple of epochs.
SettingValue = bool | int | float | str | tuple[int, ...]
#: What `run.json` holds for a setting (a tuple becomes a JSON list).
RecordValue = bool | int | float | str | list[int]
Group = Literal["hyperparameter", "option", "tracking"]
GROUPS: tuple[Group, ...] = ("hyperparameter", "option", "tracking")
#: each group in words, with its article (for messages)
A_GROUP: dict[Group, str] = {"hyperparameter": "a hyperparameter", "option": "an option",
                             "tracking": "a tracking key"}

#: Regret minimum a run's regrets are measured against (see harness/search/tracker.py).
REGRET_REFERENCES: tuple[str, ...] = ("min_of_means", "min_single_repeat", "published_constants")
#: The tracking keys: settings of the harness around a search, not of the optimizer.
TRACKING_KEYS: tuple[str, ...] = ("regret_reference", "snapshot_epochs")
#: The key that selects every switch at once (`options: preset:` in a recipe).
PRESET_KEY = "preset"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class SettingError(ValueError):
    """A value its key does not accept (the message names the key and what it expects)."""


@dataclass(frozen=True)
class SettingSpec:
    """How one key's value is written, read and checked."""

    name: str
    group: Group
    kind: type  # bool, int, float, str or tuple (of epochs)
    default: SettingValue
    choices: tuple[str, ...] = ()

    @property
    def expects(self) -> str:
        """What the value must be, in words (for error messages)."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is tuple:
            return "comma-separated epochs"
        return self.kind.__name__

    def parse(self, text: str) -> SettingValue:
        """`--set` text -> typed value (SettingError when the text is not of its type)."""
        text = text.strip()
        if self.kind is bool:
            lowered = text.lower()
            if lowered in _TRUE or lowered in _FALSE:
                return lowered in _TRUE
        elif self.kind is int:
            try:
                return int(text)
            except ValueError:
                pass
        elif self.kind is float:
            try:
                return float(text)
            except ValueError:
                pass
        elif self.kind is tuple:
            try:
                return _epochs(int(t) for t in text.replace(" ", "").split(",") if t)
            except ValueError:
                pass
        elif not self.choices or text in self.choices:
            return text
        raise SettingError(f"{self.name}={text!r}: expected {self.expects}")

    def format(self, value: SettingValue) -> str:
        """Typed value -> `--set` text (lower-case booleans, floats by repr, epochs joined)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, tuple):
            return ",".join(str(e) for e in value)
        return repr(value) if isinstance(value, float) else str(value)

    def coerce(self, raw: object) -> SettingValue:
        """A value read from YAML or JSON -> typed value (SettingError when it is not one).

        Ints are accepted for floats and lists for `snapshot_epochs`; a string is read as
        `--set` text would be. YAML 1.1 loads `1e-4` (no dot) as the string "1e-4", and
        `nb1s search` always accepted it that way, so such a recipe keeps working.
        """
        if isinstance(raw, str):
            return self.parse(raw)
        if self.kind is bool and isinstance(raw, bool):
            return raw
        if self.kind is int and isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if self.kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if self.kind is tuple and isinstance(raw, list | tuple) and all(
                isinstance(e, int) and not isinstance(e, bool) for e in raw):
            try:
                return _epochs(raw)
            except ValueError:
                pass
        raise SettingError(f"{self.name}={raw!r}: expected {self.expects}")

    def record(self, value: SettingValue) -> RecordValue:
        """Typed value -> what `run.json` stores."""
        return list(value) if isinstance(value, tuple) else value

    def from_record(self, stored: object) -> SettingValue:
        """What `run.json` stores -> typed value."""
        return self.coerce(stored)

    def problem(self, value: SettingValue) -> str | None:
        """Why an (already typed) value is not allowed: out of its declared range."""
        rng = RANGES.get(self.name)
        if rng is not None and isinstance(value, int | float) and not isinstance(value, bool):
            why = rng.problem(float(value))
            if why is not None:
                return f"{self.name}={value!r} {why}"
        return None


def _epochs(values: Iterable[int]) -> tuple[int, ...]:
    """Snapshot epochs as a set: sorted, each once, none negative."""
    epochs = tuple(sorted(set(values)))
    if any(e < 0 for e in epochs):
        raise ValueError("epochs must be non-negative")
    return epochs


def _hyperparameter_specs() -> list[SettingSpec]:
    types = Hyperparameters.field_types()
    defaults = Hyperparameters()
    return [SettingSpec(f.name, "hyperparameter", types[f.name], getattr(defaults, f.name))
            for f in fields(Hyperparameters)]


def _build() -> dict[str, SettingSpec]:
    specs = _hyperparameter_specs()
    specs.append(SettingSpec(PRESET_KEY, "option", str, "original", tuple(PRESETS)))
    specs += [SettingSpec(n, "option", str, s.original, tuple(s.values))
              for n, s in OPTION_SPECS.items()]
    specs.append(SettingSpec("regret_reference", "tracking", str, "min_of_means",
                             REGRET_REFERENCES))
    specs.append(SettingSpec("snapshot_epochs", "tracking", tuple, ()))
    table: dict[str, SettingSpec] = {}
    for spec in specs:
        if spec.name in table:
            raise RuntimeError(f"setting {spec.name!r} is declared twice")
        table[spec.name] = spec
    return table


#: Every search setting, by key.
SETTINGS: dict[str, SettingSpec] = _build()


def keys_of(group: Group) -> list[str]:
    """The keys of one group (where a misspelt key is looked for first)."""
    return [n for n, s in SETTINGS.items() if s.group == group]


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """`" (did you mean 'x'?)"` for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def spec_of(name: str) -> SettingSpec:
    """The spec of `name` (SettingError naming the closest key when it is unknown)."""
    spec = SETTINGS.get(name)
    if spec is None:
        raise SettingError(f"unknown setting {name!r}{suggestion(name, SETTINGS)}")
    return spec


def parse_set_arguments(pairs: Iterable[str]) -> dict[str, SettingValue]:
    """`nb1s search --set key=value ...` -> typed values (later keys win); UserError (one
    line) on malformed text, an unknown key or a value its key does not accept."""
    out: dict[str, SettingValue] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"--set expects key=value, got {pair!r}")
        if key not in SETTINGS:
            raise UserError(f"unknown setting {key!r}{suggestion(key, SETTINGS)}; known: "
                            f"{', '.join(sorted(SETTINGS))}")
        try:
            out[key] = SETTINGS[key].parse(text)
        except SettingError as exc:
            raise UserError(f"--set {exc}") from None
    return out


def set_arguments(values: Mapping[str, SettingValue]) -> list[str]:
    """Typed values -> the `key=value` texts of `nb1s search --set`, in the given order."""
    return [f"{key}={spec_of(key).format(value)}" for key, value in values.items()]


def settings_from_run(meta: Mapping[str, object]) -> dict[str, SettingValue]:
    """A run's settings as recorded in its `run.json` (`hyperparameters`, `options` with its
    `preset`, `tracking`) -> typed values: what `nb1s search` resolved, ready to rebuild
    the same search without going through `--set` text."""
    out: dict[str, SettingValue] = {}
    for section, group in (("hyperparameters", "hyperparameter"), ("options", "option"),
                           ("tracking", "tracking")):
        stored = meta.get(section) or {}
        if not isinstance(stored, Mapping):
            raise SettingError(f"run.json {section} is not an object")
        for key, value in stored.items():
            spec = SETTINGS.get(key)
            if spec is None or spec.group != group:
                if group == "tracking":
                    continue  # derived records (regret_minimum) are not settings
                raise SettingError(f"run.json {section}.{key}: unknown setting")
            out[key] = spec.from_record(value)
    return out


def tracking_record(values: Mapping[str, SettingValue]) -> dict[str, RecordValue]:
    """The tracking keys of `values` (defaults filled in) as `run.json` stores them."""
    return {key: SETTINGS[key].record(values.get(key, SETTINGS[key].default))
            for key in TRACKING_KEYS}


def hyperparameter_values(values: Mapping[str, SettingValue]
                          ) -> dict[str, HyperparameterValue]:
    """Typed `values` that must all be hyperparameters, narrowed for `Hyperparameters`
    (SettingError for a switch or tracking key among them, or a value of the wrong type)."""
    out: dict[str, HyperparameterValue] = {}
    for key, value in values.items():
        spec = spec_of(key)
        if spec.group != "hyperparameter":
            raise SettingError(f"{key} is {A_GROUP[spec.group]}, not a hyperparameter")
        if isinstance(value, tuple | str):
            raise SettingError(f"{key}={value!r}: expected {spec.expects}")
        out[key] = value
    return out

