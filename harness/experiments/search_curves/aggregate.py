"""Aggregate finished runs: per variant and space, mean/std/SEM over seeds per epoch.

Follows the original analysis where it matters and says so: curves are truncated to the
shortest run of a group (the original `get_key_from_scalar_configs` did the same), the
NB101 numbers are already means over the 3 repeats (the tracker writes them), and both
spreads are kept: `std` (sample, ddof 1; what the paper's captions call std) and `sem`
(population std / sqrt(n), what the original plot code drew). `band` names the one the
recipe's protocol uses. The final value of a run is read at the epoch the protocol names
(`last`: after all E epochs; `last_saved`: after E-1, the original's last snapshot).
`recipe_check` compares the recipe identity each run recorded with the folder's plan
(`recipe_meta`), so diffs and gates can refuse runs made under another recipe.
`runs_used` and `records_sha256` name the run records an aggregate was built from; `nb1s
diff` re-derives the aggregate every time instead of trusting a cached file, and within one
`nb1s reproduce` the typed `Aggregate` is handed to the plots and the diff in memory.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.recipe.identity import identity_check, recipe_identity
from nb1s.harness.report.documents import Aggregate
from nb1s.harness.search.results_directory import AGGREGATE_FILE, ResultsDirectory
from nb1s.harness.search.run_directory import RunDirectory, RunRecord

__all__ = ["AGGREGATE_FILE", "METRICS", "aggregate_document", "aggregate_results",
           "curve_stats", "final_index", "find_group", "records_digest"]

METRICS = ("test_regret", "valid_regret", "oneshot_valid_error", "oneshot_train_error")


def _clean(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _as_matrix(runs: list[RunRecord], metric: str, length: int) -> np.ndarray:
    rows = []
    for run in runs:
        vals = run.series(metric)[:length]
        rows.append([math.nan if v is None else float(v) for v in vals])
    return np.asarray(rows, dtype=float)


def _summary(values: np.ndarray) -> dict[str, Any]:
    """mean, std (ddof 1), sem (ddof 0 std / sqrt n) of per-seed values, NaN-aware."""
    finite = values[np.isfinite(values)]
    n = len(finite)
    if n == 0:
        return {"values": [_clean(v) for v in values.tolist()], "n": 0, "mean": None,
                "std": None, "sem": None}
    return {"values": [_clean(v) for v in values.tolist()], "n": n,
            "mean": float(finite.mean()),
            "std": float(finite.std(ddof=1)) if n > 1 else 0.0,
            "sem": float(finite.std(ddof=0) / math.sqrt(n))}


def curve_stats(matrix: np.ndarray) -> dict[str, list[float | None]]:
    """Per-epoch mean, std (ddof 1) and sem (ddof 0 / sqrt n) over the rows (seeds)."""
    out: dict[str, list[float | None]] = {"mean": [], "std": [], "sem": []}
    for col in matrix.T:
        s = _summary(col)
        out["mean"].append(s["mean"])
        out["std"].append(s["std"])
        out["sem"].append(s["sem"])
    return out


def final_index(epochs: int, final_epoch: str, length: int) -> int:
    """Index of the final value: epoch E (`last`) or E-1 (`last_saved`), within the curve."""
    target = epochs - 1 if final_epoch == "last_saved" else epochs
    return max(0, min(target, length - 1))


def aggregate_results(results: Path) -> dict[str, Any]:
    """`aggregate_document` as plain JSON values (what aggregate.json holds)."""
    return aggregate_document(results).to_json()


def aggregate_document(results: Path) -> Aggregate:
    """Aggregate every complete run under `results` (a folder written by `nb1s run`).

    Every run.json and epochs.jsonl read is validated: a damaged or foreign record stops
    the aggregation with one line naming the file instead of entering a curve.
    """
    folder = ResultsDirectory(results)
    plan = folder.read_plan().to_json()
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    missing: list[str] = []
    synthetic = False
    provenance: dict[str, Any] = {}
    recorded: dict[str, dict[str, Any] | None] = {}
    used: list[str] = []
    digest = hashlib.sha256()
    for spec in plan["runs"]:
        key = f"{spec['variant']}/space{spec['space']}/seed{spec['seed']}"
        run_dir = folder.run(key)
        if run_dir.status() != "complete":
            missing.append(key)
            continue
        run = run_dir.read()
        used.append(key)
        digest.update(run_dir.records_digest().encode())
        meta = run.meta.to_json()
        recorded[key] = meta.get("recipe")
        synthetic = synthetic or run.synthetic
        if not provenance:
            provenance = {k: meta.get(k) for k in (
                "nb1s_version", "git_hash", "torch_version", "cuda_version", "device", "data")}
        g = groups.setdefault((spec["variant"], spec["space"]), {
            "variant": spec["variant"], "label": spec["label"], "optimizer": spec["optimizer"],
            "space": spec["space"], "epochs_configured": spec["epochs"], "runs": []})
        g["runs"].append((spec["seed"], run))
    band = plan.get("band") or "std"
    final_epoch = plan.get("final_epoch") or "last"
    out_groups = []
    for (_, _), g in sorted(groups.items()):
        seeds = [s for s, _ in g["runs"]]
        runs = [r for _, r in g["runs"]]
        length = min(len(r.epochs) for r in runs)
        fidx = final_index(g["epochs_configured"], final_epoch, length)
        metrics: dict[str, Any] = {}
        for metric in METRICS:
            mat = _as_matrix(runs, metric, length)
            curve = curve_stats(mat)
            metrics[metric] = {**curve, "band": curve[band],
                               "per_seed": [[_clean(v) for v in row] for row in mat.tolist()],
                               "final": _summary(mat[:, fidx]) if length else _summary(
                                   np.array([]))}
        out_groups.append({
            "variant": g["variant"], "label": g["label"], "optimizer": g["optimizer"],
            "space": g["space"], "seeds": seeds, "n": len(seeds),
            "epochs": list(range(length)), "truncated_to": length,
            "final_epoch_index": fidx, "metrics": metrics,
            "config_ids_final": [r.epochs[fidx].config_id if length else None
                                 for r in runs],
            "config_ids": [[e.config_id for e in r.epochs[:length]] for r in runs],
            "wall_time_s": [r.epochs[-1].wall_time_s if r.epochs else None for r in runs],
            "epochs_run": [len(r.epochs) - 1 if r.epochs else 0 for r in runs],
        })
    labels = list(plan.get("labels") or [])
    if synthetic and "synthetic" not in labels:
        labels.append("synthetic")
    return Aggregate.model_validate({
        "schema_version": 1,
        "recipe": plan["recipe"], "version": plan["version"], "title": plan["title"],
        "profile": plan["profile"], "protocol": plan["protocol"],
        "labels": labels, "synthetic": synthetic or "synthetic" in labels,
        "band": band, "final_epoch": final_epoch,
        "std_convention": "std: sample std (ddof 1); sem: population std (ddof 0) / sqrt(n)",
        "groups": out_groups, "missing_runs": missing,
        "runs_used": used, "records_sha256": digest.hexdigest(),
        "blocked": plan.get("blocked", []),
        "provenance": provenance,
        "recipe_check": identity_check(recipe_identity(
            plan["recipe"], plan["version"], plan["profile"], plan["protocol"]), recorded),
    })


def records_digest(path: Path) -> str:
    """sha256 of one run's records (run.json + epochs.jsonl): which data an aggregate used."""
    return RunDirectory(path).records_digest()


def find_group(agg: dict[str, Any], variant: str, space: int) -> dict[str, Any] | None:
    for g in agg["groups"]:
        if g["variant"] == variant and g["space"] == space:
            return dict(g)
    return None
