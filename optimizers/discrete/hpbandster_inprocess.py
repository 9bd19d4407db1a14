"""hpbandster's HyperBand and BOHB run in this thread: no name server, no Pyro, no threads.

hpbandster's `Master` is a job scheduler: it hands each (config, budget) job to a
`Dispatcher` thread, which sends it over Pyro4 to a worker thread and waits for the result
to come back the same way. For a black-box run on a lookup table the query costs
microseconds, so the round trips are most of a HyperBand run (docs/blackbox.md#speed).
With ONE worker the Master's schedule is strictly sequential (its job queue holds one job:
it submits, waits for the result, registers it, then asks for the next run), so the same
decisions can be taken here without any transport: this module keeps hpbandster's classes
for everything algorithmic -- the optimizer's `__init__` (its config generator: random
sampling for HB, the KDE model of BOHB; the budgets), `get_next_iteration` (the bracket
sizes), `SuccessiveHalving` (sampling, promotion), `BOHB.new_result` (the KDE fits) -- and
replaces only the Master's threaded dispatch by `run_sequential`, a loop written here that
follows `Master.run` and `Master.job_callback` step for step, and (BOHB) statsmodels'
pdf by an exact re-implementation for categorical spaces (`categorical_kde.py`).

hpbandster is imported at module level, so import this module only when a run starts
(the `blackbox` extra). The Pyro path (`hyperband.py`, engine "pyro") is the reference:
a test asserts identical records for both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from hpbandster.core.dispatcher import Job
from hpbandster.core.master import Master
from hpbandster.optimizers import BOHB, HyperBand

from .categorical_kde import use_categorical_densities

#: the loss of one configuration at one budget, as a plain Python float
Loss = Callable[[Mapping[str, Any], float], float]


class _SequentialMaster(Master):
    """A Master's bookkeeping with the dispatcher left out; this thread is the one worker.

    Stands in for `Master.__init__` in the optimizer's MRO, so `HyperBand.__init__` /
    `BOHB.__init__` run unchanged and build the config generator and budgets themselves.
    """

    def __init__(self, config_generator: Any, logger: logging.Logger | None = None,
                 **kwargs: Any) -> None:
        del kwargs  # run_id, nameserver, ...: nothing to connect to
        self.logger = logger if logger is not None else logging.getLogger("hpbandster")
        self.config_generator = config_generator
        self.iterations: list[Any] = []
        self.config: dict[str, Any] = {"time_ref": None}

    def run_sequential(self, n_iterations: int, loss: Loss) -> int:
        """`Master.run` with one worker that answers at once; returns the number of jobs.

        As in `Master.run`: ask the active iterations in order for a run; if none has one,
        start the next iteration while any are left; otherwise stop. With one worker no
        job is ever pending when the next run is asked for, so "nothing to run" means
        every iteration is finished.
        """
        iteration_kwargs: dict[str, Any] = {"result_logger": None}
        jobs = 0
        while True:
            next_run = None
            # BOHB's KDE (statsmodels' Aitchison-Aitken kernel) divides by zero for a
            # one-choice column (node 1's parents) and overwrites the result; silencing
            # that warning changes no value and saves about 6 % of each pdf call.
            with np.errstate(divide="ignore"):
                for i in self.active_iterations():
                    next_run = self.iterations[i].get_next_run()
                    if next_run is not None:
                        break
            if next_run is not None:
                self._run_job(*next_run, loss=loss)
                jobs += 1
            elif n_iterations > 0:
                self.iterations.append(
                    self.get_next_iteration(len(self.iterations), iteration_kwargs))
                n_iterations -= 1
            elif self.active_iterations():
                raise RuntimeError("hpbandster iteration waits for a job that is not running")
            else:
                return jobs

    def _run_job(self, config_id: tuple[int, int, int], config: dict[str, Any],
                 budget: float, *, loss: Loss) -> None:
        """One job as the Master sees it: `Master.job_callback`'s order of registration.

        An exception from `loss` propagates (the Pyro worker would turn it into a
        CRASHED job with infinite loss and go on; a failing objective is a bug here).
        """
        job = Job(config_id, config=config, budget=budget)
        job.result = {"loss": loss(config, budget), "info": {}}
        self.iterations[job.id[0]].register_result(job)
        self.config_generator.new_result(job)


class InProcessHyperBand(HyperBand, _SequentialMaster):
    """hpbandster's `HyperBand` (random sampling) driven by `run_sequential`."""


class InProcessBOHB(BOHB, _SequentialMaster):
    """hpbandster's `BOHB` (KDE config generator) driven by `run_sequential`.

    Each KDE the generator fits is wrapped in `CategoricalDensity` once fitted: the same
    densities to the bit, without statsmodels' per-call column loop (categorical_kde.py).
    """

    def _run_job(self, config_id: tuple[int, int, int], config: dict[str, Any],
                 budget: float, *, loss: Loss) -> None:
        super()._run_job(config_id, config, budget, loss=loss)
        use_categorical_densities(self.config_generator.kde_models)


OPTIMIZERS: dict[str, type[_SequentialMaster]] = {"HB": InProcessHyperBand,
                                                  "BOHB": InProcessBOHB}
