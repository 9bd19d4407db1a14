"""HB/BOHB: the in-process engine gives exactly the records of hpbandster's Pyro engine.

The Pyro engine (hpbandster's Master, Dispatcher and a worker thread talking over Pyro4)
is the reference; the in-process engine drives the same hpbandster objects from one
loop. Equality is byte for byte on the record arrays (config ids, budgets, errors, NB101
times, order), on a SYNTHETIC table with noisy repeats and random training times, so the
repeat draws and the time column are compared too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from nb1s.optimizers.discrete import TableObjective, encoding_for
from nb1s.optimizers.discrete.hyperband import MAX_BUDGET, bohb, hyperband
from nb1s.optimizers.discrete.objective import synthetic_objective
from nb1s.optimizers.discrete.records import RecordArray

RUNNERS: dict[str, Callable[..., Any]] = {"HB": hyperband, "BOHB": bohb}
SMALL = 6 * MAX_BUDGET  # two brackets, 52 queries; BOHB's first KDE (budget 4) is in use


def _objective(space: int = 1) -> TableObjective:
    return synthetic_objective(encoding_for(space).space.num_configs, seed=5)


def _assert_identical(a: RecordArray, b: RecordArray) -> None:
    assert a.dtype == b.dtype
    assert len(a) == len(b)
    for field in a.dtype.names or ():
        assert np.array_equal(a[field], b[field]), field
    assert a.tobytes() == b.tobytes()


def _differs(a: RecordArray, b: RecordArray) -> bool:
    return len(a) != len(b) or a.tobytes() != b.tobytes()


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("name", ["HB", "BOHB"])
def test_engines_give_identical_records(name: str, seed: int) -> None:
    run, obj = RUNNERS[name], _objective()
    reference = run(1, obj, seed, SMALL, engine="pyro").records
    fast = run(1, obj, seed, SMALL).records  # the default engine
    assert len(reference) > 40
    _assert_identical(fast, reference)
    # the comparison can fail: another seed gives other records
    assert _differs(run(1, obj, seed + 1, SMALL).records, reference)


def test_bohb_comparison_covers_the_kde() -> None:
    """HB and BOHB sample the same configurations until BOHB's first KDE exists (both draw
    from the same seeded ConfigSpace); at SMALL they part, so the equality test above
    compares model-based BOHB picks, not only random ones."""
    obj = _objective()
    hb, bo = hyperband(1, obj, 0, SMALL).records, bohb(1, obj, 0, SMALL).records
    assert np.array_equal(hb["config_id"][:20], bo["config_id"][:20])
    assert not np.array_equal(hb["config_id"], bo["config_id"])


def test_a_driver_that_misfeeds_results_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver that hands hpbandster the wrong losses (here: negated, so successive
    halving promotes the worst) still runs, but its records differ from the reference."""
    from nb1s.optimizers.discrete import hpbandster_inprocess as inproc

    obj = _objective()
    reference = hyperband(1, obj, 0, SMALL, engine="pyro").records
    original = inproc._SequentialMaster._run_job

    def negated(self: Any, config_id: Any, config: Any, budget: float, *,
                loss: inproc.Loss) -> None:
        original(self, config_id, config, budget, loss=lambda c, b: -loss(c, b))

    monkeypatch.setattr(inproc._SequentialMaster, "_run_job", negated)
    wrong = hyperband(1, obj, 0, SMALL).records
    assert _differs(wrong, reference)
    # the first bracket's 27 random budget-4 configurations are the same; promotions differ
    assert np.array_equal(wrong["config_id"][:27], reference["config_id"][:27])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "amount"), [("HB", 280 * MAX_BUDGET),
                                              ("BOHB", 30 * MAX_BUDGET)])
def test_engines_identical_on_longer_runs(name: str, amount: float) -> None:
    """HB over the default budget (75 brackets, 1230 queries on SS3); BOHB over 30 x 108
    epochs, where KDEs on budgets 4, 12 and 36 take turns (the full default BOHB run takes
    about a minute per engine)."""
    run, obj = RUNNERS[name], _objective(3)
    reference = run(3, obj, 2, amount, engine="pyro").records
    _assert_identical(run(3, obj, 2, amount).records, reference)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown hpbandster engine 'grpc'"):
        hyperband(1, _objective(), 0, SMALL, engine="grpc")  # type: ignore[arg-type]
