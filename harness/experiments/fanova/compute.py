"""fANOVA (Hutter et al. 2014) of one budget's evaluations, through automl's `fanova` package.

`fanova` and its forest `pyrfr` are an optional extra (pyrfr builds from source and needs
a C++ compiler), so they are imported here, on first use, and their absence is one line
and exit 3 (`FanovaMissing`). Three quirks of fanova 2.0.19, the last release, are handled
here rather than patched in the package:

- it still spells `np.float`, removed in NumPy 1.24: its module gets a NumPy view that
  maps that one alias to `float` (NumPy itself is untouched);
- its constructor calls `logging.basicConfig(level=INFO)`, which would make every later
  INFO line of any library print: the root logger gets a null handler while it runs;
- it calls ConfigSpace's deprecated getters: those warnings are silenced around the calls;
- pyrfr 0.9.0's `marginal_prediction_stat_of_tree`, the per-tree statistic fANOVA's
  variance decomposition is built on, returns an unwrapped SWIG pointer (its SWIG module
  does not know the type that pyrfr's `util` module wraps, automl/fanova#113), so every
  importance fails with "'SwigPyObject' object has no attribute 'mean'". `_ForestView`
  reads the two numbers fanova needs (the weighted mean and the sum of weights) from that
  pointer with ctypes, using the layout of `rfr::util::weighted_running_statistics<double>`
  (avg, sdm, then a running_statistics {N, avg, sdm} of the weights). That layout is
  pyrfr's; the extra pins pyrfr 0.9.0 and the tests (a loss of one hyperparameter gives it
  all the importance) fail if it is read wrongly. A pyrfr whose per-tree statistic is
  wrapped is used as it is.

The marginals are read from the forest directly (`marginal_mean_variance_prediction`),
the method fanova's own `marginal_mean_variance_for_values` wraps.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import types
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from nb1s.harness.errors import RunStopped

if TYPE_CHECKING:
    from ConfigSpace import ConfigurationSpace

INSTALL_HINT = ("run `make setup`, or: pip install swig && PATH=.venv/bin:$PATH pip install "
                "--no-build-isolation pyrfr fanova (needs a C++ compiler)")


class FanovaMissing(RunStopped):
    """The optional `fanova` extra is not installed: one line, exit 3 (cannot run)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"fanova not installed ({reason}): {INSTALL_HINT}", 3, "cannot-run")


class _NumpyWithFloat(types.ModuleType):
    """NumPy as fanova 2.0.19 expects it: `np.float` is the builtin `float`."""

    float = float

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


class _TreeStat:
    """The two values of pyrfr's per-tree statistic that fanova reads."""

    def __init__(self, mean: float, weights: float) -> None:
        self._mean, self._weights = mean, weights

    def mean(self) -> float:
        return self._mean

    def sum_of_weights(self) -> float:
        return self._weights


def _read_stat(raw: Any) -> _TreeStat:
    """`weighted_running_statistics<double>` behind an unwrapped SWIG pointer (see above)."""
    import ctypes

    address = int(raw)
    avg = ctypes.c_double.from_address(address).value
    count = ctypes.c_uint64.from_address(address + 16).value
    weight_avg = ctypes.c_double.from_address(address + 24).value
    raw.disown()  # pyrfr gave it no destructor: drop it quietly (40 bytes)
    weights = weight_avg * count
    return _TreeStat(avg if weights > 0 else float("nan"), weights)


class _ForestView:
    """pyrfr's fANOVA forest with a readable per-tree marginal statistic (see above)."""

    def __init__(self, forest: Any) -> None:
        self._forest = forest

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forest, name)

    def marginal_prediction_stat_of_tree(self, tree: int, sample: list[float]) -> Any:
        raw = self._forest.marginal_prediction_stat_of_tree(tree, sample)
        return raw if hasattr(raw, "mean") else _read_stat(raw)


def load_fanova() -> Any:
    """The `fANOVA` class, or `FanovaMissing` when fanova or pyrfr cannot be imported."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import fanova.fanova as module
    except ImportError as exc:
        raise FanovaMissing(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None
    if not isinstance(module.np, _NumpyWithFloat):
        module.np = _NumpyWithFloat("numpy")
    return module.fANOVA


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)  # basicConfig does nothing when the root has a handler
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        root.removeHandler(guard)


def grid(space: ConfigurationSpace, name: str, points: int) -> np.ndarray:
    """`points` values spanning the hyperparameter's range (geometric on a log scale)."""
    hp = space[name]
    lo, hi = float(hp.lower), float(hp.upper)  # type: ignore[attr-defined]
    if getattr(hp, "log", False):
        return np.geomspace(lo, hi, points)
    return np.linspace(lo, hi, points)


def fit(space: ConfigurationSpace, values: dict[str, np.ndarray], losses: np.ndarray,
        trees: int, seed: int | None) -> Any:
    """A fitted fANOVA object (package defaults besides `trees` and `seed`)."""
    import pandas as pd

    fanova_class = load_fanova()
    names = list(space.keys())
    frame = pd.DataFrame({n: np.asarray(values[n], dtype=np.float64) for n in names})
    with _quiet():
        model = fanova_class(frame, np.asarray(losses, dtype=np.float64), config_space=space,
                             n_trees=int(trees), seed=seed)
    model.the_forest = _ForestView(model.the_forest)
    return model


def _importance(model: Any, dims: tuple[int, ...]) -> dict[str, float]:
    with _quiet():
        got = model.quantify_importance(dims)[dims]
    return {"individual": float(got["individual importance"]),
            "individual_std": float(got["individual std"]),
            "total": float(got["total importance"])}


def _marginal(model: Any, dims: list[int], points: list[tuple[float, ...]]
              ) -> tuple[list[float], list[float]]:
    means, stds = [], []
    for point in points:
        sample = np.full(model.n_dims, np.nan, dtype=np.float64)
        sample[dims] = point
        mean, var = model.the_forest.marginal_mean_variance_prediction(sample)
        means.append(float(mean))
        stds.append(float(np.sqrt(max(float(var), 0.0))))
    return means, stds


def analyse_budget(space: ConfigurationSpace, values: dict[str, np.ndarray],
                   losses: np.ndarray, pair: tuple[str, str], trees: int, seed: int | None,
                   grid_points: int) -> dict[str, Any]:
    """Importances and marginals of one budget's data (see the module docstring).

    Returns, per hyperparameter, its individual importance (fraction of the forest's
    variance it explains alone) and its marginal on a grid; for `pair`, the pairwise
    (interaction-only) importance and the 2-D marginal, rows along `pair[1]`.
    """
    model = fit(space, values, losses, trees, seed)
    names = list(space.keys())
    index = {n: i for i, n in enumerate(names)}
    singles = {}
    for name in names:
        xs = grid(space, name, grid_points)
        mean, std = _marginal(model, [index[name]], [(float(x),) for x in xs])
        singles[name] = {"importance": _importance(model, (index[name],)),
                         "x": xs.tolist(), "mean": mean, "std": std}
    a, b = pair
    dims = (index[a], index[b])
    pair_imp = _importance(model, tuple(sorted(dims)))
    xa, xb = grid(space, a, grid_points), grid(space, b, grid_points)
    mean, _ = _marginal(model, list(dims),
                        [(float(va), float(vb)) for vb, va in itertools.product(xb, xa)])
    surface = np.array(mean).reshape(len(xb), len(xa))
    return {"single": singles,
            "pair": {"names": [a, b], "importance": pair_imp, "x": xa.tolist(),
                     "y": xb.tolist(), "mean": surface.tolist()}}


def incumbent(config_ids: list[str], values: dict[str, np.ndarray],
              losses: np.ndarray) -> dict[str, Any]:
    """The lowest-loss evaluation (first on ties), as the original marks it in the plots."""
    best = int(np.argmin(losses))
    return {"config_id": config_ids[best], "loss": float(losses[best]),
            "config": {n: float(v[best]) for n, v in values.items()}}


def surface_correlation(surfaces: dict[int, list[list[float]]]) -> dict[str, Any]:
    """Spearman correlation of the pairwise-marginal surfaces of every pair of spaces."""
    from scipy.stats import spearmanr

    rows = []
    for s, t in itertools.combinations(sorted(surfaces), 2):
        u, v = np.ravel(surfaces[s]), np.ravel(surfaces[t])
        rho = None
        if np.ptp(u) > 0 and np.ptp(v) > 0:
            rho = float(spearmanr(u, v).statistic)
        rows.append({"spaces": [s, t], "spearman": rho})
    defined = [r["spearman"] for r in rows if r["spearman"] is not None]
    return {"pairs": rows, "mean_spearman": float(np.mean(defined)) if defined else None}
