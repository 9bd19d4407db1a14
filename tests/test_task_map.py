"""`executors.task_map`: local worker processes or one job array, chosen by capability.

The black-box grid and hpbandster's workers ask `task_map` to "map these tasks"; which
map they get depends on the executor's `ExecutorEntry` flags only, never on its name, so
an executor registered at run time under any name with `local_processes` runs the
black-box grid on the local pool, and one with `job_arrays` gets the Slurm array. The
pool itself: results in input order, the map's environment in every worker, workers'
output in its log, and `stop` ends the fork server with every worker it forked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.errors import UserError
from nb1s.harness.executors import registry
from nb1s.harness.executors.base import (
    DataInputs,
    Executor,
    ExecutorEntry,
    ExecutorSettings,
)
from nb1s.harness.executors.process_pool import WORKER_LOG, ProcessPool
from nb1s.harness.executors.slurm_array import SlurmArray
from nb1s.harness.executors.task_map import MapRequest, task_map


def _never_built(results: Path, data: DataInputs, settings: ExecutorSettings) -> Executor:
    raise AssertionError("a map never builds the executor's own job runner")


@pytest.fixture()
def registered() -> Iterator[dict[str, ExecutorEntry]]:
    """Executors registered under names nb1s has never heard of, removed afterwards."""
    entries = {"here_pool": ExecutorEntry(build=_never_built, local_processes=True),
               "far_cluster": ExecutorEntry(build=_never_built, job_arrays=True),
               "jobs_only": ExecutorEntry(build=_never_built)}
    for name, entry in entries.items():
        registry.register_executor(name, entry)
    yield entries
    for name in entries:
        registry.EXECUTORS.pop(name, None)


def test_the_map_follows_the_capability_flags_not_the_name(registered: object,
                                                           tmp_path: Path) -> None:
    request = MapRequest("t", 3, tmp_path, cpus_per_task=2, mem_gb=5,
                         env={"PYTHONHASHSEED": "0"})
    settings = ExecutorSettings(timeout_min=7, slurm_partition="cpu", slurm_cluster="local")
    local = task_map("here_pool", settings, request)
    assert isinstance(local, ProcessPool) and not local.scheduled
    assert local.workers == 3 and local.env == {"PYTHONHASHSEED": "0"}
    assert local.log == tmp_path / WORKER_LOG
    array = task_map("far_cluster", settings, request)
    assert isinstance(array, SlurmArray) and array.scheduled
    assert array.cluster == "local"
    assert (array.request.cpus_per_task, array.request.mem_gb, array.request.timeout_min,
            array.request.partition, array.request.parallelism) == (2, 5, 7, "cpu", 3)
    assert array.request.setup == ("export PYTHONHASHSEED=0",)
    with pytest.raises(UserError, match=r"runs with --executor .*, not jobs_only"):
        task_map("jobs_only", settings, request)
    # the registered executors keep their maps: local and slurm by their flags too
    assert isinstance(task_map("local", settings, request), ProcessPool)
    assert isinstance(task_map("slurm", ExecutorSettings(), request), SlurmArray)


def test_the_black_box_grid_runs_on_a_runtime_executor_with_local_processes(
        registered: object, tmp_path: Path) -> None:
    from nb1s.harness.blackbox_runs.grid import load_records, run_blackbox_grid, seed_file
    from nb1s.harness.execution.options import ExecutionOptions

    index = build_full_index(tmp_path / "data")
    out = tmp_path / "out"
    result = run_blackbox_grid("RS", 1, [0, 1, 2, 3], 20, out, data_dir=index, workers=2,
                               execution=ExecutionOptions(executor="here_pool", workers=2))
    assert result["ran"] == 4 and "slurm" not in result
    for seed in range(4):
        assert len(load_records(seed_file(out, 1, "RS", seed))) == 20
    with pytest.raises(UserError, match="not jobs_only"):
        run_blackbox_grid("RS", 1, [0], 20, out, data_dir=index,
                          execution=ExecutionOptions(executor="jobs_only"))


def _pid_and_env(key: str) -> tuple[int, str | None]:
    print(f"worker {os.getpid()} says hello")  # to the pool's log, not the terminal
    sys.stdout.flush()
    return os.getpid(), os.environ.get(key)


def _square(x: int) -> int:
    return x * x


def test_the_pool_maps_in_order_with_its_environment_and_log(tmp_path: Path) -> None:
    log = tmp_path / WORKER_LOG
    with ProcessPool(2, env={"NB1S_MAP_TEST": "yes"}, log=log) as pool:
        squares = [f.result() for f in pool.submit(_square, list(range(10)))]
        seen = [f.result() for f in pool.submit(_pid_and_env, ["NB1S_MAP_TEST"] * 4)]
    assert squares == [x * x for x in range(10)]
    assert {env for _, env in seen} == {"yes"}
    assert "NB1S_MAP_TEST" not in os.environ  # set only while the server started
    assert "says hello" in log.read_text()


def _sleep(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


def test_stop_ends_the_workers_and_the_fork_server(tmp_path: Path) -> None:
    from multiprocessing import forkserver

    pool = ProcessPool(2, log=tmp_path / WORKER_LOG)
    pool.start()
    futures = pool.submit(_sleep, [60.0] * 4)
    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None
    workers = []
    for _ in range(600):  # until the workers exist (the server imports first)
        workers = psutil.Process(server).children()
        if len(workers) == 2:
            break
        psutil.wait_procs([], timeout=0.05)
    assert len(workers) == 2
    watched = [*workers, psutil.Process(server)]
    pool.stop()
    gone, alive = psutil.wait_procs(watched, timeout=10)
    assert not alive and len(gone) == 3
    assert all(f.done() for f in futures)
    # the next pool of this process starts a new server and works
    with ProcessPool(2) as again:
        assert [f.result() for f in again.submit(_square, [3, 4, 5])] == [9, 16, 25]
