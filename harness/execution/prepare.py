"""Everything a plan needs before its first run starts: refusals, data folders, executor.

What `nb1s run`, `nb1s reproduce` and `nb1s check` share, so all three resolve data
folders, executors and the results folder the same way. The order matters: whatever can
be refused without data is refused before the (slow) smoke data is built.
"""

from __future__ import annotations

from pathlib import Path

from nb1s.harness.execution.inputs import prepare_inputs
from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.execution.runner import plan_command_of
from nb1s.harness.executors.base import DataInputs, Executor, ExecutorSettings
from nb1s.harness.executors.factory import check_executor_options, make_executor
from nb1s.harness.recipe.plan import Plan


def executor_settings(plan: Plan | None, opts: ExecutionOptions) -> ExecutorSettings:
    """The executor options checked and parsed once (each refusal one line), with what each
    Slurm task of `plan` asks for (execution/resources.py), checked against the partition
    before any data is built."""
    from nb1s.harness.execution.resources import slurm_request

    request = slurm_request(plan, opts) if plan is not None else None
    return check_executor_options(opts.executor, opts.timeout_min, opts.slurm_cluster,
                                  opts.gpus, opts.runs_per_gpu, opts.gpu_memory_per_run,
                                  workers=opts.workers, image=opts.image,
                                  slurm_partition=opts.slurm_partition,
                                  slurm_request=request)


def build_executor(opts: ExecutionOptions, results: Path, data: DataInputs,
                   plan: Plan | None = None, settings: ExecutorSettings | None = None
                   ) -> Executor:
    """The executor `opts` asks for, writing into `results` and reading `data`."""
    settings = settings or executor_settings(plan, opts)
    return make_executor(opts.executor, results, data, settings=settings)


def check_before_data(plan: Plan, results: Path, opts: ExecutionOptions) -> ExecutorSettings:
    """Everything that can be refused without data, refused before the (slow) smoke data
    is built: executor options (the Slurm request against the partition included), and
    an `--out` that belongs to another command. Returns the parsed executor settings."""
    from nb1s.harness.guards.out_folder import check_out

    settings = executor_settings(plan, opts)
    check_out(results, "check" if plan_command_of(plan) == "check" else "results")
    return settings


def prepare_execution(plan: Plan, results: Path, opts: ExecutionOptions
                      ) -> tuple[DataInputs, Executor]:
    """The data folders and the executor every run of `plan` will use."""
    settings = check_before_data(plan, results, opts)
    data = prepare_inputs(plan, results, opts)
    return data, build_executor(opts, results, data, plan, settings)
