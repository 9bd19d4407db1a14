"""Config ids are a bijection onto (parents, ops) in the original code's walk order."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb1s.enumerate import (
    SPACES,
    InvalidConfigError,
    decode,
    decode_array,
    encode,
    encode_array,
    get_space,
)
from nb1s.enumerate.encoding import adjacency, to_nb101_spec
from nb1s.enumerate.spaces import UnknownSpaceError


@pytest.mark.parametrize(("number", "choices", "configs"),
                         [(1, 180, 14580), (2, 360, 29160), (3, 5400, 1312200)])
def test_space_sizes_follow_from_parent_counts(number: int, choices: int, configs: int) -> None:
    space = SPACES[number]
    assert space.num_parent_choices == choices
    assert space.num_configs == configs
    assert space.total_edges == 9  # the NB101 edge limit, never exceeded


def test_walk_order_is_product_of_combinations() -> None:
    space = SPACES[2]
    walk = list(itertools.product(*space.parent_options))
    for p in (0, 1, 17, len(walk) - 1):
        config = decode(space, p * space.num_op_choices)
        assert config.parents == walk[p]
        assert config.ops == (0,) * space.num_choice_blocks
    last = decode(space, space.num_configs - 1)
    assert last.ops == (2,) * space.num_choice_blocks


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([1, 2, 3]), st.data())
def test_decode_encode_round_trip(number: int, data: st.DataObject) -> None:
    space = SPACES[number]
    config_id = data.draw(st.integers(0, space.num_configs - 1))
    config = decode(space, config_id)
    assert encode(space, config.parents, config.ops) == config_id
    for node, parents in enumerate(config.parents, start=1):
        assert len(parents) == space.num_parents(node)
        assert all(p < node for p in parents)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_array_forms_agree_with_scalar_forms(number: int) -> None:
    space = SPACES[number]
    ids = np.random.default_rng(number).integers(0, space.num_configs, size=500)
    digits, ops = decode_array(space, ids)
    for i, config_id in enumerate(ids[:50]):
        config = decode(space, int(config_id))
        assert tuple(ops[i]) == config.ops
        assert tuple(space.parent_options[j][d] for j, d in enumerate(digits[i])) == config.parents
    assert np.array_equal(encode_array(space, digits, ops), ids)


def test_bad_inputs_raise_clear_errors() -> None:
    space = SPACES[1]
    with pytest.raises(InvalidConfigError, match="out of range"):
        decode(space, space.num_configs)
    with pytest.raises(InvalidConfigError, match="cannot take parents"):
        encode(space, [(0,), (0,), (0, 1), (0, 1), (0, 1)], [0, 0, 0, 0])
    with pytest.raises(InvalidConfigError):
        decode_array(space, [-1])
    with pytest.raises(UnknownSpaceError, match="choose one of"):
        get_space(4)


def test_nb101_spec_inserts_unused_vertex_for_six_node_spaces() -> None:
    space = SPACES[1]
    config = decode(space, 1234)
    matrix, ops = to_nb101_spec(space, config)
    assert len(matrix) == 7 and len(ops) == 7
    assert ops[5] == "conv1x1-bn-relu" and not any(matrix[5]) and not any(r[5] for r in matrix)
    assert adjacency(space, config)[0][1] == 1  # node 1's only parent is the input
    matrix3, ops3 = to_nb101_spec(SPACES[3], decode(SPACES[3], 99))
    assert len(matrix3) == 7 and ops3[0] == "input" and ops3[-1] == "output"
