"""The whole NAS-Bench-101 space, enumerated like Google's own generator.

Every DAG of 2..7 vertices with at most 9 edges whose vertices all lie on an
input-to-output path, under every labelling of its intermediate vertices with the three
ops, deduplicated by NB101 hash. `labelled_graphs` counts the graphs walked before
deduplication, `unique` the distinct hashes. The representatives (first graph of each
hash, the generator's bucket entry) are what the synthetic NAS-Bench-101 writer uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._core import GraphClassifier, enumerate_nb101
from .pruning import masks_to_matrix
from .spaces import INPUT, MAX_EDGES, MAX_VERTICES, OPS, OUTPUT


@dataclass
class NB101Space:
    """Counts per vertex count and the representatives of every unique graph."""

    labelled_per_vertices: dict[int, int]
    unique_per_vertices: dict[int, int]
    classifier: GraphClassifier

    @property
    def labelled_graphs(self) -> int:
        return sum(self.labelled_per_vertices.values())

    @property
    def unique_nb101(self) -> int:
        return sum(self.unique_per_vertices.values())

    def hashes(self) -> list[str]:
        """NB101 md5 hash of every unique graph, in order of first appearance."""
        return list(self.classifier.hexdigests(range(self.unique_nb101)))

    def representatives(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.uint8],
                                       npt.NDArray[np.int8]]:
        """(V [n], out-masks [n, 7], labels [n, 7]) of every unique graph."""
        vs, outs, labels = self.classifier.representatives()
        return vs, outs, labels

    def spec(self, i: int) -> tuple[list[list[int]], list[str]]:
        """(matrix, ops) of unique graph i, in NAS-Bench-101's format."""
        out, labels = self.classifier.representative(i)
        ops = [INPUT] + [OPS[x] for x in labels[1:-1]] + [OUTPUT]
        return masks_to_matrix(out), ops


def enumerate_space(max_vertices: int = MAX_VERTICES, max_edges: int = MAX_EDGES) -> NB101Space:
    """Walk the NB101 space (about half a second for the full 7-vertex, 9-edge space)."""
    classifier = GraphClassifier()
    labelled, unique = enumerate_nb101(classifier, max_vertices, max_edges, len(OPS))
    return NB101Space(labelled_per_vertices=dict(labelled), unique_per_vertices=dict(unique),
                      classifier=classifier)
