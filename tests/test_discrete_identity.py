"""The speed-ups of RS, RE, REINFORCE and the table objective change no record.

Three kinds of pin: digests of the config ids the optimizers chose (first taken with the
code before the speed-up, commit 4ecd88b: RE mutated [seeds, H] index rows and re-encoded
them, the objective used 2-D fancy indexing, `predraw` stacked per-seed arrays; the
speed-up matched them; re-pinned deliberately when issue 21 gave every optimizer its own
random stream, which changes the numbers each one draws, not the code that uses them); plain
re-derivations of the fast paths (2-D indexing, `np.stack`, the checked encoder); and
RE at its real settings (population 100, tournament 10) against a one-seed deque loop.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pytest
from test_discrete_vectorised import _plain_re

from nb1s.enumerate import get_space
from nb1s.optimizers.discrete import (
    RepeatPolicy,
    RepeatTable,
    TableObjective,
    encoding_for,
    run_blackbox,
)
from nb1s.optimizers.discrete import regularized_evolution as re_module
from nb1s.optimizers.discrete.objective import synthetic_objective
from nb1s.optimizers.discrete.regularized_evolution import regularized_evolution
from nb1s.optimizers.discrete.streams import DECISIONS, generators, predraw

# sha256 (first 16 hex digits) of the little-endian int64 config ids of seeds 0, 1, 17 x 150
# evaluations on `synthetic_objective(num_configs, space, num_rows=2000, policy)`, printed
# by the code before the speed-up and re-printed after the per-optimizer streams (issue 21)
BEFORE = {
    (1, "one_random_repeat", "RS"): "925ca16abdf1d9c7",
    (1, "one_random_repeat", "RE"): "6227c80f686142eb",
    (1, "one_random_repeat", "RL"): "5f4240137c639446",
    (1, "mean_of_repeats", "RS"): "925ca16abdf1d9c7",
    (1, "mean_of_repeats", "RE"): "396da325c2e1b04e",
    (1, "mean_of_repeats", "RL"): "67b11505dfeb79e6",
    (2, "one_random_repeat", "RS"): "04b574d28d9a02c6",
    (2, "one_random_repeat", "RE"): "fa82538a0e56fabc",
    (2, "one_random_repeat", "RL"): "60bcd8439ffdf798",
    (2, "mean_of_repeats", "RS"): "04b574d28d9a02c6",
    (2, "mean_of_repeats", "RE"): "123aab71642002eb",
    (2, "mean_of_repeats", "RL"): "33c9a22a404e7ff3",
    (3, "one_random_repeat", "RS"): "2b2d66961fdfed4d",
    (3, "one_random_repeat", "RE"): "c19f9829e1d2c469",
    (3, "one_random_repeat", "RL"): "44b34ffc6f82dffa",
    (3, "mean_of_repeats", "RS"): "2b2d66961fdfed4d",
    (3, "mean_of_repeats", "RE"): "90acabf5c5ee2214",
    (3, "mean_of_repeats", "RL"): "943e61b073ab8853",
}


def _digest(ids: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(ids).astype("<i8").tobytes()).hexdigest()[:16]


@pytest.mark.parametrize(("space", "policy", "name"), sorted(BEFORE))
def test_config_ids_equal_those_before_the_speedup(space: int, policy: str, name: str) -> None:
    obj = synthetic_objective(get_space(space).num_configs, space, num_rows=2000,
                              policy=RepeatPolicy(policy))
    rec = run_blackbox(name, space, obj, [0, 1, 17], 150).records
    assert _digest(rec["config_id"]) == BEFORE[(space, policy, name)]
    # and every record is what the objective says for that id (mean: deterministic)
    if policy == "mean_of_repeats":
        again = obj(rec["config_id"], 108, np.zeros(len(rec)))
        assert np.array_equal(rec["valid_error"], again.valid_error)
        assert np.array_equal(rec["train_time"], again.train_time)


@pytest.mark.parametrize("space", [1, 2, 3])
def test_re_at_its_real_settings_equals_a_plain_deque_loop(space: int) -> None:
    obj = synthetic_objective(get_space(space).num_configs, 10 + space, num_rows=500)
    traj = regularized_evolution(space, obj, [3, 8], n_evaluations=280)
    for seed in (3, 8):
        assert list(traj.for_seed(seed)["config_id"]) == _plain_re(space, obj, seed, 280,
                                                                   100, 10)


def test_re_refuses_a_hidden_state_move_without_a_free_parent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The cycle plan checks what the checked encoder used to catch late: a node whose
    every lower node is already a parent has nothing to swap in."""
    table, n_parents, n_free = re_module._swap_table(get_space(1))
    monkeypatch.setattr(re_module, "_swap_table",
                        lambda space: (table, n_parents, np.zeros_like(n_free)))
    obj = synthetic_objective(get_space(1).num_configs, 0, num_rows=50)
    with pytest.raises(ValueError, match="free parent"):
        regularized_evolution(1, obj, [0], n_evaluations=120)


@pytest.mark.parametrize("space", [1, 2, 3])
def test_id_weights_give_the_checked_encoders_ids(space: int) -> None:
    enc = encoding_for(space)
    rng = np.random.default_rng(space)
    idx = np.minimum((rng.random((4000, enc.num_hyperparameters)) * enc.cardinalities)
                     .astype(np.int64), enc.cardinalities - 1)
    idx[0] = 0
    idx[1] = enc.cardinalities - 1  # the largest id
    assert np.array_equal(enc.ids_of_drawn(idx), enc.from_indices(idx))
    assert enc.ids_of_drawn(idx[1]) == get_space(space).num_configs - 1
    assert np.array_equal(enc.ids_of_drawn(idx.reshape(40, 100, -1)),
                          enc.from_indices(idx).reshape(40, 100))


def test_predraw_equals_each_generators_own_block() -> None:
    a = predraw(generators([4, 0, 9], DECISIONS, "RS"), (7, 3))
    b = np.stack([g.random((7, 3)) for g in generators([4, 0, 9], DECISIONS, "RS")])
    assert np.array_equal(a, b)
    assert predraw([], (2,)).shape == (0, 2)


def _fancy(obj: TableObjective, ids: np.ndarray, budget: int,
           draws: np.ndarray) -> tuple[np.ndarray, ...]:
    """The objective re-derived with 2-D fancy indexing and a per-call nanmean."""
    table = obj.tables[budget]
    rows = obj.positions[ids]
    if obj.policy is RepeatPolicy.MEAN_OF_REPEATS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return tuple(np.nanmean(t[rows], axis=-1)
                         for t in (table.valid_error, table.test_error, table.train_time))
    present = ~np.isnan(table.valid_error)
    counts = present.sum(axis=1)
    order = np.argsort(~present, axis=1, kind="stable")
    pick = np.minimum((draws * counts[rows]).astype(np.int64), counts[rows] - 1)
    col = order[rows, pick]
    return (table.valid_error[rows, col], table.test_error[rows, col],
            table.train_time[rows, col])


@pytest.mark.parametrize("policy", list(RepeatPolicy))
def test_table_objective_equals_fancy_indexing(policy: RepeatPolicy) -> None:
    rng = np.random.default_rng(1)
    rows, configs = 300, 5000
    tables = {}
    for budget in (12, 108):
        cols = [rng.random((rows, 3)) for _ in range(3)]
        absent = rng.random((rows, 3)) < 0.3
        absent[absent.all(axis=1), 1] = False
        for c in cols:
            c[absent] = np.nan
        tables[budget] = RepeatTable(*cols)
    hashes = np.array([f"{i:032x}".encode() for i in range(rows)], dtype="S32")
    obj = TableObjective(rng.integers(0, rows, configs), tables, policy, hashes)
    for shape in [(500,), (20, 30), (1,)]:
        ids = rng.integers(0, configs, shape)
        draws = rng.random(shape)
        draws.ravel()[0] = np.nextafter(1.0, 0.0)
        for budget in (12, 108):
            ev = obj(ids, budget, draws)
            want = _fancy(obj, ids, budget, draws)
            for got, expected in zip((ev.valid_error, ev.test_error, ev.train_time), want,
                                     strict=True):
                assert got.shape == shape and np.array_equal(got, expected)
            assert ev.hashes is not None and (ev.hashes == hashes[obj.positions[ids]]).all()


def test_mean_of_an_all_missing_row_still_warns() -> None:
    valid = np.array([[0.1, 0.2, 0.3], [np.nan, np.nan, np.nan]])
    obj = TableObjective(np.array([0, 1]), {108: RepeatTable(valid, valid, valid)},
                         RepeatPolicy.MEAN_OF_REPEATS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        obj(np.array([0, 0]), 108, np.zeros(2))  # present rows: silent
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        ev = obj(np.array([0, 1]), 108, np.zeros(2))
    assert np.isnan(ev.valid_error[1]) and ev.valid_error[0] == pytest.approx(0.2)


@pytest.mark.parametrize("space", [1, 3])
def test_each_optimizer_draws_from_its_own_stream(space: int) -> None:
    # with one stream per (seed, purpose), RE's initial population was RS's first 100
    # architectures in 200/200 seeds and RL picked RS's architecture in most steps (issue 21)
    obj = synthetic_objective(get_space(space).num_configs, space, num_rows=2000)
    seeds = list(range(20))
    rs = run_blackbox("RS", space, obj, seeds, 120).records
    re_ = run_blackbox("RE", space, obj, seeds, 120).records
    rl = run_blackbox("RL", space, obj, seeds, 120).records
    for seed in seeds:
        a, b, c = (r["config_id"][r["seed"] == seed] for r in (rs, re_, rl))
        assert np.mean(a[:100] == b[:100]) < 0.05
        assert np.mean(a == c) < 0.05
    # and a seed still reproduces its run exactly, alone or in a batch
    alone = run_blackbox("RE", space, obj, [7], 120).records["config_id"]
    assert np.array_equal(alone, re_["config_id"][re_["seed"] == 7])
