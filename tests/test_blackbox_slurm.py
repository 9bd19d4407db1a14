"""The black-box grid as one submitit job array (`--executor slurm`), without a cluster.

Two stand-ins: `FakeSlurm` replaces `submitit.AutoExecutor` (and makes `sbatch` look
reachable) and runs each array task in this process when the array is submitted, like
submitit's DebugExecutor, so the test sees exactly what would reach Slurm (parameters,
one `map_array` call, the tasks) and the files the tasks write; the CLI test uses
submitit's real local executor (`--slurm-cluster local`, one process per task). The real
`sbatch` path cannot run here. All NB101 numbers are SYNTHETIC (the smoke index of space 1).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from blackbox_helpers import build_full_index

from nb1s.harness.blackbox_runs import cluster, grid
from nb1s.harness.blackbox_runs.grid import (
    GridSettings,
    load_records,
    run_blackbox_grid,
    seed_file,
)
from nb1s.harness.errors import RunStopped, UserError
from nb1s.harness.execution.options import ExecutionOptions

SLURM = ExecutionOptions(executor="slurm", workers=8, slurm_partition="cpu-part",
                         timeout_min=90)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("bb-slurm"))


class FakeJob:
    """A submitted array task: already run (or failed) in this process."""

    def __init__(self, job_id: str, folder: Path, value: Any = None,
                 error: Exception | None = None, finished: bool = True) -> None:
        self.job_id, self.folder = job_id, folder
        self.value, self.error, self.finished = value, error, finished
        self.cancelled = False

    def done(self) -> bool:
        return self.finished

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value

    def cancel(self, check: bool = True) -> None:
        self.cancelled = True

    @property
    def paths(self) -> Any:
        class Paths:
            stderr = self.folder / f"{self.job_id}_0_log.err"

        return Paths()


class FakeSlurm:
    """Records what reaches submitit; `fail` names task indices that die."""

    def __init__(self) -> None:
        self.made: list[dict[str, Any]] = []
        self.arrays: list[list[Any]] = []
        self.fail: set[int] = set()

    def executor(self, folder: str, cluster: str | None = None) -> Any:
        fake, record = self, {"folder": folder, "cluster": cluster}
        self.made.append(record)

        class Executor:
            def update_parameters(self, **params: Any) -> None:
                record.update(params)

            def map_array(self, fn: Any, tasks: list[Any]) -> list[FakeJob]:
                fake.arrays.append(list(tasks))
                number = 700 + len(fake.arrays)
                jobs = []
                for i, task in enumerate(tasks):
                    job_id = f"{number}_{i}"
                    if i in fake.fail:
                        from submitit.core.utils import FailedJobError

                        error = FailedJobError(  # submitit's text, shortened
                            "Job (task=0) failed during processing with trace:\n"
                            "----------------------\nTraceback (most recent call last):\n"
                            '  File "grid.py", line 1, in _run_task\n'
                            "MemoryError: out of memory\n\n----------------------\n"
                            "You can check full logs with 'job.stderr(0)' and "
                            "'job.stdout(0)'or at paths:\n  - /x/701_1_0_log.err\n")
                        jobs.append(FakeJob(job_id, Path(folder), error=error))
                    else:
                        jobs.append(FakeJob(job_id, Path(folder), value=fn(task)))
                return jobs

        return Executor()


@pytest.fixture
def fake_slurm(monkeypatch: pytest.MonkeyPatch) -> FakeSlurm:
    import submitit

    from nb1s.harness.executors import slurm_array

    fake = FakeSlurm()
    monkeypatch.setattr(submitit, "AutoExecutor", fake.executor)
    # a stand-in cluster: every partition has one roomy node, accounting answers
    monkeypatch.setattr(slurm_array, "partition_offers",
                        lambda partition: [slurm_array.NodeOffer(partition or "p", 64,
                                                                 256_000, 0, None)])
    monkeypatch.setattr(slurm_array, "accounting_problem", lambda: None)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: "/usr/bin/sbatch" if name == "sbatch"
                        else real_which(name, *a, **k))
    return fake


def test_slurm_parameters_reach_submitit_cpu_only(fake_slurm: FakeSlurm, index_dir: Path,
                                                  tmp_path: Path) -> None:
    run_blackbox_grid("RS", 1, [0, 1], 5, tmp_path / "o", data_dir=index_dir,
                      execution=SLURM)
    (made,) = fake_slurm.made
    assert made == {"folder": str(tmp_path / "o" / "slurm"), "cluster": None,
                    "timeout_min": 90, "cpus_per_task": 1, "mem_gb": 4,
                    "name": "nb1s-blackbox", "slurm_array_parallelism": 8,
                    "slurm_partition": "cpu-part",
                    "slurm_setup": ["export PYTHONHASHSEED=0"],
                    "slurm_additional_parameters": {"signal": "URG@90"}}
    assert "gpus_per_node" not in made  # CPU-only tasks: no GPU request


def test_one_array_files_land_as_locally_and_resume_submits_only_missing(
        fake_slurm: FakeSlurm, index_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    first = run_blackbox_grid("TPE", 1, range(4), 5, out, data_dir=index_dir,
                              execution=SLURM)
    assert len(fake_slurm.arrays) == 1  # one array for the whole command
    (task,) = fake_slurm.arrays[0]  # 4 cheap TPE seeds: one task, not four jobs
    assert task.seeds == (0, 1, 2, 3)
    assert (first["ran"], first["skipped"], first["executor"]) == (4, 0, "slurm")
    assert first["slurm"]["submitted_tasks"] == 1 and first["slurm"]["job_ids"] == ["701_0"]
    assert first["slurm"]["array_ids"] == ["701"]
    local = run_blackbox_grid("TPE", 1, range(4), 5, tmp_path / "local", data_dir=index_dir)
    assert local["ran"] == 4
    for seed in range(4):  # the same records as local workers write
        np.testing.assert_array_equal(load_records(seed_file(out, 1, "TPE", seed)),
                                      load_records(seed_file(tmp_path / "local", 1, "TPE",
                                                             seed)))
    seed_file(out, 1, "TPE", 2).unlink()  # an array task that died before writing
    again = run_blackbox_grid("TPE", 1, range(4), 5, out, data_dir=index_dir,
                              execution=SLURM)
    assert [t.seeds for t in fake_slurm.arrays[1]] == [(2,)]
    assert (again["ran"], again["skipped"], again["slurm"]["submitted_seeds"]) == (1, 3, 1)
    done = run_blackbox_grid("TPE", 1, range(4), 5, out, data_dir=index_dir,
                             execution=SLURM)
    assert len(fake_slurm.arrays) == 2  # nothing left: no array submitted at all
    assert done["slurm"]["submitted_tasks"] == 0 and done["slurm"]["job_ids"] == []


def test_a_failed_task_is_one_line_with_its_log_and_other_files_stay(
        fake_slurm: FakeSlurm, index_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "VECTORISED_SEEDS", 2)  # RS seeds 0-1, 2-3, 4-5
    fake_slurm.fail = {1}
    out = tmp_path / "o"
    with pytest.raises(RunStopped) as caught:
        run_blackbox_grid("RS", 1, range(6), 5, out, data_dir=index_dir, execution=SLURM)
    line = str(caught.value)
    assert caught.value.exit_code == 1 and "\n" not in line
    assert "RS on space 1, seeds 2-3 (array task 701_1) failed: MemoryError: out of " \
        "memory; log: " in line
    assert f"log: {out / 'slurm' / '701_1_0_log.err'}" in line
    assert "4 of 6 seeds finished" in line
    assert [seed_file(out, 1, "RS", s).is_file() for s in range(6)] == \
        [True, True, False, False, True, True]


def test_a_real_failed_task_names_its_exception(tmp_path: Path) -> None:
    """submitit's local executor, a task whose data folder is gone: the real error text."""
    gone = GridSettings("RS", 1, 5, "one_random_repeat", str(tmp_path / "gone"), None, True)
    tasks = [grid._Task(gone, (0,), str(tmp_path))]
    settings = cluster.ClusterSettings(tmp_path / "slurm", cluster="local", timeout_min=5)
    handles, run = cluster.submit(tasks, grid._run_task, settings)
    with pytest.raises(RunStopped) as caught:
        cluster.wait(tasks, handles, run)
    line = str(caught.value)
    assert "\n" not in line and caught.value.exit_code == 1
    assert line.startswith(f"RS on space 1, seed 0 (array task {handles[0].job_id}) failed: ")
    assert "gone" in line.split("failed: ", 1)[1].split("; log: ")[0]  # the exception line
    assert f"log: {handles[0].paths.stderr}" in line and Path(handles[0].paths.stderr).is_file()


def test_a_grouped_task_writes_each_library_seed_as_it_finishes(
        index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nb1s.optimizers.discrete as discrete

    real = discrete.run_blackbox
    calls: list[list[int]] = []

    def dies_on_seed_2(name: str, space: int, objective: Any, seeds: list[int],
                       evaluations: int, options: Any = None) -> Any:
        calls.append(list(seeds))
        if 2 in seeds:
            raise MemoryError("the task's time limit, say")
        return real(name, space, objective, seeds, evaluations, options)

    monkeypatch.setattr(discrete, "run_blackbox", dies_on_seed_2)
    settings = grid.grid_settings("TPE", 1, 5, grid.NB101Store(index_dir), "one_random_repeat")
    with pytest.raises(MemoryError):
        grid._run_task(grid._Task(settings, (0, 1, 2, 3), str(tmp_path)))
    assert calls == [[0], [1], [2]]  # one seed at a time, as a local worker runs it
    assert [seed_file(tmp_path, 1, "TPE", s).is_file() for s in range(4)] == \
        [True, True, False, False]


def test_progress_moves_per_seed_file_while_a_grouped_task_runs(tmp_path: Path) -> None:
    settings = GridSettings("SMAC", 1, 5, "one_random_repeat", "", None, True)
    task = grid._Task(settings, (0, 1, 2), str(tmp_path))
    running = FakeJob("9_0", tmp_path, value=[0, 1, 2], finished=False)
    files: list[int] = [0]  # seed 0's file has landed, the task still runs
    seen: list[list[int]] = []

    def tick(_: float) -> None:
        files.append(1)
        running.finished = True

    run = cluster.ArrayRun(1, 3, ["9_0"], str(tmp_path))
    assert cluster.wait([task], [running], run, lambda t, s: seen.append(s), sleep=tick,
                        landed=lambda t: list(files)) == 3
    assert seen == [[0], [1, 2]]  # seed 0 before the task ended; each seed once


def test_ctrl_c_cancels_the_unfinished_tasks_and_keeps_finished_files(tmp_path: Path) -> None:
    settings = GridSettings("SMAC", 1, 5, "one_random_repeat", "", None, True)
    tasks = [grid._Task(settings, (seed,), str(tmp_path)) for seed in (0, 1)]
    finished = FakeJob("9_0", tmp_path, value=[0])
    running = FakeJob("9_1", tmp_path, finished=False)
    seen: list[list[int]] = []

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    run = cluster.ArrayRun(2, 2, ["9_0", "9_1"], str(tmp_path))
    with pytest.raises(RunStopped) as caught:
        cluster.wait(tasks, [finished, running], run, lambda t, s: seen.append(s),
                     sleep=interrupt)
    assert caught.value.exit_code == 130 and caught.value.label == "interrupted"
    assert running.cancelled and not finished.cancelled and seen == [[0]]
    assert "1 of 2 submitted seeds finished" in str(caught.value)
    assert "1 unfinished array task(s) cancelled (array 9)" in str(caught.value)


def test_a_task_that_can_never_start_ends_the_wait_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid's wait asks the array's watch (squeue's reason) while tasks are open: a
    task pending for a configuration reason is one line, never a wait without end."""
    monkeypatch.setattr(cluster, "WATCH_S", 0.0)
    settings = GridSettings("SMAC", 1, 5, "one_random_repeat", "", None, True)
    task = grid._Task(settings, (0,), str(tmp_path))
    pending = FakeJob("9_0", tmp_path, finished=False)
    watched: list[list[str]] = []

    def watch(handles: list[Any]) -> None:
        watched.append([h.job_id for h in handles])
        raise UserError("--executor slurm: job 9_0 pends: PartitionDown (...)")

    run = cluster.ArrayRun(1, 1, ["9_0"], str(tmp_path))
    with pytest.raises(UserError, match="pends: PartitionDown"):
        cluster.wait([task], [pending], run, sleep=lambda s: None, watch=watch)
    assert watched == [["9_0"]]


def _settings(optimizer: str, space: int, evaluations: int = 280) -> GridSettings:
    return GridSettings(optimizer, space, evaluations, "one_random_repeat", "", None, False)


def test_seed_ranges() -> None:
    assert cluster.seed_ranges([0, 1, 2, 4, 7, 8]) == "0-2,4,7-8"
    assert cluster.seed_ranges([5]) == "5" and cluster.seed_ranges([]) == ""


def test_grouping_of_figure5_and_of_a_small_run(tmp_path: Path) -> None:
    opts = ("RS", "RE", "RL", "TPE", "SMAC", "HB", "BOHB")
    fig5 = [(_settings(o, s), list(range(500))) for s in (1, 2, 3) for o in opts]
    tasks = grid._cluster_tasks(fig5, tmp_path, 64)
    by_opt = {o: [t for t in tasks if t.settings.optimizer == o] for o in opts}
    for o in ("RS", "RE", "RL"):  # vectorised: one array program per space
        assert [len(t.seeds) for t in by_opt[o]] == [500, 500, 500]
    assert sum(len(t.seeds) for t in tasks) == 7 * 3 * 500  # every seed exactly once
    assert 150 < len(tasks) < 400  # not 10500 one-seed jobs, and ~4 tasks per slot
    smac = by_opt["SMAC"][0]
    assert 5 <= len(smac.seeds) <= 8  # about 5 minutes of SMAC per task (the minimum)
    assert tasks[0].settings.optimizer == "SMAC"  # slow tasks first in the array
    # 9000 SMAC seeds in 5-minute tasks would be 1286 tasks: over Slurm's MaxArraySize
    huge = [(_settings("SMAC", s), list(range(3000))) for s in (1, 2, 3)]
    wide = grid._cluster_tasks(huge, tmp_path, 1000)
    assert len(wide) <= cluster.MAX_ARRAY_TASKS < 3 * 3000 // 7  # capped, seeds regrouped
    assert sum(len(t.seeds) for t in wide) == 3 * 3000
    small = grid._cluster_tasks([(_settings("SMAC", 1), list(range(100)))], tmp_path, 64)
    # 100 SMAC seeds (40 s each): tasks of the 5-minute minimum, 7 seeds, all in parallel
    assert [len(t.seeds) for t in small] == [7] * 14 + [2]
    tiny = grid._cluster_tasks([(_settings("TPE", 1, 30), [0, 1])], tmp_path, 64)
    assert [t.seeds for t in tiny] == [(0, 1)]


def test_a_refused_submission_is_one_line(fake_slurm: FakeSlurm, index_dir: Path,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    def refuse(folder: str, cluster: str | None = None) -> Any:
        class Executor:
            def update_parameters(self, **params: Any) -> None:
                return None

            def map_array(self, fn: Any, tasks: list[Any]) -> list[Any]:
                raise RuntimeError("sbatch: error: invalid partition specified: moon\nmore")

        return Executor()

    import submitit

    monkeypatch.setattr(submitit, "AutoExecutor", refuse)
    with pytest.raises(UserError) as caught:
        run_blackbox_grid("RS", 1, [0], 5, tmp_path, data_dir=index_dir, execution=SLURM)
    assert str(caught.value) == ("submitting the job array of 1 tasks failed: sbatch: error: "
                                 "invalid partition specified: moon")


def test_refusals_are_one_line(index_dir: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    with pytest.raises(UserError, match="no Slurm is reachable"):
        run_blackbox_grid("RS", 1, [0], 5, tmp_path, data_dir=index_dir, execution=SLURM)
    with pytest.raises(UserError, match="--executor local or slurm, not docker"):
        run_blackbox_grid("RS", 1, [0], 5, tmp_path, data_dir=index_dir,
                          execution=ExecutionOptions(executor="docker"))
    with pytest.raises(UserError, match="unknown --slurm-cluster"):
        run_blackbox_grid("RS", 1, [0], 5, tmp_path, data_dir=index_dir,
                          execution=ExecutionOptions(executor="slurm", slurm_cluster="moon"))
    assert not (tmp_path / "ss1").exists()  # refused before anything ran


def test_figure5_side_is_one_array_with_refused_runs_blocked(
        fake_slurm: FakeSlurm, index_dir: Path, tmp_path: Path) -> None:
    from nb1s.harness.experiments.bohb import blackbox_adapter

    runs = [("RS", 1, 20), ("RE", 1, 50), ("TPE", 1, 5), ("RS", 3, 20)]
    out = blackbox_adapter.run_grids(runs, [0, 1], tmp_path / "blackbox", index_dir,
                                     "one_random_repeat", SLURM)
    assert len(fake_slurm.arrays) == 1  # RS and TPE together in one array
    assert sorted(t.settings.optimizer for t in fake_slurm.arrays[0]) == ["RS", "TPE"]
    assert [(r["optimizer"], r["ran"]) for r in out["ran"]] == [("RS", 2), ("TPE", 2)]
    assert len(out["blocked"]) == 2
    assert out["blocked"][0].startswith("RE on space 1:") and "100" in out["blocked"][0]
    assert out["blocked"][1].startswith("RS on space 3:")
    assert out["slurm"]["submitted_tasks"] == 2
    assert seed_file(tmp_path / "blackbox", 1, "TPE", 1).is_file()
    local = blackbox_adapter.run_grids(runs[:1], [0, 1, 2], tmp_path / "blackbox", index_dir,
                                       "one_random_repeat", ExecutionOptions(workers=1))
    assert len(fake_slurm.arrays) == 1 and local["ran"][0]["ran"] == 1  # local: no array


def test_figure5_side_without_slurm_blocks_every_run(index_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.experiments.bohb import blackbox_adapter

    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    out = blackbox_adapter.run_grids([("RS", 1, 20)], [0], tmp_path, index_dir,
                                     "one_random_repeat", SLURM)
    assert out["ran"] == [] and "no Slurm is reachable" in out["blocked"][0]


def test_kind_submits_one_array_for_every_optimizer(fake_slurm: FakeSlurm, index_dir: Path,
                                                    tmp_path: Path) -> None:
    from nb1s.harness.experiments.kind import Request
    from nb1s.harness.experiments.registry import kind_for
    from nb1s.harness.recipe.catalog import load_recipe

    kind = kind_for("blackbox")
    options = ExecutionOptions(executor="slurm", workers=16, slurm_partition="cpu-part",
                               data_dir=index_dir)
    request = Request(load_recipe("blackbox"), "smoke", "original", tmp_path / "res", options,
                      progress=False)
    seen: list[str] = []
    result = kind.reproduce(request, on_done=lambda r: seen.append(r.key)).to_json()
    assert len(fake_slurm.arrays) == 1
    assert sorted(t.settings.optimizer for t in fake_slurm.arrays[0]) == sorted(
        ["RE", "RS", "RL", "TPE", "SMAC", "HB", "BOHB"])
    assert fake_slurm.made[0]["slurm_array_parallelism"] == 16
    assert result["status"] == "complete" and len(seen) == 7 * 2
    assert result["run"]["executor"] == "slurm" and result["run"]["workers"] == 16
    assert result["run"]["slurm"]["submitted_seeds"] == 14
    assert Path(tmp_path / "res" / "plots" / "blackbox-ss1.png").is_file()
    again = kind.reproduce(request).to_json()  # resumes: nothing left, no second array
    assert len(fake_slurm.arrays) == 1 and again["run"]["slurm"]["submitted_tasks"] == 0
    assert (again["run"]["ran"], again["run"]["skipped"]) == (0, 14)


def nb1s(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nb1s.harness.cli.app", *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


def test_cli_on_submitits_local_cluster_runs_and_resumes(index_dir: Path,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "bb"
    args = ["blackbox", "RS", "--space", "1", "--seeds", "0-3", "--evaluations", "15",
            "--data-dir", str(index_dir), "--out", str(out), "--executor", "slurm",
            "--slurm-cluster", "local", "--json"]
    first = nb1s(*args)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert (result["ran"], result["skipped"], result["executor"]) == (4, 0, "slurm")
    assert result["slurm"]["submitted_tasks"] == 1 and len(result["slurm"]["job_ids"]) == 1
    assert (out / "slurm").is_dir() and seed_file(out, 1, "RS", 3).is_file()
    local = nb1s("blackbox", "RS", "--space", "1", "--seeds", "0-3", "--evaluations", "15",
                 "--data-dir", str(index_dir), "--out", str(tmp_path / "local"), "--json")
    assert local.returncode == 0, local.stderr
    np.testing.assert_array_equal(load_records(seed_file(out, 1, "RS", 3)),
                                  load_records(seed_file(tmp_path / "local", 1, "RS", 3)))
    seed_file(out, 1, "RS", 1).unlink()
    again = json.loads(nb1s(*args).stdout)
    assert (again["ran"], again["skipped"], again["slurm"]["submitted_seeds"]) == (1, 3, 1)


@pytest.mark.parametrize(("args", "message"), [
    (["--executor", "docker"], "--executor local or slurm, not docker"),
    (["--executor", "slurm"], "no Slurm is reachable"),
    (["--executor", "slurm", "--slurm-cluster", "moon"], "unknown --slurm-cluster"),
    (["--executor", "slurm", "--timeout-min", "0"], "--timeout-min"),
])
def test_cli_refuses_in_one_line(index_dir: Path, tmp_path: Path, args: list[str],
                                 message: str) -> None:
    proc = nb1s("blackbox", "RS", "--space", "1", "--data-dir", str(index_dir), "--out",
                str(tmp_path / "o"), *args, env={"PATH": str(Path(sys.executable).parent)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_cli_ctrl_c_cancels_the_local_array_in_one_line(index_dir: Path, tmp_path: Path) -> None:
    import signal
    import time

    from search_helpers import process_alive

    out = tmp_path / "bb"
    proc = subprocess.Popen(
        [sys.executable, "-m", "nb1s.harness.cli.app", "blackbox", "SMAC", "--space", "1",
         "--seeds", "0-5", "--evaluations", "10", "--data-dir", str(index_dir), "--out",
         str(out), "--executor", "slurm", "--slurm-cluster", "local", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((out / "slurm").glob("*_submitted.pkl")) and time.monotonic() < deadline:
        time.sleep(0.2)
    submitted = list((out / "slurm").glob("*_submitted.pkl"))
    tasks = [int(p.name.split("_")[0]) for p in submitted]  # local job ids are pids
    try:
        assert tasks, "the array was never submitted"
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("nb1s: interrupted: "), err
        assert "unfinished array task(s) cancelled" in lines[0]
        deadline = time.monotonic() + 30
        while any(map(process_alive, tasks)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(process_alive, tasks))  # the task was cancelled, not left running
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in filter(process_alive, tasks):
            os.kill(pid, 9)
