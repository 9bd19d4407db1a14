"""How and where a plan's runs execute: the options `run`, `reproduce` and `check` share.

A plain dataclass below the CLI, so that the experiment kinds (which receive it in their
`Request`) and the executors never import typer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class ExecutionOptions:
    executor: str = "local"
    workers: int | None = None
    blackbox_workers: int | None = None
    gpus: str | None = None
    runs_per_gpu: int = 1
    gpu_memory_per_run: int | None = None
    image: str | None = None
    slurm_partition: str | None = None
    blackbox_partition: str | None = None
    slurm_cluster: str | None = None
    timeout_min: int = 24 * 60
    #: per Slurm task; None: from the plan's needs (execution/resources.py)
    slurm_cpus: int | None = None
    slurm_mem_gb: int | None = None
    slurm_gpus: int | None = None
    data_dir: Path | None = None
    cifar_dir: Path | None = None
    smoke_data: Path | None = None

    def for_blackbox_side(self) -> ExecutionOptions:
        """The options of fig5/14/15's black-box grid: `--blackbox-workers` and
        `--blackbox-partition` in place of `--workers` and `--slurm-partition` where given
        (the BOHB side wants one GPU per worker, the black-box side many CPU-only tasks)."""
        return replace(self, workers=self.blackbox_workers or self.workers,
                       slurm_partition=self.blackbox_partition or self.slurm_partition)


def default_results(name: str, profile: str, protocol: str) -> Path:
    """`results/<recipe>-<profile>-<protocol>`: one folder per way of running a recipe."""
    return Path("results") / f"{name}-{profile}-{protocol}"
