"""Synthetic BOHB logs for the smoke profile, in hpbandster's exact on-disk format.

No searches run: a cheap closed-form loss over CS2 stands in for "DARTS at this budget,
then NB101", and hpbandster's own pieces produce the rest: its BOHB config generator
proposes the configurations (random first, then from its KDE), its SuccessiveHalving
iterations decide which are promoted, and its `json_result_logger` writes `configs.json`
and `results.json`. The loop is hpbandster's `Master.run` done in one process, without the
Pyro name server and workers a real run needs, so it takes a second and is deterministic
(NumPy's global RNG, which the generator uses, is seeded and restored afterwards;
time stamps are evaluation counters, not clock readings). Every info dict says
`"synthetic": true`.

The loss depends on L2 and cutout (with an interaction) and weakly on the learning rate,
with a per-space tilt, so the analysis has something to find and the spaces' surfaces are
similar but not equal.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.harness.blackbox_runs.bohb_log import BohbLog
from nb1s.harness.experiments.fanova.space import cs2_space

SYNTHETIC_ITERATIONS = 16


def synthetic_loss(config: dict[str, float], budget: float, space: int) -> float:
    """A smooth stand-in for the NB101 validation error of a tuned search (not data)."""
    l2 = math.log10(config["weight_decay"]) + 4.0  # -1 .. 1 over [1e-5, 1e-3]
    co = config["cutout_prob"]
    lr = math.log10(config["learning_rate"]) + 1.5
    tilt = 0.15 * (space - 2)
    return (0.06 + 0.02 * (l2 - tilt) ** 2 + 0.015 * co * (1 + l2) + 0.0005 * lr ** 2
            + 0.01 / budget)


@contextlib.contextmanager
def _seeded_numpy(seed: int) -> Iterator[None]:
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        np.random.set_state(state)


def _brackets(budgets: list[float], eta: int, iteration: int) -> tuple[list[int], list[float]]:
    """hpbandster BOHB's bracket of `iteration`: configurations per stage and their budgets."""
    stages = len(budgets)
    s = stages - 1 - (iteration % stages)
    first = int(math.floor(stages / (s + 1)) * eta ** s)
    return [max(int(first * eta ** (-k)), 1) for k in range(s + 1)], budgets[-s - 1:]


def write_synthetic_run(folder: Path, space: int, budgets: list[float], seed: int,
                        eta: int = 2, iterations: int = SYNTHETIC_ITERATIONS,
                        configuration_space: int = 2,
                        optimizer: str = "darts") -> Path:
    """Write one synthetic BOHB run (configs.json, results.json) into `folder`, and its
    `bohb.json` record (what a finished fig5 run leaves, marked synthetic), so that it
    passes the same input checks as a real run (`inputs.py`)."""
    import hpbandster.core.result as hpres
    from hpbandster.core.dispatcher import Job
    from hpbandster.optimizers.config_generators.bohb import BOHB as BohbGenerator
    from hpbandster.optimizers.iterations import SuccessiveHalving

    folder.mkdir(parents=True, exist_ok=True)
    with _seeded_numpy(seed):
        cs = cs2_space()
        cs.seed(seed)
        generator = BohbGenerator(configspace=cs, top_n_percent=15, num_samples=64,
                                  random_fraction=1 / 3, bandwidth_factor=3,
                                  min_bandwidth=1e-3)
        logger = hpres.json_result_logger(directory=str(folder), overwrite=True)
        clock = 0.0
        evaluations = 0
        for i in range(iterations):
            counts, stage_budgets = _brackets(budgets, eta, i)
            bracket = SuccessiveHalving(HPB_iter=i, num_configs=counts, budgets=stage_budgets,
                                        config_sampler=generator.get_config,
                                        result_logger=logger)
            while not bracket.is_finished:
                nxt = bracket.get_next_run()
                if nxt is None:
                    break
                config_id, config, budget = nxt
                job = Job(config_id, config=config, budget=budget, working_directory=".")
                job.timestamps = {"submitted": clock, "started": clock, "finished": clock + 1}
                clock += 1
                info: dict[str, Any] = {"synthetic": True, "space": space}
                job.result = {"loss": synthetic_loss(config, float(budget), space),
                              "info": info}
                logger(job)
                bracket.register_result(job)
                generator.new_result(job)
                evaluations += 1
    BohbLog(folder).write_record({
        "cs": configuration_space, "space": space, "optimizer": optimizer, "seed": seed,
        "settings": {"eta": float(eta), "min_budget": float(min(budgets)),
                     "max_budget": float(max(budgets)), "iterations": iterations},
        "protocol": {}, "workers": 1, "status": "complete", "evaluations": evaluations,
        "synthetic": True})
    return folder
