"""SYNTHETIC objectives for the black-box optimizer tests (never NAS-Bench-101)."""

from __future__ import annotations

import numpy as np

from nb1s.optimizers.discrete import RepeatTable, TableObjective, encoding_for


def separable_objective(space: int, seed: int = 0, noise: float = 0.0,
                        max_cost: float = 0.02) -> TableObjective:
    """Error = 0.05 + sum over hyperparameters of a hidden per-choice cost (0 at one choice).

    One optimum, reachable by one-choice moves: a tiny, hand-checkable landscape; a larger
    `max_cost` makes it steeper (keep 0.05 + H * max_cost + 0.03 below 1). Every
    config id is its own row; three repeats (identical when `noise` is 0); budgets
    4/12/36/108 add 0.03/0.02/0.01/0 so that a higher budget is better.
    """
    enc = encoding_for(space)
    rng = np.random.default_rng(seed)
    card = enc.cardinalities
    costs = [rng.uniform(max_cost / 10, max_cost, size=c) for c in card]
    for c in costs:
        c[rng.integers(len(c))] = 0.0
    ids = np.arange(enc.space.num_configs)
    idx = enc.to_indices(ids)
    error = 0.05 + sum(costs[h][idx[:, h]] for h in range(len(card)))
    tables = {}
    for budget, offset in ((4, 0.03), (12, 0.02), (36, 0.01), (108, 0.0)):
        valid = error[:, None] + offset + rng.normal(0.0, noise, size=(len(ids), 3))
        test = valid + 0.001
        time = np.full((len(ids), 3), 10.0 * budget)
        tables[budget] = RepeatTable(valid, test, time)
    return TableObjective(positions=ids.astype(np.int64), tables=tables, synthetic=True)


def optimum(objective: TableObjective, budget: int = 108) -> int:
    """The config id with the lowest mean validation error."""
    return int(np.argmin(objective.tables[budget].valid_error.mean(axis=1)))


def ops_only_objective(space: int, seed: int = 0) -> TableObjective:
    """A tiny landscape: only the ops matter (3**k values), parent sets are ignored.

    Every id maps to the row of its op digits, so the optimum value is shared by all
    parent choices: small enough for the library optimizers to find in a few dozen
    queries, and still a single best op assignment to find.
    """
    enc = encoding_for(space)
    k = enc.num_op_columns
    rng = np.random.default_rng(seed)
    costs = rng.uniform(0.01, 0.1, size=(k, 3))
    costs[np.arange(k), rng.integers(0, 3, size=k)] = 0.0
    ids = np.arange(enc.space.num_configs)
    ops = enc.to_indices(ids)[:, :k]
    positions = (ops * 3 ** np.arange(k - 1, -1, -1)).sum(axis=1).astype(np.int64)
    row_ops = np.stack(np.unravel_index(np.arange(3 ** k), (3,) * k), axis=1)
    error = 0.05 + costs[np.arange(k), row_ops].sum(axis=1)
    tables = {}
    for budget, offset in ((4, 0.03), (12, 0.02), (36, 0.01), (108, 0.0)):
        valid = np.repeat(error[:, None] + offset, 3, axis=1)
        tables[budget] = RepeatTable(valid, valid + 0.001, np.full_like(valid, 10.0 * budget))
    return TableObjective(positions=positions, tables=tables, synthetic=True)
