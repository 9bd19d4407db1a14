"""Executors: a real local run, submitit's local executor, and the exact Docker spec.

No Docker engine runs on the CI machine: the Docker executor is checked through the
container spec it hands to a mocked SDK client. The real container launch is not run here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from harness_fixtures import spec, write_run

from nb1s.harness.execution.runner import DataInputs, bind_results, run_plan, search_job
from nb1s.harness.executors import Job
from nb1s.harness.executors.docker_runner import IMAGE_USER, DockerExecutor, Mount
from nb1s.harness.executors.local import LocalExecutor, worker_envs
from nb1s.harness.executors.slurm import SlurmExecutor
from nb1s.harness.executors.slurm_array import SlurmRequest
from nb1s.harness.recipe.plan import Plan

WRITE_ENV = ("import json, os, sys; json.dump({k: os.environ.get(k) for k in "
             "('CUDA_VISIBLE_DEVICES', 'OMP_NUM_THREADS', 'NB1S_JOB')}, open(sys.argv[1], 'w'))")


def _trivial(tmp_path: Path, key: str) -> Job:
    return Job(key, (tmp_path / f"{key}.json",), tmp_path / "logs" / f"{key}.log",
               program=(sys.executable, "-c", WRITE_ENV), env={"NB1S_JOB": key})


def test_local_executor_runs_jobs_in_parallel_one_gpu_each(tmp_path: Path) -> None:
    jobs = [_trivial(tmp_path, f"j{i}") for i in range(4)]
    done: list[str] = []
    ex = LocalExecutor(workers=2, gpus=["3", "5"])
    results = ex.run(jobs, on_done=lambda r: done.append(r.key))
    assert [r.key for r in results] == ["j0", "j1", "j2", "j3"]
    assert all(r.ok for r in results) and sorted(done) == ["j0", "j1", "j2", "j3"]
    seen = [json.loads((tmp_path / f"j{i}.json").read_text()) for i in range(4)]
    assert {s["CUDA_VISIBLE_DEVICES"] for s in seen} <= {"3", "5"}
    assert [s["NB1S_JOB"] for s in seen] == ["j0", "j1", "j2", "j3"]
    assert (tmp_path / "logs" / "j0.log").read_text().startswith("$ ")


def test_cpu_workers_split_the_cores() -> None:
    envs = worker_envs(2, [], cpus=8)
    assert envs == [{"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "4",
                     "MKL_NUM_THREADS": "4"}] * 2
    assert LocalExecutor(workers=4, gpus=["0", "1"]).workers == 2  # never two runs per GPU


def test_failing_job_is_reported(tmp_path: Path) -> None:
    job = Job("bad", (), tmp_path / "bad.log",
              program=(sys.executable, "-c", "raise SystemExit(7)"))
    (res,) = LocalExecutor(workers=1, gpus=[]).run([job])
    assert res.returncode == 7 and not res.ok


def test_submitit_local_executor_runs_the_same_job(tmp_path: Path) -> None:
    ex = SlurmExecutor(tmp_path / "slurm", cluster="local",
                       request=SlurmRequest(timeout_min=5, gpus_per_task=1))
    results = ex.run([_trivial(tmp_path, "s0"), _trivial(tmp_path, "s1")])
    assert [r.ok for r in results] == [True, True]
    assert json.loads((tmp_path / "s1.json").read_text())["NB1S_JOB"] == "s1"
    assert "gpus_per_node" not in ex.params  # local: no Slurm-only parameters
    slurm = SlurmExecutor(tmp_path, cluster="slurm",
                          request=SlurmRequest(partition="gpu", gpus_per_task=1))
    assert slurm.params["slurm_partition"] == "gpu" and slurm.params["gpus_per_node"] == 1
    cpu = SlurmExecutor(tmp_path, cluster="slurm", request=SlurmRequest(gpus_per_task=0))
    assert "gpus_per_node" not in cpu.params  # CPU-only: no gres line at all


def _docker(tmp_path: Path, client: Any) -> tuple[DockerExecutor, Path, Path]:
    results, data = tmp_path / "results", tmp_path / "nb101"
    results.mkdir()
    data.mkdir()
    ex = DockerExecutor([Mount(results, "/results", False), Mount(data, "/data/nb101", True)],
                        image="nb1s:test", gpus=["1", "2"], client=client, user=None)
    return ex, results, data


def test_docker_container_spec(tmp_path: Path) -> None:
    ex, results, data = _docker(tmp_path, client=mock.Mock())
    s = spec("darts", 2, 4, 50)
    job = search_job(s, results, DataInputs(nb101_dir=data), resume=True)
    c = ex.container_spec(job, gpu="2")
    assert c["image"] == "nb1s:test"
    assert c["command"][:2] == ["search", "darts"]  # the image's entrypoint is nb1s
    out = c["command"][c["command"].index("--out") + 1]
    assert out == "/results/runs/darts/space2/seed4"
    assert c["command"][c["command"].index("--data-dir") + 1] == "/data/nb101"
    assert "--resume" in c["command"] and "--json" in c["command"]
    assert c["volumes"] == {str(results.resolve()): {"bind": "/results", "mode": "rw"},
                            str(data.resolve()): {"bind": "/data/nb101", "mode": "ro"}}
    (dev,) = c["device_requests"]
    assert dev["DeviceIDs"] == ["2"] and dev["Capabilities"] == [["gpu"]]
    uid, _, gid = c["user"].partition(":")
    assert uid != "0" and gid != "0"  # never root inside the container
    assert c["detach"] is True and "entrypoint" not in c
    assert c["network_mode"] == "none"  # a search reads only its mounted files


def test_docker_run_goes_through_the_sdk(tmp_path: Path) -> None:
    client = mock.Mock()
    container = client.containers.run.return_value
    container.wait.return_value = {"StatusCode": 0}
    container.logs.return_value = b"search output\n"
    ex, results, data = _docker(tmp_path, client)
    jobs = [search_job(spec("gdas", 1, k, 2), results, DataInputs(nb101_dir=data), False)
            for k in range(3)]
    res = ex.run(jobs)
    assert [r.ok for r in res] == [True, True, True]
    assert client.containers.run.call_count == 3
    gpus = {c.kwargs["device_requests"][0]["DeviceIDs"][0]
            for c in client.containers.run.call_args_list}
    assert gpus <= {"1", "2"}
    assert container.remove.call_count == 3
    assert (results / "logs" / "gdas/space1/seed0.log").read_bytes() == b"search output\n"


def test_docker_root_caller_runs_as_image_user(tmp_path: Path) -> None:
    with mock.patch("os.getuid", return_value=0), mock.patch("os.getgid", return_value=0):
        ex, _, _ = _docker(tmp_path, client=mock.Mock())
    assert ex.user == IMAGE_USER


class _Recorder:
    """A fake executor that records the jobs and writes a complete run for each."""

    name = "recorder"

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def describe(self) -> dict[str, object]:
        return {"executor": self.name}

    def run(self, jobs: Any, on_done: Any = None) -> list[Any]:
        from nb1s.harness.executors import JobResult

        out = []
        for job in jobs:
            self.jobs.append(job)
            run_dir = Path(job.args[job.args.index("--out") + 1])
            write_run(run_dir, [0.1, 0.05])
            out.append(JobResult(job.key, 0, 0.0, str(job.log)))
        return out


def _plan(n: int) -> Plan:
    runs = [spec("darts", 1, s, 1) for s in range(n)]
    return Plan(recipe="fig2", version=1, title="t", kind="search", profile="smoke",
                protocol="paper", runs=runs, final_epoch="last", band="std", spaces=[1],
                labels=["smoke", "synthetic"])


def test_finished_runs_are_skipped_and_interrupted_ones_resumed(tmp_path: Path) -> None:
    plan = _plan(3)
    write_run(tmp_path / "runs" / "darts/space1/seed0", [0.1, 0.05])  # finished
    write_run(tmp_path / "runs" / "darts/space1/seed1", [0.1], status="running")  # interrupted
    rec = _Recorder()
    summary = run_plan(plan, tmp_path, rec, DataInputs())
    assert summary.skipped == ["darts/space1/seed0"]
    assert summary.resumed == ["darts/space1/seed1"]
    assert summary.started == ["darts/space1/seed2"]
    by_key = {j.key: j for j in rec.jobs}
    assert "--resume" in by_key["darts/space1/seed1"].args
    assert "--resume" not in by_key["darts/space1/seed2"].args
    again = run_plan(plan, tmp_path, _Recorder(), DataInputs())
    assert len(again.skipped) == 3 and not again.started and not again.resumed


def test_results_folder_is_bound_to_one_recipe_version(tmp_path: Path) -> None:
    import pytest

    from nb1s.harness.errors import UserError

    bind_results(_plan(1), tmp_path)
    other = _plan(0).but(version=2)
    with pytest.raises(UserError, match="choose another --out"):
        bind_results(other, tmp_path)


def test_search_job_command_line() -> None:
    s = spec("darts", 3, 5, 50)
    s.hyperparameters.update({"cutout": False, "weight_decay": 0.0027, "batch_size": 96})
    job = search_job(s, Path("/r"), DataInputs(cifar_dir=Path("/c")), resume=False)
    args = [str(a) for a in job.args]
    assert args[:8] == ["search", "darts", "--space", "3", "--epochs", "50", "--seed", "5"]
    assert "cutout=false" in args and "weight_decay=0.0027" in args and "batch_size=96" in args
    assert args[args.index("--out") + 1] == "/r/runs/darts/space3/seed5"
    assert args[args.index("--cifar-dir") + 1] == "/c" and "--data-dir" not in args


def test_a_second_concurrent_run_on_the_same_results_is_refused(tmp_path: Path) -> None:
    import fcntl

    import pytest

    from nb1s.harness.errors import UserError

    with open(tmp_path / ".nb1s.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(UserError, match="is in use by"):
            run_plan(_plan(1), tmp_path, _Recorder(), DataInputs())
    assert run_plan(_plan(1), tmp_path, _Recorder(), DataInputs()).started == [
        "darts/space1/seed0"]
