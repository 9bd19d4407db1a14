"""Random search (RS): uniformly random architectures, loose ends allowed
(docs/original-code.md#black-box-optimizers).

Each of the 280 evaluations draws every categorical uniformly; all seeds and all
evaluations are drawn at once and evaluated in one objective call.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import SearchSpace

from .encoding import encoding_for
from .objective import Objective
from .records import Trajectory, records_from_grid
from .streams import DECISIONS, REPEATS, categorical, check_seeds, generators, predraw

NAME = "RS"


def random_search(space: int | SearchSpace, objective: Objective, seeds: npt.ArrayLike,
                  n_evaluations: int = 280, budget: int = 108) -> Trajectory:
    """RS for every seed in `seeds`, vectorised: arrays of shape [seeds, evaluations]."""
    seed_arr = check_seeds(seeds)
    enc = encoding_for(space)
    u = predraw(generators(seed_arr, DECISIONS, NAME), (n_evaluations, enc.num_hyperparameters))
    draws = predraw(generators(seed_arr, REPEATS, NAME), (n_evaluations,))
    ids = enc.ids_of_drawn(categorical(u, enc.cardinalities))
    evaluation = objective(ids, budget, draws)
    return Trajectory(NAME, enc.space.number,
                      records_from_grid(seed_arr, ids, budget, evaluation))


def sample_uniform(space: int | SearchSpace, uniforms: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Config ids from uniforms [..., H]: one uniform categorical draw per hyperparameter."""
    enc = encoding_for(space)
    return enc.from_indices(categorical(np.asarray(uniforms, dtype=np.float64),
                                        enc.cardinalities))
