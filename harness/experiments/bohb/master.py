"""hpbandster BOHB with the original's settings, local workers, and resume by replay.

The original (`optimizers/bohb_one_shot/custom_bohb`) is hpbandster's BOHB with one change:
its configuration generator hands out the space's default configuration as the very first
sample (docs/original-code.md#figure-5). `DefaultFirstGenerator` is that generator.

Resume: an interrupted BOHB run is replayed from its hpbandster result log. The same seed
draws the same configurations in the same order; every (config id, budget) already in the
log returns its logged result instead of training again, so the continuation is the one an
uninterrupted run would have taken (exactly so with one worker; with several, job
completion order is a race, as in hpbandster itself).
"""

from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ConfigSpace import ConfigurationSpace
from hpbandster.core.nameserver import NameServer
from hpbandster.core.result import Result, json_result_logger
from hpbandster.core.worker import Worker
from hpbandster.optimizers.bohb import BOHB
from hpbandster.optimizers.config_generators.bohb import BOHB as BOHBGenerator

from nb1s.harness.blackbox_runs.bohb_log import (
    BohbLog,
    LoggedConfig,
    LoggedResult,
    planned_evaluations,
    successive_halving_brackets,
    successive_halving_budgets,
)
from nb1s.harness.experiments.bohb.spaces import plain
from nb1s.optimizers.discrete.categorical_kde import ignore_unused_kde_rng_notice
from nb1s.optimizers.discrete.hpbandster_shutdown import let_go, shut_down

#: objective(config, budget, config_id) -> {"loss": float, "info": dict}
Objective = Callable[[dict[str, Any], float, tuple[int, ...]], dict[str, Any]]


@dataclass(frozen=True)
class BohbSettings:
    """BOHB's own settings; defaults = the original's (master.py, custom_bohb, §9.3)."""

    eta: float = 2.0
    min_budget: float = 25.0
    max_budget: float = 100.0
    iterations: int = 64
    top_n_percent: int = 15
    num_samples: int = 64
    random_fraction: float = 1 / 3
    bandwidth_factor: float = 3.0
    min_bandwidth: float = 1e-3
    min_points_in_model: int | None = None  # hpbandster: number of hyperparameters + 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def budgets(self) -> list[float]:
        """The successive-halving budgets hpbandster derives (25, 50, 100 for the paper)."""
        return successive_halving_budgets(self.min_budget, self.max_budget, self.eta)

    def brackets(self) -> list[list[tuple[int, float]]]:
        """Per iteration, (configurations, budget) of each rung: hpbandster's arithmetic."""
        return successive_halving_brackets(self.min_budget, self.max_budget, self.eta,
                                           self.iterations)

    def evaluations(self) -> int:
        """Function evaluations of a whole run (280 for the paper's settings)."""
        return planned_evaluations(self.min_budget, self.max_budget, self.eta,
                                   self.iterations)


class DefaultFirstGenerator(BOHBGenerator):
    """hpbandster's BOHB sampler that returns the default configuration first (the original's)."""

    def __init__(self, configspace: ConfigurationSpace, **kwargs: Any) -> None:
        super().__init__(configspace=configspace, **kwargs)
        self.default_given = False

    def get_config(self, budget: float) -> tuple[dict[str, Any], dict[str, Any]]:
        if not self.default_given:
            self.default_given = True
            default = dict(self.configspace.get_default_configuration())
            return plain(default), {"model_based_pick": False, "default_configuration": True}
        sample, info = super().get_config(budget)
        return plain(sample), info


class DefaultFirstBOHB(BOHB):
    """hpbandster's BOHB master with `DefaultFirstGenerator` and plain-float budgets."""

    def __init__(self, configspace: ConfigurationSpace, settings: BohbSettings,
                 **kwargs: Any) -> None:
        generator_args = {"min_points_in_model": settings.min_points_in_model,
                          "top_n_percent": settings.top_n_percent,
                          "num_samples": settings.num_samples,
                          "random_fraction": settings.random_fraction,
                          "bandwidth_factor": settings.bandwidth_factor,
                          "min_bandwidth": settings.min_bandwidth}
        super().__init__(configspace=configspace, eta=settings.eta,
                         min_budget=settings.min_budget, max_budget=settings.max_budget,
                         **generator_args, **kwargs)
        self.config_generator = DefaultFirstGenerator(configspace, **generator_args)
        # numpy budgets would reach the workers as `np.float64(...)` (see spaces.plain)
        self.budgets = settings.budgets()


class ObjectiveWorker(Worker):
    """An hpbandster worker that calls a plain function.

    It always gets a logger: without one, hpbandster's Worker calls
    `logging.basicConfig(level=DEBUG)` on the root logger, and every later library debug
    line of the process (some 1,200 of matplotlib's `findfont` while fig5 plotted) was
    printed into the user's terminal or log.
    """

    def __init__(self, objective: Objective, **kwargs: Any) -> None:
        kwargs.setdefault("logger", logging.getLogger("hpbandster"))
        super().__init__(**kwargs)
        self.objective = objective

    def compute(self, config: dict[str, Any], budget: float, config_id: Any,
                **_: Any) -> dict[str, Any]:
        return self.objective(config, float(budget), tuple(config_id))


def read_log(folder: Path) -> dict[tuple[tuple[int, ...], float], dict[str, Any]]:
    """(config id, budget) -> {config, result} of every successful entry of a result log.

    Read through `BohbLog` (every line validated; a line cut by a kill at the end is
    left out, damage elsewhere is one UserError line)."""
    log = BohbLog(folder)
    out: dict[tuple[tuple[int, ...], float], dict[str, Any]] = {}
    if not log.has_log():
        return out
    configs = log.configs_by_id()
    for entry in log.successful():
        cid = tuple(entry.config_id)
        if cid in configs and entry.result is not None:
            out[(cid, float(entry.budget))] = {"config": configs[cid],
                                               "result": entry.result.to_json()}
    return out


def _keep_previous_log(folder: Path) -> dict[tuple[tuple[int, ...], float], dict[str, Any]]:
    """Everything logged so far (this log and an unfinished replay's), saved under replay/."""
    log = BohbLog(folder)
    previous = {**read_log(log.replay.path), **read_log(folder)}
    if previous:
        configs: list[LoggedConfig] = []
        results: list[LoggedResult] = []
        seen: set[tuple[int, ...]] = set()
        for (cid, budget), entry in previous.items():
            if cid not in seen:
                seen.add(cid)
                configs.append(LoggedConfig(config_id=list(cid), config=entry["config"],
                                            config_info={}))
            results.append(LoggedResult.model_validate(
                [list(cid), budget, {}, entry["result"], None]))
        log.replay.write_log(configs, results)
    return previous


def replaying(objective: Objective,
              previous: dict[tuple[tuple[int, ...], float], dict[str, Any]]) -> Objective:
    """`objective`, answering from `previous` where the same configuration was logged."""

    def call(config: dict[str, Any], budget: float, config_id: tuple[int, ...]) -> dict[str, Any]:
        entry = previous.get((tuple(config_id), float(budget)))
        if entry is not None and _same_config(entry["config"], config):
            result: dict[str, Any] = entry["result"]
            return result
        return objective(config, budget, config_id)

    return call


def _same_config(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        np.isclose(float(a[k]), float(b[k]), rtol=1e-9, atol=0) if isinstance(a[k], float)
        else a[k] == b[k] for k in a)


@contextmanager
def _threads_deaf_to_ctrl_c() -> Iterator[None]:
    """Threads started inside block Ctrl-C and SIGTERM (a thread inherits its creator's mask).

    The kernel hands a process-directed signal to any thread that does not block it. When
    one of hpbandster's or Pyro's threads got it, Python only set a flag for the main
    thread, which sat in the master's condition wait until the running evaluation ended on
    its own: the interrupt test saw that (evaluation not asked to stop for 30 s). With
    every helper thread blocking them, the main thread receives both and is woken at once.
    """
    watched = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _StoppedJobsUnlogged(logging.Filter):
    """Drops hpbandster's "job ... failed with exception" records once the run is stopping.

    An evaluation that nb1s itself stopped (Ctrl-C, SIGTERM: `on_stop`) ends by raising, and
    hpbandster's configuration generator logs every failed job with its traceback, which
    printed some twenty traceback lines above the one line with the resume command. A job
    that fails before any stop is a real failure and is still logged.
    """

    def __init__(self, stopping: threading.Event) -> None:
        super().__init__()
        self.stopping = stopping

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.stopping.is_set() and "failed with exception" in record.getMessage())


def run_bohb(space: ConfigurationSpace, objective: Objective, settings: BohbSettings,
             folder: Path, seed: int, workers: int = 1,
             on_stop: Callable[[], None] | None = None) -> Result:
    """One BOHB run with `workers` local workers, logged to `folder` (resumes a log there).

    Every random draw of BOHB (numpy's global RNG, which hpbandster's sampler uses, and the
    configuration space's own sampler) is seeded from `seed`. On an interrupt no new
    evaluation starts, `on_stop()` asks the running ones to stop, and they are waited for
    (a search still writing when the interpreter exits would abort it).
    """
    from nb1s.harness.guards.ast_parse import serialize_ast_parse

    serialize_ast_parse()  # Pyro4's and numpy's ast.literal_eval meet in threads here
    folder.mkdir(parents=True, exist_ok=True)
    previous = _keep_previous_log(folder)
    stopping = threading.Event()
    replay = replaying(objective, previous)

    running = [0]
    guard = threading.Condition()

    def call(config: dict[str, Any], budget: float, config_id: tuple[int, ...]
             ) -> dict[str, Any]:
        with guard:
            if stopping.is_set():  # interrupted: start no further training
                raise RuntimeError("BOHB run interrupted")
            running[0] += 1
        try:
            return replay(config, budget, config_id)
        finally:
            with guard:
                running[0] -= 1
                guard.notify_all()

    np.random.seed(seed)
    space.seed(seed)
    run_id = f"nb1s-bohb-{uuid.uuid4().hex[:8]}"
    for name in ("hpbandster", "Pyro4"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with _threads_deaf_to_ctrl_c():
        server = NameServer(run_id=run_id, host="127.0.0.1", port=0)
        host, port = server.start()
    quiet = _StoppedJobsUnlogged(stopping)
    logging.getLogger("hpbandster").addFilter(quiet)
    started: list[ObjectiveWorker] = []
    master = None
    try:
        with _threads_deaf_to_ctrl_c():
            for k in range(workers):
                worker = ObjectiveWorker(call, run_id=run_id, host="127.0.0.1",
                                         nameserver=host, nameserver_port=port, id=k)
                worker.run(background=True)
                started.append(worker)
            ignore_unused_kde_rng_notice()  # (again: a caller may have reset the filters)
            master = DefaultFirstBOHB(space, settings, run_id=run_id, host="127.0.0.1",
                                      nameserver=host, nameserver_port=port, ping_interval=1,
                                      result_logger=json_result_logger(str(folder),
                                                                       overwrite=True))
        result: Result = master.run(n_iterations=settings.iterations, min_n_workers=workers)
    finally:
        if master is not None:
            let_go(master.thread_cond)
        with guard:
            stopping.set()
            if running[0] and on_stop is not None:
                on_stop()
            guard.wait_for(lambda: running[0] == 0)
        if master is not None:
            shut_down(master)
        server.shutdown()
        logging.getLogger("hpbandster").removeFilter(quiet)
    kept = BohbLog(folder).replay
    if kept.path.exists():
        for path in (kept.configs_file, kept.results_file):
            path.unlink(missing_ok=True)
        kept.path.rmdir()
    return result
