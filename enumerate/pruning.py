"""NAS-Bench-101 pruning: keep only vertices on an input-to-output path.

Mirrors `ModelSpec._prune`: a vertex survives when it is reachable from vertex 0 and can
reach vertex V-1; the others lose their rows, columns and ops and the rest are
re-indexed in order. Fewer than two survivors means the input is not connected to the
output and the spec is invalid. Graphs are handled as per-vertex out-neighbour bitmasks,
which is what the compiled hasher consumes.
"""

from __future__ import annotations

from collections.abc import Sequence


def reachable_mask(out_masks: Sequence[int]) -> int:
    """Bitmask of the vertices that lie on some path from vertex 0 to vertex V-1."""
    n = len(out_masks)
    forward = 1
    for v in range(n):  # vertices are topologically ordered: one forward sweep suffices
        if (forward >> v) & 1:
            forward |= out_masks[v]
    backward = 1 << (n - 1)
    for v in range(n - 1, -1, -1):
        if out_masks[v] & backward:
            backward |= 1 << v
    return forward & backward


def compact(out_masks: Sequence[int], keep: int) -> list[int]:
    """Re-index the kept vertices consecutively and return their out-masks."""
    kept = [v for v in range(len(out_masks)) if (keep >> v) & 1]
    new_index = {v: i for i, v in enumerate(kept)}
    result = []
    for v in kept:
        mask = 0
        targets = out_masks[v] & keep
        while targets:
            low = targets & -targets
            mask |= 1 << new_index[low.bit_length() - 1]
            targets ^= low
        result.append(mask)
    return result


def matrix_to_masks(matrix: Sequence[Sequence[int]]) -> list[int]:
    """Per-vertex out-neighbour bitmasks of a 0/1 adjacency matrix."""
    return [sum(1 << j for j, x in enumerate(row) if x) for row in matrix]


def masks_to_matrix(out_masks: Sequence[int]) -> list[list[int]]:
    """The 0/1 adjacency matrix (lists of ints) of per-vertex out-masks."""
    n = len(out_masks)
    return [[(out_masks[i] >> j) & 1 for j in range(n)] for i in range(n)]
