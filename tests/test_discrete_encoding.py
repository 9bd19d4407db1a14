"""The categorical encoding of the spaces: counts from the reference, exact round trips."""

from __future__ import annotations

import numpy as np
import pytest

from nb1s.enumerate import OPS, get_space
from nb1s.optimizers.discrete import configuration_space, encoding_for
from nb1s.optimizers.discrete.encoding import mutation_low_node

# docs/original-code.md#black-box-encoding: hyperparameter counts and parent-set choice counts per
# node
REFERENCE = {
    1: (9, (1, 1, 3, 6, 10)),
    2: (9, (1, 2, 3, 6, 10)),
    3: (11, (1, 2, 3, 6, 10, 15)),
}


@pytest.mark.parametrize("space", [1, 2, 3])
def test_counts_match_reference(space: int) -> None:
    enc = encoding_for(space)
    n_hp, parent_counts = REFERENCE[space]
    k = get_space(space).num_choice_blocks
    assert enc.num_hyperparameters == n_hp
    assert tuple(enc.cardinalities[k:]) == parent_counts
    assert tuple(enc.cardinalities[:k]) == (len(OPS),) * k
    assert enc.names[0] == "choice_block_1_op"
    assert enc.names[-1] == f"choice_block_{k + 1}_parents"


@pytest.mark.parametrize("space", [1, 2, 3])
def test_configspace_mirrors_encoding(space: int) -> None:
    enc = encoding_for(space)
    cs = configuration_space(space, seed=0)
    assert len(list(cs.values())) == REFERENCE[space][0]
    for name, choices in zip(enc.names, enc.choices, strict=True):
        assert tuple(cs[name].choices) == choices
    # a sampled ConfigSpace configuration maps to a valid id and back to the same labels
    for config in cs.sample_configuration(20):
        values = dict(config)
        config_id = int(enc.ids_from_values([values])[0])
        assert enc.values_of_id(config_id) == values


def test_round_trip_all_of_ss1() -> None:
    enc = encoding_for(1)
    ids = np.arange(get_space(1).num_configs)
    idx = enc.to_indices(ids)
    assert idx.shape == (len(ids), 9)
    assert np.array_equal(enc.from_indices(idx), ids)
    assert len({tuple(r) for r in idx}) == len(ids)  # a bijection, not just a left inverse


def test_round_trip_sample_of_ss3() -> None:
    enc = encoding_for(3)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, get_space(3).num_configs, size=(50, 40))
    assert np.array_equal(enc.from_indices(enc.to_indices(ids)), ids)
    idx = np.minimum((rng.random((1000, 11)) * enc.cardinalities).astype(np.int64),
                     enc.cardinalities - 1)
    assert np.array_equal(enc.to_indices(enc.from_indices(idx)), idx)
    labels = [enc.values_of_id(int(i)) for i in ids[0]]
    assert np.array_equal(enc.ids_from_values(labels), ids[0])


@pytest.mark.parametrize("space", [1, 2, 3])
def test_ids_from_values_equals_from_indices(space: int) -> None:
    """The per-query path (plain-int place values) against the vectorised encoder."""
    enc = encoding_for(space)
    rng = np.random.default_rng(space)
    idx = np.minimum((rng.random((500, enc.num_hyperparameters)) * enc.cardinalities)
                     .astype(np.int64), enc.cardinalities - 1)
    idx[0] = enc.cardinalities - 1  # the last choice everywhere: the largest id
    labels = [{name: enc.choices[h][int(row[h])] for h, name in enumerate(enc.names)}
              for row in idx]
    expected = enc.from_indices(idx)
    assert np.array_equal(enc.ids_from_values(labels), expected)
    assert expected[0] == enc.space.num_configs - 1
    # control: swapping two op labels of a row changes its id (the check can fail)
    swapped = dict(labels[1], choice_block_1_op=enc.choices[0][(idx[1, 0] + 1) % 3])
    assert enc.ids_from_values([swapped])[0] != expected[1]


def test_parent_labels_are_the_parent_sets() -> None:
    enc = encoding_for(1)
    # SS1 output node (node 5) picks 2 of {0..4}; its first choice is (0, 1)
    assert enc.choices[-1][0] == "0,1"
    assert len(enc.choices[-1]) == 10


def test_unknown_label_is_refused() -> None:
    enc = encoding_for(1)
    values = enc.values_of_id(0)
    values["choice_block_1_op"] = "conv5x5"
    with pytest.raises(ValueError, match="no choice"):
        enc.ids_from_values([values])
    del values["choice_block_1_op"]
    with pytest.raises(KeyError):
        enc.ids_from_values([values])


def test_mutation_low_node_matches_original_constants() -> None:
    # the original hard-codes low = 3 for SS1 and 2 otherwise
    # (docs/original-code.md#black-box-optimizers)
    assert [mutation_low_node(s) for s in (1, 2, 3)] == [3, 2, 2]
