"""Build the executor a command asked for (`--executor local|docker|slurm`)."""

from __future__ import annotations

from pathlib import Path

from nb1s.harness.errors import UserError
from nb1s.harness.execution.runner import DataInputs, Executor

EXECUTORS = ("local", "docker", "slurm")
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
                           gpus: str | None) -> None:
    """Refuse impossible executor settings before any data is prepared (one line each).

    Slurm without `--slurm-cluster local` needs a reachable Slurm (`sbatch` on PATH):
    submitit would otherwise quietly fall back to running every job on this machine,
    e.g. a login node.
    """
    import shutil

    if kind not in EXECUTORS:
        raise UserError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
    if timeout_min <= 0:
        raise UserError(f"--timeout-min must be a positive number of minutes, not {timeout_min}")
    parse_gpus(gpus)
    if slurm_cluster is not None and slurm_cluster not in SLURM_CLUSTERS:
        raise UserError(f"unknown --slurm-cluster {slurm_cluster!r}: choose one of "
                        f"{', '.join(SLURM_CLUSTERS)}")
    if kind == "slurm" and slurm_cluster != "local" and shutil.which("sbatch") is None:
        raise UserError("--executor slurm: no Slurm is reachable from here (no `sbatch` on "
                        "PATH); run on a Slurm login node, or pass --slurm-cluster local to "
                        "run the jobs on this machine on purpose")


def make_executor(kind: str, results: Path, data: DataInputs, workers: int | None = None,
                  gpus: list[str] | None = None, image: str | None = None,
                  slurm_partition: str | None = None, slurm_cluster: str | None = None,
                  timeout_min: int = 24 * 60) -> Executor:
    """An executor writing into `results`; Docker mounts `results` and the data folders."""
    check_executor_options(kind, timeout_min, slurm_cluster, ",".join(gpus) if gpus else None)
    if kind == "local":
        from nb1s.harness.executors.local import LocalExecutor

        return LocalExecutor(workers=workers, gpus=gpus)
    if kind == "docker":
        from nb1s.harness.executors.docker_runner import DEFAULT_IMAGE, DockerExecutor, Mount
        from nb1s.harness.executors.local import detect_gpus

        mounts = [Mount(results, "/results", read_only=False)]
        for path, target in ((data.nb101_dir, "/data/nb101"), (data.cifar_dir, "/data/cifar")):
            if path is None:
                raise UserError("--executor docker needs the data folders: pass --data-dir and "
                                "--cifar-dir (or set NB1S_DATA_DIR / NB1S_CIFAR_DIR)")
            if results.resolve() not in path.resolve().parents:
                mounts.append(Mount(path, target, read_only=True))
        return DockerExecutor(mounts, image=image or DEFAULT_IMAGE,
                              gpus=gpus if gpus is not None else detect_gpus(), workers=workers)
    if kind == "slurm":
        from nb1s.harness.executors.slurm import SlurmExecutor

        return SlurmExecutor(results / "slurm", cluster=slurm_cluster, partition=slurm_partition,
                             timeout_min=timeout_min)
    raise UserError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
