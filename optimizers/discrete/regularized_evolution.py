"""Regularized evolution (RE, Real et al. 2019) as the NAS-Bench-1Shot1 baseline runs it.

Settings and behaviour from docs/original-code.md#black-box-optimizers: a population of 100
uniformly random architectures (loose ends allowed), then cycles until 280 evaluations in total:
draw a tournament of 10 members with replacement, take the one with the lowest validation
error as parent, mutate it, evaluate the child, append it and remove the oldest member
(aging). The mutation is drawn uniformly from
- identity: the child is the parent (evaluated again, so another NB101 repeat);
- hidden state: a node uniformly from [low, output], one of its parents replaced by a
  lower node that is not a parent (the parent count is kept; `low` is the first node
  with more than one parent set: 3 for SS1, 2 for SS2/SS3, as the original hard-codes);
- op: one choice block's op replaced by one of the two others.
The original's initial sampling called a missing function (it crashed); here it is the
uniform sampling with loose ends it evidently meant.

All seeds run in lock step: the population is an array [seeds, population, H] used as a
ring buffer, so aging is "overwrite slot (cycle mod population)", the same for every
seed. Tournament draws index members by age (0 = oldest), as a deque would.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import OPS, SearchSpace

from .encoding import encoding_for, mutation_low_node
from .objective import Evaluation, Objective
from .records import Trajectory, records_from_grid
from .streams import DECISIONS, REPEATS, categorical, check_seeds, generators, predraw

NAME = "RE"
IDENTITY, HIDDEN_STATE, OP = 0, 1, 2
#: uniforms per cycle after the tournament: type, node, parent, replacement, block, op
_MUTATION_DRAWS = 6
#: the initial population (the original's --pop_size 100): a run needs at least this many
#: evaluations
POPULATION = 100

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@cache
def _swap_table(space: SearchSpace) -> tuple[IntArray, IntArray, IntArray]:
    """Hidden-state mutation as lookups: (table, parents per node, non-parents per node).

    ``table[node - 1, digit, p, q]`` is the parent-set digit of node `node` after its p-th
    parent (in sorted order) is replaced by its q-th non-parent (sorted); -1 pads.
    """
    options = space.parent_options
    max_digits = max(len(o) for o in options)
    max_parents = max(space.parents)
    max_free = max(node - space.num_parents(node) for node in range(1, space.num_nodes))
    table = np.full((len(options), max_digits, max_parents, max(max_free, 1)), -1,
                    dtype=np.int64)
    for node, node_options in enumerate(options, start=1):
        for digit, parent_set in enumerate(node_options):
            free = [v for v in range(node) if v not in parent_set]
            for p, old in enumerate(parent_set):
                for q, new in enumerate(free):
                    changed = tuple(sorted({*parent_set} - {old} | {new}))
                    table[node - 1, digit, p, q] = node_options.index(changed)
    n_parents = np.asarray(space.parents, dtype=np.int64)
    n_free = np.arange(1, space.num_nodes, dtype=np.int64) - n_parents
    return table, n_parents, n_free


def mutate(space: int | SearchSpace, parents: IntArray, uniforms: npt.ArrayLike) -> IntArray:
    """Children of categorical index rows `parents` [n, H] from uniforms [n, 6].

    Uniform columns: mutation type, node, which parent, which replacement, which block,
    which new op. Pure and vectorised; `regularized_evolution` and the tests share it.
    """
    enc = encoding_for(space)
    sp = enc.space
    u = np.asarray(uniforms, dtype=np.float64)
    child = np.array(parents, dtype=np.int64, copy=True)
    rows = np.arange(child.shape[0])
    kind = categorical(u[:, 0], 3)
    k = sp.num_choice_blocks
    # hidden state: node in [low, k + 1] (the output included)
    low = mutation_low_node(sp)
    node = low + categorical(u[:, 1], k + 2 - low)
    table, n_parents, n_free = _swap_table(sp)
    col = k + node - 1
    p = categorical(u[:, 2], n_parents[node - 1])
    q = categorical(u[:, 3], n_free[node - 1])
    swapped = table[node - 1, child[rows, col], p, q]
    hidden = kind == HIDDEN_STATE
    child[rows[hidden], col[hidden]] = swapped[hidden]
    # op: a block uniformly, then one of the other two ops uniformly
    block = categorical(u[:, 4], k)
    new_op = (child[rows, block] + 1 + categorical(u[:, 5], len(OPS) - 1)) % len(OPS)
    is_op = kind == OP
    child[rows[is_op], block[is_op]] = new_op[is_op]
    return child


@dataclass(frozen=True)
class _CyclePlan:
    """Everything of the cycles that does not depend on fitness, drawn up front [C, S, ...].

    The uniforms fix, before any evaluation, which ages each tournament draws and how each
    child differs from its parent: which hyperparameter column changes and how its old
    choice maps to the new one. Only the winner (it needs the fitness) is left to the
    loop, so a cycle is a few array operations on [seeds] instead of a dozen on
    [seeds, H]. Columns are handled through config-id arithmetic: the id is linear in the
    choices (`nb1s.enumerate.encode_array`), so column h's choice is
    ``id // weight[h] % cardinality[h]`` (`DiscreteEncoding.id_weights`) and a child's id
    is ``parent id + (new - old) * weight[h]``; the identity mutation maps old to old.
    """

    slots: npt.NDArray[np.signedinteger[Any]]  # [C, S, T] (view of a seed-major array) flat slot
    #: (seed * P + slot) of each draw
    weight: IntArray  # [C, S] id weight of the column the mutation changes
    radix: IntArray  # [C, S] its number of choices
    move_base: IntArray  # [C, S] new choice = moves[move_base + old * move_stride]
    move_stride: IntArray  # [C, S]
    moves: IntArray  # flat lookup: identity, op rotations, hidden-state swaps


def _cycle_plan(space: SearchSpace, uniforms: FloatArray, population_size: int,
                tournament_size: int) -> _CyclePlan:
    """The plan of all cycles from their uniforms [S, C, T + 6] (see `_CyclePlan`).

    Every quantity is computed exactly as `mutate` computes it (the same `categorical`
    calls on the same uniforms), only for all cycles at once; a test compares the whole
    run against a plain one-seed loop over `mutate`.
    """
    enc = encoding_for(space)
    n_seeds, n_cycles = uniforms.shape[:2]
    # slot = seed * P + (oldest + age) % P, age = categorical(u, P); in place, seed-major,
    # in 32 bits when the slots fit (half the memory traffic of the largest plan array)
    index: type[np.signedinteger[Any]] = (np.int32 if n_seeds * population_size < 2**31
                                          else np.int64)
    slots: npt.NDArray[np.signedinteger[Any]] = np.multiply(
        uniforms[..., :tournament_size], population_size).astype(index)
    np.minimum(slots, population_size - 1, out=slots)
    slots += (np.arange(n_cycles, dtype=index) % population_size)[None, :, None]
    slots -= index(population_size) * (slots >= population_size)
    slots += (np.arange(n_seeds, dtype=index) * population_size)[:, None, None]
    m = uniforms.transpose(1, 0, 2)[..., tournament_size:]  # [C, S, 6]
    kind = categorical(m[..., 0], 3)
    k = space.num_choice_blocks
    low = mutation_low_node(space)
    node = low + categorical(m[..., 1], k + 2 - low)
    table, n_parents, n_free = _swap_table(space)
    hidden = kind == HIDDEN_STATE
    if (n_free[node[hidden] - 1] < 1).any():
        raise ValueError(f"space {space.number}: a node without a free parent to swap in")
    p = categorical(m[..., 2], n_parents[node - 1])
    q = categorical(m[..., 3], n_free[node - 1])
    block = categorical(m[..., 4], k)
    offset = 1 + categorical(m[..., 5], len(OPS) - 1)
    # moves: [identity: 0..max card-1 | op: (old + 1) % 3, (old + 2) % 3 | swap table]
    card = enc.cardinalities
    identity = np.arange(int(card.max()), dtype=np.int64)
    rotations = ((np.arange(len(OPS)) + np.arange(1, len(OPS))[:, None]) % len(OPS)).ravel()
    op_base = identity.size
    swap_base = op_base + rotations.size
    moves = np.concatenate([identity, rotations, table.ravel()])
    _, digits, parents_max, free_max = table.shape
    is_op = kind == OP
    col = np.where(is_op, block, np.where(hidden, k + node - 1, 0))
    base = np.where(is_op, op_base + (offset - 1) * len(OPS), 0)
    swap = swap_base + (((node - 1) * digits) * parents_max + p) * free_max + q
    base = np.where(hidden, swap, base)
    stride = np.where(hidden, parents_max * free_max, 1)
    return _CyclePlan(slots.transpose(1, 0, 2), enc.id_weights[col], card[col],
                      base, stride.astype(np.int64), moves)


def regularized_evolution(space: int | SearchSpace, objective: Objective,
                          seeds: npt.ArrayLike, n_evaluations: int = 280,
                          population_size: int = POPULATION, tournament_size: int = 10,
                          budget: int = 108) -> Trajectory:
    """RE for every seed in `seeds`, vectorised across seeds (see the module docstring)."""
    seed_arr = check_seeds(seeds)
    if not 0 < population_size <= n_evaluations or tournament_size < 1:
        raise ValueError("need 0 < population_size <= n_evaluations and tournament_size >= 1")
    enc = encoding_for(space)
    n_seeds, h = len(seed_arr), enc.num_hyperparameters
    n_cycles = n_evaluations - population_size
    # one block per seed: the population's uniforms, then the cycles' (the same numbers
    # as two consecutive draws of those shapes, without a second call per seed)
    width = tournament_size + _MUTATION_DRAWS
    block = predraw(generators(seed_arr, DECISIONS, NAME),
                    (population_size * h + n_cycles * width,))
    init_u = block[:, :population_size * h].reshape(n_seeds, population_size, h)
    cycle_u = block[:, population_size * h:].reshape(n_seeds, n_cycles, width)
    draws = predraw(generators(seed_arr, REPEATS, NAME), (n_evaluations,))
    plan = _cycle_plan(enc.space, cycle_u, population_size, tournament_size)

    init_ids = enc.ids_of_drawn(categorical(init_u, enc.cardinalities))  # [S, P]
    first = objective(init_ids, budget, draws[:, :population_size])
    # the population as a ring buffer of ids and fitness, [S, P] (row-major: slot s * P + i)
    population = np.array(init_ids, dtype=np.int64, copy=True)
    fitness = np.array(first.valid_error, dtype=np.float64, copy=True)
    flat_population, flat_fitness = population.reshape(-1), fitness.reshape(-1)

    # the records' columns [S, N]: the population's block now, one column per cycle
    ids = np.empty((n_seeds, n_evaluations), dtype=np.int64)
    valid = np.empty((n_seeds, n_evaluations))
    test = np.empty((n_seeds, n_evaluations))
    time = np.empty((n_seeds, n_evaluations))
    hashes = None if first.hashes is None else np.empty((n_seeds, n_evaluations), "S32")
    ids[:, :population_size] = init_ids
    valid[:, :population_size] = first.valid_error
    test[:, :population_size] = first.test_error
    time[:, :population_size] = first.train_time
    if hashes is not None and first.hashes is not None:
        hashes[:, :population_size] = first.hashes

    rows = np.arange(n_seeds)
    for cycle in range(n_cycles):
        oldest = cycle % population_size
        t = population_size + cycle
        slots = plan.slots[cycle]
        winner = slots[rows, flat_fitness.take(slots).argmin(axis=1)]
        parent = flat_population.take(winner)
        weight = plan.weight[cycle]
        old = parent // weight % plan.radix[cycle]
        new = plan.moves.take(plan.move_base[cycle] + old * plan.move_stride[cycle])
        child = parent + (new - old) * weight
        result: Evaluation = objective(child, budget, draws[:, t])
        population[:, oldest] = child
        fitness[:, oldest] = result.valid_error
        ids[:, t] = child
        valid[:, t] = result.valid_error
        test[:, t] = result.test_error
        time[:, t] = result.train_time
        if hashes is not None and result.hashes is not None:
            hashes[:, t] = result.hashes
    evaluation = Evaluation(valid, test, time, hashes)
    return Trajectory(NAME, enc.space.number,
                      records_from_grid(seed_arr, ids, budget, evaluation))


__all__ = ["HIDDEN_STATE", "IDENTITY", "NAME", "OP", "mutate", "regularized_evolution"]
