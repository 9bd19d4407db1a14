"""Google's `nasbench.api`, answered from the nb1s index: change one import, keep the script.

    from nasbench import api               # before: TensorFlow, minutes, gigabytes
    from nb1s.harness.nb101 import nasbench_api as api   # after: memory-mapped index, milliseconds

`NASBench(path_or_dir, seed=None)` accepts an imported index directory or an official
`.tfrecord` (imported once into a cache keyed by the file's sha256). Behaviour follows
the original API, including what a benchmark's budget accounting depends on:
`query` checks the epoch budget, then the spec, then samples one of the 3 repeats with
`randint(0, 2)` of an RNG seeded by `seed` (the original seeds the global `random`
module; a private `random.Random(seed)` yields the same sequence without side effects),
and adds the sample's training time and `epochs` (or `epochs // 2` when stopping
halfway) to the budget counters. `get_metrics_from_hash` raises `KeyError` for an
unknown hash, as the original's dict did.

One deliberate difference: matrices are canonicalised to integers before hashing, so a
float matrix finds its model instead of the original's spurious `KeyError`
(nasbench issue #32).
"""

from __future__ import annotations

import copy
import functools
import os
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from nb1s.enumerate._core import SortedHashes, canonical_code, spec_code, spec_prune

from nb1s.enumerate import OPS
from nb1s.enumerate.hashing import hash_module
from nb1s.enumerate.pruning import compact, matrix_to_masks, reachable_mask
from nb1s.harness.nb101.random_access import (
    open_random_access,
    prefetch_headers,
    prefetch_row,
)
from nb1s.harness.nb101.records import METRIC_FIELDS
from nb1s.harness.nb101.spec_lookup import open_spec_rows
from nb1s.harness.nb101.store import (
    NB101Store,
    is_index_dir,
    metric_file,
    op_name,
    open_store,
    repeats_file,
)

INPUT = "input"
OUTPUT = "output"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"

#: Op name of each `ops.npy` code, looked up per query without a function call.
_OP_NAMES = {code: op_name(code) for code in (-2, -1, 0, 1, 2)}

_OPS_LIST = list(OPS)
_OPS_KEY = tuple(OPS)
_OP_LABELS = {op: i for i, op in enumerate(OPS)}

#: The original `config.build_config()` entries the API reads.
CONFIG: dict[str, Any] = {
    "module_vertices": 7,
    "max_edges": 9,
    "num_repeats": 3,
    "available_ops": list(OPS),
}


#: The model columns `query` reads, in the order `_load_fixed` returns them.
_FIXED_FILES = ("num_vertices.npy", "adjacency.npy", "ops.npy", "trainable_parameters.npy")


def _column_files(epochs: int, stop_halfway: bool) -> list[str]:
    """The repeats-present file and the four metric files `query` reads at one budget."""
    stage = "halfway" if stop_halfway else "final"
    return [repeats_file(epochs), *(metric_file(epochs, f"{stage}_{field}") for field in (
        "training_time", "train_accuracy", "validation_accuracy", "test_accuracy"))]


class OutOfDomainError(Exception):
    """The requested graph or epoch budget is outside the dataset."""


class ModelSpec:
    """An adjacency matrix and ops, pruned like the original on construction.

    `original_matrix`/`original_ops` keep the input; `matrix`/`ops` are the pruned graph
    (vertices not on an input-to-output path removed), or None with `valid_spec` False
    when the input does not reach the output.

    Why it is faster than the original while behaving the same: the triangularity check
    and the pruning run in one compiled pass (`spec_prune`), numeric arrays are copied
    with `ndarray.copy()` instead of `copy.deepcopy`, and the NB101 hash is computed once
    per spec object and kept (a spec is treated as immutable after construction, which is
    how the original API's users build and query them).
    """

    def __init__(self, matrix: Any, ops: Sequence[str], data_format: str = "channels_last"
                 ) -> None:
        array = matrix if isinstance(matrix, np.ndarray) else np.array(matrix)
        shape = array.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError("matrix must be square")
        n = shape[0]
        if n != len(ops):
            raise ValueError("length of ops must match matrix dimensions")
        pruned = _prune_masks(array)
        if pruned is None:
            raise ValueError("matrix must be upper triangular")
        numeric = array.dtype != object
        self.original_matrix = array.copy() if numeric else copy.deepcopy(array)
        self.original_ops = list(ops) if _plain_strings(ops) else copy.deepcopy(list(ops))
        self.valid_spec = True
        self.data_format = data_format
        self._hash: tuple[tuple[str, ...], str] | None = None
        self._code: tuple[tuple[str, ...], int] | None = None
        keep, self._masks, self._num_edges = pruned
        if keep == (1 << n) - 1 and n >= 2:  # nothing to prune (the usual case)
            self.matrix: np.ndarray | None = (array.copy() if numeric
                                              else copy.deepcopy(array))
            self.ops: list[str] | None = list(self.original_ops)
            return
        kept, flat = _kept_vertices(n, keep)
        if len(kept) < 2:
            self.matrix = None
            self.ops = None
            self.valid_spec = False
            return
        # One `take` of the kept rows and columns (flat positions, cached per pattern):
        # what np.delete keeps, same dtype, several times cheaper than np.ix_ indexing.
        self.matrix = self.original_matrix.take(flat).reshape(len(kept), len(kept))
        self.ops = [self.original_ops[v] for v in kept]

    def hash_spec(self, canonical_ops: Sequence[str]) -> str:
        """NB101's isomorphism-invariant md5 hash, op labels by index in `canonical_ops`.

        Computed on the first call and kept for later calls with the same op list.
        """
        key = tuple(canonical_ops)
        cached = self._hash
        if cached is not None and cached[0] == key:
            return cached[1]
        if not self.valid_spec or self.ops is None:
            raise ValueError("cannot hash an invalid (disconnected) spec")
        labels = [-1] + [key.index(op) for op in self.ops[1:-1]] + [-2]
        digest = str(hash_module(self._masks, labels))
        self._hash = (key, digest)
        return digest

    def _canonical_code(self, canonical_ops: Sequence[str]) -> int:
        """The enumerator's canonical code of the pruned graph (labels as in `hash_spec`),
        computed once per spec; equal for two specs exactly when their hashes are."""
        key = tuple(canonical_ops)
        cached = self._code
        if cached is not None and cached[0] == key:
            return cached[1]
        assert self.ops is not None
        labels = [-1] + [key.index(op) for op in self.ops[1:-1]] + [-2]
        code = int(canonical_code(self._masks, labels))
        self._code = (key, code)
        return code


@functools.lru_cache(maxsize=4096)
def _kept_vertices(n: int, keep: int) -> tuple[tuple[int, ...], np.ndarray]:
    """The vertices in bitmask `keep` and the flat positions of their rows x columns in
    an n x n matrix (a handful of patterns per n occur, so they are computed once)."""
    kept = tuple(v for v in range(n) if (keep >> v) & 1)
    index = np.asarray(kept, dtype=np.intp)
    flat = (index[:, None] * n + index[None, :]).ravel()
    flat.setflags(write=False)
    return kept, flat


def _plain_strings(ops: Sequence[Any]) -> bool:
    """True when every op is a str, so copying the list equals deep-copying it.

    `str.join` accepts exactly str items (subclasses included, all immutable) and is the
    cheapest complete check there is for a short list.
    """
    try:
        "".join(ops)
    except TypeError:
        return False
    return True


def _prune_masks(array: np.ndarray) -> tuple[int, list[int], int] | None:
    """(kept-vertex mask, pruned out-masks, their edge count), or None when not upper
    triangular."""
    n = array.shape[0]
    if 1 <= n <= 64:
        # For numbers and booleans `astype(bool)` is `!= 0` (NaN included), at a fraction
        # of a ufunc call's cost; other dtypes keep the comparison the original makes.
        if array.dtype.kind in "biufc":
            nonzero = array.astype(bool, order="C").view(np.uint8)
        else:
            nonzero = np.ascontiguousarray(array != 0).view(np.uint8)
        result: tuple[int, list[int], int] | None = spec_prune(nonzero)
        return result
    if n == 0 or np.any(np.tril(array) != 0):
        return None if n else (0, [], 0)
    masks = matrix_to_masks(np.asarray(array != 0, dtype=np.int64).tolist())
    keep = reachable_mask(masks)
    pruned = compact(masks, keep)
    return keep, pruned, sum(m.bit_count() for m in pruned)


def _cached_import(path: Path) -> Path:
    """Import a raw tfrecord once into a cache directory named by its sha256."""
    from nb1s.enumerate.index import cache_dir
    from nb1s.harness.nb101.importer import file_sha256, import_tfrecord

    target = cache_dir() / "nb101-imports" / file_sha256(path)[:32]
    if not is_index_dir(target):
        import_tfrecord(path, target)
    return target


class HashKeys:
    """A read-only view of the dataset's hashes (iteration, `len`, `in`)."""

    def __init__(self, store: NB101Store) -> None:
        self._store = store

    def __iter__(self) -> Iterator[str]:
        return (h.decode("ascii") for h in self._store.hashes)

    def __len__(self) -> int:
        return self._store.num_models

    def __contains__(self, module_hash: object) -> bool:
        if not isinstance(module_hash, str):
            return False
        try:
            self._store.row_of(module_hash)
        except KeyError:
            return False
        return True


class NASBench:
    """The original user-facing API over an nb1s index (see the module docstring)."""

    def __init__(self, dataset_file: str | os.PathLike[str] | None = None,
                 seed: int | None = None) -> None:
        self.config = copy.deepcopy(CONFIG)
        self.random = random.Random(seed)
        path = Path(dataset_file) if dataset_file is not None else None
        if path is not None and path.is_file():
            path = _cached_import(path)
        self.store: NB101Store = open_store(path)
        self.valid_epochs: set[int] = set(self.store.budgets)
        self.history: dict[str, Any] = {}
        self.training_time_spent = 0.0
        self.total_epochs_spent = 0
        self._rows = SortedHashes(self.store.hashes)  # shared by every hash lookup here
        if 108 in self.valid_epochs:  # the default query's columns: headers read together
            prefetch_headers([self.store.directory / name for name in (
                *_FIXED_FILES, *_column_files(108, False))])
        self._spec_rows = open_spec_rows(self.store.directory, self.store.num_models)
        self._fast: dict[tuple[int, bool], tuple[np.ndarray, ...]] = {}
        self._fixed: tuple[np.ndarray, ...] = ()

    def query(self, model_spec: ModelSpec, epochs: int = 108,
              stop_halfway: bool = False) -> dict[str, Any]:
        """One sampled repeat of the model; increments the budget counters.

        The same answers, errors and counters as `query_plain` (the straightforward
        path kept as the tests' reference), without building the per-repeat dicts: the
        spec's hash is cached on the spec, its row found by a compiled binary search over
        the sorted hash column, and the sampled repeat's four numbers read directly from
        the memory-mapped columns.
        """
        columns = self._fast.get((epochs, stop_halfway))
        if columns is None:
            if epochs not in self.valid_epochs:
                raise OutOfDomainError(
                    f"invalid number of epochs, must be one of {self.valid_epochs}")
            columns = self._load_columns(epochs, stop_halfway)
        self._check_spec(model_spec)
        row = self._row_of_spec(model_spec)
        fixed = self._fixed
        if not fixed:  # the first query: its ten pages are read together, not in turn
            fixed = self._load_fixed()
            prefetch_row((*columns, *fixed), row)
        sampled_index = self.random.randint(0, self.config["num_repeats"] - 1)
        present, time_col, train_col, valid_col, test_col = columns
        count = present.item(row)
        if count <= sampled_index:  # what the original's computed_stat[epochs][i] raises
            if count == 0:
                raise KeyError(epochs)
            raise IndexError("list index out of range")
        training_time = time_col.item(row, sampled_index)
        num_vertices, adjacency, ops, params = fixed
        nv = num_vertices.item(row)
        data = {
            "module_adjacency": adjacency[row, :nv, :nv].copy(),
            "module_operations": [_OP_NAMES[c] for c in ops[row, :nv].tolist()],
            "trainable_parameters": params.item(row),
            "training_time": training_time,
            "train_accuracy": train_col.item(row, sampled_index),
            "validation_accuracy": valid_col.item(row, sampled_index),
            "test_accuracy": test_col.item(row, sampled_index),
        }
        self.training_time_spent += training_time
        self.total_epochs_spent += epochs // 2 if stop_halfway else epochs
        return data

    def query_plain(self, model_spec: ModelSpec, epochs: int = 108,
                    stop_halfway: bool = False) -> dict[str, Any]:
        """`query` written the straightforward way, through `get_metrics_from_spec`.

        Kept as the reference the fast `query` is tested against (same answers, same
        budget counters, same errors); slower, not deprecated.
        """
        if epochs not in self.valid_epochs:
            raise OutOfDomainError(
                f"invalid number of epochs, must be one of {self.valid_epochs}")
        fixed_stat, computed_stat = self.get_metrics_from_spec(model_spec)
        sampled_index = self.random.randint(0, self.config["num_repeats"] - 1)
        sample = computed_stat[epochs][sampled_index]
        stage = "halfway" if stop_halfway else "final"
        data = {
            "module_adjacency": fixed_stat["module_adjacency"],
            "module_operations": fixed_stat["module_operations"],
            "trainable_parameters": fixed_stat["trainable_parameters"],
            "training_time": sample[f"{stage}_training_time"],
            "train_accuracy": sample[f"{stage}_train_accuracy"],
            "validation_accuracy": sample[f"{stage}_validation_accuracy"],
            "test_accuracy": sample[f"{stage}_test_accuracy"],
        }
        self.training_time_spent += data["training_time"]
        self.total_epochs_spent += epochs // 2 if stop_halfway else epochs
        return data

    def _row_of_spec(self, model_spec: ModelSpec) -> int:
        """Row of a checked spec: canonical code -> row (no md5), or hash -> row."""
        available = self.config["available_ops"]
        # The index's codes label ops by their position in OPS, as the original config does.
        if self._spec_rows is not None and available == _OPS_LIST:
            cached = model_spec._code
            if cached is not None and cached[0] == _OPS_KEY:
                code = cached[1]
            else:
                code = spec_code(model_spec._masks, model_spec.ops, _OP_LABELS)
                model_spec._code = (_OPS_KEY, code)
            row = int(self._spec_rows.row_of_code(code))
        else:
            row = self._rows.row(self._hash_spec(model_spec))
        if row < 0:
            raise KeyError(self._hash_spec(model_spec))
        return row

    def _view(self, name: str) -> np.ndarray:
        # A plain ndarray over a map of its own: indexing an `np.memmap` goes through a
        # Python-level __getitem__ on every call, a plain view does not; and the map reads
        # one page per touched row (see `random_access`), so a cold first query is cheap.
        return open_random_access(self.store.directory / name)

    def _load_fixed(self) -> tuple[np.ndarray, ...]:
        """num_vertices, adjacency (as int8, like the original), ops, trainable_parameters."""
        num_vertices, adjacency, ops, params = (self._view(name) for name in _FIXED_FILES)
        self._fixed = (num_vertices, adjacency.view(np.int8), ops, params)
        return self._fixed

    def _load_columns(self, epochs: int, stop_halfway: bool) -> tuple[np.ndarray, ...]:
        """repeats present and the four columns `query` reads at one budget and stage."""
        columns = tuple(self._view(name) for name in _column_files(epochs, stop_halfway))
        self._fast[(epochs, stop_halfway)] = columns
        return columns

    def is_valid(self, model_spec: ModelSpec) -> bool:
        """Whether the spec is inside the dataset's domain; does not touch the counters."""
        try:
            self._check_spec(model_spec)
        except OutOfDomainError:
            return False
        return True

    def get_budget_counters(self) -> tuple[float, int]:
        """(training_time_spent, total_epochs_spent)."""
        return self.training_time_spent, self.total_epochs_spent

    def reset_budget_counters(self) -> None:
        self.training_time_spent = 0.0
        self.total_epochs_spent = 0

    def hash_iterator(self) -> HashKeys:
        """Every model hash in the dataset (sorted, unlike the original's dict order).

        Like the original's `dict.keys()` it supports `len`, `in` and repeated iteration.
        """
        return HashKeys(self.store)

    def get_metrics_from_hash(self, module_hash: str) -> tuple[dict[str, Any],
                                                               dict[int, list[dict[str, float]]]]:
        """(fixed_stat, computed_stat) of a hash; KeyError when it is not in the dataset."""
        row = self._rows.row(module_hash) if isinstance(module_hash, str) else -1
        if row < 0:
            raise KeyError(module_hash)
        return self.store.fixed(row), self.store.computed(row)

    def get_metrics_from_spec(self, model_spec: ModelSpec) -> tuple[
            dict[str, Any], dict[int, list[dict[str, float]]]]:
        """Check, hash, then `get_metrics_from_hash`; no budget counted."""
        self._check_spec(model_spec)
        return self.get_metrics_from_hash(self._hash_spec(model_spec))

    def _check_spec(self, model_spec: ModelSpec) -> None:
        if not model_spec.valid_spec or model_spec.ops is None or model_spec.matrix is None:
            raise OutOfDomainError("invalid spec, provided graph is disconnected.")
        num_vertices = len(model_spec.ops)
        num_edges = model_spec._num_edges
        if num_vertices > self.config["module_vertices"]:
            raise OutOfDomainError(f"too many vertices, got {num_vertices} "
                                   f"(max vertices = {self.config['module_vertices']})")
        if num_edges > self.config["max_edges"]:
            raise OutOfDomainError(f"too many edges, got {num_edges} "
                                   f"(max edges = {self.config['max_edges']})")
        if model_spec.ops[0] != INPUT:
            raise OutOfDomainError("first operation should be 'input'")
        if model_spec.ops[-1] != OUTPUT:
            raise OutOfDomainError("last operation should be 'output'")
        for op in model_spec.ops[1:-1]:
            if op not in self.config["available_ops"]:
                raise OutOfDomainError(f"unsupported op {op} (available ops = "
                                       f"{self.config['available_ops']})")

    def _hash_spec(self, model_spec: ModelSpec) -> str:
        return model_spec.hash_spec(self.config["available_ops"])


__all__ = [
    "CONV1X1",
    "CONV3X3",
    "INPUT",
    "MAXPOOL3X3",
    "METRIC_FIELDS",
    "OUTPUT",
    "ModelSpec",
    "NASBench",
    "OutOfDomainError",
]
