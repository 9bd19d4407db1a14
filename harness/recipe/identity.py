"""The recipe identity a run records, and the check that a results folder is consistent.

A search started by the recipe runner records in its `run.json` which recipe made it:
`recipe` = {`name`, `version`, `profile`, `protocol`}. The runner hands it to `nb1s search`
as one JSON option (`--recipe-meta '{"name": ...}'`) rather than as `--set` keys, because
`--set` feeds the optimizer's settings and a recipe's identity is provenance, not a
setting. Aggregation then compares every run's record with the results folder's plan, so
a run copied in from another recipe version (or profile, or protocol) can never be
averaged with the others unnoticed: `nb1s diff` fails on it and `nb1s check` refuses it.
"""

from __future__ import annotations

import json
from typing import Any

from nb1s.harness.errors import UserError

IDENTITY_KEYS = ("name", "version", "profile", "protocol")
_TYPES: dict[str, type] = {"name": str, "version": int, "profile": str, "protocol": str}


def recipe_identity(recipe: str, version: int, profile: str, protocol: str) -> dict[str, Any]:
    """The `recipe` object of run.json (key order fixed, so equal identities dump equally)."""
    return {"name": recipe, "version": int(version), "profile": profile, "protocol": protocol}


def parse_recipe_meta(text: str) -> dict[str, Any]:
    """Validate the `--recipe-meta` JSON: exactly the four identity keys, correctly typed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--recipe-meta is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or set(data) != set(IDENTITY_KEYS):
        raise UserError(f"--recipe-meta must be a JSON object with exactly the keys "
                        f"{', '.join(IDENTITY_KEYS)}")
    for key, kind in _TYPES.items():
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise UserError(f"--recipe-meta: {key} must be {kind.__name__}, got {value!r}")
    return recipe_identity(data["name"], data["version"], data["profile"], data["protocol"])


def identity_check(expected: dict[str, Any],
                   recorded: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Compare each run's recorded identity (run key -> run.json `recipe`) with `expected`.

    Runs without a record (made by hand, or before runs recorded it) are listed but not
    failed: they carry no evidence either way. A record that differs is a mismatch.
    """
    unrecorded = sorted(k for k, v in recorded.items() if not v)
    mismatched = [{"run": k, "recorded": v} for k, v in sorted(recorded.items())
                  if v and {key: v.get(key) for key in IDENTITY_KEYS} != expected]
    return {"expected": expected, "recorded": len(recorded) - len(unrecorded),
            "unrecorded": unrecorded, "mismatched": mismatched, "ok": not mismatched}


def identity_row(check: dict[str, Any]) -> dict[str, Any]:
    """A `nb1s diff` row: passes when no run records another recipe identity."""
    exp = check["expected"]
    group = f"{exp['name']} v{exp['version']} ({exp['profile']}, {exp['protocol']})"
    if check["mismatched"]:
        first = check["mismatched"][0]
        note = (f"{len(check['mismatched'])} run(s) were made by another recipe identity, "
                f"e.g. {first['run']}: {first['recorded']}")
    else:
        note = f"{check['recorded']} run(s) record this recipe identity"
        if check["unrecorded"]:
            note += f"; {len(check['unrecorded'])} record none"
    return {"kind": "provenance", "group": group, "variant": "-", "space": "-",
            "metric": "recipe identity", "pass": check["ok"], "note": note}
