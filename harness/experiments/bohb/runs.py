"""Running the BOHB runs of a `bohb` plan (in this process, or as Slurm job arrays) and its
black-box side; a finished run is skipped, an interrupted one replayed from its log."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from nb1s.harness.blackbox_runs.bohb_log import BohbLog
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors.base import ExecutorSettings
from nb1s.harness.experiments.bohb.curves import (
    read_evaluations,
)
from nb1s.harness.experiments.bohb.evaluation import EvaluationSpec
from nb1s.harness.experiments.bohb.master import BohbSettings
from nb1s.harness.experiments.bohb.protocol import BohbProtocol
from nb1s.harness.experiments.bohb.settings import (
    BLACKBOX,
    blackbox_plan,
    bohb_settings,
    log_folder,
    profile_hyperparameters,
)
from nb1s.harness.experiments.kind import Request
from nb1s.harness.recipe.plan import Plan


class JobDone:
    """What the CLI's progress bar reads from a finished unit (`key`, `ok`)."""

    def __init__(self, key: str) -> None:
        self.key, self.ok, self.returncode = key, True, 0


def data_inputs(plan: Plan, results: Path, request: Request, prepare: bool = True) -> Any:
    """The plan's data (`prepare_inputs`: the smoke data, or the user's folders checked
    before BOHB records 280 failed evaluations); `prepare=False` only names the folders."""
    from nb1s.harness.execution.inputs import prepare_inputs, user_gave_data
    from nb1s.harness.execution.runner import DataInputs

    opts = request.execution
    if prepare:
        return prepare_inputs(plan, results, opts)
    if plan.data.synthetic and not user_gave_data(plan, opts):
        folder = opts.smoke_data or results / "data"
        return DataInputs(nb101_dir=folder / "nb101-synthetic-full",
                          cifar_dir=folder / "digits")
    return DataInputs(nb101_dir=opts.data_dir, cifar_dir=opts.cifar_dir)


def evaluation_spec(request: Request, plan: Plan, data: Any, cs: int, space: int,
                    optimizer: str, seed: int) -> EvaluationSpec:
    """The `nb1s search` side of one BOHB run, with the protocol's switches."""
    protocol = BohbProtocol.from_settings(plan.settings)
    options = {"preset": plan.protocol, "data_split": "bohb_20k"}
    folder = log_folder(request.results, cs, space, optimizer, seed) / "evaluations"
    # a plan on synthetic data (the smoke profile's, decided once in the plan) trains its
    # tiny searches in this process; real ones are `nb1s search` children
    return EvaluationSpec(optimizer, space, cs, seed, folder, protocol,
                          profile_hyperparameters(plan), options,
                          data.nb101_dir, data.cifar_dir, in_process=plan.data.synthetic)


def run_one(request: Request, plan: Plan, data: Any, cs: int, space: int, optimizer: str,
            seed: int, submit_only: bool = False,
            parsed: ExecutorSettings | None = None) -> dict[str, Any]:
    """One BOHB run, skipped when its log says it finished.

    On an executor with job arrays, the run's workers are one array (`worker_map`);
    `submit_only` submits it and returns at once (`jobs`), so that all runs of the recipe
    queue together; `finish_one` then records each. `parsed`: the executor options as
    `reproduce` parsed them (parsed here when not given).
    """
    from nb1s.harness.experiments.bohb.evaluation import evaluate
    from nb1s.harness.experiments.bohb.master import run_bohb
    from nb1s.harness.experiments.bohb.spaces import configuration_space

    folder = log_folder(request.results, cs, space, optimizer, seed)
    settings = bohb_settings(plan.settings)
    finished = BohbLog(folder).read_record()  # bohb.json, validated
    if finished is not None:
        return finished.to_json()
    spec = evaluation_spec(request, plan, data, cs, space, optimizer, seed)
    slurm = runs_arrays(request.execution.executor)
    # local: one worker unless --workers says more (the recipe's 16 are GPUs of a cluster)
    workers = int(request.execution.workers or (plan.settings.get("workers", 1) if slurm else 1))
    record = {"cs": cs, "space": space, "optimizer": optimizer, "seed": seed,
              "settings": settings.as_dict(), "protocol": spec.protocol.as_dict(),
              "workers": workers}
    if slurm:
        from nb1s.harness.execution.prepare import executor_settings
        from nb1s.harness.execution.resources import slurm_request
        from nb1s.harness.experiments.bohb.distributed import ArrayTask, launch, worker_map

        executor = worker_map(request.execution.executor,
                              parsed or executor_settings(plan, request.execution),
                              folder / "slurm",
                              slurm_request(plan, request.execution, parallelism=workers))
        jobs = launch(executor, ArrayTask(cs, seed, workers, settings, spec, folder))
        if submit_only:
            return {**record, "status": "submitted", "jobs": jobs, "array": executor}
        executor.wait(jobs)  # a task pending for a configuration reason: one line
        for job in jobs:
            job.result()
    else:
        from nb1s.harness.experiments.bohb.evaluation import STOP, stop_all

        STOP.clear()
        run_bohb(configuration_space(cs, seed), partial(evaluate, spec), settings, folder,
                 seed, workers, on_stop=stop_all)
    return finish_one(request.results, record, settings)


def cancel_submitted(done: list[dict[str, Any]]) -> None:
    """Cancel the unfinished tasks of every BOHB array still waited for (`submitted`):
    when the recipe stops early (Ctrl-C, the black-box array refused or pending for a
    reason waiting cannot cure), none of them may stay queued behind it."""
    for record in done:
        array = record.get("array")
        if record.get("status") == "submitted" and array is not None:
            array.cancel(record.get("jobs", []))


def runs_arrays(executor: str) -> bool:
    """Whether `executor` runs job arrays (hpbandster's workers as one array)."""
    from nb1s.harness.executors.task_map import runs_arrays as maps_arrays

    return maps_arrays(executor)


def finish_one(results: Path, record: dict[str, Any], settings: BohbSettings
               ) -> dict[str, Any]:
    """Count the run's finished evaluations; mark it done when all are there."""
    folder = log_folder(results, record["cs"], record["space"], record["optimizer"],
                        record["seed"])
    jobs, array = record.pop("jobs", []), record.pop("array", None)
    if array is not None:
        array.wait(jobs)  # a task pending for a configuration reason: one line, not a wait
    for job in jobs:
        job.result()  # a failed Slurm task raises here (submitit's one-line error)
    finished = len(read_evaluations(folder))
    complete = finished == settings.evaluations()
    record = {**record, "status": "complete" if complete else "failed-evaluations",
              "evaluations": finished}
    if complete:  # otherwise the next invocation replays the log and retries the failures
        BohbLog(folder).write_record(record)
    return record


def run_blackbox(plan: Plan, results: Path, data: Any,
                 execution: ExecutionOptions) -> dict[str, Any]:
    """The seven black-box optimizers on every space, through `harness/blackbox_runs/`
    (`--executor slurm`: one job array for all of them; locally `--workers` processes, or
    `--blackbox-workers`: `ExecutionOptions.for_blackbox_side`)."""
    from nb1s.harness.experiments.bohb import blackbox_adapter

    execution = execution.for_blackbox_side()
    policy = ("mean_of_repeats" if plan.settings.get("nb101_repeat") == "mean"
              else "one_random_repeat")
    runs, seeds = blackbox_plan(plan)
    return blackbox_adapter.run_grids(runs, seeds, results / BLACKBOX, data.nb101_dir,
                                      policy, execution,
                                      smac_model=str(plan.settings.get("blackbox_smac_model",
                                                                       "original")))
