"""One owner per folder: an OS lock held by the live process, released when it dies.

Why `fcntl.flock` and not a file whose existence is the lock: a process killed with
`kill -9` cannot delete its lock file, so an existence lock turns every crash into a
folder that must be unlocked by hand (or, worse, into a lock that people learn to
delete). The kernel drops an flock the moment its process dies, so "the lock is held"
means exactly "a live process owns this folder". The lock file also holds who owns it
(pid, host, command, start and heartbeat times) so a refusal can say which process holds
it and a reader can tell a run that is alive from one whose process died (`is_held`).

The content is rewritten in place on the locked descriptor (never by rename: a rename
would swap the inode and silently hand the lock to nobody).

`folder_lock` is re-entrant within one process: `nb1s reproduce` locks the results folder
for every kind before the kind starts, and the search runner below it asks for the same
lock again. A second flock on a new descriptor would block against our own first one
(flock locks belong to open file descriptions, not processes), so a folder this process
already holds is handed back as it is.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError

LOCK_FILE = ".nb1s.lock"
#: the folders this process holds (resolved path -> its lock), for re-entrant `folder_lock`
_HELD: dict[Path, FolderLock] = {}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FolderLock:
    """An exclusive, non-blocking flock on FOLDER/.nb1s.lock (see module docstring)."""

    def __init__(self, folder: Path, command: str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.command = command
        self._fd: int | None = None
        self._info: dict[str, Any] = {}
        self._created: list[Path] = []

    def acquire(self) -> None:
        """Take the lock or raise a one-line UserError naming the process that holds it."""
        missing = [p for p in (self.folder.absolute(), *self.folder.absolute().parents)
                   if not p.exists()]
        self.folder.mkdir(parents=True, exist_ok=True)
        self._created = missing
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = read_holder(self.folder)
            who = (f"pid {holder.get('pid')} on {holder.get('host')} ({holder.get('command')}, "
                   f"since {holder.get('started_at')})") if holder else "another process"
            raise UserError(f"{self.folder} is in use by {who}; wait for it to finish or "
                            "stop it first") from None
        self._fd = fd
        self._info = {"pid": os.getpid(), "host": socket.gethostname(),
                      "command": self.command, "started_at": _now(), "heartbeat": _now()}
        self._write()

    def heartbeat(self) -> None:
        """Refresh the heartbeat time (called after every epoch)."""
        if self._fd is not None:
            self._info["heartbeat"] = _now()
            self._write()

    def _write(self) -> None:
        assert self._fd is not None
        data = (json.dumps(self._info) + "\n").encode("utf-8")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
            self._tidy()

    def _tidy(self) -> None:
        """A folder this lock created and nothing else wrote to is removed again, so a
        command refused after taking the lock (cannot run, bad input) leaves nothing."""
        if not self._created:
            return
        with contextlib.suppress(OSError):
            if [p.name for p in self.folder.iterdir()] == [LOCK_FILE]:
                self.path.unlink()
                for folder in self._created:  # deepest first; stops at the first non-empty
                    folder.rmdir()


@contextlib.contextmanager
def folder_lock(folder: Path, command: str) -> Iterator[FolderLock]:
    """Hold the folder's lock for the duration of the block (re-entrant in one process)."""
    key = Path(folder).absolute().resolve()
    held = _HELD.get(key)
    if held is not None:
        yield held
        return
    lock = FolderLock(folder, command)
    lock.acquire()
    _HELD[key] = lock
    try:
        yield lock
    finally:
        _HELD.pop(key, None)
        lock.release()


def is_held(folder: Path) -> bool:
    """True when a live process holds the folder's lock (probing never takes it for long)."""
    path = Path(folder) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock if the probe took it
    return False


def read_holder(folder: Path) -> dict[str, Any]:
    """What the lock file says about its owner (empty when unknown or unreadable)."""
    try:
        data = json.loads((Path(folder) / LOCK_FILE).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
