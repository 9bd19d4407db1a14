"""TEST FIXTURES (not results): run directories in the `nb1s search` contract format.

The harness tests need run folders with known numbers to check aggregation, diffs, plots
and gates exactly. These helpers write them; every file they write says `"fixture": true`
and `synthetic: true` so nothing here can be mistaken for a measurement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nb1s.harness.recipe.plan import Plan, RunSpec

#: the `data` block of a fixture run.json: synthetic NB101 data, digits images
RUN_DATA: dict[str, Any] = {"nb101": {"synthetic": True},
                            "cifar10": {"path": "fixture", "kind": "digits", "synthetic": True}}


def write_run(path: Path, test_regret: Sequence[float], oneshot_valid: Sequence[float | None]
              | None = None, status: str = "complete", optimizer: str = "darts",
              space: int = 1, seed: int = 0) -> None:
    """A run folder with one epochs.jsonl record per value (epoch 0 = first value)."""
    path.mkdir(parents=True, exist_ok=True)
    epochs = len(test_regret) - 1
    meta = {"schema_version": 1, "optimizer": optimizer, "space": space, "seed": seed,
            "epochs": epochs, "hyperparameters": {}, "options": {}, "status": status,
            "fixture": True, "nb1s_version": "fixture", "git_hash": None,
            "data": RUN_DATA}
    (path / "run.json").write_text(json.dumps(meta))
    lines = []
    for e, reg in enumerate(test_regret):
        osv = oneshot_valid[e] if oneshot_valid is not None else 0.5
        lines.append(json.dumps({
            "epoch": e, "config_id": 100 + e, "nb101_hash": f"{e:032x}",
            "test_error_mean": 0.05 + reg, "valid_error_mean": 0.05 + reg,
            "test_error_repeats": [0.05 + reg] * 3, "valid_error_repeats": [0.05 + reg] * 3,
            "test_regret": reg, "valid_regret": reg * 0.5, "oneshot_train_error": osv,
            "oneshot_valid_error": osv, "train_loss": 1.0, "lr": 0.025, "temperature": None,
            "wall_time_s": float(e), "peak_memory_mb": 1.0}))
    (path / "epochs.jsonl").write_text("\n".join(lines) + "\n")


def spec(variant: str, space: int, seed: int, epochs: int, optimizer: str = "darts",
         label: str | None = None) -> RunSpec:
    return RunSpec(variant=variant, label=label or variant.upper(), optimizer=optimizer,
                   space=space, seed=seed, epochs=epochs)


def write_results(results: Path, curves: dict[tuple[str, int], list[Sequence[float]]],
                  recipe: str = "fig2", version: int | None = None, profile: str = "smoke",
                  protocol: str = "paper", band: str = "std",
                  final_epoch: str = "last") -> Plan:
    """A results folder (plan.json + runs/) holding `curves[(variant, space)]` per seed.

    `version` defaults to the shipped recipe's current version, so the CLI's
    "results are vN but the recipe is now vM" check does not mask what a test exercises.
    """
    if version is None:
        from nb1s.harness.recipe.catalog import recipes_dir
        from nb1s.harness.recipe.schema import parse_recipe

        version = parse_recipe(recipes_dir() / f"{recipe}.yaml").version
    runs = []
    for (variant, space), per_seed in curves.items():
        for seed, values in enumerate(per_seed):
            s = spec(variant, space, seed, len(values) - 1)
            runs.append(s)
            write_run(results / "runs" / s.key, values, space=space, seed=seed)
    spaces = sorted({sp for _, sp in curves})
    plan = Plan(recipe=recipe, version=version, title="fixture", kind="search",
                profile=profile, protocol=protocol,  # type: ignore[arg-type]
                runs=runs, final_epoch=final_epoch, band=band, spaces=spaces,
                labels=["smoke", "synthetic"])
    results.mkdir(parents=True, exist_ok=True)
    (results / "plan.json").write_text(json.dumps(plan.as_dict()))
    return plan


def aggregate_of(results: Path) -> dict[str, Any]:
    from nb1s.harness.experiments.search_curves.aggregate import aggregate_results

    return aggregate_results(results)
