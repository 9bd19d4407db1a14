"""`atomic_write_many`: every file complete or untouched, flushed before it is published."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nb1s import atomic
from nb1s.atomic import atomic_write_bytes, atomic_write_many


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def test_writes_every_file_and_replaces_old_ones(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "a" / "seed-0.npy", b"old")
    atomic_write_many([(tmp_path / "a" / "seed-0.npy", b"zero"),
                       (tmp_path / "a" / "seed-1.npy", b"one"),
                       (str(tmp_path / "b" / "seed-2.npy"), b"")])
    assert (tmp_path / "a" / "seed-0.npy").read_bytes() == b"zero"
    assert (tmp_path / "a" / "seed-1.npy").read_bytes() == b"one"
    assert (tmp_path / "b" / "seed-2.npy").read_bytes() == b""
    assert _leftovers(tmp_path) == []
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "a" / "seed-1.npy").stat().st_mode & 0o777 == 0o666 & ~mask
    atomic_write_many([])  # nothing to do is fine


def test_a_failure_while_writing_publishes_nothing(tmp_path: Path) -> None:
    atomic_write_bytes(tmp_path / "seed-0.npy", b"old")

    def files() -> Iterator[tuple[Path, bytes]]:
        yield tmp_path / "seed-0.npy", b"new"
        yield tmp_path / "seed-1.npy", b"one"
        raise RuntimeError("killed while producing the third file")

    with pytest.raises(RuntimeError, match="third"):
        atomic_write_many(files())
    assert (tmp_path / "seed-0.npy").read_bytes() == b"old"
    assert not (tmp_path / "seed-1.npy").exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_keeps_the_files_before_it(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace
    calls = []

    def replace(src: str, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_many([(tmp_path / f"seed-{i}.npy", b"x") for i in range(3)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed-0.npy"]


def test_every_file_is_flushed_before_the_first_rename(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash guarantee: no destination name may point at data not yet on disk, and
    the directory is flushed after the renames (once)."""
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        events.append(("fsync", "dir" if os.path.isdir(target) else "file"))
        real_fsync(fd)

    def replace(src: str, dst: Path) -> None:
        events.append(("replace", Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic_write_many([(tmp_path / f"seed-{i}.npy", b"x") for i in range(4)])
    kinds = [e[0] for e in events]
    assert kinds == ["fsync"] * 4 + ["replace"] * 4 + ["fsync"]
    assert events[:4] == [("fsync", "file")] * 4 and events[-1] == ("fsync", "dir")
