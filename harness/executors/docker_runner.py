"""Run jobs in the nb1s CUDA image through the Docker SDK.

Each job becomes one container: entrypoint `nb1s` with the job's arguments, the results
folder mounted read-write and the data folders read-only, one GPU per container through a
`DeviceRequest`, and a non-root user (the caller's uid:gid, so result files belong to the
caller; the image's `nb1s` user 1000:1000 when the caller is root). `container_spec` is
the exact keyword set handed to `client.containers.run`, kept separate so it can be
inspected and tested without a Docker engine.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import UserError
from .job import Job, JobResult

DEFAULT_IMAGE = "nb1s:latest"
IMAGE_USER = "1000:1000"  # the `nb1s` user created in docker/Dockerfile


@dataclass(frozen=True)
class Mount:
    host: Path
    container: str
    read_only: bool


def default_user() -> str:
    """The caller's uid:gid, or the image's non-root user when the caller is root."""
    uid, gid = os.getuid(), os.getgid()
    return IMAGE_USER if uid == 0 else f"{uid}:{gid}"


class DockerExecutor:
    """One container per job, `workers` at a time (default: one per GPU)."""

    name = "docker"

    def __init__(self, mounts: Sequence[Mount], image: str = DEFAULT_IMAGE,
                 gpus: Sequence[str] = (), workers: int | None = None, client: Any = None,
                 user: str | None = None) -> None:
        self.mounts = [Mount(m.host.resolve(), m.container, m.read_only) for m in mounts]
        self.image = image
        self.gpus = list(gpus)
        self.workers = workers or max(1, len(self.gpus))
        self.user = user or default_user()
        self._client = client

    def describe(self) -> dict[str, object]:
        return {"executor": self.name, "image": self.image, "workers": self.workers,
                "gpus": self.gpus, "user": self.user,
                "mounts": [[str(m.host), m.container, "ro" if m.read_only else "rw"]
                           for m in self.mounts]}

    def client(self) -> Any:
        if self._client is None:
            import importlib

            docker: Any = importlib.import_module("docker")  # the SDK, not our docker/ folder
            try:
                self._client = docker.from_env()
                self._client.ping()
            except docker.errors.DockerException as exc:
                raise UserError(f"no Docker engine answers ({exc}); start Docker or use "
                                "--executor local") from None
        return self._client

    def container_path(self, path: Path) -> str:
        """Translate a host path into the container's view of it."""
        resolved = path.resolve()
        for m in self.mounts:
            if resolved == m.host or m.host in resolved.parents:
                return str(PurePosixPath(m.container) / resolved.relative_to(m.host).as_posix())
        raise UserError(f"{path} is not inside any folder mounted into the container")

    def container_spec(self, job: Job, gpu: str | None) -> dict[str, Any]:
        """Keyword arguments for `client.containers.run` (see module docstring)."""
        from docker.types import DeviceRequest

        devices = [DeviceRequest(device_ids=[gpu], capabilities=[["gpu"]])] if gpu else []
        args = [self.container_path(a) if isinstance(a, Path) else a for a in job.args]
        spec: dict[str, Any] = {
            "image": self.image,
            "command": args,
            "user": self.user,
            "volumes": {str(m.host): {"bind": m.container, "mode": "ro" if m.read_only else "rw"}
                        for m in self.mounts},
            "device_requests": devices,
            "environment": {**job.env, "HOME": "/tmp", "PYTHONUNBUFFERED": "1"},
            "labels": {"nb1s.job": job.key},
            "working_dir": "/tmp",
            "detach": True,
            "shm_size": "2g",
        }
        if job.program is not None:  # a non-nb1s job replaces the image's entrypoint
            spec["entrypoint"] = list(job.program)
        return spec

    def _run_one(self, job: Job, gpu: str | None) -> JobResult:
        import time

        started = time.perf_counter()
        container = self.client().containers.run(**self.container_spec(job, gpu))
        try:
            status = container.wait()
            job.log.parent.mkdir(parents=True, exist_ok=True)
            with open(job.log, "ab") as fh:
                fh.write(container.logs())
        finally:
            container.remove(force=True)
        code = int(status.get("StatusCode", 1)) if isinstance(status, dict) else 1
        return JobResult(job.key, code, round(time.perf_counter() - started, 3), str(job.log))

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        slots: queue.Queue[str | None] = queue.Queue()
        for i in range(self.workers):
            slots.put(self.gpus[i] if i < len(self.gpus) else None)

        def one(job: Job) -> JobResult:
            gpu = slots.get()
            try:
                return self._run_one(job, gpu)
            finally:
                slots.put(gpu)

        results: dict[str, JobResult] = {}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for fut in as_completed([pool.submit(one, j) for j in jobs]):
                res = fut.result()
                results[res.key] = res
                if on_done is not None:
                    on_done(res)
        return [results[j.key] for j in jobs]
