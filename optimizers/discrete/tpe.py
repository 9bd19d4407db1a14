"""TPE through hyperopt, the library the original used (docs/original-code.md#black-box-optimizers).

`fmin(tpe.suggest)` with one `hp.choice` per hyperparameter and 280 evaluations, as the
original's `run_tpe.py`; hyperopt's own defaults otherwise. Unlike the original, hyperopt's
RNG (`rstate`) is tied to the seed, so a seed reproduces its trajectory.
"""

from __future__ import annotations

from typing import Any

from nb1s.enumerate import SearchSpace

from .encoding import encoding_for
from .objective import Objective
from .records import Trajectory
from .sequential import SequentialEvaluator
from .streams import LIBRARY, generator

NAME = "TPE"


def tpe(space: int | SearchSpace, objective: Objective, seed: int,
        n_evaluations: int = 280, budget: int = 108) -> Trajectory:
    """One TPE run of `n_evaluations` queries."""
    import hyperopt

    enc = encoding_for(space)
    evaluate = SequentialEvaluator(enc, objective, seed, NAME)
    search_space = {name: hyperopt.hp.choice(name, list(choices))
                    for name, choices in zip(enc.names, enc.choices, strict=True)}

    def loss(values: dict[str, Any]) -> float:
        return evaluate(values, budget)

    hyperopt.fmin(loss, search_space, algo=hyperopt.tpe.suggest, max_evals=n_evaluations,
                  trials=hyperopt.Trials(), rstate=generator(seed, LIBRARY, NAME),
                  show_progressbar=False)
    return evaluate.trajectory(NAME)
