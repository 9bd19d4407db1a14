"""The imported NAS-Bench-101 index: memory-mapped numpy columns, queried in batches.

Why this layout: every result of the paper is a NAS-Bench-101 lookup, thousands per
run, and researchers start scripts many times a day. A directory of plain `.npy` files
opened with `mmap_mode="r"` opens in milliseconds, costs almost no resident memory until
a column is touched, needs nothing beyond numpy, and answers a whole batch of lookups
with one `searchsorted` or one fancy-index gather instead of a Python loop per query.
Parquet/Arrow would add a dependency and a decode step for no gain: all columns are
fixed-width numbers.

Layout of an index directory (`FORMAT_VERSION` 1)::

    provenance.json                  source file, sha256, counts, nb1s version, synthetic,
                                     size + sha256 of every column (`index_integrity`)
    hashes.npy                       [M] 'S32' model hashes, sorted (row = position)
    num_vertices.npy                 [M] int8, V of the pruned graph
    adjacency.npy                    [M, 7, 7] uint8, pruned adjacency zero-padded to 7
    ops.npy                          [M, 7] int8: -1 input, -2 output, 0..2 NB101 op, -3 pad
    trainable_parameters.npy         [M] int64
    e{E}.repeats.npy                 [M] int8, repeats present at budget E (normally 3)
    e{E}.{metric}.npy                [M, 3] float64 per repeat, NaN where absent; metric in
                                     `nb101_records.METRIC_FIELDS`

Space lookups (`space_errors`) go through the enumerator's per-space `LookupIndex`:
config id -> position among the space's hashes -> a small per-space table of errors
cached on first use, so a batch of a million config ids is two gathers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from nb1s.enumerate._core import SortedHashes

from nb1s.enumerate import OPS, LookupIndex, get_space, load_index
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.integrity import verify_columns
from nb1s.harness.nb101.paths import missing_data_message, resolve_data_dir
from nb1s.harness.nb101.records import METRIC_FIELDS

FORMAT = "nb1s-nb101-index"
FORMAT_VERSION = 1
REPEATS = 3
MAX_VERTICES = 7
#: Integer op codes in `ops.npy` (besides 0..2, the index in `nb1s.enumerate.OPS`).
INPUT_CODE, OUTPUT_CODE, PAD_CODE = -1, -2, -3
PROVENANCE_FILE = "provenance.json"

FloatArray = npt.NDArray[np.float64]


def metric_file(budget: int, metric: str) -> str:
    """File name of one metric column at one budget."""
    return f"e{int(budget)}.{metric}.npy"


def repeats_file(budget: int) -> str:
    return f"e{int(budget)}.repeats.npy"


def op_name(code: int) -> str:
    """NB101 op name of an `ops.npy` code."""
    if code == INPUT_CODE:
        return "input"
    if code == OUTPUT_CODE:
        return "output"
    return OPS[code]


def is_index_dir(path: Path) -> bool:
    """True when `path` holds an nb1s NAS-Bench-101 index (of any format version)."""
    try:
        data = json.loads((path / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def hex_prefix64(hashes: npt.NDArray[np.bytes_]) -> npt.NDArray[np.uint64]:
    """The first 16 hex digits of each 'S32' hash as an integer, without a Python loop.

    Each 8-character ASCII word is read big-endian, every byte mapped to its nibble
    ((b & 15) + 9 * bit 6, valid for 0-9, a-f, A-F) and the nibbles packed by three
    shift-or steps. Lowercase hex sorts like its value, so sorted hashes give sorted keys.
    """
    words = np.ascontiguousarray(hashes, dtype="S32").view(">u8").reshape(-1, 4)

    def decode(word: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        w = word.astype(np.uint64)
        v = (w & np.uint64(0x0F0F0F0F0F0F0F0F)) + np.uint64(9) * (
            (w >> np.uint64(6)) & np.uint64(0x0101010101010101))
        v = (v | (v >> np.uint64(4))) & np.uint64(0x00FF00FF00FF00FF)
        v = (v | (v >> np.uint64(8))) & np.uint64(0x0000FFFF0000FFFF)
        result: npt.NDArray[np.uint64] = (v | (v >> np.uint64(16))) & np.uint64(0xFFFFFFFF)
        return result

    out: npt.NDArray[np.uint64] = (decode(words[:, 0]) << np.uint64(32)) | decode(words[:, 1])
    return out


class HashLookup:
    """Hash -> row for batches: a bucket table on 64-bit hash prefixes.

    Why not `np.searchsorted` on the 'S32' column: a binary search over 32-byte strings
    costs about a microsecond per query, no faster than the dict it replaces. Model
    hashes are md5 digests, so their prefixes are uniform: the top `BITS` bits index a
    table of row ranges holding about 0.4 rows each, and a batch resolves in a few
    vectorised passes. The full 32 characters are compared at the end, so a prefix
    collision can never return a wrong row (should two models ever share a prefix, the
    table is not used and lookups fall back to `searchsorted`).
    """

    BITS = 20

    def __init__(self, hashes: npt.NDArray[np.bytes_]) -> None:
        self.hashes = hashes
        words = np.ascontiguousarray(hashes).view(np.uint64).reshape(-1, 4)
        # One contiguous column per 8-byte word: 1-D gathers are far faster than 2-D ones.
        self.columns = [np.ascontiguousarray(words[:, k]) for k in range(4)]
        self.keys = hex_prefix64(np.asarray(hashes))
        self.unique = bool(np.all(self.keys[1:] > self.keys[:-1]))
        shift = np.uint64(64 - self.BITS)
        counts = np.bincount((self.keys >> shift).astype(np.int64), minlength=1 << self.BITS)
        self.offsets = np.zeros((1 << self.BITS) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self._shift = shift

    def rows(self, queries: npt.NDArray[np.bytes_]) -> npt.NDArray[np.int64]:
        n_rows = len(self.hashes)
        if n_rows == 0:
            return np.full(len(queries), -1, dtype=np.int64)
        if not self.unique:
            pos = np.minimum(np.searchsorted(self.hashes, queries), n_rows - 1)
            return np.where(self.hashes[pos] == queries, pos, -1).astype(np.int64)
        qkeys = hex_prefix64(queries)
        bucket = (qkeys >> self._shift).astype(np.int64)
        cand = self.offsets[bucket]
        end = self.offsets[bucket + 1]
        rows = np.full(len(queries), -1, dtype=np.int64)
        active = np.flatnonzero(cand < end)
        while active.size:
            c = cand[active]
            hit = self.keys[c] == qkeys[active]
            rows[active[hit]] = c[hit]
            miss = active[~hit]
            cand[miss] += 1
            active = miss[cand[miss] < end[miss]]
        # Verify all 32 bytes, compared as four machine words (much faster than 'S32').
        found = np.flatnonzero(rows >= 0)
        found_rows = rows[found]
        query_words = queries.view(np.uint64).reshape(-1, 4)
        wrong = np.zeros(len(found), dtype=bool)
        for k, column in enumerate(self.columns):
            wrong |= column[found_rows] != query_words[:, k][found]
        rows[found[wrong]] = -1
        return rows


@dataclass
class _SpaceTable:
    """Per-space, per-budget errors of every hash of the space (rows of the space index)."""

    test_error: FloatArray  # [H, 3]
    valid_error: FloatArray  # [H, 3]
    test_mean: FloatArray  # [H]
    valid_mean: FloatArray  # [H]
    missing: npt.NDArray[np.bool_]  # [H] hash absent from the store
    missing_count: int


class SpaceErrors:
    """Errors (1 - accuracy) of a batch of one space's config ids.

    `test_error`/`valid_error` have one column per repeat ([n, 3]); the `*_mean` arrays
    ([n]) are what the paper plots; `hashes` the NB101 hash ('S32') of each config. They
    are plain attributes to their readers, but each is gathered from the cached
    per-space table only when first read (`__getattr__`), so a caller that needs only the
    means pays one gather per batch instead of five.
    """

    test_error: FloatArray
    valid_error: FloatArray
    test_error_mean: FloatArray
    valid_error_mean: FloatArray
    hashes: npt.NDArray[np.bytes_]

    def __init__(self, positions: npt.NDArray[np.int32], table: _SpaceTable,
                 index: LookupIndex, synthetic: bool) -> None:
        self.positions = positions
        self.index = index
        self.synthetic = synthetic
        self._table = table

    def __len__(self) -> int:
        return len(self.positions)

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not yet in __dict__: compute once, then cache.
        sources = {"test_error": "test_error", "valid_error": "valid_error",
                   "test_error_mean": "test_mean", "valid_error_mean": "valid_mean"}
        if name in sources:
            value = getattr(self._table, sources[name])[self.positions]
        elif name == "hashes":
            value = self.index.hashes[self.positions]
        else:
            raise AttributeError(name)
        self.__dict__[name] = value
        return value


class NB101Store:
    """Read-only view of one imported index directory (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        path = self.directory / PROVENANCE_FILE
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(missing_data_message(self.directory)) from None
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read {path}: {exc}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise UserError(f"{self.directory} is not an nb1s NAS-Bench-101 index")
        if meta.get("format_version") != FORMAT_VERSION:
            raise UserError(
                f"{self.directory} holds index format {meta.get('format_version')}, this nb1s "
                f"reads {FORMAT_VERSION}: re-run `nb1s data import` on the source file")
        verify_columns(self.directory, meta)  # a damaged column is refused, not served
        self._meta: dict[str, Any] = meta
        self._arrays: dict[str, np.ndarray] = {}
        self._indices: dict[int, LookupIndex] = {}
        self._tables: dict[tuple[int, int], _SpaceTable] = {}
        self._lookup: HashLookup | None = None
        self._sorted: SortedHashes | None = None
        self.hashes: npt.NDArray[np.bytes_] = self._array("hashes.npy")

    # ------------------------------------------------------------------ metadata
    @property
    def provenance(self) -> dict[str, Any]:
        """Where the data came from (a copy): source name/size/sha256, counts, synthetic."""
        return json.loads(json.dumps(self._meta))

    @property
    def synthetic(self) -> bool:
        return bool(self._meta.get("synthetic", False))

    @property
    def budgets(self) -> list[int]:
        """Epoch budgets present, ascending (e.g. [108] or [4, 12, 36, 108])."""
        return [int(b) for b in self._meta["budgets"]]

    @property
    def num_models(self) -> int:
        return len(self.hashes)

    def check_budget(self, budget: int) -> int:
        if int(budget) not in self.budgets:
            raise UserError(f"budget {budget} epochs is not in this index (available: "
                            f"{', '.join(map(str, self.budgets))})")
        return int(budget)

    # ------------------------------------------------------------------ columns
    def _array(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            try:
                array = np.load(self.directory / name, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise UserError(f"index file {self.directory / name} is unreadable ({exc}); "
                                f"re-run `nb1s data import`") from None
            self._arrays[name] = array
        return array

    def metric(self, budget: int, metric: str) -> FloatArray:
        """[M, 3] column of one metric at one budget (memory-mapped, read-only)."""
        if metric not in METRIC_FIELDS:
            raise UserError(f"unknown metric {metric!r} (known: {', '.join(METRIC_FIELDS)})")
        return self._array(metric_file(self.check_budget(budget), metric))

    def repeats(self, budget: int) -> npt.NDArray[np.int8]:
        return self._array(repeats_file(self.check_budget(budget)))

    # ------------------------------------------------------------------ lookups
    def rows_of(self, hashes: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Row of each hash ('S32' or str), -1 where absent; vectorised, no loop per query.

        Uses the hash-prefix bucket table (`HashLookup`) and verifies all 32 characters.
        """
        keys = np.ascontiguousarray(np.asarray(hashes, dtype="S32"))
        if self._lookup is None:
            self._lookup = HashLookup(self.hashes)
        return self._lookup.rows(keys)

    def row_of(self, module_hash: str) -> int:
        """Row of one hash; KeyError (like the official API's dict) when absent.

        A compiled binary search over the sorted column: nothing is built first, so a
        single lookup costs microseconds even in a fresh process (the bucket table of
        `rows_of` pays off only for batches).
        """
        if self._sorted is None:
            self._sorted = SortedHashes(self.hashes)
        row = int(self._sorted.row(module_hash))
        if row < 0:
            raise KeyError(module_hash)
        return row

    def fixed(self, row: int) -> dict[str, Any]:
        """module_adjacency (int8 array), module_operations, trainable_parameters of a row."""
        v = int(self._array("num_vertices.npy")[row])
        adjacency = np.array(self._array("adjacency.npy")[row, :v, :v], dtype=np.int8)
        ops = [op_name(int(c)) for c in self._array("ops.npy")[row, :v]]
        return {"module_adjacency": adjacency, "module_operations": ops,
                "trainable_parameters": int(self._array("trainable_parameters.npy")[row])}

    def computed(self, row: int) -> dict[int, list[dict[str, float]]]:
        """Per budget, one dict of the halfway_/final_ metrics per repeat present."""
        result: dict[int, list[dict[str, float]]] = {}
        for budget in self.budgets:
            count = int(self.repeats(budget)[row])
            if count == 0:
                continue
            columns = {m: self.metric(budget, m)[row] for m in METRIC_FIELDS}
            result[budget] = [{m: float(columns[m][r]) for m in METRIC_FIELDS}
                              for r in range(count)]
        return result

    # ------------------------------------------------------------------ search spaces
    def space_index(self, space: int) -> LookupIndex:
        """The enumerator's lookup index of a space (built or read from its cache once)."""
        number = get_space(space).number
        if number not in self._indices:
            self._indices[number] = load_index(number)
        return self._indices[number]

    def _space_table(self, space: int, budget: int) -> _SpaceTable:
        key = (get_space(space).number, self.check_budget(budget))
        table = self._tables.get(key)
        if table is None:
            index = self.space_index(key[0])
            rows = self.rows_of(index.hashes)
            missing = rows < 0
            safe = np.where(missing, 0, rows)
            test = 1.0 - np.asarray(self.metric(budget, "final_test_accuracy")[safe])
            valid = 1.0 - np.asarray(self.metric(budget, "final_validation_accuracy")[safe])
            test[missing] = np.nan
            valid[missing] = np.nan
            table = _SpaceTable(test_error=test, valid_error=valid,
                                test_mean=test.mean(axis=1), valid_mean=valid.mean(axis=1),
                                missing=missing, missing_count=int(missing.sum()))
            self._tables[key] = table
        return table

    def _missing_error(self, space: int, table: _SpaceTable, index: LookupIndex,
                       wanted: npt.NDArray[np.int32] | None) -> UserError:
        example_pos = (np.flatnonzero(table.missing)[0] if wanted is None
                       else wanted[table.missing[wanted]][0])
        example = index.hashes[example_pos].decode("ascii")
        return UserError(
            f"the NAS-Bench-101 index in {self.directory} lacks {table.missing_count} of the "
            f"{len(index.hashes)} architectures of search space {space} (e.g. {example}); "
            f"import the complete official file (or synthesize with --spaces {space})")

    def space_errors(self, space: int, config_ids: npt.ArrayLike,
                     budget: int = 108) -> SpaceErrors:
        """Test/validation error per repeat for a batch of config ids of one space.

        Vectorised: config id -> hash position (enumerator index) -> cached per-space table.
        Raises UserError when an id is out of range or its architecture is not imported.
        """
        index = self.space_index(space)
        table = self._space_table(space, budget)
        ids = np.asarray(config_ids, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= len(index.config_hash)):
            raise UserError(f"config ids out of range for space {space} "
                            f"(0..{len(index.config_hash) - 1})")
        positions = index.config_hash[ids]
        if table.missing_count and table.missing[positions].any():
            raise self._missing_error(space, table, index, positions)
        return SpaceErrors(positions, table, index, self.synthetic)

    def space_minimum(self, space: int, budget: int = 108) -> dict[str, float]:
        """Minimum test/validation error over every architecture of the space, both ways.

        `*_min_of_means`: the best architecture by its mean over the 3 repeats (what a
        regret against the mean error needs); `*_min_single_repeat`: the best single
        training run, the only rule in the original code that yields its hard-coded
        constants. Refuses an index that lacks some of the space's architectures.
        """
        index = self.space_index(space)
        table = self._space_table(space, budget)
        if table.missing_count:
            raise self._missing_error(space, table, index, None)
        return {
            "test_min_of_means": float(np.nanmin(np.nanmean(table.test_error, axis=1))),
            "valid_min_of_means": float(np.nanmin(np.nanmean(table.valid_error, axis=1))),
            "test_min_single_repeat": float(np.nanmin(table.test_error)),
            "valid_min_single_repeat": float(np.nanmin(table.valid_error)),
        }


def open_store(data_dir: Path | None = None, budgets: tuple[int, ...] = (108,)
               ) -> NB101Store:
    """Open the index in `data_dir` (default: $NB1S_DATA_DIR or the per-user data dir).

    Raises UserError with download and import instructions when nothing is installed;
    `budgets` (those the caller will query) picks the file those instructions name.
    """
    directory = resolve_data_dir(data_dir)
    if not (directory / PROVENANCE_FILE).is_file():
        raise UserError(missing_data_message(directory, budgets))
    return NB101Store(directory)
