"""The black-box optimizers by name, with one way to run any of them over many seeds.

RS, RE and RL are vectorised across seeds (one call runs them all); TPE, SMAC, HB and
BOHB drive a library one query at a time, so they run seed after seed. Names are the
original's labels in figures 5, 14 and 15.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy.typing as npt

from nb1s.enumerate import SearchSpace

from .hyperband import MAX_BUDGET, bohb, hyperband
from .objective import Objective
from .random_search import random_search
from .records import Trajectory, concatenate
from .regularized_evolution import regularized_evolution
from .reinforce import reinforce
from .smac3 import smac
from .streams import check_seeds
from .tpe import tpe


@dataclass(frozen=True)
class BlackBoxOptimizer:
    name: str
    vectorised: bool
    #: a vectorised runner takes (space, objective, seeds, n); a sequential one (.., seed, n)
    runner: Callable[..., Trajectory]
    #: HB/BOHB count budget in epochs, not evaluations
    budget_in_epochs: bool = False


BLACKBOX_OPTIMIZERS: dict[str, BlackBoxOptimizer] = {
    "RS": BlackBoxOptimizer("RS", True, random_search),
    "RE": BlackBoxOptimizer("RE", True, regularized_evolution),
    "RL": BlackBoxOptimizer("RL", True, reinforce),
    "TPE": BlackBoxOptimizer("TPE", False, tpe),
    "SMAC": BlackBoxOptimizer("SMAC", False, smac),
    "HB": BlackBoxOptimizer("HB", False, hyperband, budget_in_epochs=True),
    "BOHB": BlackBoxOptimizer("BOHB", False, bohb, budget_in_epochs=True),
}


def run_blackbox(name: str, space: int | SearchSpace, objective: Objective,
                 seeds: npt.ArrayLike, n_evaluations: int = 280,
                 options: Mapping[str, Any] | None = None) -> Trajectory:
    """Run optimizer `name` for every seed; HB/BOHB get n_evaluations x 108 epochs.

    `options` are the optimizer's own keyword arguments (SMAC's `model`), passed as they
    are, so a recipe switch of one optimizer needs no change here."""
    try:
        opt = BLACKBOX_OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown black-box optimizer {name!r}: choose one of "
                         f"{', '.join(BLACKBOX_OPTIMIZERS)}") from None
    seed_arr = check_seeds(seeds)
    if opt.vectorised:
        return opt.runner(space, objective, seed_arr, n_evaluations, **dict(options or {}))
    amount = n_evaluations * MAX_BUDGET if opt.budget_in_epochs else n_evaluations
    parts = [opt.runner(space, objective, int(s), amount, **dict(options or {}))
             for s in seed_arr]
    return Trajectory(name, parts[0].space, concatenate([p.records for p in parts]))
