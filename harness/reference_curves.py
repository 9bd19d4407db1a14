"""Reference curves: aggregates of real nb1s runs, stored to diff later runs against.

Nothing here is invented or copied from the paper (the original authors published no curve
data). A stored file is an `aggregate.json` of an actual run plus where it came from:
recipe name and version, profile, protocol, labels (`smoke`, `synthetic`), the machine and
versions, and the date. Files are named `<recipe>-<profile>-<protocol>.json` under
`harness/references/curves/`; a diff is only made against a file of the same recipe
version, so a recipe change can never silently compare incomparable curves.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from nb1s.atomic import atomic_write_text

from .errors import UserError

CURVES_DIR = Path(__file__).resolve().parent / "references" / "curves"


def curves_path(recipe: str, profile: str, protocol: str, folder: Path | None = None) -> Path:
    return (folder or CURVES_DIR) / f"{recipe}-{profile}-{protocol}.json"


def store_curves(aggregate: dict[str, Any], folder: Path | None = None,
                 note: str = "") -> Path:
    """Save an aggregate as the reference of its recipe/profile/protocol."""
    if aggregate.get("missing_runs"):
        raise UserError("refusing to store a reference with missing runs: "
                        f"{', '.join(aggregate['missing_runs'][:3])} ...")
    path = curves_path(aggregate["recipe"], aggregate["profile"], aggregate["protocol"], folder)
    record = {
        "reference_kind": "nb1s-run",
        "stored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"platform": platform.platform(), "python": platform.python_version()},
        "note": note,
        "aggregate": aggregate,
    }
    atomic_write_text(path, json.dumps(record, indent=1) + "\n")
    return path


def load_curves(recipe: str, profile: str, protocol: str, version: int,
                folder: Path | None = None) -> tuple[dict[str, Any] | None, str]:
    """The stored aggregate for this recipe version, or None with the reason there is none."""
    path = curves_path(recipe, profile, protocol, folder)
    if not path.is_file():
        return None, (f"no reference curves exist for {recipe} (profile {profile}, protocol "
                      f"{protocol}): none were produced by an nb1s run yet, and the paper "
                      "published no curve data")
    record = json.loads(path.read_text(encoding="utf-8"))
    agg = record["aggregate"]
    if agg["version"] != version:
        return None, (f"reference curves {path.name} are for recipe version {agg['version']}, "
                      f"not {version}: re-run and store a new reference")
    return agg, str(path)


def load_reference_file(path: Path) -> dict[str, Any]:
    """A reference given by path: a stored curves file or a results folder's aggregate."""
    if path.is_dir():
        path = path / "aggregate.json"
    if not path.is_file():
        raise UserError(f"no reference at {path} (give a curves .json or a results folder)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"reference {path} is not valid JSON ({exc})") from None
    agg = data.get("aggregate", data) if isinstance(data, dict) else data
    return checked_aggregate(agg, path)


def checked_aggregate(agg: Any, source: Path) -> dict[str, Any]:
    """`agg` when it has the shape of an aggregate (recipe, version, groups with metrics).

    A reference of the wrong shape (someone's other JSON file) must be one clear line, not
    a KeyError deep inside the diff.
    """
    problem = _aggregate_problem(agg)
    if problem is not None:
        raise UserError(f"{source} is not an nb1s aggregate or reference curves file "
                        f"({problem})")
    result: dict[str, Any] = agg
    return result


def _aggregate_problem(agg: Any) -> str | None:
    if not isinstance(agg, dict):
        return "not a JSON object"
    for key in ("recipe", "version", "groups"):
        if key not in agg:
            return f"no {key!r} key"
    if not isinstance(agg["groups"], list):
        return "'groups' is not a list"
    for i, g in enumerate(agg["groups"]):
        if not isinstance(g, dict) or not {"variant", "space", "label", "metrics"} <= set(g):
            return f"group {i} lacks variant/space/label/metrics"
        metrics = g["metrics"]
        if not isinstance(metrics, dict) or not isinstance(metrics.get("test_regret"), dict):
            return f"group {i} has no test_regret metric"
    return None
