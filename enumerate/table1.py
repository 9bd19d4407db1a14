"""Table 1 of the paper, derived by enumeration under named counting rules.

No published number appears here: every count is computed from `SpaceAnalysis`. The
harness puts the paper's numbers beside them (`nb1s.harness.references`). The rules:

- `configurations`: every (parent choice, op per choice block): 180 * 3^k, ...
- `with_loose_ends`: sum over parent choices of 3^(choice blocks with an outgoing edge);
  a block without children gets no op, since it does not compute anything.
- `without_loose_ends`: exact number of distinct architectures after NB101 pruning:
  distinct pruned numbered graphs, each times 3^(surviving choice blocks).
- `without_loose_ends_paper_rule`: the rule that reproduces the published row: walk the
  parent choices in product order, keep the *first* choice of each pruned graph and
  weight it by 3^(blocks with an outgoing edge in that unpruned first choice). It
  over-counts when a pruned-away block still feeds another pruned-away block.
- `unique_nb101`: number of distinct NAS-Bench-101 hashes over all configurations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .space_analysis import SpaceAnalysis, analyse_space
from .spaces import OPS, SearchSpace


@dataclass(frozen=True)
class Table1Counts:
    space: int
    parent_choices: int
    configurations: int
    with_loose_ends: int
    without_loose_ends: int
    without_loose_ends_paper_rule: int
    pruned_topologies: int
    unique_nb101: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def counts_from_analysis(analysis: SpaceAnalysis) -> Table1Counts:
    """Apply every counting rule to one space's enumeration."""
    n_ops = len(OPS)
    with_out = analysis.blocks_with_out_edge
    first = analysis.topology_first_choice
    return Table1Counts(
        space=analysis.space.number,
        parent_choices=len(with_out),
        configurations=analysis.space.num_configs,
        with_loose_ends=int(sum(n_ops ** int(m) for m in with_out)),
        without_loose_ends=int(sum(n_ops ** int(m) for m in analysis.topology_kept_blocks)),
        without_loose_ends_paper_rule=int(sum(n_ops ** int(with_out[p]) for p in first)),
        pruned_topologies=len(first),
        unique_nb101=int(np.unique(analysis.config_class).size),
    )


def count_space(space: SearchSpace) -> Table1Counts:
    """Enumerate `space` from scratch and count it under every rule."""
    return counts_from_analysis(analyse_space(space))
