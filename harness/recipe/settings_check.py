"""Every search setting a recipe names is checked against its declaration, with its line.

A misspelt key (`learning_rat`, `bn_momentumm`) would otherwise pass the schema (the
blocks are open mappings), plan a full grid, and make every run fail at start, possibly
on a cluster. This check reads the recipe's YAML data after the schema accepted it and
looks up every key of the shared `search` blocks, of each variant's overrides and of the
smoke profile in the settings codec (`search_settings.SETTINGS`): the key must exist, be
given in the block of its kind (a switch under `options`, a tracking key under
`tracking`), and each value (each protocol's side where the recipe gives two) must be of
the key's type, among its choices and within its declared range. A problem names the
file, the line and the closest known key (difflib).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nb1s.harness.recipe.located_yaml import LocatedYaml, YamlProblem
from nb1s.harness.recipe.search_settings import (
    A_GROUP,
    SETTINGS,
    Group,
    SettingError,
    keys_of,
    suggestion,
)

#: the recipe block that holds each kind of setting
BLOCK_OF: dict[Group, str] = {"hyperparameter": "hyperparameters", "option": "options",
                              "tracking": "tracking"}
_GROUP_OF_BLOCK: dict[str, Group] = {block: group for group, block in BLOCK_OF.items()}
_PROTOCOL_SIDES = ("paper", "original")


def _blocks(data: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Group, bool, Any]]:
    """(path, kind, pinned, block) for every block of settings in a recipe's data.

    `pinned` blocks hold `{value, source}` or `{paper, original, source}` per key; the
    smoke profile's blocks hold bare values.
    """
    search = data.get("search")
    if isinstance(search, dict):
        for block, group in _GROUP_OF_BLOCK.items():
            yield ("search", block), group, True, search.get(block)
        for i, variant in enumerate(search.get("variants") or []):
            if isinstance(variant, dict):
                yield (("search", "variants", str(i), "hyperparameters"), "hyperparameter",
                       True, variant.get("hyperparameters"))
    profiles = data.get("profiles")
    smoke = profiles.get("smoke") if isinstance(profiles, dict) else None
    if isinstance(smoke, dict):
        for block, group in _GROUP_OF_BLOCK.items():
            yield ("profiles", "smoke", block), group, False, smoke.get(block)


def _sides(raw: Any, pinned: bool) -> list[tuple[tuple[str, ...], Any]]:
    """The values of one key with their sub-paths: one, or one per protocol."""
    if not pinned:
        return [((), raw)]
    if isinstance(raw, dict) and any(side in raw for side in _PROTOCOL_SIDES):
        return [((side,), raw[side]) for side in _PROTOCOL_SIDES if side in raw]
    if isinstance(raw, dict) and "value" in raw:
        return [(("value",), raw["value"])]
    return []  # the schema has already reported a malformed pin


def _key_problem(key: str, group: Group, path: tuple[str, ...]) -> str | None:
    """Why `key` cannot stand in the block of `group` settings at `path`, or None."""
    spec = SETTINGS.get(key)
    if spec is None:
        hint = suggestion(key, keys_of(group)) or suggestion(key, SETTINGS)
        return f"unknown {group} {key!r}{hint}"
    if spec.group != group:
        # a variant overrides hyperparameters only: its options are the grid's
        home = "profiles.smoke" if path[0] == "profiles" else "search"
        return (f"{key!r} is {A_GROUP[spec.group]}, not {A_GROUP[group]}: put it under "
                f"{home}.{BLOCK_OF[spec.group]}")
    return None


def _value_problem(key: str, value: Any) -> str | None:
    spec = SETTINGS[key]
    try:
        typed = spec.coerce(value)
    except SettingError as exc:
        return str(exc)
    return spec.problem(typed)


def settings_problems(located: LocatedYaml) -> list[YamlProblem]:
    """One located problem per unknown, misplaced or invalid search setting of a recipe."""
    data = located.data
    if not isinstance(data, dict):
        return []
    problems: list[YamlProblem] = []
    for path, group, pinned, block in _blocks(data):
        if not isinstance(block, dict):
            continue
        for key, raw in block.items():
            where = (*path, str(key))
            why = _key_problem(str(key), group, path)
            if why is not None:
                problems.append(YamlProblem(located.file, located.line_of(where),
                                            ".".join(where), why))
                continue
            for side, value in _sides(raw, pinned):
                why = _value_problem(str(key), value)
                if why is not None:
                    problems.append(YamlProblem(located.file, located.line_of((*where, *side)),
                                                ".".join((*where, *side)), why))
    return problems


#: Analysis settings (a recipe's `settings` block) that list search spaces or BOHB's
#: configuration spaces; both are numbered 1-3 in the paper.
SPACE_LISTS = ("spaces", "configuration_spaces")


def space_list_problems(located: LocatedYaml) -> list[YamlProblem]:
    """One located problem per `spaces`/`configuration_spaces` setting naming a space that
    does not exist, in the recipe's `settings` and in its smoke profile's.

    The schema keeps a kind's `settings` open (each kind reads its own); without this a
    profile with `spaces: [9]` validated and then failed in every run it started.
    """
    data = located.data
    if not isinstance(data, dict):
        return []
    profiles = data.get("profiles")
    smoke = profiles.get("smoke") if isinstance(profiles, dict) else None
    blocks: list[tuple[tuple[str, ...], bool, Any]] = [(("settings",), True,
                                                        data.get("settings"))]
    if isinstance(smoke, dict):
        blocks.append((("profiles", "smoke", "settings"), False, smoke.get("settings")))
    problems: list[YamlProblem] = []
    for path, pinned, block in blocks:
        if not isinstance(block, dict):
            continue
        for key in SPACE_LISTS:
            if key not in block:
                continue
            for side, value in _sides(block[key], pinned):
                if not (isinstance(value, list) and value
                        and all(type(v) is int and 1 <= v <= 3 for v in value)):
                    where = (*path, key, *side)
                    problems.append(YamlProblem(
                        located.file, located.line_of(where), ".".join(where),
                        f"{key} must be a non-empty list of spaces 1, 2, 3 (got {value!r})"))
    return problems
