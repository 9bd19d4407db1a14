"""Config ids: a bijection between integers and (parent sets, ops) of a search space.

Layout: ``config_id = parent_index * 3**k + op_index``. ``parent_index`` is the position
of the parent choice in `itertools.product` order over the nodes 1..k+1 (node 1 most
significant), each node's digit being the index of its parent set in
`itertools.combinations` order; ``op_index`` writes the choice blocks' op labels (the
index in `spaces.OPS`, NAS-Bench-101's order) in base 3, node 1 most significant. So
ids sort first by topology, then by ops, in the order the original code walks them.

Scalar functions serve the CLI and tests; the `*_array` functions are vectorised with
numpy for the optimizers and the harness, which convert thousands of architectures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .spaces import OPS, SearchSpace

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Config:
    """A point of a search space: parent sets of nodes 1..k+1 and ops of nodes 1..k."""

    parents: tuple[tuple[int, ...], ...]
    ops: tuple[int, ...]

    def op_names(self) -> list[str]:
        return [OPS[o] for o in self.ops]


class InvalidConfigError(ValueError):
    """Raised for a config id out of range or parents/ops that the space does not allow."""


def _check_id(space: SearchSpace, config_id: int) -> None:
    if not 0 <= config_id < space.num_configs:
        raise InvalidConfigError(
            f"config id {config_id} out of range for space {space.number} "
            f"(0..{space.num_configs - 1})"
        )


def decode(space: SearchSpace, config_id: int) -> Config:
    """The parent sets and ops a config id stands for."""
    config_id = int(config_id)
    _check_id(space, config_id)
    parent_index, op_index = divmod(config_id, space.num_op_choices)
    k = space.num_choice_blocks
    ops = [0] * k
    for i in range(k - 1, -1, -1):
        op_index, ops[i] = divmod(op_index, len(OPS))
    digits = [0] * len(space.parent_radices)
    for i in range(len(digits) - 1, -1, -1):
        parent_index, digits[i] = divmod(parent_index, space.parent_radices[i])
    parents = tuple(space.parent_options[i][d] for i, d in enumerate(digits))
    return Config(parents=parents, ops=tuple(ops))


def encode(space: SearchSpace, parents: list[tuple[int, ...]] | tuple[tuple[int, ...], ...],
           ops: list[int] | tuple[int, ...]) -> int:
    """The config id of parent sets (nodes 1..k+1) and op labels (nodes 1..k)."""
    if len(parents) != space.num_nodes - 1 or len(ops) != space.num_choice_blocks:
        raise InvalidConfigError(
            f"space {space.number} needs parent sets for {space.num_nodes - 1} nodes and "
            f"ops for {space.num_choice_blocks} choice blocks"
        )
    parent_index = 0
    for node, (options, chosen) in enumerate(zip(space.parent_options, parents, strict=True),
                                             start=1):
        key = tuple(sorted(int(p) for p in chosen))
        try:
            digit = options.index(key)
        except ValueError:
            raise InvalidConfigError(
                f"node {node} of space {space.number} cannot take parents {key}"
            ) from None
        parent_index = parent_index * len(options) + digit
    op_index = 0
    for op in ops:
        if not 0 <= int(op) < len(OPS):
            raise InvalidConfigError(f"op label {op} not in 0..{len(OPS) - 1}")
        op_index = op_index * len(OPS) + int(op)
    return parent_index * space.num_op_choices + op_index


def decode_array(space: SearchSpace, config_ids: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Vectorised decode: (parent-set digit per node [n, k+1], op label per block [n, k])."""
    ids = np.asarray(config_ids, dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= space.num_configs):
        raise InvalidConfigError(f"config ids out of range for space {space.number}")
    parent_index, op_index = np.divmod(ids, space.num_op_choices)
    k = space.num_choice_blocks
    ops = np.empty((*ids.shape, k), dtype=np.int64)
    for i in range(k - 1, -1, -1):
        op_index, ops[..., i] = np.divmod(op_index, len(OPS))
    radices = space.parent_radices
    digits = np.empty((*ids.shape, len(radices)), dtype=np.int64)
    for i in range(len(radices) - 1, -1, -1):
        parent_index, digits[..., i] = np.divmod(parent_index, radices[i])
    return digits, ops


def encode_array(space: SearchSpace, parent_digits: npt.ArrayLike, ops: npt.ArrayLike) -> IntArray:
    """Vectorised encode from parent-set digits per node and op labels per block."""
    digits = np.asarray(parent_digits, dtype=np.int64)
    op_arr = np.asarray(ops, dtype=np.int64)
    radices = np.asarray(space.parent_radices, dtype=np.int64)
    if digits.shape[-1] != len(radices) or op_arr.shape[-1] != space.num_choice_blocks:
        raise InvalidConfigError(f"wrong number of nodes for space {space.number}")
    if (digits < 0).any() or (digits >= radices).any() or (op_arr < 0).any() or (
        op_arr >= len(OPS)
    ).any():
        raise InvalidConfigError(f"parent digit or op label out of range for space {space.number}")
    parent_index = np.zeros(digits.shape[:-1], dtype=np.int64)
    for i, radix in enumerate(radices):
        parent_index = parent_index * radix + digits[..., i]
    op_index = np.zeros(op_arr.shape[:-1], dtype=np.int64)
    for i in range(space.num_choice_blocks):
        op_index = op_index * len(OPS) + op_arr[..., i]
    result: IntArray = parent_index * space.num_op_choices + op_index
    return result


def adjacency(space: SearchSpace, config: Config) -> list[list[int]]:
    """The (k+2) x (k+2) upper-triangular adjacency matrix of a config, unpruned."""
    n = space.num_nodes
    matrix = [[0] * n for _ in range(n)]
    for node, parent_set in enumerate(config.parents, start=1):
        for parent in parent_set:
            matrix[parent][node] = 1
    return matrix


def to_nb101_spec(space: SearchSpace, config: Config) -> tuple[list[list[int]], list[str]]:
    """The 7-vertex (matrix, ops) NAS-Bench-1Shot1 hands to NAS-Bench-101.

    Spaces 1 and 2 have only 6 nodes; like the original code we insert one unused vertex
    (op conv1x1, no edges) before the output. NB101 pruning removes it again, so it never
    changes the hash.
    """
    matrix = adjacency(space, config)
    ops = ["input", *config.op_names(), "output"]
    if space.num_nodes < 7:
        for row in matrix:
            row.insert(len(row) - 1, 0)
        matrix.insert(len(matrix) - 1, [0] * (space.num_nodes + 1))
        ops.insert(len(ops) - 1, OPS[1])
    return matrix, ops
