"""Build the executor a command asked for (`--executor local|docker|slurm`).

Option checks common to every executor live here; what one executor needs (Docker's data
mounts, Slurm's `sbatch`) lives in its own module's `ENTRY` (see executors/registry.py).
"""

from __future__ import annotations

from pathlib import Path

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import DataInputs, Executor, ExecutorSettings
from nb1s.harness.executors.registry import entry_for, names
from nb1s.harness.executors.slurm_array import SlurmRequest

SLURM_CLUSTERS = ("slurm", "local")


def parse_gpus(text: str | None) -> list[str] | None:
    """`--gpus 0,1` -> ["0", "1"]; None when not given. Ids are integers or NVIDIA UUIDs
    (GPU-..., MIG-...); anything else is a typo that would otherwise run on no GPU."""
    if text is None:
        return None
    ids = [g.strip() for g in text.split(",") if g.strip()]
    bad = [g for g in ids if not (g.isdigit() or g.startswith(("GPU-", "MIG-")))]
    if bad or not ids:
        raise UserError(f"--gpus {text!r}: expected GPU ids such as 0,1 or GPU-<uuid>")
    return ids


def check_executor_options(kind: str, timeout_min: int, slurm_cluster: str | None,
                           gpus: str | None, runs_per_gpu: int = 1,
                           gpu_memory_per_run: int | None = None, *,
                           workers: int | None = None, image: str | None = None,
                           slurm_partition: str | None = None,
                           slurm_request: SlurmRequest | None = None) -> ExecutorSettings:
    """Refuse impossible executor settings before any data is prepared (one line each):
    an unknown executor or option value, then what the chosen executor itself refuses.
    Returns the settings, parsed once (`--gpus` as a list), for `make_executor`."""
    if kind not in names():
        raise UserError(f"unknown executor {kind!r}: choose one of {', '.join(names())}")
    if timeout_min <= 0:
        raise UserError(f"--timeout-min must be a positive number of minutes, not {timeout_min}")
    parsed = parse_gpus(gpus)
    entry = entry_for(kind)
    if runs_per_gpu > 1 and not entry.gpu_packing:
        packing = [n for n in names() if entry_for(n).gpu_packing]
        raise UserError(f"--runs-per-gpu is for --executor {' or '.join(packing)}, not {kind} "
                        "(a Slurm job asks for its own GPU)")
    if runs_per_gpu > 1:  # no GPU, unreadable or too little free memory: refused before data
        from nb1s.harness.executors.gpu_packing import DEFAULT_MEMORY_MIB, pack
        from nb1s.harness.executors.local import detect_gpus

        pack(parsed if parsed is not None else detect_gpus(), runs_per_gpu,
             gpu_memory_per_run or DEFAULT_MEMORY_MIB)
    if slurm_cluster is not None and slurm_cluster not in SLURM_CLUSTERS:
        raise UserError(f"unknown --slurm-cluster {slurm_cluster!r}: choose one of "
                        f"{', '.join(SLURM_CLUSTERS)}")
    settings = ExecutorSettings(workers=workers, gpus=parsed, runs_per_gpu=runs_per_gpu,
                                gpu_memory_per_run=gpu_memory_per_run, image=image,
                                slurm_partition=slurm_partition, slurm_cluster=slurm_cluster,
                                timeout_min=timeout_min, slurm_request=slurm_request)
    entry.check(settings)
    return settings


def make_executor(kind: str, results: Path, data: DataInputs, workers: int | None = None,
                  gpus: list[str] | None = None, image: str | None = None,
                  slurm_partition: str | None = None, slurm_cluster: str | None = None,
                  timeout_min: int = 24 * 60, runs_per_gpu: int = 1,
                  gpu_memory_per_run: int | None = None,
                  slurm_request: SlurmRequest | None = None,
                  settings: ExecutorSettings | None = None) -> Executor:
    """An executor writing into `results`; Docker mounts `results` and the data folders.
    `settings` from `check_executor_options` are used as they are (checked and parsed
    once); without them the keyword options are checked here."""
    if settings is None:
        settings = check_executor_options(
            kind, timeout_min, slurm_cluster, ",".join(gpus) if gpus else None,
            runs_per_gpu, gpu_memory_per_run, workers=workers, image=image,
            slurm_partition=slurm_partition, slurm_request=slurm_request)
    return entry_for(kind).build(results, data, settings)
