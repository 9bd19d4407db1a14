"""The compiled md5, hash and pruning are bit-identical to plain-Python definitions."""

from __future__ import annotations

import hashlib
import itertools
import random

import networkx as nx
import numpy as np
import plain_enumerator as plain
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nb1s.enumerate._core import GraphClassifier, enumerate_nb101, hash_module, md5_hexdigest

from nb1s.enumerate import SPACES, InvalidSpecError, count_space, hash_spec
from nb1s.enumerate.pruning import compact, matrix_to_masks, reachable_mask
from nb1s.enumerate.space_analysis import parent_choice_masks

OPS = plain.OPS


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_compiled_md5_matches_hashlib(data: bytes) -> None:
    assert md5_hexdigest(data) == hashlib.md5(data).hexdigest()


def _random_spec(rng: random.Random, n: int, p: float) -> tuple[list[list[int]], list[str]]:
    matrix = [[int(j > i and rng.random() < p) for j in range(n)] for i in range(n)]
    ops = ["input"] + [rng.choice(OPS) for _ in range(n - 2)] + ["output"]
    return matrix, ops


def test_hash_spec_matches_plain_definition_on_random_specs() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(3000):
        matrix, ops = _random_spec(rng, rng.randint(2, 7), rng.uniform(0.2, 0.8))
        expected = plain.spec_hash(matrix, ops)
        pruned = plain.prune(matrix, ops)
        if expected is None or pruned is None or sum(map(sum, pruned[0])) > 9:
            with pytest.raises(InvalidSpecError):
                hash_spec(matrix, ops)
            continue
        result = hash_spec(matrix, ops)
        assert result.hash == expected
        assert result.pruned_matrix == pruned[0]
        assert result.pruned_ops == pruned[1]
        checked += 1
    assert checked > 1000


def test_hash_is_isomorphism_invariant() -> None:
    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(3, 7)
        matrix = [[int(j > i and rng.random() < 0.5) for j in range(n)] for i in range(n)]
        labels = [-1] + [rng.randrange(3) for _ in range(n - 2)] + [-2]
        perm = list(range(1, n - 1))
        rng.shuffle(perm)
        order = [0, *perm, n - 1]  # a relabelling of the vertices (not topological)
        pm = [[matrix[order[i]][order[j]] for j in range(n)] for i in range(n)]
        pl = [labels[order[i]] for i in range(n)]
        assert hash_module(matrix_to_masks(matrix), labels) == hash_module(
            matrix_to_masks(pm), pl)


def test_float_and_bool_matrices_hash_like_int_matrices() -> None:
    matrix = [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    ops = ["input", "maxpool3x3", "output"]
    expected = hash_spec(matrix, ops).hash
    assert hash_spec(np.array(matrix, dtype=float), ops).hash == expected
    assert hash_spec(np.array(matrix, dtype=bool), ops).hash == expected


@pytest.mark.parametrize(("matrix", "ops", "message"), [
    ([[0, 1], [0, 0], [0, 0]], ["input", "output"], "square"),
    ([[0, 1], [0, 0]], ["input", "x", "output"], "entries"),
    ([[0, 1], [1, 0]], ["input", "output"], "upper triangular"),
    ([[0, 2], [0, 0]], ["input", "output"], "0 or 1"),
    ([[0, 0], [0, 0]], ["input", "output"], "not connected"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"], "unknown op"),
    ([[0, 1], [0, 0]], ["conv3x3-bn-relu", "output"], "first op"),
    ([[0, 1], [0, 0]], ["input", "maxpool3x3"], "last op"),
])
def test_invalid_specs_are_rejected(matrix: list[list[int]], ops: list[str], message: str) -> None:
    with pytest.raises(InvalidSpecError, match=message):
        hash_spec(matrix, ops)


def test_domain_limits_apply_to_the_pruned_spec() -> None:
    n = 8  # 8 vertices, but the chain through vertex 6 is dangling and pruned away
    matrix = [[0] * n for _ in range(n)]
    for v in range(n - 2):
        matrix[v][v + 1] = 1
    matrix[5][7] = 1  # 0-1-2-3-4-5-7, vertex 6 only has an in-edge
    ops = ["input"] + ["conv3x3-bn-relu"] * (n - 2) + ["output"]
    assert len(hash_spec(matrix, ops).pruned_ops) == 7
    matrix[6][7] = 1  # now vertex 6 is on a path: 8 vertices remain
    with pytest.raises(InvalidSpecError, match="too many vertices"):
        hash_spec(matrix, ops)
    dense = [[int(j > i) for j in range(6)] for i in range(6)]  # 15 edges
    with pytest.raises(InvalidSpecError, match="too many edges"):
        hash_spec(dense, ["input"] + ["conv1x1-bn-relu"] * 4 + ["output"])


def _nx_graph(out: list[int], labels: list[int]) -> nx.DiGraph:
    g = nx.DiGraph()
    for v, label in enumerate(labels):
        g.add_node(v, label=label)
    for v, mask in enumerate(out):
        for w in range(len(out)):
            if (mask >> w) & 1:
                g.add_edge(v, w)
    return g


def test_compiled_generator_matches_google_generator_in_plain_python() -> None:
    labelled, unique, buckets = plain.nb101(max_vertices=5)
    classifier = GraphClassifier()
    ours_labelled, ours_unique = enumerate_nb101(classifier, 5)
    assert ours_labelled == labelled and ours_unique == unique
    assert set(classifier.hexdigests(range(classifier.num_classes))) == set(buckets)
    assert classifier.check_digests_distinct()


def _space_graphs(number: int) -> dict[str, list[tuple[list[int], list[int]]]]:
    """Every distinct pruned, labelled graph of a space, grouped by NB101 hash."""
    seen: set[tuple[int, ...]] = set()
    groups: dict[str, list[tuple[list[int], list[int]]]] = {}
    for out in parent_choice_masks(SPACES[number]):
        keep = reachable_mask(out)
        key = (keep, *(m & keep for m in out))
        if key in seen:
            continue
        seen.add(key)
        pruned = compact(out, keep)
        for ops in itertools.product(range(3), repeat=len(pruned) - 2):
            labels = [-1, *ops, -2]
            groups.setdefault(hash_module(pruned, labels), []).append((pruned, labels))
    return groups


@pytest.mark.parametrize(("number", "sample"), [(1, None), (2, None), (3, 400)])
def test_no_two_nonisomorphic_graphs_of_a_space_share_a_hash(
        number: int, sample: int | None) -> None:
    """networkx, independently: same hash => isomorphic; different hash => not isomorphic.

    Spaces 1 and 2 are checked completely; space 3 on a random sample of hash groups
    (all of their members) and of representatives (all pairs that share invariants).
    """
    groups = _space_graphs(number)
    assert len(groups) == count_space(SPACES[number]).unique_nb101
    rng = random.Random(number)
    match = nx.algorithms.isomorphism.categorical_node_match("label", None)
    keys = list(groups) if sample is None else rng.sample(list(groups), sample)
    for key in keys:
        first = _nx_graph(*groups[key][0])
        for other in groups[key][1:]:
            assert nx.is_isomorphic(first, _nx_graph(*other), node_match=match)
    by_invariant: dict[str, list[nx.DiGraph]] = {}
    reps = list(groups) if sample is None else rng.sample(list(groups), 5 * sample)
    for key in reps:
        out, labels = groups[key][0]
        g = _nx_graph(out, labels)
        inv = sorted((g.in_degree(v), g.out_degree(v), labels[v]) for v in g)
        by_invariant.setdefault(str(inv), []).append(g)
    compared = 0
    for graphs in by_invariant.values():
        for a in range(len(graphs)):
            for b in range(a + 1, len(graphs)):
                assert not nx.is_isomorphic(graphs[a], graphs[b], node_match=match)
                compared += 1
    assert compared > 100
