"""HyperBand (HB) and BOHB through hpbandster, as the original ran them
(docs/original-code.md#black-box-optimizers).

Settings: eta 3, min budget 4, max budget 108, so the four NB101 budgets 4 / 12 / 36 / 108
epochs; one worker; BOHB with num_samples 64, random_fraction 0.33, bandwidth_factor 3
and min_bandwidth 0.3 (the original's value, not hpbandster's 1e-3 default). A promoted
configuration is queried again at the higher budget. The original ran 280 iterations
(brackets), far past its plots, which keep only the first evaluations whose cumulative
budget stays within 280 x 108 epochs (docs/original-code.md#black-box-trajectories); here the run
stops after just enough brackets to cover that total budget and the records are cut the same way.

Two engines run the same algorithm and give identical records (tested):
- "inprocess" (the default): hpbandster's own optimizer classes driven by a short loop
  written here (`hpbandster_inprocess.py`), one job at a time in this thread.
- "pyro": hpbandster as it ships, a Pyro4 client/server library: the name server, the
  master and one worker thread all run in this process, bound to 127.0.0.1 only. It is
  kept as the reference the in-process engine is tested against.

Why a hand-written driver (measured; numbers in docs/blackbox.md#speed): py-spy over one
Pyro run of each with a free objective (SS3, 280 x 108 epochs, 1230 queries) found HB's
main thread 56 % of its samples waiting for the worker's answer (`Master._queue_wait`),
23 % sampling configurations, and the query itself (our objective and conversions) near
1 %; BOHB's main thread spent 89 % in its config generator (77 % in statsmodels' KDE pdf)
and 8 % waiting. Both engines run the same library code for sampling and KDEs; the
in-process one drops the waiting and the threads: per run HB was 9-16x and BOHB 1.5-1.8x
faster in `bench/blackbox_speed.py` (two runs on the shared 2-core machine).

hpbandster draws from numpy's global RNG and the ConfigSpace seed; both are set from the
seed for the run and numpy's global state is restored afterwards.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections.abc import Iterator
from itertools import count
from typing import Any, Literal

import numpy as np

from nb1s.enumerate import SearchSpace

from .encoding import configuration_space, encoding_for
from .objective import Objective
from .records import Trajectory
from .sequential import SequentialEvaluator

ETA = 3
MIN_BUDGET = 4
MAX_BUDGET = 108
BOHB_SETTINGS: dict[str, Any] = {"num_samples": 64, "random_fraction": 0.33,
                                 "bandwidth_factor": 3, "min_bandwidth": 0.3}
HOST = "127.0.0.1"
_RUN_IDS = count()
_LOCK = threading.Lock()


def budgets(eta: int = ETA, min_budget: float = MIN_BUDGET,
            max_budget: float = MAX_BUDGET) -> list[float]:
    """The successive-halving budgets, by hpbandster's formula (4, 12, 36, 108 here)."""
    n = -int(np.log(min_budget / max_budget) / np.log(eta)) + 1
    return [float(b) for b in max_budget * np.power(float(eta), -np.linspace(n - 1, 0, n))]


def bracket_cost(iteration: int, eta: int = ETA, min_budget: float = MIN_BUDGET,
                 max_budget: float = MAX_BUDGET) -> float:
    """Total epochs of HB/BOHB iteration `iteration` (0-based), hpbandster's bracket rule."""
    levels = budgets(eta, min_budget, max_budget)
    n_levels = len(levels)
    s = n_levels - 1 - (iteration % n_levels)
    n0 = int(math.floor(n_levels / (s + 1)) * eta ** s)
    sizes = [max(int(n0 * eta ** (-i)), 1) for i in range(s + 1)]
    return float(sum(n * b for n, b in zip(sizes, levels[-s - 1:], strict=True)))


def iterations_for(total_budget: float, eta: int = ETA) -> int:
    """Fewest iterations whose brackets together reach `total_budget` epochs."""
    spent, iteration = 0.0, 0
    while spent < total_budget:
        spent += bracket_cost(iteration, eta)
        iteration += 1
    return iteration


#: how hpbandster is driven; both give the same records (the module docstring)
Engine = Literal["inprocess", "pyro"]
ENGINES: tuple[Engine, ...] = ("inprocess", "pyro")


def hyperband(space: int | SearchSpace, objective: Objective, seed: int,
              total_budget: float = 280 * MAX_BUDGET, engine: Engine = "inprocess"
              ) -> Trajectory:
    """One HyperBand run up to `total_budget` cumulative epochs."""
    return _run("HB", space, objective, seed, total_budget, engine)


def bohb(space: int | SearchSpace, objective: Objective, seed: int,
         total_budget: float = 280 * MAX_BUDGET, engine: Engine = "inprocess") -> Trajectory:
    """One BOHB run up to `total_budget` cumulative epochs."""
    return _run("BOHB", space, objective, seed, total_budget, engine)


def _options(name: str) -> dict[str, Any]:
    options: dict[str, Any] = {"eta": ETA, "min_budget": MIN_BUDGET, "max_budget": MAX_BUDGET}
    if name == "BOHB":
        options.update(BOHB_SETTINGS)
    return options


def _run(name: str, space: int | SearchSpace, objective: Objective, seed: int,
         total_budget: float, engine: Engine) -> Trajectory:
    if engine not in ENGINES:
        raise ValueError(f"unknown hpbandster engine {engine!r}: choose one of "
                         f"{', '.join(ENGINES)}")
    enc = encoding_for(space)
    evaluate = SequentialEvaluator(enc, objective, seed, name)
    n_iterations = iterations_for(total_budget)
    with _LOCK:  # hpbandster's global numpy RNG: one run at a time per process
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            configspace = configuration_space(enc.space, seed=seed)
            if engine == "pyro":
                _run_pyro(name, configspace, evaluate, n_iterations, seed)
            else:
                _run_inprocess(name, configspace, evaluate, n_iterations)
        finally:
            np.random.set_state(state)
    trajectory = evaluate.trajectory(name)
    keep = int(np.searchsorted(np.cumsum(trajectory.records["budget"]), total_budget,
                               side="right"))
    return Trajectory(name, trajectory.space, trajectory.records[:keep])


def _run_inprocess(name: str, configspace: Any, evaluate: SequentialEvaluator,
                   n_iterations: int) -> None:
    from .categorical_kde import ignore_unused_kde_rng_notice
    from .hpbandster_inprocess import OPTIMIZERS

    ignore_unused_kde_rng_notice()  # (again: a caller may have reset the filters)
    optimizer = OPTIMIZERS[name](configspace=configspace, **_options(name))
    optimizer.run_sequential(n_iterations, lambda config, budget: evaluate(config, round(budget)))


def _run_pyro(name: str, configspace: Any, evaluate: SequentialEvaluator,
              n_iterations: int, seed: int) -> None:
    import hpbandster.core.nameserver as hpns
    from hpbandster.core.worker import Worker
    from hpbandster.optimizers import BOHB, HyperBand

    from .categorical_kde import ignore_unused_kde_rng_notice
    from .hpbandster_shutdown import shut_down

    ignore_unused_kde_rng_notice()

    class _Worker(Worker):
        def compute(self, config: dict[str, Any], budget: float,
                    **kwargs: Any) -> dict[str, Any]:
            del kwargs
            return {"loss": evaluate(config, round(budget)), "info": {}}

    with pyro_pickle():
        run_id = f"nb1s-{name}-{seed}-{next(_RUN_IDS)}"
        server = hpns.NameServer(run_id=run_id, host=HOST, port=0)
        ns_host, ns_port = server.start()
        try:
            quiet = logging.getLogger("nb1s.hpbandster")
            quiet.setLevel(logging.WARNING)
            worker = _Worker(run_id=run_id, host=HOST, nameserver=ns_host,
                             nameserver_port=ns_port, logger=quiet)
            worker.run(background=True)
            cls = BOHB if name == "BOHB" else HyperBand
            master = cls(configspace=configspace, run_id=run_id, host=HOST, nameserver=ns_host,
                         nameserver_port=ns_port, logger=quiet, **_options(name))
            try:
                master.run(n_iterations=n_iterations, min_n_workers=1)
            finally:
                shut_down(master)  # also after an interrupt (hpbandster_shutdown says why)
        finally:
            server.shutdown()


@contextlib.contextmanager
def pyro_pickle() -> Iterator[None]:
    """Pyro4 with pickle while the block runs, then the serializers as they were.

    ConfigSpace 1.x hands hpbandster numpy strings (and tuples), which Pyro4's default
    serializer (serpent) refuses: the job then never returns. Everything stays on
    127.0.0.1 in this process. The `pyro` engine and bench/original_blackbox.py (the
    released scripts under hpbandster) both run inside it.
    """
    import Pyro4

    serializer, accepted = Pyro4.config.SERIALIZER, set(Pyro4.config.SERIALIZERS_ACCEPTED)
    Pyro4.config.SERIALIZER = "pickle"
    Pyro4.config.SERIALIZERS_ACCEPTED.add("pickle")
    try:
        yield
    finally:
        Pyro4.config.SERIALIZER, Pyro4.config.SERIALIZERS_ACCEPTED = serializer, accepted
