"""TFRecord framing, read and written without TensorFlow.

A TFRecord file is a plain sequence of records, each framed as
``uint64 length (LE) | uint32 masked_crc32c(length bytes) | payload | uint32
masked_crc32c(payload)``. NAS-Bench-101 ships its data in this format; reading it here
means the 500 MB file can be imported without TensorFlow at run time. Both CRCs of every
record are checked (CRC-32C from the maintained `google-crc32c` package), so a damaged
or truncated download is refused with the record number and byte offset where it breaks
instead of silently importing garbage.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO

import google_crc32c

from nb1s.harness.errors import UserError

_MASK_DELTA = 0xA282EAD8
_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")


class CorruptRecordError(UserError):
    """The file is not a valid TFRecord at a given record; the message names where."""

    def __init__(self, path: str, record: int, offset: int, problem: str) -> None:
        self.path = path
        self.record = record
        self.offset = offset
        self.problem = problem
        super().__init__(f"{path}: record {record} at byte offset {offset}: {problem}")


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C: rotate right by 15 bits, add a constant, mod 2**32.

    The mask exists so that CRCs of data that itself contains CRCs stay well spread.
    """
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def frame(payload: bytes) -> bytes:
    """One complete record (header, payload, footer) for `payload`."""
    length = _LENGTH.pack(len(payload))
    return (length + _FOOTER.pack(masked_crc32c(length)) + payload
            + _FOOTER.pack(masked_crc32c(payload)))


def iter_records(path: str | os.PathLike[str], *, verify: bool = True,
                 on_progress: Callable[[int], None] | None = None,
                 progress_every: int = 4096) -> Iterator[bytes]:
    """Yield the payload of every record in the file, in order.

    `verify` checks both CRCs (on by default; off only for benchmarking the framing).
    `on_progress(bytes_read)` is called every `progress_every` records and at the end so
    a caller can drive a progress bar without this module printing anything.
    Raises `CorruptRecordError` on a bad CRC, a truncated record or trailing garbage.
    """
    name = str(path)
    with open(path, "rb", buffering=1 << 20) as fh:
        yield from _iter_stream(fh, name, verify, on_progress, progress_every)


def _iter_stream(fh: BinaryIO, name: str, verify: bool,
                 on_progress: Callable[[int], None] | None,
                 progress_every: int) -> Iterator[bytes]:
    read = fh.read
    crc = masked_crc32c
    offset = 0
    record = 0
    while True:
        header = read(12)
        if not header:
            break
        if len(header) < 12:
            raise CorruptRecordError(name, record, offset,
                                     f"truncated header ({len(header)} of 12 bytes)")
        length, length_crc = _HEADER.unpack(header)
        if verify and crc(header[:8]) != length_crc:
            raise CorruptRecordError(name, record, offset, "length CRC mismatch")
        payload = read(length)
        footer = read(4)
        if len(payload) < length or len(footer) < 4:
            raise CorruptRecordError(
                name, record, offset,
                f"truncated record (needs {length + 16} bytes, only "
                f"{12 + len(payload) + len(footer)} left in the file)")
        if verify and crc(payload) != _FOOTER.unpack(footer)[0]:
            raise CorruptRecordError(name, record, offset, "payload CRC mismatch")
        yield payload
        record += 1
        offset += length + 16
        if on_progress is not None and record % progress_every == 0:
            on_progress(offset)
    if on_progress is not None:
        on_progress(offset)


class TFRecordWriter:
    """Append framed records to a binary file object (use with `nb1s.atomic.atomic_open`)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.records = 0

    def write(self, payload: bytes) -> None:
        self._fh.write(frame(payload))
        self.records += 1
