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
from nb1s.harness.executors.base import DataInputs, Executor
from nb1s.harness.executors.factory import check_executor_options, make_executor, parse_gpus
from nb1s.harness.recipe.plan import Plan


def build_executor(opts: ExecutionOptions, results: Path, data: DataInputs,
                   plan: Plan | None = None) -> Executor:
    """The executor `opts` asks for, writing into `results` and reading `data`; on Slurm
    each task asks for what `plan`'s runs need (execution/resources.py)."""
    from nb1s.harness.execution.resources import slurm_request

    request = slurm_request(plan, opts) if plan is not None else None
    return make_executor(opts.executor, results, data, workers=opts.workers,
                         gpus=parse_gpus(opts.gpus), image=opts.image,
                         slurm_partition=opts.slurm_partition,
                         slurm_cluster=opts.slurm_cluster, timeout_min=opts.timeout_min,
                         slurm_request=request)


def check_before_data(plan: Plan, results: Path, opts: ExecutionOptions) -> None:
    """Everything that can be refused without data, refused before the (slow) smoke data
    is built: executor options, and an `--out` that belongs to another command."""
    from nb1s.harness.guards.out_folder import check_out

    check_executor_options(opts.executor, opts.timeout_min, opts.slurm_cluster, opts.gpus)
    check_out(results, "check" if plan_command_of(plan) == "check" else "results")


def prepare_execution(plan: Plan, results: Path, opts: ExecutionOptions
                      ) -> tuple[DataInputs, Executor]:
    """The data folders and the executor every run of `plan` will use."""
    check_before_data(plan, results, opts)
    data = prepare_inputs(plan, results, opts)
    return data, build_executor(opts, results, data, plan)
