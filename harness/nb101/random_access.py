"""Read-only `.npy` maps for point lookups: one page read per touch, not a whole window.

Why: the compat API answers a query from about ten memory-mapped columns, touching one row
of each. On a page fault the kernel reads ahead around the faulting page (128 KiB or more)
on the assumption that a map is read sequentially; for a fresh process whose index is not
in the page cache that made the first query cost 30-40 ms on the development machine, the
read-around of nine separate columns. `madvise(MADV_RANDOM)` switches read-around off for
these maps only, so a cold lookup reads one page per column (about 1 ms). Bulk readers
(fig6, `nb1s data info`) keep numpy's ordinary maps and their sequential read-ahead.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import numpy as np

from nb1s.harness.errors import UserError


def prefetch_whole(path: Path) -> None:
    """Ask the kernel to read a whole (small) file in the background, without waiting."""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)


def prefetch_headers(paths: list[Path]) -> None:
    """Ask the kernel to start reading the first page of every file now, all at once.

    A cold open of ten `.npy` files otherwise waits for ten header reads one after the
    other; with the reads queued together the first `open_random_access` waits for about
    one. Missing files are left to `open_random_access` to report.
    """
    if not hasattr(os, "posix_fadvise"):
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, mmap.PAGESIZE, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def open_random_access(path: Path) -> np.ndarray:
    """The array stored in `path`, memory-mapped read-only with read-around switched off."""
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            offset = fh.tell()
            if dtype.hasobject:
                raise ValueError("object arrays cannot be mapped")
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise UserError(f"index file {path} is unreadable ({exc}); "
                        f"re-run `nb1s data import`") from None
    if hasattr(mmap, "MADV_RANDOM"):  # Linux and most Unixes; elsewhere read-around stays
        mapped.madvise(mmap.MADV_RANDOM)
    return np.ndarray(shape, dtype=dtype, buffer=mapped, offset=offset,
                      order="F" if fortran else "C")


def prefetch_row(arrays: tuple[np.ndarray, ...], row: int) -> None:
    """Start reading row `row` of every array (maps from `open_random_access`) at once.

    With read-around off, the first touch of each column is one page read, one after the
    other; queued together they cost about one read. Used on a process's first query,
    when nothing is cached yet.
    """
    if not hasattr(mmap, "MADV_WILLNEED"):
        return
    for array in arrays:
        mapped: object = array
        while isinstance(mapped, np.ndarray):
            mapped = mapped.base
        if not isinstance(mapped, mmap.mmap) or not array.shape or not 0 <= row < len(array):
            continue
        start = (array.__array_interface__["data"][0] - _address(mapped)
                 + row * array.strides[0])
        page = start - start % mmap.PAGESIZE
        mapped.madvise(mmap.MADV_WILLNEED, page, start + array.strides[0] - page)


def _address(mapped: mmap.mmap) -> int:
    """Start address of a map (through a zero-copy numpy view of its first byte)."""
    return int(np.frombuffer(mapped, dtype=np.uint8, count=1).__array_interface__["data"][0])
