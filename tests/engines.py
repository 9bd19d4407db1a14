"""Whether the real engines answer, for the tests that run nb1s on them.

`make engines` (.ci/engines) starts a Docker engine and a single-node Slurm cluster with
accounting on a CI machine; on a laptop without them these tests skip with the reason
this module gives (never reported as passed). The image the Docker tests run is
`$NB1S_TEST_IMAGE` (default `nb1s:cpu`, built by `make docker-cpu`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache

IMAGE = os.environ.get("NB1S_TEST_IMAGE", "nb1s:cpu")


def _answers(argv: list[str]) -> tuple[bool, str]:
    if shutil.which(argv[0]) is None:
        return False, f"no `{argv[0]}` on PATH"
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return False, f"`{' '.join(argv)}` did not answer within 30 s"
    first = (proc.stderr.strip().splitlines() or [""])[0]
    return proc.returncode == 0, first or proc.stdout.strip()


@cache
def docker_reason() -> str | None:
    """Why the Docker tests cannot run here, or None when the engine and image answer."""
    ok, why = _answers(["docker", "info"])
    if not ok:
        return f"no Docker engine answers ({why}); start one with `make engines`"
    ok, _ = _answers(["docker", "image", "inspect", IMAGE])
    if not ok:
        return f"the Docker engine has no image {IMAGE}; build it with `make docker-cpu`"
    return None


@cache
def slurm_reason() -> str | None:
    """Why the Slurm tests cannot run here, or None when a node is up and sacct answers.

    `scontrol ping` answers in milliseconds whether the controller is up; `sinfo` alone
    retries a stopped controller for 9 s, and this runs when the test modules are
    collected, so every `pytest` on a machine without Slurm paid that twice. Cached: two
    modules ask.
    """
    _, why = _answers(["scontrol", "ping"])
    if " is UP" not in why:
        first = (why.splitlines() or ["scontrol ping printed nothing"])[0]
        return f"the Slurm controller is not up ({first}); start one with `make engines`"
    ok, why = _answers(["sinfo", "-h", "-o", "%T"])
    if not ok or not any(s in why for s in ("idle", "mixed", "alloc")):
        return f"no Slurm node is up ({why or 'sinfo lists none'}); start one with `make engines`"
    ok, why = _answers(["sacct", "-n", "-X", "-S", "now"])
    if not ok:
        return f"Slurm has no accounting (sacct: {why}); `make engines` starts slurmdbd"
    return None


def squeue_names(name: str = "nb1s") -> list[str]:
    """Job ids squeue lists under job name `name` (the nb1s arrays)."""
    proc = subprocess.run(["squeue", "-h", "-n", name, "-o", "%i"], capture_output=True,
                          text=True, timeout=30, check=False)
    return proc.stdout.split()


def nb1s_containers() -> list[str]:
    """Ids of the containers nb1s started (label nb1s.job), running or not."""
    proc = subprocess.run(["docker", "ps", "-aq", "--filter", "label=nb1s.job"],
                          capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout.split()
