"""Walk every configuration of a search space: pruning, topologies and NB101 classes.

One pass over the parent choices (in the original code's `itertools.product` order)
records what Table 1 and the lookup index need: per parent choice, how many choice
blocks have an outgoing edge and which pruned topology it yields; per pruned topology,
the NB101 class of every labelling of its kept choice blocks (compiled hasher); per
config id, its class. Only the distinct pruned topologies are hashed, 3^kept labellings
each, never all 3^k op assignments.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._core import GraphClassifier
from .pruning import compact, reachable_mask
from .spaces import INPUT_LABEL, OPS, OUTPUT_LABEL, SearchSpace


@dataclass
class SpaceAnalysis:
    """Everything the enumeration of one space learned, as flat arrays.

    - `blocks_with_out_edge[p]`: choice blocks of parent choice p with an outgoing edge.
    - `topology[p]`: id of the pruned, numbered graph (dead vertices removed) of p.
    - `topology_first_choice[t]`: the first parent choice (product order) giving t.
    - `topology_kept_blocks[t]`: choice blocks that survive pruning in t.
    - `config_class[c]`: hasher class id of config c (equal ids = same NB101 hash).
    """

    space: SearchSpace
    hasher: GraphClassifier
    blocks_with_out_edge: npt.NDArray[np.int64]
    topology: npt.NDArray[np.int64]
    topology_first_choice: npt.NDArray[np.int64]
    topology_kept_blocks: npt.NDArray[np.int64]
    config_class: npt.NDArray[np.int32]


def parent_choice_masks(space: SearchSpace) -> list[list[int]]:
    """Per parent choice (product order), the out-neighbour bitmask of every node."""
    result = []
    for choice in itertools.product(*space.parent_options):
        out = [0] * space.num_nodes
        for node, parent_set in enumerate(choice, start=1):
            for parent in parent_set:
                out[parent] |= 1 << node
        result.append(out)
    return result


def _op_digits(space: SearchSpace) -> npt.NDArray[np.int64]:
    """Op label of every block for op_index 0..3^k-1, node 1 most significant."""
    k = space.num_choice_blocks
    grid = np.indices((len(OPS),) * k).reshape(k, -1).T
    return grid.astype(np.int64)


def analyse_space(space: SearchSpace, hasher: GraphClassifier | None = None) -> SpaceAnalysis:
    """Enumerate every configuration of `space` and classify it (see module docstring)."""
    hasher = hasher if hasher is not None else GraphClassifier()
    k = space.num_choice_blocks
    n_ops = space.num_op_choices
    digits = _op_digits(space)
    topo_ids: dict[tuple[int, ...], int] = {}
    topo_first: list[int] = []
    topo_kept: list[int] = []
    topo_classes: list[npt.NDArray[np.int32]] = []
    topo_label_index: list[npt.NDArray[np.int64]] = []
    label_index_cache: dict[int, npt.NDArray[np.int64]] = {}
    masks_per_choice = parent_choice_masks(space)
    n_choices = len(masks_per_choice)
    with_out = np.empty(n_choices, dtype=np.int64)
    topology = np.empty(n_choices, dtype=np.int64)
    config_class = np.empty(space.num_configs, dtype=np.int32)
    for p, out in enumerate(masks_per_choice):
        with_out[p] = sum(1 for node in range(1, k + 1) if out[node])
        keep = reachable_mask(out)
        key = (keep, *(out[v] & keep if (keep >> v) & 1 else 0 for v in range(len(out))))
        t = topo_ids.get(key)
        if t is None:
            t = len(topo_first)
            topo_ids[key] = t
            kept_blocks = [v for v in range(1, k + 1) if (keep >> v) & 1]
            pruned = compact(out, keep)
            labels = [INPUT_LABEL] + [0] * len(kept_blocks) + [OUTPUT_LABEL]
            positions = list(range(1, len(kept_blocks) + 1))
            topo_first.append(p)
            topo_kept.append(len(kept_blocks))
            topo_classes.append(hasher.classify_labelings(pruned, labels, positions))
            keep_blocks_mask = keep & ~1 & ~(1 << (k + 1))
            cached = label_index_cache.get(keep_blocks_mask)
            if cached is None:
                # index of the kept blocks' labelling among 3^m, for every op assignment
                cached = np.zeros(n_ops, dtype=np.int64)
                for node in kept_blocks:
                    cached = cached * len(OPS) + digits[:, node - 1]
                label_index_cache[keep_blocks_mask] = cached
            topo_label_index.append(cached)
        topology[p] = t
        config_class[p * n_ops:(p + 1) * n_ops] = topo_classes[t][topo_label_index[t]]
    return SpaceAnalysis(
        space=space,
        hasher=hasher,
        blocks_with_out_edge=with_out,
        topology=topology,
        topology_first_choice=np.asarray(topo_first, dtype=np.int64),
        topology_kept_blocks=np.asarray(topo_kept, dtype=np.int64),
        config_class=config_class,
    )
