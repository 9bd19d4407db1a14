"""The three search spaces of NAS-Bench-1Shot1 (paper Table 1 and Appendix A).

A cell has an input node 0, choice blocks (intermediate nodes) 1..k and an output node
k+1. Node j picks exactly `parents[j-1]` distinct parents among the nodes before it and
every choice block one of the three NAS-Bench-101 operations. These definitions are the
single source the enumerator, the one-shot supernet and the harness all read, so the
parent counts are typed exactly once.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

#: NAS-Bench-101's `available_ops`, in its order: the index of an op in this tuple is the
#: integer label the NB101 hash uses (conv3x3 0, conv1x1 1, maxpool 2), and the digit the
#: config encoding uses.
OPS: tuple[str, ...] = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
INPUT = "input"
OUTPUT = "output"
#: Integer labels NB101 gives the input and output vertices when hashing.
INPUT_LABEL = -1
OUTPUT_LABEL = -2
#: Limits of the NAS-Bench-101 domain.
MAX_VERTICES = 7
MAX_EDGES = 9


@dataclass(frozen=True)
class SearchSpace:
    """One search space: how many parents each node after the input chooses.

    `parents[i]` is the number of parents of node i+1; the last entry is the output's.
    """

    number: int
    parents: tuple[int, ...]

    @property
    def num_choice_blocks(self) -> int:
        """k, the number of intermediate nodes (choice blocks)."""
        return len(self.parents) - 1

    @property
    def num_nodes(self) -> int:
        """k + 2: input, choice blocks and output."""
        return len(self.parents) + 1

    @property
    def output_node(self) -> int:
        return self.num_nodes - 1

    def num_parents(self, node: int) -> int:
        """Number of parents node `node` (1..k+1) picks."""
        return self.parents[node - 1]

    @cached_property
    def parent_options(self) -> tuple[tuple[tuple[int, ...], ...], ...]:
        """Per node 1..k+1, its possible parent sets in `itertools.combinations` order.

        This order, with the nodes combined by `itertools.product`, is the order in which
        the original NAS-Bench-1Shot1 code walks the parent choices; the config encoding
        and the Table 1 "paper rule" both depend on it.
        """
        return tuple(
            tuple(itertools.combinations(range(node), self.num_parents(node)))
            for node in range(1, self.num_nodes)
        )

    @cached_property
    def parent_radices(self) -> tuple[int, ...]:
        """Number of parent sets per node 1..k+1 (node 1 always has exactly one)."""
        return tuple(len(options) for options in self.parent_options)

    @property
    def num_parent_choices(self) -> int:
        return math.prod(self.parent_radices)

    @property
    def num_op_choices(self) -> int:
        return len(OPS) ** self.num_choice_blocks

    @property
    def num_configs(self) -> int:
        """Every (parent choice, op per choice block) pair: the size of the config-id range."""
        return self.num_parent_choices * self.num_op_choices

    @property
    def total_edges(self) -> int:
        return sum(self.parents)


SPACES: dict[int, SearchSpace] = {
    1: SearchSpace(1, (1, 2, 2, 2, 2)),
    2: SearchSpace(2, (1, 1, 2, 2, 3)),
    3: SearchSpace(3, (1, 1, 1, 2, 2, 2)),
}


class UnknownSpaceError(ValueError):
    """Raised for a search-space number other than 1, 2 or 3."""


def get_space(number: int | str) -> SearchSpace:
    """Look a space up by its number (1, 2 or 3), accepting the CLI's string form."""
    try:
        return SPACES[int(number)]
    except (KeyError, ValueError):
        raise UnknownSpaceError(
            f"unknown search space {number!r}: choose one of {', '.join(map(str, SPACES))}"
        ) from None
