"""TFRecord framing: round trip, CRC checks, and refusal of damaged or truncated files."""

from __future__ import annotations

import struct
from pathlib import Path

import google_crc32c
import pytest

from nb1s.atomic import atomic_open
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.store import is_index_dir
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord
from nb1s.harness.nb101.tfrecord import (
    CorruptRecordError,
    TFRecordWriter,
    frame,
    iter_records,
    masked_crc32c,
)

PAYLOADS = [b"first", b"", b"x" * 1000, bytes(range(256))]


def _write(path: Path, payloads: list[bytes]) -> list[int]:
    """Write records; return the byte offset of each."""
    offsets = []
    with atomic_open(path, "wb") as fh:
        writer = TFRecordWriter(fh)
        pos = 0
        for p in payloads:
            offsets.append(pos)
            writer.write(p)
            pos += len(p) + 16
    return offsets


def test_crc32c_is_castagnoli_and_mask_matches_the_definition() -> None:
    # The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
    assert google_crc32c.value(b"123456789") == 0xE3069283
    crc = 0xE3069283
    expected = ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF
    assert masked_crc32c(b"123456789") == expected


def test_frame_layout() -> None:
    framed = frame(b"abc")
    assert len(framed) == 3 + 16
    assert struct.unpack("<Q", framed[:8])[0] == 3
    assert struct.unpack("<I", framed[8:12])[0] == masked_crc32c(framed[:8])
    assert framed[12:15] == b"abc"
    assert struct.unpack("<I", framed[15:])[0] == masked_crc32c(b"abc")


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    _write(path, PAYLOADS)
    assert list(iter_records(path)) == PAYLOADS


def test_progress_reports_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    _write(path, PAYLOADS)
    seen: list[int] = []
    list(iter_records(path, on_progress=seen.append, progress_every=1))
    assert seen[-1] == path.stat().st_size
    assert seen == sorted(seen)


@pytest.mark.parametrize("record", [0, 2, 3])
def test_flipped_payload_byte_names_record_and_offset(tmp_path: Path, record: int) -> None:
    path = tmp_path / "a.tfrecord"
    offsets = _write(path, PAYLOADS)
    data = bytearray(path.read_bytes())
    data[offsets[record] + 12 + 1] ^= 0x01  # inside the payload
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptRecordError) as info:
        list(iter_records(path))
    assert info.value.record == record
    assert info.value.offset == offsets[record]
    assert f"record {record} at byte offset {offsets[record]}" in str(info.value)
    assert "payload CRC" in str(info.value)


def test_flipped_length_byte_is_a_length_crc_error(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    offsets = _write(path, PAYLOADS)
    data = bytearray(path.read_bytes())
    data[offsets[1]] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptRecordError, match="record 1 at byte offset 21: length CRC"):
        list(iter_records(path))


@pytest.mark.parametrize("cut", [1, 4, 5, 200])
def test_truncated_file(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "a.tfrecord"
    offsets = _write(path, PAYLOADS)
    path.write_bytes(path.read_bytes()[:-cut])
    with pytest.raises(CorruptRecordError, match="truncated") as info:
        list(iter_records(path))
    assert info.value.record == 3
    assert info.value.offset == offsets[3]


def test_trailing_partial_header(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    _write(path, PAYLOADS[:1])
    with path.open("ab") as fh:
        fh.write(b"\x01\x02\x03")
    with pytest.raises(CorruptRecordError, match=r"record 1 .*truncated header \(3 of 12"):
        list(iter_records(path))


def test_corrupt_import_leaves_no_index_and_keeps_the_old_one(tmp_path: Path) -> None:
    source = tmp_path / "s.tfrecord"
    write_synthetic_tfrecord(source, models=30, seed=1)
    index = tmp_path / "index"
    import_tfrecord(source, index)
    before = {p.name: p.read_bytes() for p in index.iterdir()}

    data = bytearray(source.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(bytes(data))
    with pytest.raises(CorruptRecordError):
        import_tfrecord(bad, index)
    assert {p.name: p.read_bytes() for p in index.iterdir()} == before
    fresh = tmp_path / "fresh"
    with pytest.raises(CorruptRecordError):
        import_tfrecord(bad, fresh)
    assert not fresh.exists()
    # No temporary directories left behind next to the destination.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tfrecord", "index",
                                                          "s.tfrecord"]
    assert is_index_dir(index)


def test_import_refuses_to_replace_a_foreign_directory(tmp_path: Path) -> None:
    source = tmp_path / "s.tfrecord"
    write_synthetic_tfrecord(source, models=5, seed=1)
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(UserError, match="refusing to replace"):
        import_tfrecord(source, foreign)
    assert (foreign / "thesis.tex").read_text() == "precious"
