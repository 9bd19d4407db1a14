"""Top-k / argmax discretization against an independent reading through NB101 hashing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nb1s.enumerate import OPS, decode, encode, get_space, hash_spec, load_index
from nb1s.optimizers import discrete_config, discrete_config_id
from nb1s.optimizers.discretize import top_k


def test_top_k_ties_go_to_the_lower_index() -> None:
    assert top_k([0.0, 0.0, 0.0], 2) == (0, 1)
    assert top_k([0.1, 0.5, 0.5, 0.2], 2) == (1, 2)
    assert top_k([3.0, 1.0, 2.0], 1) == (0,)


def _random_weights(space_number: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    sp = get_space(space_number)
    k = sp.num_choice_blocks
    weights = {"beta": rng.normal(size=(k, 3)).astype(np.float32),
               "gamma": rng.normal(size=k + 1).astype(np.float32)}
    for j in range(1, k + 1):
        if len(sp.parent_options[j - 1]) > 1:
            weights[f"alpha_node{j}"] = rng.normal(size=j).astype(np.float32)
    return weights


def _independent_spec(space_number: int, w: dict[str, np.ndarray]
                      ) -> tuple[list[list[int]], list[str]]:
    """The original recipe, written separately: softmax, argpartition top-k, 7-vertex spec."""
    sp = get_space(space_number)
    k = sp.num_choice_blocks
    n = k + 2
    matrix = np.zeros((n, n), dtype=int)

    def softmax(v: np.ndarray) -> np.ndarray:
        e = np.exp(v - v.max())
        return e / e.sum()

    for node in range(1, n):
        need = sp.parents[node - 1]
        if node == n - 1:
            chosen = np.argpartition(-softmax(w["gamma"]), need - 1)[:need]
        elif f"alpha_node{node}" in w:
            chosen = np.argpartition(-softmax(w[f"alpha_node{node}"]), need - 1)[:need]
        else:
            chosen = np.arange(node)
        matrix[chosen, node] = 1
    ops = ["input", *(OPS[int(i)] for i in softmax_rows_argmax(w["beta"])), "output"]
    if n < 7:  # upscale like the original: dummy conv1x1 vertex before the output
        matrix = np.insert(np.insert(matrix, n - 1, 0, axis=1), n - 1, 0, axis=0)
        ops.insert(n - 1, "conv1x1-bn-relu")
    return matrix.tolist(), ops


def softmax_rows_argmax(beta: np.ndarray) -> np.ndarray:
    e = np.exp(beta - beta.max(axis=1, keepdims=True))
    return np.argmax(e / e.sum(axis=1, keepdims=True), axis=1)


@pytest.mark.parametrize("space_number", [1, 2, 3])
def test_discretization_matches_independent_hashing(space_number: int) -> None:
    sp = get_space(space_number)
    index = load_index(space_number)
    rng = np.random.default_rng(space_number)
    for _ in range(150):
        w = _random_weights(space_number, rng)
        config_id = discrete_config_id(sp, w)
        matrix, ops = _independent_spec(space_number, w)
        assert hash_spec(matrix, ops).hash == index.hash_of(config_id)
        # the chosen parent sets maximise the summed logits among the allowed sets
        config = decode(sp, config_id)
        for node, chosen in enumerate(config.parents, start=1):
            key = "gamma" if node == sp.output_node else f"alpha_node{node}"
            if key not in w:
                continue
            best = max(itertools.combinations(range(node), sp.num_parents(node)),
                       key=lambda s, v=w[key]: float(sum(v[list(s)])))
            assert chosen == best


def test_config_round_trip_through_encode() -> None:
    sp = get_space(2)
    w = _random_weights(2, np.random.default_rng(7))
    config = discrete_config(sp, w)
    assert encode(sp, config.parents, config.ops) == discrete_config_id(sp, w)
    assert decode(sp, discrete_config_id(sp, w)) == config
