"""Read the discrete architecture out of the architecture weights (paper Section 3.2).

Op of each choice block: argmax of its beta row (softmax is monotone, so the raw logits
give the same answer). Parents of node j: the top-k entries of alpha_j, k from the space's
parent counts; nodes without a choice take their only parent set; the output takes the
top-k of gamma (entry 0 = the cell input). Ties go to the lower index (a stable sort),
where the original's `argpartition` left them unspecified
(docs/original-code.md#discretization-ties). The result is a config id of `nb1s.enumerate.encode`;
loose ends are pruned later by NB101 hashing.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import Config, SearchSpace, encode


def top_k(values: npt.ArrayLike, k: int) -> tuple[int, ...]:
    """Indices of the k largest values, ties to the lower index, returned sorted."""
    order = np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")
    return tuple(sorted(int(i) for i in order[:k]))


def discrete_config(space: SearchSpace, weights: Mapping[str, npt.NDArray[np.float32]]) -> Config:
    """The (parents, ops) the weights select; keys as `ArchWeights.as_numpy()`."""
    beta = np.asarray(weights["beta"])
    ops = tuple(int(i) for i in np.argmax(beta, axis=-1))
    parents: list[tuple[int, ...]] = []
    for node in range(1, space.num_nodes):
        options = space.parent_options[node - 1]
        k = space.num_parents(node)
        if node == space.output_node:
            parents.append(top_k(weights["gamma"], k))
        elif len(options) == 1:
            parents.append(options[0])
        else:
            parents.append(top_k(weights[f"alpha_node{node}"], k))
    return Config(parents=tuple(parents), ops=ops)


def discrete_config_id(space: SearchSpace,
                       weights: Mapping[str, npt.NDArray[np.float32]]) -> int:
    """`discrete_config` as a config id (the key of the lookup index)."""
    config = discrete_config(space, weights)
    return encode(space, config.parents, config.ops)
