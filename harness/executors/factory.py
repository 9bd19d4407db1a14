"""Build the executor a command asked for (`--executor local|docker|slurm`)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..recipe_runner import DataInputs, Executor

EXECUTORS = ("local", "docker", "slurm")


def make_executor(kind: str, results: Path, data: DataInputs, workers: int | None = None,
                  gpus: list[str] | None = None, image: str | None = None,
                  slurm_partition: str | None = None, slurm_cluster: str | None = None,
                  timeout_min: int = 24 * 60) -> Executor:
    """An executor writing into `results`; Docker mounts `results` and the data folders."""
    if kind == "local":
        from .local import LocalExecutor

        return LocalExecutor(workers=workers, gpus=gpus)
    if kind == "docker":
        from .docker_runner import DEFAULT_IMAGE, DockerExecutor, Mount
        from .local import detect_gpus

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
        from .slurm import SlurmExecutor

        return SlurmExecutor(results / "slurm", cluster=slurm_cluster, partition=slurm_partition,
                             timeout_min=timeout_min)
    raise UserError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTORS)}")
