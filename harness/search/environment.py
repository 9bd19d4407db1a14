"""Versions, git commit and device of the current process, for a run's `run.json`.

Every number a user sees must be traceable to the code and hardware that produced it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import nb1s


def checkout_root() -> Path:
    """The folder of the nb1s checkout (the parent of the `nb1s` package)."""
    return Path(nb1s.__file__).resolve().parent.parent


def dirty_files(root: Path | None = None) -> list[str] | None:
    """Tracked files with uncommitted changes in the checkout; None when it is not in git.

    Untracked files are ignored, as `git describe --dirty` ignores them: they cannot have
    changed the code that a recorded commit names.
    """
    try:
        out = subprocess.run(["git", "-C", str(root or checkout_root()), "status",
                              "--porcelain", "--untracked-files=no"], capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return [line[3:] for line in out.stdout.splitlines() if line.strip()]


def git_hash() -> str | None:
    """The commit of the nb1s checkout (with `-dirty` when modified); None outside git."""
    root = checkout_root()
    try:
        out = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty",
                              "--abbrev=40"], capture_output=True, text=True, timeout=10,
                             check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def torch_environment(device: Any) -> dict[str, Any]:
    """torch / CUDA versions and a description of the training device."""
    import torch

    dev = torch.device(device)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    return {"torch_version": torch.__version__, "cuda_version": torch.version.cuda,
            "device": f"{dev} ({name})" if dev.type == "cuda" else "cpu"}


def peak_memory_mb(device: Any) -> float:
    """Peak GPU memory allocated by torch, or the process's peak resident set on CPU."""
    import torch

    dev = torch.device(device)
    if dev.type == "cuda":
        return torch.cuda.max_memory_allocated(dev) / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
