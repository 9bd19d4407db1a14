"""Reference curves: aggregates of real nb1s runs, stored to diff later runs against.

Nothing here is invented or copied from the paper (the original authors published no curve
data). A stored file is an `aggregate.json` of an actual run plus where it came from:
recipe name and version, profile, protocol, labels (`smoke`, `synthetic`), the machine and
versions, and the date. Files are named `<recipe>-<profile>-<protocol>.json` under
`harness/references/curves/`; a diff is only made against a file of the same recipe
version, so a recipe change can never silently compare incomparable curves.

Storing is deliberate: it is refused from a dirty checkout or from runs of uncommitted
code, writes no host paths, and takes extra words through `--note`, never by hand edits
(re-store the file whenever the search changes on purpose; see docs/verdicts.md).
"""

from __future__ import annotations

import os
import platform
import re
import time
from pathlib import Path, PurePath
from typing import Any

from nb1s.harness.documents import (
    parse_json,
    read_document,
    read_text,
    validate_document,
    write_checked,
)
from nb1s.harness.errors import UserError
from nb1s.harness.report.documents import Aggregate, ReferenceCurves
from nb1s.harness.search.environment import dirty_files
from nb1s.harness.search.run_directory import RunDirectory

CURVES_DIR = Path(__file__).resolve().parents[2] / "references" / "curves"
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


IMPORTED_ENV = "NB1S_REFERENCES"


def imported_dir() -> Path:
    """Where `nb1s reference import` installs references: $NB1S_REFERENCES, else per user.

    It lives here, below `reference_share`, because the lookup in `reference_file` reads it
    too and the sharing module already imports this one (no cycle).
    """
    env = os.environ.get(IMPORTED_ENV)
    return Path(env).expanduser() if env else Path.home() / ".local/share/nb1s/references"


def curves_path(recipe: str, profile: str, protocol: str, folder: Path | None = None) -> Path:
    return (folder or CURVES_DIR) / f"{recipe}-{profile}-{protocol}.json"


def _without_host_paths(value: Any, where: str = "") -> Any:
    """A copy with every `path` field cut to its file name; refuses any other host path.

    A stored reference is committed and read on other machines: the folder a run's data
    happened to sit in on the machine that made it is noise (and a leak), while the file
    name and its sha256 (kept) identify the data.
    """
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "path" and isinstance(v, str):
                out[k] = PurePath(v).name
            else:
                out[k] = _without_host_paths(v, f"{where}.{k}" if where else str(k))
        return out
    if isinstance(value, list):
        return [_without_host_paths(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and (value.startswith(("/", "~")) or _DRIVE.match(value)):
        raise UserError(f"refusing to store a reference that names a host path at {where}: "
                        f"{value!r}")
    return value


def _dirty_runs(results: Path) -> list[str]:
    """Runs under `results` whose recorded commit is missing or `-dirty`."""
    bad = []
    for meta in sorted(results.glob("runs/*/*/*/run.json")):
        commit = RunDirectory(meta.parent).read_meta().git_hash
        if not commit or str(commit).endswith("-dirty"):
            bad.append(f"{meta.parent.relative_to(results / 'runs')} ({commit})")
    return bad


def require_clean_checkout(repo: Path | None = None) -> None:
    """Refuse (UserError) unless the checkout is in git with no uncommitted tracked changes.

    `nb1s reproduce --store-reference` calls it before any run starts, so a dirty tree
    costs one line, not a whole reproduction.
    """
    dirty = dirty_files(repo)
    if dirty is None:
        raise UserError("refusing to store a reference outside a git checkout: its commit "
                        "could not be recorded")
    if dirty:
        raise UserError(f"refusing to store a reference from a dirty work tree "
                        f"({len(dirty)} changed file(s), e.g. {dirty[0]}): commit first")


def store_curves(aggregate: dict[str, Any], folder: Path | None = None, note: str = "",
                 context: str = "", results: Path | None = None,
                 repo: Path | None = None) -> Path:
    """Save an aggregate as the reference of its recipe/profile/protocol.

    Refused unless every number can be traced to a commit: the checkout must have no
    uncommitted changes, and neither the aggregate nor any run under `results` may record
    a missing or `-dirty` commit. `note` says how the file was made (the command);
    `context` is the user's extra words (`--note`), so nobody edits the file by hand.
    """
    if aggregate.get("missing_runs"):
        raise UserError("refusing to store a reference with missing runs: "
                        f"{', '.join(aggregate['missing_runs'][:3])} ...")
    require_clean_checkout(repo)
    commit = (aggregate.get("provenance") or {}).get("git_hash")
    runs = _dirty_runs(results) if results is not None else []
    if not commit or str(commit).endswith("-dirty") or runs:
        first = runs[0] if runs else f"aggregate ({commit})"
        raise UserError(f"refusing to store a reference whose runs were made by uncommitted "
                        f"code, e.g. {first}: commit, then re-run them in a fresh --out")
    path = curves_path(aggregate["recipe"], aggregate["profile"], aggregate["protocol"], folder)
    record: dict[str, Any] = {
        "reference_kind": "nb1s-run",
        "stored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"platform": platform.platform(), "python": platform.python_version()},
        "note": note,
    }
    if context:
        record["context"] = context
    record["aggregate"] = aggregate
    write_checked(path, _without_host_paths(record), ReferenceCurves)
    return path


def load_curves(recipe: str, profile: str, protocol: str, version: int,
                folder: Path | None = None) -> tuple[dict[str, Any] | None, str]:
    """The stored aggregate for this recipe version, or None with the reason there is none.

    Without `folder`, an imported reference (`nb1s reference import`, in
    `imported_dir()`) is used before the packaged one.
    """
    path = curves_path(recipe, profile, protocol, folder)
    if folder is None:

        imported = curves_path(recipe, profile, protocol, imported_dir())
        if imported.is_file():
            path = imported
    if not path.is_file():
        return None, (f"no reference curves exist for {recipe} (profile {profile}, protocol "
                      f"{protocol}): none were produced by an nb1s run yet, and the paper "
                      "published no curve data")
    agg = read_document(path, ReferenceCurves).aggregate.to_json()
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
    data = parse_json(read_text(path), f"reference {path}")
    agg = data.get("aggregate", data) if isinstance(data, dict) else data
    return checked_aggregate(agg, path)


def reference_for(recipe: str, profile: str, protocol: str, version: int,
                  against: Path | None) -> tuple[dict[str, Any] | None, str]:
    """The curves a diff or a check compares with, and the file they came from: `against`
    (a path the user gave), else `load_curves` (an imported, else the packaged reference;
    None with the reason when there is none)."""
    if against is not None:
        return load_reference_file(against), str(against)
    return load_curves(recipe, profile, protocol, version)


def checked_aggregate(agg: Any, source: Path) -> dict[str, Any]:
    """`agg` when it has the shape of an aggregate (recipe, version, groups with metrics).

    A reference of the wrong shape (someone's other JSON file) must be one clear line, not
    a KeyError deep inside the diff.
    """
    problem = _aggregate_problem(agg)
    if problem is not None:
        raise UserError(f"{source} is not an nb1s aggregate or reference curves file "
                        f"({problem})")
    return validate_document(agg, Aggregate, str(source)).to_json()


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
