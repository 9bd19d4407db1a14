"""Google's `nasbench.api`, answered from the nb1s index: change one import, keep the script.

    from nasbench import api               # before: TensorFlow, minutes, gigabytes
    from nb1s.harness import nasbench as api   # after: memory-mapped index, milliseconds

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
import os
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nb1s.enumerate import OPS
from nb1s.enumerate.hashing import hash_module
from nb1s.enumerate.pruning import compact, matrix_to_masks, reachable_mask

from .nb101_records import METRIC_FIELDS
from .store import NB101Store, is_index_dir, open_store

INPUT = "input"
OUTPUT = "output"
CONV3X3 = "conv3x3-bn-relu"
CONV1X1 = "conv1x1-bn-relu"
MAXPOOL3X3 = "maxpool3x3"

#: The original `config.build_config()` entries the API reads.
CONFIG: dict[str, Any] = {
    "module_vertices": 7,
    "max_edges": 9,
    "num_repeats": 3,
    "available_ops": list(OPS),
}


class OutOfDomainError(Exception):
    """The requested graph or epoch budget is outside the dataset."""


class ModelSpec:
    """An adjacency matrix and ops, pruned like the original on construction.

    `original_matrix`/`original_ops` keep the input; `matrix`/`ops` are the pruned graph
    (vertices not on an input-to-output path removed), or None with `valid_spec` False
    when the input does not reach the output.
    """

    def __init__(self, matrix: Any, ops: Sequence[str], data_format: str = "channels_last"
                 ) -> None:
        array = matrix if isinstance(matrix, np.ndarray) else np.array(matrix)
        shape = np.shape(array)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError("matrix must be square")
        if shape[0] != len(ops):
            raise ValueError("length of ops must match matrix dimensions")
        if np.any(np.tril(array) != 0):
            raise ValueError("matrix must be upper triangular")
        self.original_matrix = copy.deepcopy(array)
        self.original_ops = copy.deepcopy(list(ops))
        self.matrix: np.ndarray | None = copy.deepcopy(array)
        self.ops: list[str] | None = copy.deepcopy(list(ops))
        self.valid_spec = True
        self.data_format = data_format
        self._prune()

    def _prune(self) -> None:
        masks = matrix_to_masks(np.asarray(self.original_matrix != 0, dtype=np.int64).tolist())
        keep = reachable_mask(masks)
        kept = [v for v in range(len(masks)) if (keep >> v) & 1]
        if len(kept) < 2:
            self.matrix = None
            self.ops = None
            self.valid_spec = False
            return
        self.matrix = np.asarray(self.original_matrix)[np.ix_(kept, kept)].copy()
        self.ops = [self.original_ops[v] for v in kept]
        self._masks = compact(masks, keep)

    def hash_spec(self, canonical_ops: Sequence[str]) -> str:
        """NB101's isomorphism-invariant md5 hash, op labels by index in `canonical_ops`."""
        if not self.valid_spec or self.ops is None:
            raise ValueError("cannot hash an invalid (disconnected) spec")
        labels = [-1] + [list(canonical_ops).index(op) for op in self.ops[1:-1]] + [-2]
        return str(hash_module(self._masks, labels))


def _cached_import(path: Path) -> Path:
    """Import a raw tfrecord once into a cache directory named by its sha256."""
    from nb1s.enumerate.index import cache_dir

    from .nb101_import import file_sha256, import_tfrecord

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

    def query(self, model_spec: ModelSpec, epochs: int = 108,
              stop_halfway: bool = False) -> dict[str, Any]:
        """One sampled repeat of the model; increments the budget counters."""
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
        row = self.store.row_of(module_hash)
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
        num_edges = int(np.sum(np.asarray(model_spec.matrix) != 0))
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
