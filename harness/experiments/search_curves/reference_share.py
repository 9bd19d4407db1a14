"""`nb1s reference export/import`: reference curves as a shareable, versioned artifact.

The paper published no curves, so the first lab that runs the paper profile on GPUs has
the only reference there will be. `export` turns a complete results folder into one JSON
file (the stored-reference format, `ReferenceCurves`) with its provenance: the device
(GPU model), nb1s/torch/CUDA versions and commit, each group's seeds, the recipe's name,
version, profile and protocol, the checksums of the NAS-Bench-101 data, and a sha256 of
the aggregate itself. `import` checks that file (shape, recipe version, content digest,
runs made by committed code) and installs it where `nb1s diff`, `nb1s reproduce` and
`nb1s check` look for reference curves before the packaged ones: `$NB1S_REFERENCES`, else
`~/.local/share/nb1s/references`. Nothing is merged or edited: a file is installed as it
was exported, or refused with one line.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path
from typing import Any

from nb1s.harness.documents import (
    parse_json,
    read_document,
    read_text,
    validate_document,
    write_checked,
)
from nb1s.harness.errors import UserError
from nb1s.harness.report.documents import ReferenceCurves

KIND = "nb1s-run"
FORMAT_VERSION = 1


def aggregate_digest(agg: dict[str, Any]) -> str:
    """sha256 of the aggregate's canonical JSON (sorted keys): what the provenance vouches for."""
    return hashlib.sha256(json.dumps(agg, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _data_checksums(data: dict[str, Any] | None) -> dict[str, Any]:
    """The data's identity without host paths: source file sha256, column sha256s, flags."""
    out: dict[str, Any] = {}
    for name, block in (data or {}).items():
        if not isinstance(block, dict):
            continue
        source = block.get("source") or {}
        out[name] = {"synthetic": block.get("synthetic"), "kind": block.get("kind"),
                     "source_name": source.get("name"), "source_sha256": source.get("sha256"),
                     "columns_sha256": {k: v.get("sha256") for k, v in
                                        (block.get("columns") or {}).items()
                                        if isinstance(v, dict)} or None}
    return out


def provenance(agg: dict[str, Any]) -> dict[str, Any]:
    """What an exported reference says about where its numbers came from."""
    prov = agg.get("provenance") or {}
    return {"format_version": FORMAT_VERSION,
            "recipe": {"name": agg["recipe"], "version": agg["version"],
                       "profile": agg["profile"], "protocol": agg["protocol"]},
            "device": prov.get("device"), "nb1s_version": prov.get("nb1s_version"),
            "git_hash": prov.get("git_hash"), "torch_version": prov.get("torch_version"),
            "cuda_version": prov.get("cuda_version"),
            "seeds": {f"{g['variant']}/SS{g['space']}": g.get("seeds") for g in agg["groups"]},
            "data": _data_checksums(prov.get("data")), "labels": agg.get("labels") or [],
            "records_sha256": agg.get("records_sha256"),
            "aggregate_sha256": aggregate_digest(agg)}


def export_reference(results: Path, out: Path, note: str = "") -> dict[str, Any]:
    """Write `results`' aggregate as a shareable reference file at `out`; its summary."""
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_document
    from nb1s.harness.experiments.search_curves.reference_curves import _without_host_paths
    from nb1s.harness.search.results_directory import ResultsDirectory

    folder = ResultsDirectory(results)
    if not folder.has_plan():
        raise UserError(f"{results} is not a results folder (no plan.json)")
    folder.read_plan()
    agg = _without_host_paths(aggregate_document(results).to_json())
    if agg.get("missing_runs"):
        raise UserError(f"refusing to export a reference with missing runs: "
                        f"{', '.join(agg['missing_runs'][:3])} ...")
    if not agg["groups"]:
        raise UserError(f"{results} holds no finished search runs to export")
    commit = (agg.get("provenance") or {}).get("git_hash")
    if not commit or str(commit).endswith("-dirty"):
        raise UserError(f"refusing to export runs made by uncommitted code (commit {commit}): "
                        "re-run them from a committed checkout")
    record = {"reference_kind": KIND,
              "stored_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "host": {"platform": platform.platform(), "python": platform.python_version()},
              "note": f"exported by `nb1s reference export` from a {agg['profile']}-profile "
                      f"run of {agg['recipe']} v{agg['version']}",
              "provenance": provenance(agg), "aggregate": agg}
    if note:
        record["context"] = note
    write_checked(out, record, ReferenceCurves)
    return {"file": str(out), **record["provenance"]}


def check_reference_file(path: Path) -> dict[str, Any]:
    """The validated record of an exported file (one line on anything wrong)."""
    from nb1s.harness.experiments.search_curves.reference_curves import checked_aggregate
    from nb1s.harness.recipe.catalog import load_recipe

    if not path.is_file():
        raise UserError(f"no reference file at {path}")
    raw = parse_json(read_text(path), str(path))
    if not isinstance(raw, dict) or raw.get("reference_kind") != KIND or "provenance" not in raw:
        raise UserError(f"{path} is not an exported nb1s reference (no reference_kind "
                        f"{KIND!r} with provenance): export one with `nb1s reference export`")
    agg = checked_aggregate(raw.get("aggregate"), path)
    validate_document(raw, ReferenceCurves, str(path))
    prov = raw["provenance"]
    if prov.get("aggregate_sha256") != aggregate_digest(raw["aggregate"]):
        raise UserError(f"{path}: the aggregate does not match its recorded sha256 (edited "
                        "after export?)")
    recipe = load_recipe(agg["recipe"])
    if recipe.version != agg["version"]:
        raise UserError(f"{path} is a reference for {agg['recipe']} v{agg['version']}, the "
                        f"recipe is now v{recipe.version}: not comparable")
    commit = prov.get("git_hash")
    if not commit or str(commit).endswith("-dirty"):
        raise UserError(f"{path}: its runs record commit {commit!r}, not a committed checkout")
    return dict(raw)


def import_reference(path: Path, force: bool = False, into: Path | None = None
                     ) -> dict[str, Any]:
    """Install an exported reference for `nb1s diff/reproduce/check`; its summary."""
    from nb1s.harness.experiments.search_curves.reference_curves import (
        curves_path,
        imported_dir,
    )

    record = check_reference_file(path)
    agg = record["aggregate"]
    dest = curves_path(agg["recipe"], agg["profile"], agg["protocol"], into or imported_dir())
    if dest.exists() and not force:
        old = read_document(dest, ReferenceCurves).to_json()
        if old.get("provenance", {}).get("aggregate_sha256") == \
                record["provenance"]["aggregate_sha256"]:
            return {"installed": str(dest), "unchanged": True, **record["provenance"]}
        raise UserError(f"{dest} already holds another reference for {agg['recipe']} "
                        f"({agg['profile']}, {agg['protocol']}); --force replaces it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_checked(dest, record, ReferenceCurves)
    return {"installed": str(dest), "unchanged": False, **record["provenance"]}
