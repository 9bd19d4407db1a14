"""The spec -> row lookup of an NB101 index: sorted canonical codes of every model's graph.

Why: `query(spec)` in the original API hashes the spec (about 57 md5 digests for a
7-vertex graph) and looks the hash up in a dict built at start-up. Inside NAS-Bench-101's
domain two specs share a hash exactly when their graphs are isomorphic, and the
enumerator's compiled canonical form (`nb1s.enumerate._core.canonical_code`) is equal
exactly when graphs are isomorphic; so the canonical codes of the index's rows, sorted,
answer "which row is this spec" with one canonical form and one binary search, both in C,
and nothing has to be built when a process starts.

Two column files, written with the index at import (and added to an older index the first
time it is opened, with a one-line notice)::

    spec_codes.npy     [M] uint64 canonical codes, ascending
    spec_rows.npy      [M] int64 row of each code in the index

If two rows ever had the same code (two hashes for isomorphic graphs: impossible for a
well-formed file) the lookup is not used and queries go through the NB101 hash instead.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from nb1s.enumerate._core import SpecRows, canonical_codes

from nb1s.atomic import atomic_open
from nb1s.harness.nb101.random_access import open_random_access, prefetch_whole

CODES_FILE = "spec_codes.npy"
ROWS_FILE = "spec_rows.npy"


def build_columns(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """(sorted codes, their rows) from an index directory's graph columns."""
    num_vertices = np.load(directory / "num_vertices.npy", mmap_mode="r")
    adjacency = np.load(directory / "adjacency.npy", mmap_mode="r")
    ops = np.load(directory / "ops.npy", mmap_mode="r")
    codes = canonical_codes(np.ascontiguousarray(num_vertices, dtype=np.int8),
                            np.ascontiguousarray(adjacency, dtype=np.uint8),
                            np.ascontiguousarray(ops, dtype=np.int8))
    order = np.argsort(codes, kind="stable")
    return codes[order], order.astype(np.int64)


def write_columns(directory: Path,
                  columns: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Write the two files into `directory` (each atomically), computing them if not given."""
    codes, rows = columns if columns is not None else build_columns(directory)
    for name, data in ((CODES_FILE, codes), (ROWS_FILE, rows)):
        with atomic_open(directory / name, "wb") as fh:
            np.save(fh, data, allow_pickle=False)


def _unique(codes: np.ndarray) -> bool:
    return bool(np.all(codes[1:] != codes[:-1]))


def open_spec_rows(directory: Path, num_models: int) -> SpecRows | None:
    """The lookup of an index, adding its files first to an index imported before them.

    None when the codes are not unique (queries then hash instead). An index directory
    that cannot be written keeps the lookup in memory for this process only.
    """
    paths = directory / CODES_FILE, directory / ROWS_FILE
    stored = True
    try:
        codes = np.load(paths[0], mmap_mode="r", allow_pickle=False)
        rows = np.load(paths[1], mmap_mode="r", allow_pickle=False)
        if len(codes) != num_models or len(rows) != num_models:
            raise ValueError("stale")
    except (OSError, ValueError):
        stored = False
        start = time.perf_counter()
        codes, rows = build_columns(directory)
        try:
            write_columns(directory, (codes, rows))
            where = f"added to {directory}"
        except OSError:
            where = f"kept in memory ({directory} is read-only)"
        print(f"nb1s: this index predates the spec lookup; built it in "
              f"{time.perf_counter() - start:.1f} s and {where}", file=sys.stderr)
    if stored:
        # Read in the background while the check below reads the codes (3.4 MB each for
        # the full dataset): a cold first query then waits for one round of reads (its
        # row's columns), not two.
        prefetch_whole(paths[1])
    if not _unique(np.asarray(codes)):
        return None
    if stored:  # the check above has just read every code; a query reads one row
        rows = open_random_access(paths[1])
    return SpecRows(np.asarray(codes), np.asarray(rows))
