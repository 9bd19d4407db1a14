"""The table objective: repeat policies, missing repeats, budgets."""

from __future__ import annotations

import numpy as np
import pytest

from nb1s.optimizers.discrete import RepeatPolicy, RepeatTable, TableObjective
from nb1s.optimizers.discrete.objective import synthetic_objective


def _table() -> TableObjective:
    valid = np.array([[0.1, 0.2, 0.3], [0.4, np.nan, 0.6]])
    test = valid + 0.01
    time = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 6.0]])
    return TableObjective(positions=np.array([0, 1, 1, 0]),
                          tables={108: RepeatTable(valid, test, time)})


def test_one_random_repeat_uses_the_draw() -> None:
    obj = _table()
    ev = obj(np.array([0, 0, 0, 3]), 108, np.array([0.0, 0.34, 0.99, 0.5]))
    assert np.allclose(ev.valid_error, [0.1, 0.2, 0.3, 0.2])
    assert np.allclose(ev.test_error, ev.valid_error + 0.01)
    assert np.allclose(ev.train_time, [1.0, 2.0, 3.0, 2.0])


def test_missing_repeat_is_never_returned() -> None:
    obj = _table()
    ev = obj(np.array([1, 2, 1]), 108, np.array([0.2, 0.6, 0.99]))
    # row 1 has repeats 0 and 2 only: the draw picks among those two
    assert np.allclose(ev.valid_error, [0.4, 0.6, 0.6])


def test_mean_of_repeats_ignores_the_draw() -> None:
    obj = _table()
    obj.policy = RepeatPolicy.MEAN_OF_REPEATS
    ev = obj(np.array([[0, 1]]), 108, np.array([[0.0, 0.9]]))
    assert ev.valid_error.shape == (1, 2)
    assert np.allclose(ev.valid_error, [[0.2, 0.5]])


def test_unknown_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="budget 12"):
        _table()(np.array([0]), 12, np.array([0.0]))


def test_synthetic_objective_is_labelled_and_seeded() -> None:
    a = synthetic_objective(100, seed=1, num_rows=10)
    b = synthetic_objective(100, seed=1, num_rows=10)
    c = synthetic_objective(100, seed=2, num_rows=10)
    assert a.synthetic
    assert np.array_equal(a.tables[108].valid_error, b.tables[108].valid_error)
    assert not np.array_equal(a.tables[108].valid_error, c.tables[108].valid_error)
    assert a.positions.max() < 10
    # higher budgets cost more NB101 time
    assert (a.tables[4].train_time < a.tables[108].train_time).all()
