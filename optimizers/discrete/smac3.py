"""SMAC through SMAC3 2.x (the original ran a SMAC3 0.x facade;
docs/original-code.md#black-box-optimizers).

Settings mapped from the original where 2.x has them:
- random configuration probability 0.33 -> `get_random_design(probability=0.33)`;
- random forest with 10 trees -> `get_model(n_trees=10)`;
- initial incumbent RANDOM -> `RandomInitialDesign` with one configuration;
- maxR 4 -> intensifier `max_config_calls=4`; deterministic false -> scenario
  `deterministic=False`, so SMAC may re-run a configuration and 280 trials can be fewer
  than 280 distinct architectures, as in the original;
- run objective quality, 280 evaluations -> `n_trials=280`.
- the surrogate (`model`): `original` (the default: the paper is silent, so the released
  code's value) is the SMAC3 0.x `SMAC` facade with run objective quality: cost not
  log-transformed (`RunHistoryEncoder`), plain EI (`EI(log=False)`), random forest with
  `ratio_features` 5/6, `min_samples_split` 3, `min_samples_leaf` 3 and `log_y` false
  (docs/original-code.md#black-box-optimizers); `facade` is SMAC3 2.x's
  `HyperparameterOptimizationFacade` defaults (log-scaled cost, log EI, `ratio_features`
  1.0, `min_samples_split` 2, `min_samples_leaf` 1, `log_y` true), kept by name because
  nb1s ran it before issue 21 (docs/blackbox.md compares the two).
Not mappable in 2.x: intensification percentage 1e-10 and min_chall 1 (the 2.x intensifier
has neither). SMAC3 writes its run history to an output directory: a temporary directory
removed after the run, so nothing persists from this layer; its rewrite after every trial
is skipped (`_skip_saves`).

Determinism: SMAC3 2.x's choices depend on Python's string-hash seed (measured: the same
seed gave different trajectories in two processes, identical ones with PYTHONHASHSEED
fixed). So unless this process already runs with PYTHONHASHSEED=0, a run happens in a
spawned child process started with PYTHONHASHSEED=0; the objective travels there by
pickle and the records come back.

Speed: SMAC3's random forest asks joblib for all cores (`n_jobs=-1`) on every fit and on
every prediction of the acquisition search, a few hundred times per run; with 10 small trees
the thread hand-off costs more than the work (joblib waits in 10 ms sleeps), and the
harness already runs one SMAC seed per worker process. The run uses joblib's sequential
backend instead: each tree is still built from its own pre-drawn random state and each
prediction fills its own column, so the records are the same (tested), only sooner.
SMAC3's forest also caps its trees at 2**20 leaves, which makes scikit-learn's best-first
builder allocate room for 2**21 - 1 nodes (about 150 MB) for every tree it builds: 75 ms
per tree on 50 points against 0.5 ms. The cap cannot bind on SMAC's data (a tree on n
rows has at most n / min_samples_leaf <= n leaves, under either model), so each fit here
uses a cap of the number of rows instead (`_cap_leaves_at_rows`): the same best-first
builder, the same random draws in the same order, the same trees (tested node for node,
for both models' forests, and on whole runs).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any

from nb1s.enumerate import SearchSpace

from .encoding import configuration_space, encoding_for
from .objective import Objective
from .records import Trajectory
from .sequential import SequentialEvaluator

NAME = "SMAC"
RANDOM_PROBABILITY = 0.33
N_TREES = 10
MAX_CONFIG_CALLS = 4
HASH_SEED = "0"
#: joblib backend of SMAC's random forest (see the module docstring)
JOBLIB_BACKEND = "sequential"
#: whether SMAC3 rewrites its run history files after every trial (see the module docstring)
SAVE_EACH_TRIAL = False
#: surrogate models (see the module docstring); the first is the default
MODELS = ("original", "facade")
#: the SMAC3 0.x `SMAC` facade's forest (run objective quality)
ORIGINAL_FOREST = {"ratio_features": 5.0 / 6.0, "min_samples_split": 3, "min_samples_leaf": 3,
                   "log_y": False}


def smac(space: int | SearchSpace, objective: Objective, seed: int,
         n_evaluations: int = 280, budget: int = 108, *,
         cap_leaves_at_rows: bool = True, model: str = "original") -> Trajectory:
    """One SMAC run of at most `n_evaluations` trials, under a fixed string-hash seed.

    `cap_leaves_at_rows=False` keeps SMAC3's 2**20-leaf cap per fit (same trials, slower;
    the benchmark's baseline). `model`: `original` or `facade` (module docstring).
    """
    if model not in MODELS:
        raise ValueError(f"unknown SMAC model {model!r}: choose {' or '.join(MODELS)}")
    if os.environ.get("PYTHONHASHSEED") == HASH_SEED:
        return _smac_here(space, objective, seed, n_evaluations, budget, cap_leaves_at_rows,
                          model)
    previous = os.environ.get("PYTHONHASHSEED")
    os.environ["PYTHONHASHSEED"] = HASH_SEED  # inherited by the spawned interpreter
    try:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            result: Trajectory = pool.apply(_smac_here, (space, objective, seed, n_evaluations,
                                                         budget, cap_leaves_at_rows, model))
    finally:
        if previous is None:
            del os.environ["PYTHONHASHSEED"]
        else:
            os.environ["PYTHONHASHSEED"] = previous
    return result


def _smac_here(space: int | SearchSpace, objective: Objective, seed: int,
               n_evaluations: int, budget: int, cap_leaves_at_rows: bool = True,
               model_name: str = "original") -> Trajectory:
    import joblib
    from smac import HyperparameterOptimizationFacade as Facade
    from smac import Scenario
    from smac.initial_design import RandomInitialDesign

    enc = encoding_for(space)
    evaluate = SequentialEvaluator(enc, objective, seed, NAME)

    def loss(config: Any, seed: int = 0) -> float:
        del seed  # the NB101 repeat comes from our own per-seed stream
        return evaluate(dict(config), budget)

    with tempfile.TemporaryDirectory(prefix="nb1s-smac-") as tmp:
        scenario = Scenario(configuration_space(enc.space, seed=seed), deterministic=False,
                            n_trials=n_evaluations, seed=seed,
                            output_directory=Path(tmp) / "smac3")
        model, surrogate = _surrogate(scenario, model_name)
        if cap_leaves_at_rows:
            _cap_leaves_at_rows(model)
        optimizer = Facade(
            scenario, loss,
            model=model, **surrogate,
            random_design=Facade.get_random_design(scenario, probability=RANDOM_PROBABILITY),
            initial_design=RandomInitialDesign(scenario, n_configs=1),
            intensifier=Facade.get_intensifier(scenario, max_config_calls=MAX_CONFIG_CALLS),
            overwrite=True, logging_level=40)
        if not SAVE_EACH_TRIAL:
            _skip_saves(optimizer.optimizer)
        with joblib.parallel_config(backend=JOBLIB_BACKEND):
            optimizer.optimize()
    return evaluate.trajectory(NAME)


def _surrogate(scenario: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """SMAC's forest and the facade arguments (cost encoder, acquisition) of model `name`."""
    from smac import HyperparameterOptimizationFacade as Facade

    if name == "facade":
        return Facade.get_model(scenario, n_trees=N_TREES), {}
    from smac.acquisition.function import EI
    from smac.model.random_forest import RandomForest
    from smac.runhistory.encoder import RunHistoryEncoder

    forest = RandomForest(scenario.configspace, n_trees=N_TREES,
                          instance_features=scenario.instance_features, seed=scenario.seed,
                          **ORIGINAL_FOREST)  # type: ignore[arg-type]
    return forest, {"runhistory_encoder": RunHistoryEncoder(scenario),
                    "acquisition_function": EI(xi=0.0, log=False)}


def _skip_saves(smbo: Any) -> None:
    """Make SMAC3's loop skip its file writes (it has no switch for them).

    `SMBO.save` writes optimization.json, runhistory.json (the whole history) and
    intensifier.json after every trial: quadratic in the trials, into a temporary directory
    removed unread. The loop reads nothing back, so the trials are the same (tested); a
    test also checks that no run history file appears, so a SMAC3 release that renames
    `save` fails loudly instead of writing again.
    """
    smbo.save = _no_save


def _no_save() -> None:
    return None


def _cap_leaves_at_rows(model: Any) -> None:
    """Fit SMAC3's forest with `max_leaf_nodes` = the rows of each fit (never above its own).

    The builder stays best-first (any finite cap), the cap never binds (at most rows / 3
    leaves), so only the node array scikit-learn reserves up front shrinks. The model's
    own options (its `meta`) are restored after each fit.
    """
    train = model._train
    options = model._rf_opts
    shipped = options["max_leaf_nodes"]

    def capped(X: Any, y: Any) -> Any:
        options["max_leaf_nodes"] = min(shipped, max(2, len(X)))
        try:
            return train(X, y)
        finally:
            options["max_leaf_nodes"] = shipped

    model._train = capped
