"""hpbandster's distributed mode as a Slurm job array, launched through submitit.

The original ran each BOHB run as a 16-task array (docs/original-code.md#figure-5):
task 0 starts the name server, the master and one worker; every other task is a worker.
They find each other through hpbandster's credentials file in a shared folder. Here each
task calls `array_task(index, task)`; `launch` maps it over the workers on the map
`worker_map` asks the executors for (`executors.task_map`, by the executor's capability:
the one submitit integration `SlurmArray`; submitit's local executor, or a stand-in, in
tests).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from nb1s.harness.executors.base import ExecutorSettings
from nb1s.harness.executors.slurm_array import SlurmRequest
from nb1s.harness.executors.task_map import TaskMap
from nb1s.harness.experiments.bohb.evaluation import EvaluationSpec, evaluate
from nb1s.harness.experiments.bohb.master import BohbSettings


@dataclass(frozen=True)
class ArrayTask:
    """Everything one array task needs (pickled by submitit)."""

    cs: int
    seed: int
    workers: int
    settings: BohbSettings
    evaluation: EvaluationSpec
    log_folder: Path  # the hpbandster result log: configs.json + results.json
    host: str | None = None  # None: this task's hostname


def array_task(index: int, task: ArrayTask) -> str:
    """Task 0: name server + master + a worker; others: one worker until the master ends."""
    import hpbandster.core.nameserver as hpns
    from hpbandster.core.result import json_result_logger

    from nb1s.harness.experiments.bohb.master import (
        DefaultFirstBOHB,
        ObjectiveWorker,
        _keep_previous_log,
        replaying,
    )
    from nb1s.harness.experiments.bohb.spaces import configuration_space
    from nb1s.harness.guards.ast_parse import serialize_ast_parse
    from nb1s.optimizers.discrete.hpbandster_shutdown import shut_down

    serialize_ast_parse()  # Pyro4's and numpy's ast.literal_eval meet in threads here
    shared = task.log_folder / "nameserver"
    shared.mkdir(parents=True, exist_ok=True)
    run_id = f"nb1s-bohb-cs{task.cs}-seed{task.seed}"
    host = task.host or socket.gethostname()
    if index != 0:
        worker = ObjectiveWorker(partial(evaluate, task.evaluation), run_id=run_id, host=host)
        worker.load_nameserver_credentials(working_directory=str(shared))
        worker.run(background=False)
        return "worker done"
    import numpy as np

    previous = _keep_previous_log(task.log_folder)
    objective = replaying(partial(evaluate, task.evaluation), previous)
    server = hpns.NameServer(run_id=run_id, host=host, port=0, working_directory=str(shared))
    ns_host, ns_port = server.start()
    worker = ObjectiveWorker(objective, run_id=run_id, host=host, nameserver=ns_host,
                             nameserver_port=ns_port)
    worker.run(background=True)
    np.random.seed(task.seed)
    space = configuration_space(task.cs, task.seed)
    master = DefaultFirstBOHB(space, task.settings, run_id=run_id, host=host,
                              nameserver=ns_host, nameserver_port=ns_port,
                              result_logger=json_result_logger(str(task.log_folder),
                                                               overwrite=True))
    try:
        master.run(n_iterations=task.settings.iterations, min_n_workers=task.workers)
    finally:
        shut_down(master)  # also after an interrupt (hpbandster_shutdown says why)
        server.shutdown()
    return "master done"


def launch(executor: Any, task: ArrayTask) -> list[Any]:
    """Submit `task.workers` array tasks (a `SlurmArray`, or any submitit-like executor
    with `map_array`); returns the jobs."""
    indices = list(range(task.workers))
    jobs: list[Any] = executor.map_array(array_task, indices, [task] * len(indices))
    return jobs


def worker_map(executor: str, settings: ExecutorSettings, folder: Path,
               request: SlurmRequest) -> TaskMap:
    """Where the workers of one BOHB run are mapped (`executors.task_map`): on an
    executor with job arrays, one Slurm array of `request.parallelism` workers, each
    asking for what one evaluation needs (a GPU where it trains on real data;
    execution/resources.py), the time limit, partition and `--slurm-cluster` from the
    parsed executor `settings` (`local`: submitit's local executor, processes on this
    machine, how the path is tried without a cluster). Submitting goes through the
    executors' one submitit integration (SlurmArray: the request checked against
    `sinfo`, one line when sbatch refuses)."""
    from nb1s.harness.executors.task_map import MapRequest, task_map

    return task_map(executor, settings, MapRequest(
        request.name, request.parallelism, folder, cpus_per_task=request.cpus_per_task,
        mem_gb=request.mem_gb, gpus_per_task=request.gpus_per_task))
