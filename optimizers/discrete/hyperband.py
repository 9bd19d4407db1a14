"""HyperBand (HB) and BOHB through hpbandster, as the original ran them
(docs/original-code.md#black-box-optimizers).

Settings: eta 3, min budget 4, max budget 108, so the four NB101 budgets 4 / 12 / 36 / 108
epochs; one worker; BOHB with num_samples 64, random_fraction 0.33, bandwidth_factor 3
and min_bandwidth 0.3 (the original's value, not hpbandster's 1e-3 default). A promoted
configuration is queried again at the higher budget. The original ran 280 iterations
(brackets), far past its plots, which keep only the first evaluations whose cumulative
budget stays within 280 x 108 epochs (docs/original-code.md#black-box-trajectories); here the run
stops after just enough brackets to cover that total budget and the records are cut the same way.

hpbandster is a Pyro4 client/server library: the name server, the master and the worker
all run in this process, bound to 127.0.0.1 only. hpbandster draws from numpy's global RNG
and the ConfigSpace seed; both are set from the seed for the run and numpy's global state
is restored afterwards.
"""

from __future__ import annotations

import logging
import math
import threading
from itertools import count
from typing import Any

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


def hyperband(space: int | SearchSpace, objective: Objective, seed: int,
              total_budget: float = 280 * MAX_BUDGET) -> Trajectory:
    """One HyperBand run up to `total_budget` cumulative epochs."""
    return _run("HB", space, objective, seed, total_budget)


def bohb(space: int | SearchSpace, objective: Objective, seed: int,
         total_budget: float = 280 * MAX_BUDGET) -> Trajectory:
    """One BOHB run up to `total_budget` cumulative epochs."""
    return _run("BOHB", space, objective, seed, total_budget)


def _run(name: str, space: int | SearchSpace, objective: Objective, seed: int,
         total_budget: float) -> Trajectory:
    import hpbandster.core.nameserver as hpns
    import Pyro4
    from hpbandster.core.worker import Worker
    from hpbandster.optimizers import BOHB, HyperBand

    enc = encoding_for(space)
    evaluate = SequentialEvaluator(enc, objective, seed)

    class _Worker(Worker):
        def compute(self, config: dict[str, Any], budget: float,
                    **kwargs: Any) -> dict[str, Any]:
            del kwargs
            return {"loss": evaluate(config, round(budget)), "info": {}}

    with _LOCK:  # hpbandster's global numpy RNG: one run at a time per process
        state = np.random.get_state()
        # ConfigSpace 1.x hands hpbandster numpy strings, which Pyro4's default serializer
        # (serpent) refuses; pickle handles them. Everything stays on 127.0.0.1 in-process.
        serializer = Pyro4.config.SERIALIZER
        accepted = set(Pyro4.config.SERIALIZERS_ACCEPTED)
        Pyro4.config.SERIALIZER = "pickle"
        Pyro4.config.SERIALIZERS_ACCEPTED.add("pickle")
        np.random.seed(seed)
        run_id = f"nb1s-{name}-{seed}-{next(_RUN_IDS)}"
        server = hpns.NameServer(run_id=run_id, host=HOST, port=0)
        ns_host, ns_port = server.start()
        try:
            quiet = logging.getLogger("nb1s.hpbandster")
            quiet.setLevel(logging.WARNING)
            worker = _Worker(run_id=run_id, host=HOST, nameserver=ns_host,
                             nameserver_port=ns_port, logger=quiet)
            worker.run(background=True)
            options: dict[str, Any] = {"eta": ETA, "min_budget": MIN_BUDGET,
                                       "max_budget": MAX_BUDGET}
            if name == "BOHB":
                options.update(BOHB_SETTINGS)
            cls = BOHB if name == "BOHB" else HyperBand
            master = cls(configspace=configuration_space(enc.space, seed=seed), run_id=run_id,
                         host=HOST, nameserver=ns_host, nameserver_port=ns_port,
                         logger=quiet, **options)
            try:
                master.run(n_iterations=iterations_for(total_budget), min_n_workers=1)
            finally:
                master.shutdown(shutdown_workers=True)
        finally:
            server.shutdown()
            np.random.set_state(state)
            Pyro4.config.SERIALIZER = serializer
            Pyro4.config.SERIALIZERS_ACCEPTED = accepted
    trajectory = evaluate.trajectory(name)
    keep = int(np.searchsorted(np.cumsum(trajectory.records["budget"]), total_budget,
                               side="right"))
    return Trajectory(name, trajectory.space, trajectory.records[:keep])
