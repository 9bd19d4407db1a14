"""Atomic file publication shared by every layer.

A reader must never see a half-written cache, index or result file, even when the
writer is killed: everything is written to a temporary file in the destination's
directory, flushed to disk, then renamed over the destination (atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary sibling of `path` for writing; rename it over `path` on success.

    On any exception the temporary file is removed and `path` is left untouched.
    """
    if "w" not in mode:
        raise ValueError("atomic_open only supports write modes")
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _naming_destination(dest):
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with _naming_destination(dest, tmp):
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; publish like open() would
            with os.fdopen(fd, mode) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(files: Iterable[tuple[str | os.PathLike[str], bytes]]) -> None:
    """Write several files atomically, flushing to disk once per file and directory.

    Each destination gets `atomic_write_bytes`'s guarantee: a reader, or a crash, sees the
    old file (or none) or the whole new one, because every temporary file is written and
    fsynced before the first rename. The difference is the order: all files are written,
    then all fsynced, then all renamed, then each directory fsynced once (so the renames
    are durable too). Interleaving fsync and rename per file, as `atomic_write_bytes` does,
    makes every fsync commit the file system's journal again; a batch of result files (a
    chunk of black-box seeds) then costs a journal commit each, which on a busy disk
    dominates the run.

    If writing or flushing any temporary file fails, no destination is touched and the
    temporary files are removed. If a rename fails, the files renamed before it stay
    (each complete) and the rest are removed.
    """
    pending: list[tuple[Path, str]] = []
    renamed = 0
    mode = 0o666 & ~_umask()  # mkstemp makes 0600; publish like open() would
    try:
        for path, data in files:
            dest = Path(path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with _naming_destination(dest):
                fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp",
                                           dir=dest.parent)
            pending.append((dest, tmp))
            with _naming_destination(dest, tmp):
                os.chmod(tmp, mode)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
        for dest, tmp in pending:
            with _naming_destination(dest, tmp):
                _fsync_path(tmp)
        for dest, tmp in pending:
            with _naming_destination(dest, tmp):
                os.replace(tmp, dest)
            renamed += 1
    except BaseException:
        for _, tmp in pending[renamed:]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for folder in dict.fromkeys(dest.parent for dest, _ in pending):
        _fsync_path(folder)


def _fsync_path(path: str | os.PathLike[str]) -> None:
    """fsync a file or a directory by name (a read-only descriptor is enough on POSIX)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a directory under a temporary name and rename it into place on success.

    Used for multi-file artefacts (an imported index) so that a crash never leaves
    a directory that looks complete. An existing destination is replaced.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _naming_destination(dest):
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    try:
        with _naming_destination(dest, tmp):
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; publish like mkdir would
            yield tmp
            if dest.exists():
                old = dest.with_name(f".{dest.name}.old")
                if old.exists():
                    _rmtree(old)
                os.replace(dest, old)
                os.replace(tmp, dest)
                _rmtree(old)
            else:
                os.replace(tmp, dest)
    except BaseException:
        _rmtree(tmp)
        raise


#: Errors of writing data, which the OS reports without a file name.
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


@contextlib.contextmanager
def _naming_destination(dest: Path, tmp: str | os.PathLike[str] | None = None
                        ) -> Iterator[None]:
    """Re-raise an OSError about the temporary file (or a nameless write error such as a
    full disk) as the same error about `dest`, the file the user asked for.

    A hidden `.name.xyz.tmp` that no longer exists, or no path at all, tells a user
    nothing; the destination tells them which disk or folder to look at. The errno (and
    so the exception class) and the reason are kept; the original is the `__cause__`.
    """
    try:
        yield
    except OSError as exc:
        named = short_write_error(exc, dest)
        if named is not None:
            raise named from exc
        name = exc.filename
        hidden = dest.parent / f".{dest.name}."
        if name is None and exc.errno in _WRITE_ERRNOS:
            target = dest
        elif name is not None and tmp is not None and (
                str(name) == str(tmp) or str(name).startswith(f"{tmp}{os.sep}")):
            target = dest / os.path.relpath(name, tmp) if str(name) != str(tmp) else dest
        elif name is not None and str(name).startswith(str(hidden)):
            target = dest
        else:
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc


#: numpy's `ndarray.tofile` (which `np.save` uses on a real file) reports a short write as
#: `OSError("N requested and M written")`: no errno, no file name.
_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


def short_write_error(exc: OSError, path: str | os.PathLike[str]) -> OSError | None:
    """numpy's nameless short-write error as an OSError about `path` (else None).

    A full disk made `nb1s data import` print only `133427 requested and 110464 written`.
    The errno is ENOSPC when the file system of `path` has no block left, else EIO; the
    reason keeps numpy's words.
    """
    if exc.errno is not None or exc.filename is not None or not _SHORT_WRITE.fullmatch(
            str(exc)):
        return None
    try:
        stats = os.statvfs(Path(path).parent)
        full = stats.f_bavail == 0 or stats.f_favail == 0
    except OSError:
        full = False
    code = errno.ENOSPC if full else errno.EIO
    return OSError(code, f"{os.strerror(code)} ({exc})", str(path))


def _umask() -> int:
    """The process umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
