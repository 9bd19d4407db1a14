"""What `nb1s run`, `nb1s reproduce` and `nb1s check` share: data, executor, progress bar.

Kept apart from the command modules so all three resolve data folders, executors and the
results folder the same way.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from nb1s.harness.cli.output import progress_bar
from nb1s.harness.execution.options import ExecutionOptions, default_results  # noqa: F401  (re-exported)
from nb1s.harness.execution.runner import DataInputs, Executor, RunSummary
from nb1s.harness.executors import JobResult
from nb1s.harness.recipe.plan import Plan

CIFAR_ENV = "NB1S_CIFAR_DIR"


def resolve_data(plan: Plan, results: Path, opts: ExecutionOptions) -> DataInputs:
    """Smoke: synthetic index + digits (built once); paper: the user's folders.

    Local and Slurm runs may leave a folder unset (`nb1s search` then uses its own default);
    Docker needs explicit folders to mount, so they are resolved here.
    """
    if plan.profile == "smoke" and opts.data_dir is None and opts.cifar_dir is None:
        from nb1s.harness.execution.smoke_data import prepare_smoke_data

        return prepare_smoke_data(opts.smoke_data or results / "data", plan.spaces)
    nb101, cifar = opts.data_dir, opts.cifar_dir
    if opts.executor == "docker":
        from nb1s.harness.nb101.paths import resolve_data_dir

        nb101 = resolve_data_dir(nb101)
        env = os.environ.get(CIFAR_ENV)
        cifar = cifar or (Path(env) if env else None)
    preflight(DataInputs(nb101_dir=nb101, cifar_dir=cifar))
    return DataInputs(nb101_dir=nb101, cifar_dir=cifar)


def preflight(data: DataInputs) -> None:
    """Fail before launching dozens of runs when the data is not there (one-line UserError).

    Uses the same resolution as `nb1s search` (option, else environment, else default), so
    a run that passes here finds its data.
    """
    from nb1s.harness.images.cifar import resolve_cifar_dir
    from nb1s.harness.nb101.store import open_store

    open_store(data.nb101_dir)
    resolve_cifar_dir(data.cifar_dir)


def build_executor(opts: ExecutionOptions, results: Path, data: DataInputs) -> Executor:
    from nb1s.harness.executors.factory import make_executor, parse_gpus

    gpus = parse_gpus(opts.gpus)
    return make_executor(opts.executor, results, data, workers=opts.workers, gpus=gpus,
                         image=opts.image, slurm_partition=opts.slurm_partition,
                         slurm_cluster=opts.slurm_cluster, timeout_min=opts.timeout_min)


@contextlib.contextmanager
def run_progress(enabled: bool) -> Iterator[tuple[Callable[[int], None] | None,
                                                   Callable[[JobResult], None] | None]]:
    """(on_start, on_done) callbacks driving one rich bar over the runs, or (None, None)."""
    with progress_bar("runs", enabled, status=True, elapsed=True, remaining=False) as bar:
        if bar is None:
            yield None, None
            return

        def on_start(total: int) -> None:
            bar.update(total=total)

        def on_done(res: JobResult) -> None:
            mark = "ok" if res.ok else f"FAILED (exit {res.returncode})"
            bar.update(advance=1, status=f"{res.key}: {mark}")

        yield on_start, on_done


def check_before_data(plan: Plan, results: Path, opts: ExecutionOptions) -> None:
    """Everything that can be refused without data, refused before the (slow) smoke data
    is built: executor options, and an `--out` that belongs to another command."""
    from nb1s.harness.execution.runner import plan_command_of
    from nb1s.harness.executors.factory import check_executor_options
    from nb1s.harness.guards.out_folder import check_out

    check_executor_options(opts.executor, opts.timeout_min, opts.slurm_cluster, opts.gpus)
    check_out(results, "check" if plan_command_of(plan) == "check" else "results")


def prepare_execution(plan: Plan, results: Path, opts: ExecutionOptions
                      ) -> tuple[DataInputs, Executor]:
    """The data folders and the executor every run of `plan` will use."""
    check_before_data(plan, results, opts)
    data = resolve_data(plan, results, opts)
    return data, build_executor(opts, results, data)


def stop_if_interrupted(run: dict[str, object]) -> None:
    """After Ctrl-C/SIGTERM: one line (finished, unfinished, the resuming command), exit 130."""
    import shlex
    import sys

    from nb1s.harness.errors import RunStopped
    from nb1s.harness.execution.runner import interrupt_line

    if run.get("interrupted"):
        resume = "nb1s " + shlex.join(sys.argv[1:])
        raise RunStopped(interrupt_line(dict(run), resume), 130, "interrupted")


def execute_plan(plan: Plan, results: Path, opts: ExecutionOptions, show_progress: bool,
                 program: tuple[str, ...] | None = None) -> RunSummary:
    """Run every unfinished run of `plan` (what `nb1s run` and `nb1s check` share)."""
    from nb1s.harness.execution.runner import run_plan

    data, ex = prepare_execution(plan, results, opts)
    with run_progress(show_progress) as (on_start, on_done):
        summary = run_plan(plan, results, ex, data, on_done=on_done, on_start=on_start,
                           program=program)
    stop_if_interrupted(summary.as_dict())
    return summary
