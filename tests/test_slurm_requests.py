"""What a Slurm task asks for, and the decisions around it, without a cluster.

The request comes from the plan (a CPU-only smoke run asks for no GPU), is checked against
the partition's nodes as `sinfo` lists them, and a task that pends for a configuration
reason or that Slurm ended itself is one line. tests/test_engines_slurm.py runs the same
on a real cluster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nb1s.harness.errors import RunStopped, UserError
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.execution.resources import slurm_request
from nb1s.harness.executors.base import Job, JobResult
from nb1s.harness.executors.slurm import SlurmExecutor
from nb1s.harness.executors.slurm_array import (
    NodeOffer,
    SlurmArray,
    SlurmRequest,
    check_fits,
    ending,
    parse_gres_gpus,
    parse_minutes,
    partition_offers,
    pending_problem,
)
from nb1s.harness.recipe.catalog import load_recipe
from nb1s.harness.recipe.plan import plan_recipe as make_plan

SINFO = ("debug*|2|24105|(null)|infinite\n"
         "gpu|16|512000|gpu:a100:4(S:0-1)|2-00:00:00\n"
         "gpu|16|512000|gpu:a100:2(S:0)|2-00:00:00\n")


def test_slurm_time_and_gres_formats() -> None:
    assert parse_minutes("infinite") is None and parse_minutes("UNLIMITED") is None
    assert parse_minutes("2-00:00:00") == 2880 and parse_minutes("1:30:00") == 90
    assert parse_minutes("30:00") == 30 and parse_minutes("45") == 45
    assert parse_minutes("0:00:59") == 0  # rounded down: a limit is never overstated
    assert parse_gres_gpus("(null)") == 0 and parse_gres_gpus("gpu:2") == 2
    assert parse_gres_gpus("gpu:a100:4(S:0-1),shard:8") == 4


def test_partition_offers_read_sinfo_and_find_the_default() -> None:
    (default,) = partition_offers(None, run=lambda argv: SINFO)
    assert default == NodeOffer("debug", 2, 24105, 0, None)
    gpu = partition_offers("gpu", run=lambda argv: SINFO)
    assert [o.gpus for o in gpu] == [4, 2] and gpu[0].time_limit_min == 2880
    assert partition_offers("moon", run=lambda argv: SINFO) == []


def test_what_no_node_can_fit_is_refused_in_one_line() -> None:
    cpu = partition_offers(None, run=lambda argv: SINFO)
    check_fits(SlurmRequest(cpus_per_task=2, mem_gb=23), cpu)  # fits exactly
    with pytest.raises(UserError, match=r"asks 3 CPUs per task, its largest node has 2 "
                                        r"\(--slurm-cpus\)$"):
        check_fits(SlurmRequest(cpus_per_task=3), cpu)
    with pytest.raises(UserError, match=r"24 GB per task, its largest node has 23 GB"):
        check_fits(SlurmRequest(mem_gb=24), cpu)
    with pytest.raises(UserError, match=r"1 GPU\(s\) per task, its nodes have none"):
        check_fits(SlurmRequest(gpus_per_task=1), cpu)
    gpu = partition_offers("gpu", run=lambda argv: SINFO)
    check_fits(SlurmRequest(gpus_per_task=4, timeout_min=2880, partition="gpu"), gpu)
    with pytest.raises(UserError, match=r"2881 min per task, its time limit is 2880 min"):
        check_fits(SlurmRequest(gpus_per_task=1, timeout_min=2881, partition="gpu"), gpu)
    with pytest.raises(UserError, match="partition moon has no nodes"):
        check_fits(SlurmRequest(partition="moon"), [])
    # each resource fits on some node, but no single node has them all
    mixed = [NodeOffer("p", 64, 1024, 0, None), NodeOffer("p", 1, 64 * 1024, 0, None)]
    with pytest.raises(UserError, match="no single node has all of it"):
        check_fits(SlurmRequest(cpus_per_task=8, mem_gb=8), mixed)


def test_a_smoke_run_asks_for_no_gpu_and_a_paper_run_for_one() -> None:
    recipe = load_recipe("fig2")
    smoke = slurm_request(make_plan(recipe, "smoke", "paper"), ExecutionOptions())
    paper = slurm_request(make_plan(recipe, "paper", "paper"), ExecutionOptions())
    assert (smoke.cpus_per_task, smoke.mem_gb, smoke.gpus_per_task) == (1, 4, 0)
    assert (paper.cpus_per_task, paper.mem_gb, paper.gpus_per_task) == (4, 16, 1)
    assert "gpus_per_node" not in smoke.parameters(None)
    assert paper.parameters(None)["gpus_per_node"] == 1
    mine = slurm_request(make_plan(recipe, "paper", "paper"), ExecutionOptions(
        slurm_cpus=8, slurm_mem_gb=32, slurm_gpus=0, timeout_min=60, slurm_partition="p",
        workers=3))
    assert mine == SlurmRequest(cpus_per_task=8, mem_gb=32, gpus_per_task=0, timeout_min=60,
                                partition="p", parallelism=3)


def test_a_task_pending_for_a_configuration_reason_is_named() -> None:
    def squeue(reason: str) -> Any:
        return lambda argv: f"12_0|RUNNING|None\n12_[1-3%2]|PENDING|{reason}\n"

    assert pending_problem(["12_0", "12_1"], run=squeue("Resources")) is None  # just waiting
    assert pending_problem(["12_0", "12_1"], run=squeue("Priority")) is None
    assert pending_problem(["12_0", "12_1"], run=squeue("PartitionConfig")) == \
        "job 12_[1-3%2] pends: PartitionConfig"
    assert pending_problem([], run=squeue("PartitionConfig")) is None


class Handle:
    """A stand-in for submitit's job: done or not, a state, a result or an error."""

    def __init__(self, job_id: str, state: str, result: Any = None,
                 error: Exception | None = None) -> None:
        self.job_id, self.state, self._result, self._error = job_id, state, result, error
        self.cancelled = False

    def done(self) -> bool:
        return self.state != "PENDING" and self.state != "RUNNING"

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._result

    def cancel(self, check: bool = True) -> None:
        self.cancelled = True


def test_ending_names_what_slurm_did() -> None:
    assert ending(Handle("1_0", "CANCELLED by 0")) == "CANCELLED by 0"
    assert ending(Handle("1_0", "TIMEOUT")) == "TIMEOUT"
    assert ending(Handle("1_0", "COMPLETED")) is None
    assert ending(Handle("1_0", "FAILED")) is None  # the run itself failed: its own log


class FakeArray(SlurmArray):
    def __init__(self, handles: list[Handle], pending: str | None = None) -> None:
        super().__init__(Path("/nowhere"), SlurmRequest(), cluster=None)
        self.handles, self.pending = handles, pending

    def submit(self, fn: Any, *inputs: Any) -> list[Any]:
        return list(self.handles)


def _jobs(n: int) -> list[Job]:
    return [Job(f"run{k}", ("search",), Path(f"/tmp/run{k}.log")) for k in range(n)]


def test_a_run_cancelled_or_timed_out_by_slurm_is_one_line_not_a_wait(tmp_path: Path) -> None:
    from submitit.core.utils import UncompletedJobError

    handles = [Handle("7_0", "COMPLETED", JobResult("run0", 0, 1.0, "log")),
               Handle("7_1", "CANCELLED by 0", error=UncompletedJobError("7_1 CANCELLED")),
               Handle("7_2", "CANCELLED by 0", error=UncompletedJobError("7_2 CANCELLED"))]
    ex = SlurmExecutor(tmp_path, array=FakeArray(handles))
    with pytest.raises(RunStopped) as stop:
        ex.run(_jobs(3))
    assert stop.value.exit_code == 1
    assert str(stop.value) == ("Slurm ended run run1 (task 7_1): CANCELLED by 0 (and 1 more) "
                               "before it finished; 1 of 3 runs finished and are kept; the "
                               "same command resumes the rest")
    # a time-out among them names the limit: the same limit would only time out again
    handles[2] = Handle("7_2", "TIMEOUT", JobResult("run2", 130, 60.0, "log"))
    with pytest.raises(RunStopped) as stop:
        SlurmExecutor(tmp_path, array=FakeArray(handles)).run(_jobs(3))
    assert stop.value.exit_code == 1
    assert str(stop.value) == ("Slurm ended run run2 (task 7_2): TIMEOUT (and 1 more) at its "
                               "time limit (1440 min per task) before it finished; 1 of 3 "
                               "runs finished and are kept; the same command with a longer "
                               "--timeout-min resumes the rest from their last saved epoch")
    # a run that failed on its own (exit code) is the runner's to report, not a stop
    ok = [Handle("8_0", "FAILED", JobResult("run0", 3, 1.0, "log"))]
    (res,) = SlurmExecutor(tmp_path, array=FakeArray(ok)).run(_jobs(1))
    assert res.returncode == 3


def test_a_configuration_pending_cancels_the_array_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.executors import slurm, slurm_array

    monkeypatch.setattr(slurm, "WATCH_S", 0.0)
    monkeypatch.setattr(slurm, "POLL_S", 0.01)
    monkeypatch.setattr(slurm_array, "pending_problem",
                        lambda ids, run=None: f"job {ids[0]} pends: PartitionConfig")
    handles = [Handle("9_0", "PENDING"), Handle("9_1", "PENDING")]
    with pytest.raises(UserError) as refused:
        SlurmExecutor(tmp_path, array=FakeArray(handles)).run(_jobs(2))
    assert str(refused.value).startswith("--executor slurm: job 9_0 pends: PartitionConfig "
                                         "(the partition's limits cannot give what the "
                                         "task asks")
    assert "the array was cancelled (2 task(s))" in str(refused.value)
    assert "change the request (--slurm-cpus" in str(refused.value)
    assert all(h.cancelled for h in handles)


def test_a_down_partition_is_named_as_such_and_the_cure_is_another_partition(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from nb1s.harness.executors import slurm_array

    monkeypatch.setattr(slurm_array, "pending_problem",
                        lambda ids, run=None: f"job {ids[0]} pends: PartitionDown")
    monkeypatch.setattr(slurm_array, "WATCH_S", 0.0)
    handles = [Handle("9_0", "PENDING")]
    with pytest.raises(UserError) as refused:
        FakeArray(handles).wait(handles, sleep=lambda s: None)
    line = str(refused.value)
    assert "pends: PartitionDown (the partition does not start jobs" in line, line
    assert "choose another partition (--slurm-partition)" in line and "--slurm-cpus" not in line
    assert handles[0].cancelled


class Settling(Handle):
    """A task whose function returned (result file) while Slurm still ends it: sacct says
    RUNNING for the first `running` asks, then its final state."""

    def __init__(self, job_id: str, final: str, result: Any, running: int) -> None:
        super().__init__(job_id, final, result)
        self.asks, self.running = 0, running

    def done(self) -> bool:
        return True

    def get_info(self, mode: str = "force") -> dict[str, str]:
        self.asks += 1
        return {"State": "RUNNING" if self.asks <= self.running else self.state}


def test_a_failed_task_is_judged_by_slurm_s_final_state_not_its_result_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped at its time limit, the search records `interrupted` and the task returns
    exit 130 while sacct still says RUNNING: nb1s waits for TIMEOUT before it judges."""
    from nb1s.harness.executors import slurm

    monkeypatch.setattr(slurm, "POLL_S", 0.0)
    handle = Settling("5_0", "TIMEOUT", JobResult("run0", 130, 60.0, "log"), running=3)
    with pytest.raises(RunStopped) as stop:
        SlurmExecutor(tmp_path, array=FakeArray([handle])).run(_jobs(1))
    assert "TIMEOUT" in str(stop.value) and handle.asks == 4
    # submitit's local cluster has no accounting to wait for: judged at once
    local = Settling("5_2", "FINISHED", JobResult("run0", 3, 1.0, "log"), running=10**6)
    (res,) = SlurmExecutor(tmp_path, cluster="local", array=FakeArray([local])).run(_jobs(1))
    assert res.returncode == 3 and local.asks == 0
    # never a wait without end: past SETTLE_S the result is judged as it is
    monkeypatch.setattr(slurm, "SETTLE_S", 0.0)
    stuck = Settling("5_1", "RUNNING", JobResult("run0", 130, 60.0, "log"), running=10**6)
    (res,) = SlurmExecutor(tmp_path, array=FakeArray([stuck])).run(_jobs(1))
    assert res.returncode == 130


def test_the_arrays_ask_slurm_for_no_usr2_before_the_time_limit() -> None:
    """submitit's USR2 warning arrives up to a minute early and kills a search that has no
    handler for it; the arrays replace it with SIGURG, which every process ignores."""
    params = SlurmRequest(timeout_min=1).parameters(None)
    assert params["slurm_additional_parameters"] == {"signal": "URG@90"}
    assert "slurm_additional_parameters" not in SlurmRequest().parameters("local")
