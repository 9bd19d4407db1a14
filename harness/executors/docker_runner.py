"""Run jobs in the nb1s CUDA image through the Docker SDK.

Each job becomes one container: entrypoint `nb1s` with the job's arguments, the results
folder mounted read-write and the data folders read-only, one GPU per container through a
`DeviceRequest`, no network at all (`network_mode="none"`: a search reads only its mounted
files), and a non-root user (the caller's uid:gid, so result files belong to the caller;
the image's `nb1s` user 1000:1000 when the caller is root, who then hands the results
folder to that user so the containers can write it: root keeps every right on it).
`container_spec` is the exact keyword set handed to `client.containers.run`, kept
separate so it can be inspected and tested without a Docker engine. An image the engine
does not have is one line before any container starts (never a pull from a registry).

Ctrl-C: the first one starts no further container and stops the running ones
(`container.stop`: SIGTERM to the search, which records `interrupted`, SIGKILL after
`stop_grace_s`); a second one kills them (`container.kill`). Every container is removed
by the worker that started it, however it ended.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from nb1s.harness.errors import UserError
from nb1s.harness.executors.base import (
    NOT_STARTED,
    DataInputs,
    Executor,
    ExecutorEntry,
    ExecutorSettings,
    Job,
    JobResult,
)
from nb1s.harness.executors.gpu_packing import (
    DEFAULT_MEMORY_MIB,
    FreeMemory,
    free_memory_mib,
    pack,
)
from nb1s.harness.executors.job import wait_or_kill
from nb1s.harness.executors.pool import all_done, run_on_slots

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
                 user: str | None = None, stop_grace_s: int = 60, runs_per_gpu: int = 1,
                 gpu_memory_mib: int | None = None, free: FreeMemory = free_memory_mib
                 ) -> None:
        self.mounts = [Mount(m.host.resolve(), m.container, m.read_only) for m in mounts]
        self.image = image
        self.gpus = list(gpus)
        #: `--runs-per-gpu`: K containers per GPU where its free memory holds them
        self.packing = pack(self.gpus, runs_per_gpu, gpu_memory_mib or DEFAULT_MEMORY_MIB,
                            free)
        self.workers = workers or max(1, len(self.packing.slots))
        self.user = user or default_user()
        self._client = client
        #: seconds a stopped container gets to record `interrupted` before Docker kills it
        self.stop_grace_s = stop_grace_s
        self._lock = threading.Lock()
        self._live: dict[str, Any] = {}  # job key -> its running container
        self._stopping = threading.Event()
        self._killing = threading.Event()
        self._stopped = 0  # containers stopped by the current interrupt

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {
            "executor": self.name, "image": self.image, "workers": self.workers,
            "gpus": self.gpus, "user": self.user,
            "mounts": [[str(m.host), m.container, "ro" if m.read_only else "rw"]
                       for m in self.mounts]}
        if any(k > 1 for k in self.packing.per_gpu.values()):
            out["runs_per_gpu"] = self.packing.per_gpu
        if self.packing.note:
            out["note"] = self.packing.note
        return out

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
            "network_mode": "none",
            "detach": True,
            "shm_size": "2g",
        }
        if job.program is not None:  # a non-nb1s job replaces the image's entrypoint
            spec["entrypoint"] = list(job.program)
        return spec

    def _run_one(self, job: Job, gpu: str | None) -> JobResult:
        import time

        if self._stopping.is_set():  # interrupted before this job's turn: never started
            return JobResult(job.key, NOT_STARTED, 0.0, str(job.log))
        started = time.perf_counter()
        container = self.client().containers.run(**self.container_spec(job, gpu))
        with self._lock:
            self._live[job.key] = container
        try:
            if self._killing.is_set():  # a second Ctrl-C while this one was starting
                self._kill(container)
            elif self._stopping.is_set():  # interrupted while this one was starting
                self._stop(container)
            status = container.wait()
            job.log.parent.mkdir(parents=True, exist_ok=True)
            with open(job.log, "ab") as fh:
                fh.write(container.logs())
        finally:
            with self._lock:
                self._live.pop(job.key, None)
            container.remove(force=True)
        code = int(status.get("StatusCode", 1)) if isinstance(status, dict) else 1
        return JobResult(job.key, code, round(time.perf_counter() - started, 3), str(job.log))

    def check_image(self) -> None:
        """One line when the engine lacks the image (containers.run would try a registry)."""
        from docker.errors import ImageNotFound

        try:
            self.client().images.get(self.image)
        except ImageNotFound:
            raise UserError(f"the Docker engine has no image {self.image}: build it (make "
                            "docker, or make docker-cpu for nb1s:cpu) or pass --image"
                            ) from None

    def _give_results_to_image_user(self) -> None:
        """A root caller runs the containers as the image's user (never as root), who must
        be able to write the results folder: chown it (root keeps every right on it)."""
        if os.getuid() != 0 or self.user != IMAGE_USER:
            return
        uid, gid = (int(x) for x in IMAGE_USER.split(":"))
        for m in self.mounts:
            if m.read_only:
                continue
            os.chown(m.host, uid, gid)
            for root, dirs, files in os.walk(m.host):
                for name in dirs + files:
                    with contextlib.suppress(FileNotFoundError):
                        os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)

    def _stop(self, container: Any) -> None:
        """SIGTERM to the search in the container (it records `interrupted`); Docker sends
        SIGKILL itself after `stop_grace_s`. A container that is already gone is fine."""
        from docker.errors import APIError

        with self._lock:
            self._stopped += 1
        with contextlib.suppress(APIError):
            container.stop(timeout=self.stop_grace_s)

    def _kill_all(self) -> None:
        """Second Ctrl-C: SIGKILL every running container at once (and any that is just
        starting, see `_run_one`)."""
        self._killing.set()
        with self._lock:
            live = list(self._live.values())
        for container in live:
            self._kill(container)

    @staticmethod
    def _kill(container: Any) -> None:
        from docker.errors import APIError

        with contextlib.suppress(APIError):
            container.kill()

    def run(self, jobs: Sequence[Job],
            on_done: Callable[[JobResult], None] | None = None) -> list[JobResult]:
        """Run every job; on Ctrl-C stop launching, stop the running containers (see
        `_interrupt`) and raise `Interrupted` with what finished."""
        self._stopping.clear()
        self._killing.clear()
        self._stopped = 0
        if jobs:
            self.check_image()
            self._give_results_to_image_user()
        packed = self.packing.slots
        slots = [packed[i] if i < len(packed) else None for i in range(self.workers)]
        return run_on_slots(jobs, slots, self._run_one, self._interrupt, on_done)

    def _interrupt(self, cancel_queued: Callable[[], None],
                   futures: Sequence[Future[JobResult]]) -> str:
        """First Ctrl-C: no new container starts, every running one is stopped (in parallel,
        each search records `interrupted`) and removed by its worker; the note says how
        many. A second Ctrl-C while they stop kills them (`container.kill()`) and leaves."""
        self._stopping.set()
        cancel_queued()
        with self._lock:
            live = list(self._live.values())
        for container in live:
            threading.Thread(target=self._stop, args=(container,), daemon=True).start()
        if not wait_or_kill(lambda: all_done(futures), self._kill_all,
                            self.stop_grace_s + 30):
            self._kill_all()
        return (f"{self._stopped} running container(s) were stopped and removed"
                if self._stopped else "no container was running")


def _build(results: Path, data: DataInputs, settings: ExecutorSettings) -> Executor:
    """Mount `results` read-write and the data folders read-only (a data folder inside
    `results`, e.g. the smoke data, is already mounted with it)."""
    from nb1s.harness.executors.local import detect_gpus

    mounts = [Mount(results, "/results", read_only=False)]
    for path, target in ((data.nb101_dir, "/data/nb101"), (data.cifar_dir, "/data/cifar")):
        if path is None:
            raise UserError("--executor docker needs the data folders: pass --data-dir and "
                            "--cifar-dir (or set NB1S_DATA_DIR / NB1S_CIFAR_DIR)")
        if results.resolve() not in path.resolve().parents:
            mounts.append(Mount(path, target, read_only=True))
    gpus = settings.gpus if settings.gpus is not None else detect_gpus()
    return DockerExecutor(mounts, image=settings.image or DEFAULT_IMAGE, gpus=gpus,
                          workers=settings.workers, runs_per_gpu=settings.runs_per_gpu,
                          gpu_memory_mib=settings.gpu_memory_per_run)


#: the registration (executors/registry.py)
ENTRY = ExecutorEntry(build=_build, gpu_packing=True)
