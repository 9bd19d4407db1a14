"""Ctrl-C with `--executor docker` and `--executor slurm` (issue 12, the executor gap).

The first interrupt must stop launching, stop what runs (Docker: `container.stop`, then
remove; Slurm: `job.cancel()` for every unfinished task of the array), write the finished
runs' aggregate marked partial and end in one line; a second interrupt kills at once.

Docker: no engine runs here, so the SDK client is a fake whose containers block in
`wait()` until they are stopped or killed, like real ones. Slurm: submitit's local
cluster, with real processes. The searches are stand-ins (a run folder written by the
TEST FIXTURE helper, or a process that sleeps), so each test takes seconds.
"""

from __future__ import annotations

import _thread
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from harness_fixtures import write_run
from search_helpers import process_alive

from nb1s.harness.cli.execution import stop_if_interrupted
from nb1s.harness.errors import RunStopped
from nb1s.harness.execution import runner as recipe_runner
from nb1s.harness.execution.runner import DataInputs
from nb1s.harness.executors import Interrupted, Job, JobResult
from nb1s.harness.executors.docker_runner import DockerExecutor, Mount
from nb1s.harness.executors.slurm import SlurmExecutor
from nb1s.harness.executors.slurm_array import SlurmRequest
from nb1s.harness.experiments.search_curves.reproduce import reproduce_recipe
from nb1s.harness.recipe.catalog import load_recipe


def _only_darts(optimizer: str) -> str | None:
    """Availability that keeps fig2's smoke plan small: only the DARTS and GDAS runs."""
    return None if optimizer in ("darts", "gdas") else "left out to keep this test short"


class _Container:
    """A container that runs until stopped or killed (or finishes at once when `quick`)."""

    def __init__(self, key: str, results: Path, quick: bool, ignores_stop: bool) -> None:
        self.key, self.results, self.quick, self.ignores_stop = key, results, quick, ignores_stop
        self.gone = threading.Event()
        self.stopped_with: int | None = None
        self.killed = self.removed = False

    def wait(self) -> dict[str, int]:
        if self.quick:  # a search that completes: its run folder is complete
            write_run(self.results / "runs" / self.key, [0.2, 0.1])
            return {"StatusCode": 0}
        self.gone.wait(20)
        return {"StatusCode": 137 if self.killed else 130}

    def stop(self, timeout: int) -> None:
        self.stopped_with = timeout
        if not self.ignores_stop:
            self.gone.set()

    def kill(self) -> None:
        self.killed = True
        self.gone.set()

    def logs(self) -> bytes:
        return b"search output\n"

    def remove(self, force: bool) -> None:
        self.removed = force


class _Client:
    """`client.containers.run(...)` -> a `_Container`; the first job's finishes at once."""

    def __init__(self, results: Path, first: str, ignores_stop: bool = False) -> None:
        self.made: dict[str, _Container] = {}
        self.containers = mock.Mock()
        self.images = mock.Mock()  # images.get(image): the engine has it

        def run(**spec: Any) -> _Container:
            key = spec["labels"]["nb1s.job"]
            self.made[key] = _Container(key, results, key == first, ignores_stop)
            return self.made[key]

        self.containers.run.side_effect = run


def _docker_setup(tmp_path: Path, ignores_stop: bool = False
                  ) -> tuple[Path, DataInputs, DockerExecutor, _Client, list[str]]:
    from nb1s.harness.recipe.optimizer_catalog import availability  # noqa: F401 (registers methods)
    from nb1s.harness.recipe.plan import plan_recipe

    results, nb101 = tmp_path / "results", tmp_path / "nb101"
    results.mkdir()
    nb101.mkdir()
    plan = plan_recipe(load_recipe("fig2"), "smoke", "paper", _only_darts)
    keys = [r.key for r in plan.runs]
    client = _Client(results, keys[0], ignores_stop)
    ex = DockerExecutor([Mount(results, "/results", False), Mount(nb101, "/data/nb101", True)],
                        image="nb1s:test", gpus=["0", "1"], client=client, stop_grace_s=7)
    return results, DataInputs(nb101_dir=nb101), ex, client, keys


def _interrupt_when(condition: Any, then: Any = None) -> Any:
    """An `on_done` that, at the first finished job, waits for `condition` and raises
    KeyboardInterrupt in the main thread, where a terminal's Ctrl-C lands."""
    def on_done(res: JobResult) -> None:
        deadline = time.monotonic() + 60
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        if then is not None:
            then()
        raise KeyboardInterrupt

    return on_done


def _stop_line(result: dict[str, Any], results: Path, keys: list[str]) -> str:
    """The one line of a first interrupt after the first run finished, checked for what
    every executor must leave: that run kept, the rest unfinished, a partial aggregate."""
    run = result["run"]
    assert run["finished"] == [keys[0]] and run["unfinished"] == keys[1:]
    agg = json.loads((results / "aggregate.json").read_text())
    assert agg["partial"] is True and agg["runs_used"] == [keys[0]]
    with pytest.raises(RunStopped) as stop:
        stop_if_interrupted(run)
    assert stop.value.exit_code == 130
    return str(stop.value)

def test_ctrl_c_with_docker_stops_and_removes_the_containers_and_writes_partial(
        tmp_path: Path) -> None:
    results, data, ex, client, keys = _docker_setup(tmp_path)
    assert len(keys) >= 3  # one finishes, one is running, at least one is still queued
    recipe = load_recipe("fig2")
    result = reproduce_recipe(recipe, results, ex, "smoke", "paper", data=data,
                              availability=_only_darts,
                              on_done=_interrupt_when(lambda: keys[1] in client.made))
    assert result.status == "interrupted" and result.verdict is None
    made = client.made
    assert len(made) < len(keys)  # it stopped launching: queued jobs never got a container
    assert all(c.removed for c in made.values())  # every container is removed
    running = [c for k, c in made.items() if k != keys[0]]
    assert running and all(c.stopped_with == 7 and not c.killed for c in running)
    assert made[keys[0]].stopped_with is None  # the finished one was left alone
    line = _stop_line(result.to_json(), results, keys)
    assert "\n" not in line
    assert f"1 of {len(keys)} runs complete" in line
    assert f"{len(running)} running container(s) were stopped and removed" in line
    assert "aggregated as partial" in line and "resume with: nb1s " in line


def test_a_second_ctrl_c_with_docker_kills_the_containers_at_once(tmp_path: Path) -> None:
    results, data, ex, client, keys = _docker_setup(tmp_path, ignores_stop=True)
    jobs = [recipe_runner.search_job(s, results, data, False)
            for s in _plan_specs()]
    second = threading.Timer(0.5, _thread.interrupt_main)  # the second Ctrl-C
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ex.run(jobs, _interrupt_when(lambda: keys[1] in client.made, second.start))
    assert time.monotonic() - started < 15  # not the stop grace time (7 s + 30 s)
    running = [c for k, c in client.made.items() if k != keys[0]]
    assert running and all(c.stopped_with == 7 and c.killed and c.removed for c in running)


def _plan_specs() -> list[Any]:
    from nb1s.harness.recipe.plan import plan_recipe

    return list(plan_recipe(load_recipe("fig2"), "smoke", "paper", _only_darts).runs)


# ------------------------------------------------------------------------------ Slurm

#: the stand-in search: the first run completes; every other one records its pid, sleeps
FAKE = """
import os, sys, time
sys.path.insert(0, {tests!r})
out = sys.argv[sys.argv.index("--out") + 1]
if out.endswith({first!r}):
    from harness_fixtures import write_run
    write_run(__import__("pathlib").Path(out), [0.2, 0.1])
    sys.exit(0)
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "pid"), "w").write(str(os.getpid()))
time.sleep(120)
"""


def test_ctrl_c_with_slurm_cancels_the_unfinished_tasks_and_writes_partial(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
        ) -> None:
    from nb1s.harness.executors.slurm import CONTROLLER_LOG

    results = tmp_path / "results"
    keys = [s.key for s in _plan_specs()]
    fake = FAKE.format(tests=str(Path(__file__).parent), first=keys[0])
    real_job = recipe_runner.search_job

    def stand_in(*args: Any, **kwargs: Any) -> Job:
        return real_job(*args, **{**kwargs, "program": (sys.executable, "-c", fake)})

    monkeypatch.setattr(recipe_runner, "search_job", stand_in)
    pids = [results / "runs" / k / "pid" for k in keys[1:]]
    ex = SlurmExecutor(results / "slurm", cluster="local", request=SlurmRequest(timeout_min=5))
    result = reproduce_recipe(load_recipe("fig2"), results, ex, "smoke", "paper",
                              data=DataInputs(), availability=_only_darts,
                              on_done=_interrupt_when(lambda: all(p.is_file() for p in pids)))
    assert result.status == "interrupted" and result.verdict is None
    sleepers = [int(p.read_text()) for p in pids]
    try:
        deadline = time.monotonic() + 20
        while any(map(process_alive, sleepers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(map(process_alive, sleepers))  # every unfinished task was cancelled
    finally:  # a failing run leaves no stand-in behind
        for pid in filter(process_alive, sleepers):
            os.kill(pid, 9)
    line = _stop_line(result.to_json(), results, keys)
    assert f"1 of {len(keys)} runs complete" in line
    assert f"the local cluster was asked to cancel their {len(keys) - 1} unfinished task(s)" \
        in line
    assert "resume with: nb1s " in line
    # the cancelled controllers' tracebacks go to a log, not next to the one line
    log = results / "slurm" / CONTROLLER_LOG
    err = ""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            log.is_file() and "KeyboardInterrupt" in log.read_text()):
        err += capfd.readouterr().err
        time.sleep(0.1)
    assert "Traceback" not in err + capfd.readouterr().err
    assert "KeyboardInterrupt" in log.read_text()


def test_an_interrupted_executor_without_a_running_task_says_so() -> None:
    stop = Interrupted([], ["a"], "no task was still running")
    line = recipe_runner.interrupt_line(
        {"skipped": [], "finished": [], "unfinished": stop.unfinished, "stop_note": stop.note},
        "nb1s run fig2")
    assert "0 of 1 runs complete, 1 not finished (a); no task was still running;" in line
