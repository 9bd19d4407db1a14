"""`--runs-per-gpu K`: several small searches share one GPU, packed only where they fit.

Why: the paper's searches are small (C=16, 32x32 images, batch 64-96); one of them leaves
most of a modern GPU idle. The local and Docker executors therefore hand out K slots per
GPU id (each slot runs one search process or container with that GPU), after reading the
free memory of every GPU from `nvidia-smi`: a GPU that cannot hold K searches of
`memory_mib` each gets as many as fit (one line says so), and one that cannot hold a single
search is refused. Packing changes where a run executes, never what it computes: every run
keeps its seed and settings (tests/test_runs_per_gpu.py compares the records).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nb1s.harness.errors import UserError

#: what one search is assumed to need when the user does not say (`--gpu-memory-per-run`):
#: an assumption, not a measurement; bench/gpu_throughput.py reports the measured peak
DEFAULT_MEMORY_MIB = 4096

FreeMemory = Callable[[], Mapping[str, int]]


def free_memory_mib() -> dict[str, int]:
    """Free memory of every GPU in MiB, keyed by index and by UUID (`nvidia-smi`)."""
    if shutil.which("nvidia-smi") is None:
        return {}
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=index,uuid,memory.free",
                              "--format=csv,noheader,nounits"], capture_output=True,
                             text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    free: dict[str, int] = {}
    for line in out.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3 and parts[2].isdigit():
            free[parts[0]] = free[parts[1]] = int(parts[2])
    return free


@dataclass(frozen=True)
class Packing:
    """The slots (one GPU id per concurrent run, GPUs interleaved) and what was clipped."""

    slots: list[str]
    per_gpu: dict[str, int]
    note: str = ""


def pack(gpus: Sequence[str], runs_per_gpu: int, memory_mib: int = DEFAULT_MEMORY_MIB,
         free: FreeMemory = free_memory_mib) -> Packing:
    """K slots per GPU where `free()` says they fit (see module docstring)."""
    if runs_per_gpu < 1:
        raise UserError(f"--runs-per-gpu must be at least 1, not {runs_per_gpu}")
    if runs_per_gpu == 1:
        return Packing(list(gpus), {g: 1 for g in gpus})
    if not gpus:
        raise UserError(f"--runs-per-gpu {runs_per_gpu} packs searches onto GPUs, but no GPU "
                        "is visible (nvidia-smi -L, --gpus): leave it out on a CPU-only machine")
    if memory_mib < 1:
        raise UserError(f"--gpu-memory-per-run must be a positive number of MiB, not "
                        f"{memory_mib}")
    available = free()
    per_gpu: dict[str, int] = {}
    notes: list[str] = []
    for gpu in gpus:
        mib = available.get(gpu)
        if mib is None:
            raise UserError(f"--runs-per-gpu: cannot read the free memory of GPU {gpu} "
                            "(nvidia-smi --query-gpu=memory.free); without it nothing is "
                            "packed: run with --runs-per-gpu 1")
        fit = min(runs_per_gpu, mib // memory_mib)
        if fit < 1:
            raise UserError(f"GPU {gpu} has {mib} MiB free, less than one search's "
                            f"{memory_mib} MiB (--gpu-memory-per-run): free it or choose "
                            "other --gpus")
        if fit < runs_per_gpu:
            notes.append(f"GPU {gpu}: {mib} MiB free holds {fit} searches of {memory_mib} MiB, "
                         f"not {runs_per_gpu}")
        per_gpu[gpu] = fit
    slots = [g for k in range(max(per_gpu.values())) for g in gpus if per_gpu[g] > k]
    return Packing(slots, per_gpu, "; ".join(notes))
