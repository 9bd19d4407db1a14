"""Issue 21 measurements: per-optimizer random streams, and SMAC's two surrogate models.

Part `streams`: RS, RE and RL once with the streams before issue 21 (one per seed and
purpose, shared by every optimizer: ``SeedSequence([seed, purpose])``) and once with the
per-optimizer streams (``SeedSequence([seed, optimizer, purpose])``), on the same SYNTHETIC
NAS-Bench-101-shaped objective and seeds. Per optimizer and checkpoint: the best validation
error found so far across seeds, compared between the two stream layouts by a two-sample KS
test and a Welch t-test (scipy). Only the random numbers differ, so the two must agree in
distribution; the audit of issue 21 found the pre-change layout in distribution with the
original's algorithms, so agreement here carries that over. It also counts how often RE's
first 100 architectures equal RS's, and RL's equal RS's, under each layout.

Part `smac`: SMAC with the `original` surrogate (the SMAC3 0.x facade's: unscaled cost,
plain EI, forest 5/6, 3, 3) and with SMAC3 2.x's HPO `facade` defaults, same SYNTHETIC
objective and seeds: the mean final incumbent validation error and the time per run.

    python bench/blackbox_streams.py streams --seeds 200 --space 3 [--first-seed 200]
    python bench/blackbox_streams.py smac --seeds 8 --evaluations 60 --space 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from nb1s.enumerate import get_space
from nb1s.optimizers.discrete import random_search, regularized_evolution, reinforce, run_blackbox
from nb1s.optimizers.discrete.objective import synthetic_objective

CHECKPOINTS = (50, 100, 150, 200, 280)


def _shared(seeds: Any, purpose: int, optimizer: str) -> list[np.random.Generator]:
    """The layout before issue 21: the optimizer is not part of the key."""
    del optimizer
    return [np.random.default_rng(np.random.SeedSequence([int(s), int(purpose)]))
            for s in np.asarray(seeds).ravel()]


@contextlib.contextmanager
def shared_streams() -> Iterator[None]:
    modules = (random_search, regularized_evolution, reinforce)
    kept = [m.generators for m in modules]
    for m in modules:
        m.generators = _shared  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m, g in zip(modules, kept, strict=True):
            m.generators = g  # type: ignore[attr-defined]


def _best_so_far(records: np.ndarray, seeds: list[int], n: int) -> np.ndarray:
    return np.stack([np.minimum.accumulate(records["valid_error"][records["seed"] == s])[:n]
                     for s in seeds])


def streams(space: int, n_seeds: int, evaluations: int, first: int = 0) -> dict[str, Any]:
    from scipy import stats

    obj = synthetic_objective(get_space(space).num_configs, space, num_rows=5000)
    seeds = list(range(first, first + n_seeds))
    runs: dict[str, dict[str, np.ndarray]] = {"shared": {}, "own": {}}
    for layout in runs:
        with shared_streams() if layout == "shared" else contextlib.nullcontext():
            for name in ("RS", "RE", "RL"):
                runs[layout][name] = run_blackbox(name, space, obj, seeds, evaluations).records
    out: dict[str, Any] = {"space": space, "seeds": f"{first}-{first + n_seeds - 1}",
                           "evaluations": evaluations,
                           "data": "SYNTHETIC objective (synthetic_objective, 5000 rows)",
                           "tests": [], "same_as_rs": {}}
    for name in ("RS", "RE", "RL"):
        a = _best_so_far(runs["shared"][name], seeds, evaluations)
        b = _best_so_far(runs["own"][name], seeds, evaluations)
        for k in (c for c in CHECKPOINTS if c <= evaluations):
            ks = stats.ks_2samp(a[:, k - 1], b[:, k - 1]).pvalue
            welch = stats.ttest_ind(a[:, k - 1], b[:, k - 1], equal_var=False).pvalue
            out["tests"].append({"optimizer": name, "evaluation": k, "ks_p": float(ks),
                                 "welch_p": float(welch)})
    for layout, recs in runs.items():
        rs = recs["RS"]["config_id"].reshape(n_seeds, evaluations)
        re_ = recs["RE"]["config_id"].reshape(n_seeds, evaluations)
        rl = recs["RL"]["config_id"].reshape(n_seeds, evaluations)
        first = min(100, evaluations)
        out["same_as_rs"][layout] = {
            "RE_first_100_identical_seeds": int(np.sum(np.all(re_[:, :first] == rs[:, :first],
                                                              axis=1))),
            "RL_steps_equal_to_RS": float(np.mean(rl == rs))}
    out["min_ks_p"] = min(t["ks_p"] for t in out["tests"])
    out["min_welch_p"] = min(t["welch_p"] for t in out["tests"])
    return out


def smac_models(space: int, n_seeds: int, evaluations: int, first: int = 0) -> dict[str, Any]:
    from scipy import stats

    from nb1s.optimizers.discrete.smac3 import MODELS, smac

    obj = synthetic_objective(get_space(space).num_configs, space, num_rows=5000)
    finals: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}
    for model in MODELS:
        start = time.perf_counter()
        finals[model] = [float(smac(space, obj, s, evaluations, model=model)
                               .records["valid_error"].min())
                         for s in range(first, first + n_seeds)]
        seconds[model] = (time.perf_counter() - start) / n_seeds
    welch = stats.ttest_ind(finals["original"], finals["facade"], equal_var=False).pvalue
    return {"space": space, "seeds": n_seeds, "evaluations": evaluations,
            "data": "SYNTHETIC objective (synthetic_objective, 5000 rows)",
            "final_best_valid_error_mean": {m: float(np.mean(v)) for m, v in finals.items()},
            "final_best_valid_error_std": {m: float(np.std(v, ddof=1)) for m, v in
                                           finals.items()},
            "seconds_per_run": seconds, "welch_p": float(welch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["streams", "smac"])
    parser.add_argument("--space", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--evaluations", type=int, default=280)
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args()
    run = streams if args.part == "streams" else smac_models
    result = run(args.space, args.seeds, args.evaluations, args.first_seed)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
