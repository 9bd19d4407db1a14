"""Command-line options shared by several commands, each declared once.

The executor options (`--executor` ... `--smoke-data`) are one table, `EXECUTION`: the
`with_execution_options` decorator puts them into a command's signature where it declares
`execution: ExecutionOptions` and hands the command one built `ExecutionOptions`. A new
executor option is one row here plus one field of `ExecutionOptions`; `run`, `reproduce`
and `check` all get it.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer

from nb1s.harness.execution.options import ExecutionOptions

F = TypeVar("F", bound=Callable[..., Any])

# Options of the commands that work on recipes (reused OptionInfo objects).
PROFILE = typer.Option("paper", "--profile", help="paper (as published) or smoke (tiny budgets, "
                       "synthetic data).")
PROTOCOL = typer.Option("paper", "--protocol", help="Where paper and released code disagree: "
                        "paper or original.")
OUT = typer.Option(None, "--out", help="Results folder (default results/NAME-PROFILE-PROTOCOL).")
AS_JSON = typer.Option(False, "--json", help="Machine-readable output.")
MIN_SEEDS = typer.Option(None, "--min-seeds", min=2, help="Seeds per group below which a "
                         "statistical row is underpowered (default: the recipe's diff.min_seeds,"
                         " 3 unless it says otherwise).")
SEEDS = typer.Option(None, "--seeds", help="Seeds to run, e.g. 0-5 or 0,1,2,7 (default: the "
                     "recipe's, or its smoke profile's). A verdict needs at least min_seeds "
                     "per side.")
MARGIN = typer.Option(None, "--margin", help="Equivalence margin as a ratio, e.g. 1.1 (default: "
                      "the recipe's diff.margin, 1.25).")
ALLOW_UNDECIDED = typer.Option(False, "--allow-undecided", help="Exit 0 on 'no decision' "
                               "(default: exit 4, a gate that cannot decide does not pass).")


@dataclass(frozen=True)
class OptionRow:
    """One executor option: the `ExecutionOptions` field it fills, its type and declaration."""

    field: str
    annotation: Any
    option: Any  # typer's OptionInfo


def _executor_names() -> str:
    """The registered executors as an English list (the registry's names, not a copy)."""
    from nb1s.harness.executors.registry import names

    *head, last = names()
    return f"{', '.join(head)} or {last}" if head else last


EXECUTION: tuple[OptionRow, ...] = (
    OptionRow("executor", str, typer.Option("local", "--executor",
                                            help=f"{_executor_names()}.")),
    OptionRow("workers", int | None, typer.Option(None, "--workers", min=1, help="Parallel runs "
                                                  "(default: one per GPU, or half the CPU "
                                                  "cores).")),
    OptionRow("blackbox_workers", int | None, typer.Option(
        None, "--blackbox-workers", min=1, help="fig5/14/15: parallel black-box tasks (local "
        "processes, or Slurm array slots on CPUs) apart from the BOHB workers (default: "
        "--workers).")),
    OptionRow("gpus", str | None, typer.Option(None, "--gpus", help="GPU ids to use, e.g. 0,1,2 "
                                               "(default: all visible).")),
    OptionRow("runs_per_gpu", int, typer.Option(
        1, "--runs-per-gpu", min=1, help="Local and Docker executors: searches sharing one GPU "
        "at a time (each GPU's free memory is checked first; K that does not fit is "
        "clipped with one line).")),
    OptionRow("gpu_memory_per_run", int | None, typer.Option(
        None, "--gpu-memory-per-run", min=1, help="MiB one search needs on the GPU, for "
        "--runs-per-gpu (default 4096, an assumption: bench/gpu_throughput.py measures the "
        "peak).")),
    OptionRow("image", str | None, typer.Option(None, "--image", help="Docker image (default "
                                                "nb1s:latest).")),
    OptionRow("slurm_partition", str | None, typer.Option(None, "--slurm-partition",
                                                          help="Slurm partition.")),
    OptionRow("blackbox_partition", str | None, typer.Option(
        None, "--blackbox-partition", help="fig5/14/15 on Slurm: partition of the CPU-only "
        "black-box array (default: --slurm-partition).")),
    OptionRow("slurm_cluster", str | None, typer.Option(None, "--slurm-cluster", help="submitit "
                                                        "cluster: slurm (default: auto) or local "
                                                        "(this machine, for testing).")),
    OptionRow("timeout_min", int, typer.Option(24 * 60, "--timeout-min", help="Slurm time limit "
                                               "per run, minutes.")),
    OptionRow("slurm_cpus", int | None, typer.Option(
        None, "--slurm-cpus", min=1, help="Slurm: CPUs per task (default: 4 for a run that "
        "trains on a GPU, 1 for a CPU-only run).")),
    OptionRow("slurm_mem_gb", int | None, typer.Option(
        None, "--slurm-mem-gb", min=1, help="Slurm: memory per task, GB (default: 16 for a "
        "GPU run, 4 for a CPU-only run).")),
    OptionRow("slurm_gpus", int | None, typer.Option(
        None, "--slurm-gpus", min=0, help="Slurm: GPUs per task (default: 1 where the plan "
        "trains on real data, 0 for CPU-only runs such as the smoke profile).")),
    OptionRow("data_dir", Path | None, typer.Option(None, "--data-dir", help="NB101 index folder "
                                                    "(paper profile).")),
    OptionRow("cifar_dir", Path | None, typer.Option(None, "--cifar-dir",
                                                     help="cifar-10-batches-py folder.")),
    OptionRow("smoke_data", Path | None, typer.Option(None, "--smoke-data", help="Where the smoke "
                                                      "profile's synthetic index and digits are "
                                                      "built/reused (default RESULTS/data).")),
)

_PARAMETER = "execution"


def with_execution_options(command: F) -> F:
    """Replace the command's `execution: ExecutionOptions` parameter by the `EXECUTION` options
    (same place, same order) and call it with the `ExecutionOptions` they build."""
    hints = typing.get_type_hints(command)
    signature = inspect.signature(command)
    params: list[inspect.Parameter] = []
    for p in signature.parameters.values():
        if p.name == _PARAMETER:
            params += [inspect.Parameter(row.field, inspect.Parameter.KEYWORD_ONLY,
                                         default=row.option, annotation=row.annotation)
                       for row in EXECUTION]
        else:
            params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                    annotation=hints.get(p.name, p.annotation)))
    if len(params) != len(signature.parameters) + len(EXECUTION) - 1:
        raise TypeError(f"{command.__name__} declares no {_PARAMETER!r} parameter")

    def wrapper(**kwargs: Any) -> Any:
        values = {row.field: kwargs.pop(row.field) for row in EXECUTION}
        return command(**kwargs, **{_PARAMETER: ExecutionOptions(**values)})

    wrapper.__name__ = command.__name__
    wrapper.__qualname__ = command.__qualname__
    wrapper.__doc__ = command.__doc__
    wrapper.__module__ = command.__module__
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return typing.cast(F, wrapper)
