"""`--runs-per-gpu K`: packing searches onto a GPU changes where they run, never their records.

Packing reads every GPU's free memory first (nvidia-smi; a stand-in here, where no GPU
exists): K is clipped to what fits, with one line, and refused when not even one search
fits, no GPU is visible or the memory cannot be read. The records test runs the same two
smoke searches with K = 1 and K = 2 slots on one GPU id (on a CPU-only machine the
processes compute on the CPU; on a GPU machine on the GPU) and compares every epoch record.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from search_helpers import read_records

from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import run_plan
from nb1s.harness.executors.base import DataInputs
from nb1s.harness.executors.docker_runner import DockerExecutor, Mount
from nb1s.harness.executors.gpu_packing import pack
from nb1s.harness.executors.local import LocalExecutor, worker_envs
from nb1s.harness.experiments.dispatch import load_checked, plan_for

NB1S = [sys.executable, "-m", "nb1s.harness.cli.app"]


def test_k_slots_per_gpu_interleaved_and_clipped_to_free_memory() -> None:
    free = {"0": 20_000, "1": 9_000}
    packed = pack(["0", "1"], 4, 4096, lambda: free)
    assert packed.per_gpu == {"0": 4, "1": 2}
    assert packed.slots == ["0", "1", "0", "1", "0", "0"]
    assert packed.note == "GPU 1: 9000 MiB free holds 2 searches of 4096 MiB, not 4"
    assert pack(["0"], 1, 4096, lambda: {}).slots == ["0"]  # K=1 reads nothing
    with pytest.raises(UserError, match="less than one search"):
        pack(["0", "1"], 2, 10_000, lambda: free)
    with pytest.raises(UserError, match="no GPU is visible"):
        pack([], 2)
    with pytest.raises(UserError, match="cannot read the free memory of GPU 1"):
        pack(["1"], 2, 4096, lambda: {"0": 80_000})


def test_executors_hand_each_slot_its_gpu() -> None:
    local = LocalExecutor(gpus=["0", "1"], runs_per_gpu=3, gpu_memory_mib=1000,
                          free=lambda: {"0": 3000, "1": 1500})
    assert local.workers == 4 and local.describe()["runs_per_gpu"] == {"0": 3, "1": 1}
    envs = worker_envs(local.workers, local.slots)
    assert [e["CUDA_VISIBLE_DEVICES"] for e in envs] == ["0", "1", "0", "0"]
    docker = DockerExecutor([Mount(Path("/tmp"), "/results", False)], gpus=["0"],
                            runs_per_gpu=2, gpu_memory_mib=1000, free=lambda: {"0": 5000})
    assert docker.workers == 2 and docker.packing.slots == ["0", "0"]


def test_cli_refuses_packing_without_gpu_or_on_slurm(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": ""}
    for extra, message in ((["--runs-per-gpu", "2"], "no GPU is visible"),
                           (["--runs-per-gpu", "2", "--executor", "slurm"], "not slurm")):
        proc = subprocess.run([*NB1S, "run", "fig2", "--profile", "smoke", "--out",
                               str(tmp_path / "r"), *extra], capture_output=True, text=True,
                              env=env, timeout=120)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr
        assert not (tmp_path / "r" / "data").exists()  # refused before any data is built


@pytest.mark.slow  # four search processes: ~1.5 min on 2 loaded cores (make test runs it)
def test_packing_does_not_change_any_runs_records(search_data: dict[str, Path],
                                                  tmp_path: Path) -> None:
    plan = plan_for(load_checked("fig2"), "smoke")
    runs = [r.model_copy(update={"epochs": 1}) for r in plan.runs if r.variant == "gdas"][:2]
    plan = plan.but(runs=runs)
    data = DataInputs(search_data["nb101"], search_data["cifar"])
    records = {}
    for k in (1, 2):
        executor = LocalExecutor(gpus=["0"], runs_per_gpu=k, free=lambda: {"0": 80_000})
        assert executor.workers == k
        summary = run_plan(plan, tmp_path / f"k{k}", executor, data)
        assert summary.ok and len(summary.started) == 2, summary.as_dict()
        records[k] = {r.key: read_records(tmp_path / f"k{k}" / "runs" / r.key) for r in runs}
    assert all(records[1][key] for key in records[1])
    assert records[2] == records[1]
    assert records[1][runs[0].key] != records[1][runs[1].key]  # two seeds, two searches


def test_gpu_benchmark_refuses_without_a_gpu() -> None:
    """No number without a GPU: one line, exit 2, nothing on stdout."""
    import gpu_throughput

    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([sys.executable, str(Path(gpu_throughput.__file__)), "--gpu", ""],
                          capture_output=True, text=True, env=env, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "no CUDA GPU" in lines[0]
    assert not proc.stdout


@pytest.mark.slow  # two search processes (~1 min on 2 loaded cores; make test runs it)
def test_gpu_benchmark_machinery_runs_k_searches(search_data: dict[str, Path],
                                                 tmp_path: Path) -> None:
    """The K-process runner works (here on the CPU with a tiny supernet, which the
    benchmark itself never does) and its searches/hour follows from its steps and wall."""
    import gpu_throughput

    row = gpu_throughput.run_k(2, "", "gdas", 1, 2, search_data["nb101"], search_data["cifar"],
                               tmp_path, device="cpu",
                               extra=("batch_size=8", "init_channels=4", "layers=3"))
    assert row["k"] == 2 and row["steps_per_s"] > 0 and row["peak_memory_mib_per_search"] > 0
    # the steady rate leaves the processes' start-up out: faster than steps / wall
    assert row["steady_steps_per_s"] > row["steps_per_s"]
    assert row["full_searches_per_hour"] == pytest.approx(
        row["steady_steps_per_s"] * 3600 / (50 * math.ceil(25_000 / 96)), rel=1e-2)


def test_gpu_benchmark_counts_the_steps_the_searches_take() -> None:
    """The benchmark counted 2 x 50 steps per search, but an epoch of the digits' 748
    weight images holds 8 batches of 96 (no wrap-around): searches/hour came out 6x too
    high. The rate is also the steady one: epochs 2..E of the cumulative `wall_time_s`,
    not whole-process wall time (start-up over a few dozen steps favoured every K > 1)."""
    import gpu_throughput

    assert gpu_throughput.steps_per_epoch(96, 50) == 8  # ceil(748 / 96)
    assert gpu_throughput.steps_per_epoch(64, 50) == 12
    assert gpu_throughput.steps_per_epoch(8, 2) == 2  # the cap when the data holds more
    records = [{"epoch": 3, "wall_time_s": 6.0}, {"epoch": 0, "wall_time_s": 1.0},
               {"epoch": 1, "wall_time_s": 3.0}, {"epoch": 2, "wall_time_s": 4.5}]
    assert gpu_throughput.steady_epoch_seconds(records) == pytest.approx(1.5)  # (6-3)/2
    assert gpu_throughput.steady_epoch_seconds(records[1:3]) == pytest.approx(2.0)
    with pytest.raises(RuntimeError, match="no timed epoch"):
        gpu_throughput.steady_epoch_seconds([{"epoch": 0, "wall_time_s": 1.0}])
