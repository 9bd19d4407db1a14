"""`CategoricalDensity` gives statsmodels' `KDEMultivariate.pdf` to the bit, and BOHB uses it.

The comparison is on the bytes of the returned arrays, over random categorical data sets
of the shapes BOHB fits (more observations than variables, 1 to 7 levels per column,
bandwidths clipped at BOHB's two minimum bandwidths), at points on and off the data's
levels, one-level columns included (their kernel is inf off the point, as statsmodels'
is). A sum in another order shows the comparison can fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm

from nb1s.optimizers.discrete import encoding_for, hpbandster_inprocess
from nb1s.optimizers.discrete.categorical_kde import CategoricalDensity, use_categorical_densities
from nb1s.optimizers.discrete.hyperband import MAX_BUDGET, bohb
from nb1s.optimizers.discrete.objective import synthetic_objective


def _kdes(count: int, seed: int = 0) -> list[tuple[Any, list[list[int]]]]:
    """`count` fitted KDEs, each with five points to evaluate (some off the data's levels)."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        d = int(rng.integers(2, 12))
        n = int(rng.integers(d + 1, 80))
        levels = rng.integers(1, 8, size=d)
        data = np.stack([rng.integers(0, k, size=n) for k in levels], axis=1).astype(float)
        kde = sm.nonparametric.KDEMultivariate(data=data, var_type="u" * d,
                                               bw="normal_reference")
        kde.bw = np.clip(kde.bw, rng.choice([1e-3, 0.3]), None)
        points = [[int(rng.integers(0, k + 1)) for k in levels] for _ in range(5)]
        cases.append((kde, points))
    return cases


@pytest.fixture(scope="module")
def cases() -> list[tuple[Any, list[list[int]]]]:
    return _kdes(400)


def test_densities_equal_statsmodels_to_the_bit(cases: list[tuple[Any, list[list[int]]]]
                                               ) -> None:
    compared = infinite = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for kde, points in cases:
            fast = CategoricalDensity(kde)
            for x in points:
                expected, got = kde.pdf(x), fast.pdf(x)
                assert got.shape == expected.shape == () and got.dtype == expected.dtype
                assert got.tobytes() == expected.tobytes(), (x, expected, got)
                compared += 1
                infinite += not np.isfinite(expected)
    assert compared == 2000
    assert infinite > 0  # one-level columns left by the point: statsmodels' inf, kept


def test_a_sum_in_another_order_is_told_apart(cases: list[tuple[Any, list[list[int]]]]
                                             ) -> None:
    """A plain loop over the observations (last to first) differs from numpy's pairwise
    sum in the last bits of many densities: the byte comparison above would catch such a
    re-implementation."""
    differ = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        for kde, points in cases:
            fast = CategoricalDensity(kde)
            for x in points:
                kernel = np.where(fast._data == np.asarray(x), fast._on, fast._off)
                other = sum(kernel.prod(axis=1)[::-1]) / kde.nobs
                differ += np.float64(other).tobytes() != kde.pdf(x).tobytes()
    assert differ > 100


def test_other_attributes_are_the_kdes_and_bad_input_is_refused() -> None:
    kde, _ = _kdes(1, seed=3)[0]
    fast = CategoricalDensity(kde)
    assert fast.data is kde.data and fast.bw is kde.bw and fast.var_type == kde.var_type
    with pytest.raises(ValueError, match="one point of"):
        fast.pdf([0])
    mixed = sm.nonparametric.KDEMultivariate(data=np.random.default_rng(0).random((20, 2)),
                                             var_type="uc", bw="normal_reference")
    with pytest.raises(ValueError, match="only unordered variables"):
        CategoricalDensity(mixed)
    models = {4.0: {"good": mixed, "bad": kde}}
    use_categorical_densities(models)
    assert models[4.0]["good"] is mixed  # continuous: statsmodels' own stays
    wrapped = models[4.0]["bad"]
    assert isinstance(wrapped, CategoricalDensity)
    use_categorical_densities(models)
    assert models[4.0]["bad"] is wrapped  # not wrapped twice


def test_in_process_bohb_evaluates_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A BOHB run's model-based picks go through `CategoricalDensity.pdf`, so the engine
    identity tests (tests/test_hpbandster_engines.py) compare it with statsmodels; a wrong
    density there changes the records."""
    objective = synthetic_objective(encoding_for(1).space.num_configs, seed=5)
    calls = 0
    exact = CategoricalDensity.pdf

    def counted(self: CategoricalDensity, point: Any) -> np.ndarray:
        nonlocal calls
        calls += 1
        return exact(self, point)

    monkeypatch.setattr(CategoricalDensity, "pdf", counted)
    reference = bohb(1, objective, 0, 6 * MAX_BUDGET).records
    assert calls > 100

    def inverted(self: CategoricalDensity, point: Any) -> np.ndarray:
        return 1.0 / exact(self, point)

    monkeypatch.setattr(CategoricalDensity, "pdf", inverted)
    assert bohb(1, objective, 0, 6 * MAX_BUDGET).records.tobytes() != reference.tobytes()
    # and with statsmodels' own pdf (no wrapping) the records are the reference's
    monkeypatch.setattr(hpbandster_inprocess, "use_categorical_densities", lambda m: None)
    assert bohb(1, objective, 0, 6 * MAX_BUDGET).records.tobytes() == reference.tobytes()
