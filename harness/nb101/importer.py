"""`import_tfrecord`: stream an official NAS-Bench-101 file into an index directory.

One pass over the records (both CRCs checked, JSON + protobuf decoded once each) fills
compact `array` buffers; the columns of `store.py` are then built with a few vectorised
numpy steps and published with `atomic_dir`, so a damaged file, a bad record or an
interrupted import never leaves an index behind, and an existing index is only replaced
once the new one is complete.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from array import array
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

import nb1s
from nb1s.atomic import atomic_dir, atomic_write_text, short_write_error
from nb1s.enumerate import OPS
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.integrity import column_checksums
from nb1s.harness.nb101.model_metrics import ModelMetrics
from nb1s.harness.nb101.paths import OFFICIAL_FILES
from nb1s.harness.nb101.records import METRIC_FIELDS, SYNTHETIC_PREFIX, decode_payload
from nb1s.harness.nb101.spec_lookup import write_columns as write_spec_lookup
from nb1s.harness.nb101.store import (
    FORMAT,
    FORMAT_VERSION,
    INPUT_CODE,
    MAX_VERTICES,
    OUTPUT_CODE,
    PAD_CODE,
    PROVENANCE_FILE,
    REPEATS,
    is_index_dir,
    metric_file,
    repeats_file,
)
from nb1s.harness.nb101.tfrecord import CorruptRecordError, iter_records

_HASH_RE = re.compile(r"[0-9a-f]{32}\Z")
_OP_CODES = {"input": INPUT_CODE, "output": OUTPUT_CODE, **{op: i for i, op in enumerate(OPS)}}

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


def file_sha256(path: Path) -> str:
    """SHA256 of a file, read in 4 MiB blocks (to compare with the published sums)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


class _Collector:
    """Accumulates one import in compact buffers (8 bytes per number, no dict per record)."""

    def __init__(self) -> None:
        self.model_ids: dict[str, int] = {}
        self.model_hashes: list[str] = []
        self.model_adjacency: list[str] = []
        self.model_ops: list[str] = []
        self.model_params = array("q")
        self.record_model = array("i")
        self.record_epochs = array("i")
        self.values = array("d")
        self.synthetic_records = 0
        self.synthetic_marker: str | None = None

    def add(self, payload: bytes, fail: Callable[[str], CorruptRecordError]) -> None:
        try:
            module_hash, epochs, raw_adjacency, raw_ops, raw_metrics = decode_payload(payload)
        except ValueError as exc:
            raise fail(str(exc)) from None
        try:
            metrics = ModelMetrics.FromString(raw_metrics)
        except Exception as exc:  # protobuf's DecodeError; its class differs per backend
            raise fail(f"raw_metrics is not a ModelMetrics protobuf ({exc})") from None
        evaluations = metrics.evaluation_data
        if len(evaluations) < 3:
            raise fail(f"ModelMetrics has {len(evaluations)} evaluation points, expected 3")
        model = self.model_ids.get(module_hash)
        if model is None:
            self._new_model(module_hash, raw_adjacency, raw_ops, metrics.trainable_parameters,
                            fail)
            model = self.model_ids[module_hash]
        elif (raw_adjacency != self.model_adjacency[model] or raw_ops != self.model_ops[model]):
            raise fail(f"model {module_hash} appears with two different graphs")
        half, final = evaluations[1], evaluations[2]
        self.values.extend((
            half.training_time, half.train_accuracy, half.validation_accuracy,
            half.test_accuracy, final.training_time, final.train_accuracy,
            final.validation_accuracy, final.test_accuracy))
        self.record_model.append(model)
        self.record_epochs.append(epochs)
        if final.checkpoint_path.startswith(SYNTHETIC_PREFIX):
            self.synthetic_records += 1
            if self.synthetic_marker is None:
                self.synthetic_marker = final.checkpoint_path

    def _new_model(self, module_hash: str, raw_adjacency: str, raw_ops: str, params: int,
                   fail: Callable[[str], CorruptRecordError]) -> None:
        if not _HASH_RE.match(module_hash):
            raise fail(f"module hash {module_hash!r} is not 32 lowercase hex digits")
        v = math.isqrt(len(raw_adjacency))
        if v * v != len(raw_adjacency) or not 2 <= v <= MAX_VERTICES or set(raw_adjacency) - {
                "0", "1"}:
            raise fail(f"raw_adjacency {raw_adjacency!r} is not a square 0/1 matrix of "
                       f"2..{MAX_VERTICES} vertices")
        ops = raw_ops.split(",")
        if len(ops) != v or any(op not in _OP_CODES for op in ops):
            raise fail(f"raw_operations {raw_ops!r} do not match the {v} vertices")
        self.model_ids[module_hash] = len(self.model_hashes)
        self.model_hashes.append(module_hash)
        self.model_adjacency.append(raw_adjacency)
        self.model_ops.append(raw_ops)
        self.model_params.append(params)


def _write(directory: Path, name: str, data: np.ndarray) -> None:
    """np.save, with numpy's nameless short write (a full disk) naming the file."""
    try:
        np.save(directory / name, data, allow_pickle=False)
    except OSError as exc:
        named = short_write_error(exc, directory / name)
        if named is None:
            raise
        raise named from exc


def _model_columns(col: _Collector, order: np.ndarray, out: Path) -> None:
    m = len(order)
    num_vertices = np.zeros(m, dtype=np.int8)
    adjacency = np.zeros((m, MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
    ops = np.full((m, MAX_VERTICES), PAD_CODE, dtype=np.int8)
    for row, model in enumerate(order.tolist()):
        raw = col.model_adjacency[model]
        v = math.isqrt(len(raw))
        num_vertices[row] = v
        bits = np.frombuffer(raw.encode("ascii"), dtype=np.uint8) - ord("0")
        adjacency[row, :v, :v] = bits.reshape(v, v)
        ops[row, :v] = [_OP_CODES[op] for op in col.model_ops[model].split(",")]
    _write(out, "num_vertices.npy", num_vertices)
    _write(out, "adjacency.npy", adjacency)
    _write(out, "ops.npy", ops)
    params = np.frombuffer(col.model_params, dtype=np.int64)[order]
    _write(out, "trainable_parameters.npy", params)


def _budget_columns(col: _Collector, rank: np.ndarray, m: int, out: Path,
                    fail_repeats: Callable[[int, int], UserError]) -> dict[int, int]:
    record_rows = rank[np.frombuffer(col.record_model, dtype=np.int32)]
    record_epochs = np.frombuffer(col.record_epochs, dtype=np.int32)
    values = np.frombuffer(col.values, dtype=np.float64).reshape(-1, len(METRIC_FIELDS))
    per_budget: dict[int, int] = {}
    for budget in np.unique(record_epochs).tolist():
        idx = np.flatnonzero(record_epochs == budget)
        rows = record_rows[idx]
        # Repeat number = order of appearance within (row, budget): stable sort by row.
        by_row = np.argsort(rows, kind="stable")
        sorted_rows = rows[by_row]
        starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
        counts = np.diff(np.r_[starts, len(sorted_rows)])
        repeat = np.arange(len(sorted_rows)) - np.repeat(starts, counts)
        if counts.max() > REPEATS:
            raise fail_repeats(int(sorted_rows[starts[np.argmax(counts)]]), int(budget))
        present = np.zeros(m, dtype=np.int8)
        present[sorted_rows[starts]] = counts
        _write(out, repeats_file(budget), present)
        for j, metric in enumerate(METRIC_FIELDS):
            column = np.full((m, REPEATS), np.nan, dtype=np.float64)
            column[sorted_rows, repeat] = values[idx[by_row], j]
            _write(out, metric_file(budget, metric), column)
        per_budget[int(budget)] = len(idx)
    return per_budget


def import_tfrecord(source: Path, into: Path, progress: Progress | None = None,
                    verify_sha256: bool = True) -> dict[str, Any]:
    """Import `source` into the index directory `into`; return the provenance written.

    Raises `CorruptRecordError` (a UserError naming record and byte offset) for a damaged
    file or a malformed record; `into` is then left exactly as it was.
    """
    source = Path(source)
    into = Path(into)
    if not source.is_file():
        raise UserError(f"no such file: {source}")
    if into.exists() and (not into.is_dir() or (any(into.iterdir()) and not is_index_dir(into))):
        raise UserError(f"{into} exists and is not an nb1s NAS-Bench-101 index; refusing to "
                        f"replace it (choose an empty or new directory)")
    size = source.stat().st_size
    sha256 = file_sha256(source) if verify_sha256 else None
    col = _Collector()
    record = 0
    offset = 0

    def fail(problem: str) -> CorruptRecordError:
        return CorruptRecordError(str(source), record, offset, problem)

    report = (lambda done: progress(done, size)) if progress is not None else None
    for payload in iter_records(source, on_progress=report):
        col.add(payload, fail)
        record += 1
        offset += len(payload) + 16
    if record == 0:
        raise UserError(f"{source} holds no records")

    hashes = np.array(col.model_hashes, dtype="S32")
    order = np.argsort(hashes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))

    def fail_repeats(row: int, budget: int) -> UserError:
        return UserError(f"{source}: model {hashes[order[row]].decode()} has more than "
                         f"{REPEATS} repeats at {budget} epochs")

    with atomic_dir(into) as tmp:
        _write(tmp, "hashes.npy", hashes[order])
        _model_columns(col, order, tmp)
        per_budget = _budget_columns(col, rank, len(order), tmp, fail_repeats)
        write_spec_lookup(tmp)
        provenance = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "source": {"name": source.name, "path": str(source.resolve()), "size": size,
                       "sha256": sha256},
            "official_file": _official_match(sha256),
            "records": record,
            "records_per_budget": {str(b): n for b, n in per_budget.items()},
            "models": len(order),
            "budgets": sorted(per_budget),
            "repeats": REPEATS,
            "synthetic": col.synthetic_records > 0,
            "synthetic_records": col.synthetic_records,
            "synthetic_marker": col.synthetic_marker,
            "nb1s_version": nb1s.__version__,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "columns": column_checksums(tmp),
        }
        atomic_write_text(tmp / PROVENANCE_FILE, json.dumps(provenance, indent=2) + "\n")
    return provenance


def _official_match(sha256: str | None) -> bool | None:
    """True/False when the checksum was computed: is this byte-for-byte a Google file."""
    if sha256 is None:
        return None
    return any(sha == sha256 for _, sha in OFFICIAL_FILES.values())
