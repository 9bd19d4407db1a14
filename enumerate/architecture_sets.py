"""Which architectures of a search space an analysis counts, as arrays of config ids.

The paper and its code count "the architectures of a space" in different ways (Table 1,
docs/original-code.md#figure-6): Figure 6's caption speaks of the space *with* loose ends, the
code that drew it walked the loose-end-*free* enumerator. Every set here is exact and
given as one config id per member, so the NB101 store can look the members up:

- `configurations`: every config id (ops of blocks without an outgoing edge included, so
  architectures that differ only there are counted three times over).
- `with_loose_ends`: every parent choice with every op assignment of the blocks that have
  an outgoing edge; a block with none gets the first op (its op changes nothing, NB101
  prunes it). Its size is Table 1's "w/ loose ends" rule.
- `without_loose_ends`: every distinct pruned graph (first parent choice per pruned
  topology, every op assignment of the blocks that survive pruning); isomorphic graphs
  are still counted separately. Its size is `Table1Counts.without_loose_ends`.
- `unique`: one config per NAS-Bench-101 hash (isomorphism removed).

Combinatorics without torch or files; it lives in the harness only because the enumerator
package is owned elsewhere (it could move to `nb1s.enumerate`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import OPS, get_space, load_index
from nb1s.enumerate.pruning import reachable_mask
from nb1s.enumerate.space_analysis import parent_choice_masks

ArchitectureSet = Literal["configurations", "with_loose_ends", "without_loose_ends", "unique"]
ARCHITECTURE_SETS: tuple[ArchitectureSet, ...] = (
    "configurations", "with_loose_ends", "without_loose_ends", "unique")


def _op_grid(blocks: int) -> npt.NDArray[np.int64]:
    """Op label of every block for op index 0..3^k-1 (node 1 most significant, as encoded)."""
    grid: npt.NDArray[np.int64] = np.indices((len(OPS),) * blocks).reshape(blocks, -1).T
    return grid.astype(np.int64)


def _ids_with_fixed_blocks(grid: npt.NDArray[np.int64], choice: int, n_ops: int,
                           free: list[int]) -> npt.NDArray[np.int64]:
    """Config ids of parent choice `choice` whose blocks outside `free` carry op 0."""
    fixed = [b for b in range(grid.shape[1]) if b not in free]
    rows = np.flatnonzero((grid[:, fixed] == 0).all(axis=1)) if fixed else np.arange(n_ops)
    return choice * n_ops + rows.astype(np.int64)


def architecture_ids(space: int, which: ArchitectureSet) -> npt.NDArray[np.int64]:
    """Sorted config ids, one per member of the set `which` of `space` (module docstring)."""
    sp = get_space(space)
    if which == "configurations":
        return np.arange(sp.num_configs, dtype=np.int64)
    if which == "unique":
        return np.sort(load_index(sp.number).canonical_config.astype(np.int64))
    if which not in ARCHITECTURE_SETS:
        raise ValueError(f"unknown architecture set {which!r}: one of {ARCHITECTURE_SETS}")
    k = sp.num_choice_blocks
    grid = _op_grid(k)
    n_ops = sp.num_op_choices
    seen: set[tuple[int, ...]] = set()
    parts = []
    for choice, out in enumerate(parent_choice_masks(sp)):
        if which == "with_loose_ends":
            free = [node - 1 for node in range(1, k + 1) if out[node]]
        else:
            keep = reachable_mask(out)
            key = (keep, *(out[v] & keep if (keep >> v) & 1 else 0 for v in range(len(out))))
            if key in seen:
                continue
            seen.add(key)
            free = [node - 1 for node in range(1, k + 1) if (keep >> node) & 1]
        parts.append(_ids_with_fixed_blocks(grid, choice, n_ops, free))
    return np.sort(np.concatenate(parts))
