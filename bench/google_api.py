"""The baseline for the compat API benchmark: Google's `nasbench.api`, re-derived from its facts.

Neither Google's package nor TensorFlow's old API is importable here, so this module
re-implements what the original API does per call, from the documented behaviour
(docs/nb101-data.md#what-the-original-api-does-per-call) and written from scratch: `ModelSpec`
checks squareness and upper triangularity entry by entry, deep-copies matrix and ops twice
and prunes with two depth-first searches and `np.delete`; `query` checks the epochs and
the spec, hashes the pruned spec with `hashlib` md5 (`graph_util.hash_module`), deep-copies
the model's fixed and computed statistics out of two dicts, samples a repeat with
`random.randint(0, 2)` and adds time and epochs to the budget counters. The dicts are built
from the same tfrecord the nb1s index was imported from (`nb101_data.baseline_load`), so
the two sides answer from the same records. Timing only; not a harness dependency.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np
from plain_enumerator import hash_module

AVAILABLE_OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


class OutOfDomain(Exception):
    """The baseline's `OutOfDomainError`."""


class GoogleStyleSpec:
    """`ModelSpec` as the original constructs it (copies, Python-loop checks, DFS pruning)."""

    def __init__(self, matrix: Any, ops: list[str]) -> None:
        if not isinstance(matrix, np.ndarray):
            matrix = np.array(matrix)
        shape = np.shape(matrix)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError("matrix must be square")
        if shape[0] != len(ops):
            raise ValueError("length of ops must match matrix dimensions")
        for src in range(shape[0]):
            for dst in range(src + 1):
                if matrix[src, dst] != 0:
                    raise ValueError("matrix must be upper triangular")
        self.original_matrix = copy.deepcopy(matrix)
        self.original_ops = copy.deepcopy(ops)
        self.matrix: np.ndarray | None = copy.deepcopy(matrix)
        self.ops: list[str] | None = copy.deepcopy(ops)
        self.valid_spec = True
        self._prune()

    def _prune(self) -> None:
        assert self.matrix is not None and self.ops is not None
        n = np.shape(self.original_matrix)[0]
        from_input = {0}
        stack = [0]
        while stack:
            top = stack.pop()
            for v in range(top + 1, n):
                if self.original_matrix[top, v] and v not in from_input:
                    from_input.add(v)
                    stack.append(v)
        to_output = {n - 1}
        stack = [n - 1]
        while stack:
            top = stack.pop()
            for v in range(0, top):
                if self.original_matrix[v, top] and v not in to_output:
                    to_output.add(v)
                    stack.append(v)
        extraneous = set(range(n)) - (from_input & to_output)
        if len(extraneous) > n - 2:
            self.matrix = None
            self.ops = None
            self.valid_spec = False
            return
        self.matrix = np.delete(self.matrix, list(extraneous), axis=0)
        self.matrix = np.delete(self.matrix, list(extraneous), axis=1)
        for index in sorted(extraneous, reverse=True):
            del self.ops[index]

    def hash_spec(self, canonical_ops: list[str]) -> str:
        assert self.matrix is not None and self.ops is not None
        labels = [-1] + [canonical_ops.index(op) for op in self.ops[1:-1]] + [-2]
        return hash_module(self.matrix.tolist(), labels)


class GoogleStyleAPI:
    """`NASBench.query` and its budget counters over the original's two dicts."""

    def __init__(self, fixed: dict[str, Any], computed: dict[str, Any], seed: int) -> None:
        self.fixed_statistics = fixed
        self.computed_statistics = computed
        self.valid_epochs = {e for stats in computed.values() for e in stats}
        self.training_time_spent = 0.0
        self.total_epochs_spent = 0
        random.seed(seed)

    def query(self, spec: GoogleStyleSpec, epochs: int = 108,
              stop_halfway: bool = False) -> dict[str, Any]:
        if epochs not in self.valid_epochs:
            raise OutOfDomain("invalid number of epochs")
        self._check_spec(spec)
        module_hash = spec.hash_spec(AVAILABLE_OPS)
        fixed_stat = copy.deepcopy(self.fixed_statistics[module_hash])
        computed_stat = copy.deepcopy(self.computed_statistics[module_hash])
        sampled_index = random.randint(0, 2)
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

    def _check_spec(self, spec: GoogleStyleSpec) -> None:
        if not spec.valid_spec or spec.matrix is None or spec.ops is None:
            raise OutOfDomain("invalid spec, provided graph is disconnected.")
        if len(spec.ops) > 7:
            raise OutOfDomain("too many vertices")
        if int(np.sum(spec.matrix)) > 9:
            raise OutOfDomain("too many edges")
        if spec.ops[0] != "input" or spec.ops[-1] != "output":
            raise OutOfDomain("first/last op")
        for op in spec.ops[1:-1]:
            if op not in AVAILABLE_OPS:
                raise OutOfDomain("unsupported op")
