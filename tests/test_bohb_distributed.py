"""The Slurm launch path: a submitit job array of hpbandster name server + master + workers."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from nb1s.harness.executors.slurm_array import SlurmRequest
from nb1s.harness.experiments.bohb import distributed
from nb1s.harness.experiments.bohb.distributed import ArrayTask, array_task, launch
from nb1s.harness.experiments.bohb.evaluation import EvaluationSpec
from nb1s.harness.experiments.bohb.master import BohbSettings

SETTINGS = BohbSettings(eta=2, min_budget=1, max_budget=2, iterations=2)


def task(tmp_path: Path, workers: int) -> ArrayTask:
    spec = EvaluationSpec("darts", 1, 2, 1, tmp_path / "evaluations")
    return ArrayTask(2, 1, workers, SETTINGS, spec, tmp_path / "log", host="127.0.0.1")


class FakeExecutor:
    """Records what submitit's `map_array` would submit."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, list[Any], list[Any]]] = []

    def map_array(self, fn: Any, *args: list[Any]) -> list[str]:
        self.calls.append((fn, *args))  # type: ignore[arg-type]
        return [f"job-{i}" for i in args[0]]


def test_launch_submits_one_array_task_per_worker(tmp_path: Path) -> None:
    ex = FakeExecutor()
    jobs = launch(ex, task(tmp_path, 16))
    assert len(jobs) == 16
    fn, indices, tasks = ex.calls[0]
    assert fn is array_task and indices == list(range(16))
    assert all(t == task(tmp_path, 16) for t in tasks)


def test_the_worker_map_asks_for_what_the_request_says(tmp_path: Path) -> None:
    """On an executor with job arrays the workers are one SlurmArray (executors.task_map):
    what each task asks from the plan's request, time and partition from the executor
    options parsed once."""
    from nb1s.harness.executors.base import ExecutorSettings
    from nb1s.harness.executors.slurm_array import SlurmArray

    array = distributed.worker_map(
        "slurm", ExecutorSettings(timeout_min=120, slurm_partition="gpu-part"), tmp_path,
        SlurmRequest(cpus_per_task=4, mem_gb=16, gpus_per_task=1, parallelism=16))
    assert isinstance(array, SlurmArray)
    assert array.cluster is None  # no --slurm-cluster: submitit's auto executor, i.e. Slurm
    assert array.parameters() == {"timeout_min": 120, "cpus_per_task": 4, "mem_gb": 16,
                                  "name": "nb1s", "gpus_per_node": 1,
                                  "slurm_array_parallelism": 16,
                                  "slurm_partition": "gpu-part",
                                  "slurm_additional_parameters": {"signal": "URG@90"}}
    cpu = distributed.worker_map("slurm", ExecutorSettings(), tmp_path,
                                 SlurmRequest(gpus_per_task=0))
    assert "gpus_per_node" not in cpu.parameters()  # type: ignore[attr-defined]
    local = distributed.worker_map("slurm", ExecutorSettings(slurm_cluster="local"), tmp_path,
                                   SlurmRequest())
    assert local.cluster == "local"  # type: ignore[attr-defined]


def test_array_tasks_find_each_other_and_run_bohb(tmp_path: Path, monkeypatch: Any) -> None:
    seen: list[tuple[tuple[int, ...], float, str]] = []

    def free(spec: EvaluationSpec, config: dict[str, Any], budget: float,
             config_id: tuple[int, ...]) -> dict[str, Any]:
        seen.append((config_id, budget, threading.current_thread().name))
        return {"loss": config["weight_decay"] * 1000 + config["cutout_prob"],
                "info": {"budget": budget}}

    monkeypatch.setattr(distributed, "evaluate", free)
    t = task(tmp_path, 2)
    other = threading.Thread(target=array_task, args=(1, t), daemon=True)
    other.start()
    assert array_task(0, t) == "master done"
    other.join(timeout=60)
    assert not other.is_alive()
    assert len(seen) == SETTINGS.evaluations()
    logged = (tmp_path / "log" / "results.json").read_text().splitlines()
    assert len(logged) == SETTINGS.evaluations()
    assert json.loads((tmp_path / "log" / "configs.json").read_text().splitlines()[0])[0] == \
        [0, 0, 0]


def test_reproduce_on_slurm_queues_every_run_before_waiting(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.execution.runner import DataInputs
    from nb1s.harness.experiments.bohb import kind as kind_module
    from nb1s.harness.experiments.bohb import reproduce as bohb_reproduce
    from nb1s.harness.experiments.kind import Request
    from nb1s.harness.recipe.catalog import load_recipe

    events: list[str] = []

    class Job:
        def __init__(self, name: str) -> None:
            self.name = name

        def result(self) -> None:
            events.append(f"wait {self.name}")

    class Array:
        """The run's SlurmArray: its watched wait before the results are read."""

        def wait(self, jobs: list[Job]) -> None:
            events.append(f"watch {jobs[0].name}")

        def cancel(self, jobs: list[Job]) -> list[str]:
            raise AssertionError("nothing stopped early: nothing is cancelled")

    array = Array()

    def fake_launch(executor: Any, t: ArrayTask) -> list[Job]:
        assert executor is array and t.workers == 16 and t.settings.evaluations() == 280
        events.append(f"submit {t.log_folder.parent.name}")
        return [Job(t.log_folder.parent.name)]

    monkeypatch.setattr(distributed, "launch", fake_launch)
    clusters: list[tuple[str, str | None]] = []
    monkeypatch.setattr(distributed, "worker_map",
                        lambda executor, settings, folder, request:
                        clusters.append((executor, settings.slurm_cluster)) or array)
    # a reachable stand-in Slurm whose nodes fit the paper plan's GPU request (the
    # executor options are parsed and checked once, before any data)
    import shutil

    from nb1s.harness.executors import slurm_array

    monkeypatch.setattr(slurm_array, "partition_offers",
                        lambda partition: [slurm_array.NodeOffer(partition or "p", 64,
                                                                 256_000, 8, None)])
    monkeypatch.setattr(slurm_array, "accounting_problem", lambda: None)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: "/usr/bin/sbatch"
                        if name == "sbatch" else real_which(name, *a, **k))
    monkeypatch.setattr(bohb_reproduce, "data_inputs", lambda *a, **k: DataInputs())
    recipe = load_recipe("fig5")
    request = Request(recipe, "paper", "paper", tmp_path,
                      ExecutionOptions(executor="slurm", workers=16))
    plan = kind_module.KIND.plan(recipe, "paper", "paper")
    small = {**plan.settings, "configuration_spaces": [2], "spaces": [1], "bohb_seeds": [1]}
    monkeypatch.setattr(kind_module.BohbKind, "plan",
                        lambda self, *a: plan.but(settings=small))
    result = kind_module.KIND.reproduce(request)
    assert events == ["submit darts", "submit gdas", "submit pcdarts",
                      "watch darts", "wait darts", "watch gdas", "wait gdas",
                      "watch pcdarts", "wait pcdarts"]
    # the stand-in jobs logged no evaluation
    assert result.status == "failed-runs" and result.exit_code() == 1
    assert clusters == [("slurm", None)] * 3  # --slurm-cluster unset: the real Slurm


def test_blackbox_workers_set_the_black_box_side_apart(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    """`--blackbox-workers` / `--blackbox-partition` are the black-box grid's parallelism
    and partition; without them, `--workers` (the BOHB workers) and `--slurm-partition`
    are, as before."""
    from types import SimpleNamespace

    from nb1s.harness.execution.options import ExecutionOptions
    from nb1s.harness.experiments.bohb import blackbox_adapter
    from nb1s.harness.experiments.bohb import kind as kind_module
    from nb1s.harness.experiments.bohb.runs import run_blackbox
    from nb1s.harness.recipe.catalog import load_recipe

    seen: list[ExecutionOptions] = []
    models: list[str] = []  # the recipe's blackbox_smac_model reaches the grid
    monkeypatch.setattr(blackbox_adapter, "run_grids",
                        lambda *a, **k: seen.append(a[-1]) or models.append(k["smac_model"])
                        or {"ran": [], "blocked": []})
    plan = kind_module.KIND.plan(load_recipe("fig5"), "paper", "paper")
    data = SimpleNamespace(nb101_dir=None)
    for options in (ExecutionOptions(executor="slurm", workers=16, blackbox_workers=256,
                                     slurm_partition="gpu", blackbox_partition="cpu"),
                    ExecutionOptions(executor="slurm", workers=16, slurm_partition="gpu")):
        run_blackbox(plan, tmp_path, data, options)
    assert [(e.workers, e.slurm_partition, e.executor) for e in seen] == [
        (256, "cpu", "slurm"), (16, "gpu", "slurm")]
    assert models == ["original", "original"]
