"""`hash_spec`: NAS-Bench-101's isomorphism-invariant hash of one (matrix, ops) spec.

The result is bit-identical to `ModelSpec.hash_spec(available_ops)` in Google's
`nasbench` (which calls `graph_util.hash_module` on the pruned spec), computed by the
compiled `hash_module`. Validation follows `ModelSpec.__init__` (square, ops per
vertex, upper triangular: checked on the spec as given) and `NASBench._check_spec`
(connected, at most 7 vertices and 9 edges, input/output ends, known ops: checked on
the pruned spec), so a spec is accepted here exactly when the official API accepts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._core import hash_module

__all__ = ["HashedSpec", "InvalidSpecError", "hash_module", "hash_spec", "validate_structure"]
from .pruning import compact, masks_to_matrix, reachable_mask
from .spaces import INPUT, INPUT_LABEL, MAX_EDGES, MAX_VERTICES, OPS, OUTPUT, OUTPUT_LABEL


class InvalidSpecError(ValueError):
    """A spec that NAS-Bench-101 rejects; the message says why, in one line."""


@dataclass(frozen=True)
class HashedSpec:
    """A spec's NB101 hash together with the pruned graph that was hashed."""

    hash: str
    pruned_matrix: list[list[int]]
    pruned_ops: list[str]


def _as_bit(value: Any, i: int, j: int) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise InvalidSpecError(f"matrix entry [{i}][{j}] is not a number: {value!r}") from None
    if as_float not in (0.0, 1.0):
        raise InvalidSpecError(f"matrix entry [{i}][{j}] must be 0 or 1, got {value!r}")
    # Canonicalise to int: Google's hash formats degrees with str(), so a float matrix
    # would silently hash differently there (nasbench issue #32).
    return int(as_float)


def validate_structure(matrix: Any, ops: Any) -> list[int]:
    """Check shape, labels length and upper-triangularity; return out-neighbour masks."""
    if not isinstance(ops, Sequence) or isinstance(ops, str | bytes):
        raise InvalidSpecError("ops must be a list of op names")
    try:
        rows = [list(row) for row in matrix]
    except TypeError:
        raise InvalidSpecError("matrix must be a square list of lists") from None
    n = len(rows)
    if n == 0 or any(len(row) != n for row in rows):
        raise InvalidSpecError("matrix must be square")
    if len(ops) != n:
        raise InvalidSpecError(f"ops has {len(ops)} entries but the matrix has {n} vertices")
    masks = []
    for i, row in enumerate(rows):
        mask = 0
        for j, value in enumerate(row):
            if _as_bit(value, i, j):
                if j <= i:
                    raise InvalidSpecError("matrix must be upper triangular (zero diagonal)")
                mask |= 1 << j
        masks.append(mask)
    return masks


def hash_spec(matrix: Any, ops: Any) -> HashedSpec:
    """NAS-Bench-101 hash of a spec, with the pruned matrix and ops it was computed on.

    Raises `InvalidSpecError` for a spec the official API would refuse.
    """
    masks = validate_structure(matrix, ops)
    keep = reachable_mask(masks)
    kept = [v for v in range(len(masks)) if (keep >> v) & 1]
    if len(kept) < 2:
        raise InvalidSpecError("invalid spec: the input is not connected to the output")
    pruned_masks = compact(masks, keep)
    pruned_ops = [str(ops[v]) for v in kept]
    edges = sum(m.bit_count() for m in pruned_masks)
    if len(kept) > MAX_VERTICES:
        raise InvalidSpecError(f"too many vertices: {len(kept)} (max {MAX_VERTICES})")
    if edges > MAX_EDGES:
        raise InvalidSpecError(f"too many edges: {edges} (max {MAX_EDGES})")
    if pruned_ops[0] != INPUT:
        raise InvalidSpecError("first op must be 'input'")
    if pruned_ops[-1] != OUTPUT:
        raise InvalidSpecError("last op must be 'output'")
    labels = [INPUT_LABEL]
    for op in pruned_ops[1:-1]:
        if op not in OPS:
            raise InvalidSpecError(f"unknown op {op!r} (available: {', '.join(OPS)})")
        labels.append(OPS.index(op))
    labels.append(OUTPUT_LABEL)
    digest = hash_module(pruned_masks, labels)
    return HashedSpec(hash=digest, pruned_matrix=masks_to_matrix(pruned_masks),
                      pruned_ops=pruned_ops)
