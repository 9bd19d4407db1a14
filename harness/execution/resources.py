"""What one run of a plan asks a cluster for: the plan's needs, then the user's options.

Why here: the executors know how to ask (executors/slurm_array.py), only the plan knows
what its runs need. A run that trains on real data (the paper profile) wants a GPU, four
CPUs for its data loading and 16 GB; a run on the smoke profile's synthetic index and
digits images is CPU-only and small, and asks for no GPU at all (a cluster without GPUs
refuses any GPU request). `--slurm-cpus`, `--slurm-mem-gb`, `--slurm-gpus` and
`--timeout-min` replace each default; the result is checked against the partition
(`sinfo`) before anything is submitted.
"""

from __future__ import annotations

from nb1s.harness.execution.options import ExecutionOptions
from nb1s.harness.executors.slurm_array import SlurmRequest
from nb1s.harness.recipe.plan import Plan

#: (cpus, mem_gb, gpus) per task
GPU_RUN = (4, 16, 1)
CPU_RUN = (1, 4, 0)


def needs_gpu(plan: Plan) -> bool:
    """Whether the plan's runs train on real data (and so want a GPU)."""
    return plan.data.images and not plan.data.synthetic


def slurm_request(plan: Plan, opts: ExecutionOptions, parallelism: int | None = None
                  ) -> SlurmRequest:
    """The request of each Slurm task of `plan` (see module docstring)."""
    cpus, mem, gpus = GPU_RUN if needs_gpu(plan) else CPU_RUN
    return SlurmRequest(
        cpus_per_task=opts.slurm_cpus or cpus,
        mem_gb=opts.slurm_mem_gb or mem,
        gpus_per_task=gpus if opts.slurm_gpus is None else opts.slurm_gpus,
        timeout_min=opts.timeout_min, partition=opts.slurm_partition,
        parallelism=parallelism or opts.workers or 64)
