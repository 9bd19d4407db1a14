"""BOHB's kernel densities on categorical spaces, evaluated without statsmodels' per-call cost.

Why: a black-box BOHB run on a NAS-Bench-1Shot1 space spends most of its time in
`KDEMultivariate.pdf` (49 of 57 s under cProfile, docs/blackbox.md#speed). hpbandster
scores each of its 64 candidate configurations per proposal with two single-point pdf
calls, and statsmodels answers each by looping over the columns in Python, calling
`np.unique` on every column to count its levels and building the Aitchison-Aitken kernel
with boolean indexing. For a fitted KDE nothing of that changes between calls, so
`CategoricalDensity` computes the levels and both kernel values per column once and
evaluates a point with one `np.where`, one product and one sum.

The values are statsmodels' to the bit, not approximately: the kernel values are the same
IEEE operations (`h / (levels - 1)` off the point, `1 - h` on it), the per-observation
product runs over the same C-ordered [observations x variables] array as `gpke`'s, the sum
over the same contiguous vector, and the division by the observation count is the same.
`tests/test_categorical_kde.py` compares them bit for bit, and the engine-identity tests
compare whole BOHB runs against hpbandster's unmodified Pyro engine. The Pyro engine
keeps statsmodels' pdf (it is the reference).
"""

from __future__ import annotations

import warnings
from collections.abc import MutableMapping, Sequence
from typing import Any

import numpy as np

#: statsmodels >= 0.15 warns on every `KDEMultivariate(...)` built without `rng` (each
#: BOHB model fit, two per result) that its default generator will become an
#: entropy-seeded one. hpbandster builds them without `rng` and nb1s cannot pass one.
UNUSED_RNG_NOTICE = (r"After 0\.17 or January 2028, whichever comes first, the default "
                     r"behavior will switch to using an entropy initialized "
                     r"numpy\.random\.Generator")


def ignore_unused_kde_rng_notice() -> None:
    """Stop statsmodels' FutureWarning about the KDE's default generator, and only it.

    Why it is safe to ignore, not a hidden problem: the generator is used only for
    `efficient=True` bandwidth estimation (subsampled cross-validation); hpbandster fits
    with `bw="normal_reference"` and default settings, which draw no random number. BOHB's
    results therefore do not depend on that generator today or after the switch. Filtered
    by the exact message and category, process-wide (hpbandster fits in its own threads,
    where `warnings.catch_warnings` would not be safe).
    """
    warnings.filterwarnings("ignore", message=UNUSED_RNG_NOTICE, category=FutureWarning)


def all_unordered(kde: Any) -> bool:
    """Whether every variable of a statsmodels KDE is unordered ('u'): the case handled here."""
    return set(kde.var_type) == {"u"}


class CategoricalDensity:
    """A fitted all-unordered `KDEMultivariate` whose `pdf` takes one point per call.

    Every other attribute (`data`, `bw`, `nobs`, ...) is the wrapped KDE's, read through:
    hpbandster's sampler reads `data` and `bw` to draw its candidates.
    """

    def __init__(self, kde: Any) -> None:
        if not all_unordered(kde):
            raise ValueError(f"only unordered variables are supported, got {kde.var_type!r}")
        self._kde = kde
        self._data = np.ascontiguousarray(kde.data, dtype=np.float64)
        levels = np.array([np.unique(column).size for column in self._data.T])
        bandwidth = np.asarray(kde.bw, dtype=np.float64)
        # a column with one level divides by zero, as statsmodels does; its kernel value
        # off the point is then inf and only matters where the point leaves that level
        with np.errstate(divide="ignore"):
            self._off = bandwidth / (levels - 1)
        self._on = 1 - bandwidth
        self._nobs = kde.nobs

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kde, name)

    def pdf(self, point: Sequence[float] | np.ndarray) -> np.ndarray:
        """The density at one point, as statsmodels returns it (a 0-d array)."""
        x = np.asarray(point)
        if x.shape != (self._data.shape[1],):
            raise ValueError(f"one point of {self._data.shape[1]} values expected, "
                             f"got shape {x.shape}")
        kernel = np.where(self._data == x, self._on, self._off)
        return np.squeeze([kernel.prod(axis=1).sum(axis=0) / self._nobs])


def use_categorical_densities(kde_models: MutableMapping[Any, dict[str, Any]]) -> None:
    """Wrap each newly fitted good/bad KDE of hpbandster's BOHB config generator in place.

    KDEs with continuous variables stay statsmodels' own; wrapped ones are left alone.
    """
    for models in kde_models.values():
        for role, kde in models.items():
            if not isinstance(kde, CategoricalDensity) and all_unordered(kde):
                models[role] = CategoricalDensity(kde)
