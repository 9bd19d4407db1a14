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
from .regularized_evolution import POPULATION, regularized_evolution
from .reinforce import reinforce
from .smac3 import MODELS as SMAC_MODELS
from .smac3 import smac
from .streams import check_seeds
from .tpe import tpe

#: what HB and BOHB import in a worker (hpbandster's optimizers and its name server)
HPBANDSTER_MODULES = ("hpbandster.optimizers", "hpbandster.core.nameserver")


@dataclass(frozen=True, kw_only=True)
class BlackBoxOptimizer:
    """One black-box optimizer and every fact about it that the layers above need.

    Why the facts live here: a grid, a cluster array, a cost estimate and a plot each
    need something per optimizer (what a worker imports, how long a seed takes, how its
    curve is drawn); kept beside the runner, a new optimizer is one entry and one
    `register_blackbox` call, and no table elsewhere silently falls back for a name it
    does not list (an unknown name is an error, `blackbox_optimizer`).
    """

    name: str
    vectorised: bool
    #: a vectorised runner takes (space, objective, seeds, n); a sequential one (.., seed, n)
    runner: Callable[..., Trajectory]
    #: CPU seconds of one 280-evaluation seed on the 2-core development machine, rounded
    #: up (docs/blackbox.md, "Speed"); vectorised ones: per seed of a batch. A grouping and
    #: cost hint, not a result: the cluster array groups seeds by it, the grid starts the
    #: slowest first, `nb1s plan` and the size check estimate CPU time with it.
    seconds_per_seed: float
    #: HB/BOHB count budget in epochs, not evaluations
    budget_in_epochs: bool = False
    #: modules a worker imports to run it (the grid's fork server preloads them once)
    libraries: tuple[str, ...] = ()
    #: the fewest evaluations a run may have (RE: its initial population)
    min_evaluations: int = 1
    #: the surrogate models it can run with (its `model` option, the recipe switch
    #: `smac_model`); empty: it takes no model option
    models: tuple[str, ...] = ()
    #: how its curve is drawn in every figure (a matplotlib colour and marker)
    color: str
    marker: str

    def __post_init__(self) -> None:
        if not self.name or not self.seconds_per_seed > 0 or self.min_evaluations < 1:
            raise ValueError(f"black-box optimizer {self.name!r}: a name, a positive "
                             "seconds_per_seed and min_evaluations >= 1 are required")


#: the original's plot styles (optimizers/bohb_one_shot/plots/uncertanty_plots.py,
#: docs/original-code.md#black-box-trajectories)
BLACKBOX_OPTIMIZERS: dict[str, BlackBoxOptimizer] = {
    "RS": BlackBoxOptimizer(name="RS", vectorised=True, runner=random_search,
                            seconds_per_seed=0.05, color="darkorchid", marker="D"),
    "RE": BlackBoxOptimizer(name="RE", vectorised=True, runner=regularized_evolution,
                            seconds_per_seed=0.05, min_evaluations=POPULATION,
                            color="crimson", marker="o"),
    "RL": BlackBoxOptimizer(name="RL", vectorised=True, runner=reinforce,
                            seconds_per_seed=0.05, color="sienna", marker="s"),
    "TPE": BlackBoxOptimizer(name="TPE", vectorised=False, runner=tpe, seconds_per_seed=4.0,
                             libraries=("hyperopt",), color="deepskyblue", marker="<"),
    "SMAC": BlackBoxOptimizer(name="SMAC", vectorised=False, runner=smac,
                              seconds_per_seed=40.0, libraries=("smac",), models=SMAC_MODELS,
                              color="violet", marker="h"),
    "HB": BlackBoxOptimizer(name="HB", vectorised=False, runner=hyperband,
                            seconds_per_seed=1.0, budget_in_epochs=True,
                            libraries=HPBANDSTER_MODULES, color="darkgray", marker=">"),
    "BOHB": BlackBoxOptimizer(name="BOHB", vectorised=False, runner=bohb,
                              seconds_per_seed=5.0, budget_in_epochs=True,
                              libraries=HPBANDSTER_MODULES, color="gold", marker="*"),
}


def register_blackbox(entry: BlackBoxOptimizer) -> BlackBoxOptimizer:
    """Make `entry` runnable by name everywhere (`nb1s blackbox`, recipes, grids, plots);
    a name already registered is refused (replacing a built-in silently would change
    what its seed files mean)."""
    if entry.name in BLACKBOX_OPTIMIZERS:
        raise ValueError(f"black-box optimizer {entry.name!r} is already registered")
    BLACKBOX_OPTIMIZERS[entry.name] = entry
    return entry


def blackbox_optimizer(name: str) -> BlackBoxOptimizer:
    """The registered entry of `name`; ValueError naming the known ones otherwise."""
    try:
        return BLACKBOX_OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown black-box optimizer {name!r}: choose one of "
                         f"{', '.join(BLACKBOX_OPTIMIZERS)}") from None


def run_blackbox(name: str, space: int | SearchSpace, objective: Objective,
                 seeds: npt.ArrayLike, n_evaluations: int = 280,
                 options: Mapping[str, Any] | None = None) -> Trajectory:
    """Run optimizer `name` for every seed; HB/BOHB get n_evaluations x 108 epochs.

    `options` are the optimizer's own keyword arguments (SMAC's `model`), passed as they
    are, so a recipe switch of one optimizer needs no change here."""
    opt = blackbox_optimizer(name)
    seed_arr = check_seeds(seeds)
    if opt.vectorised:
        return opt.runner(space, objective, seed_arr, n_evaluations, **dict(options or {}))
    amount = n_evaluations * MAX_BUDGET if opt.budget_in_epochs else n_evaluations
    parts = [opt.runner(space, objective, int(s), amount, **dict(options or {}))
             for s in seed_arr]
    return Trajectory(name, parts[0].space, concatenate([p.records for p in parts]))
