"""Figure 6: the distribution of NAS-Bench-101 test error over every architecture of a space.

Pure computation over the NB101 store (no files, no printing): for one space, an
architecture set (`architecture_sets`) and a repeat rule, the error samples and their
summary (quantiles, mean, the fraction below fixed thresholds), plus the diff rows that
compare what the paper (or the released code) states about these sets.

Repeat rules (recipe setting `repeats`): `mean` takes one sample per architecture, the
mean over NB101's 3 training repeats (how the paper reports errors, §5.1); `pooled`
takes every repeat as its own sample (what the plotting code `analysis()` did).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from nb1s.enumerate import SPACES, count_space
from nb1s.enumerate.architecture_sets import ArchitectureSet, architecture_ids
from nb1s.harness.nb101.store import NB101Store
from nb1s.harness.references import paper, table1_paper

Repeats = Literal["mean", "pooled"]
QUANTILES = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)
# A minimum printed with 17 digits in the released code vs one recomputed from the same
# float32 accuracies: anything beyond float32 rounding is a different architecture.
MIN_TOLERANCE = 1e-6
# The published Table 1 cell that is not the count of its own rule (see table1/reproduce.py):
# space -> the counting rule whose count the published number equals instead.
KNOWN_COUNT_DEVIATIONS = {2: "configurations"}


@dataclass(frozen=True)
class SpaceSamples:
    """The error samples of one space's architecture set (test and validation)."""

    space: int
    architecture_set: str
    repeats: str
    n_architectures: int
    n_unique: int
    test: npt.NDArray[np.float64]
    valid: npt.NDArray[np.float64]


def space_samples(store: NB101Store, space: int, which: ArchitectureSet, repeats: Repeats,
                  budget: int = 108) -> SpaceSamples:
    """Look every member of the set up in the store and apply the repeat rule."""
    ids = architecture_ids(space, which)
    errors = store.space_errors(space, ids, budget)
    if repeats == "mean":
        test, valid = errors.test_error_mean, errors.valid_error_mean
    elif repeats == "pooled":
        test, valid = errors.test_error.ravel(), errors.valid_error.ravel()
    else:
        raise ValueError(f"unknown repeat rule {repeats!r}: mean or pooled")
    n_unique = int(np.unique(store.space_index(space).config_hash[ids]).size)
    return SpaceSamples(space, which, repeats, len(ids), n_unique,
                        np.asarray(test, dtype=np.float64), np.asarray(valid, dtype=np.float64))


def summarize(values: npt.NDArray[np.float64], thresholds: Sequence[float]) -> dict[str, Any]:
    """Mean, std, quantiles and the fraction of samples strictly below each threshold."""
    qs = np.quantile(values, QUANTILES)
    return {
        "n": int(values.size), "mean": float(values.mean()), "std": float(values.std()),
        "quantiles": {f"q{q * 100:g}": float(v) for q, v in zip(QUANTILES, qs, strict=True)},
        "fraction_below": {f"{t:g}": float((values < t).mean()) for t in thresholds},
    }


def space_summary(samples: SpaceSamples, thresholds: Sequence[float]) -> dict[str, Any]:
    """The JSON summary of one space (one row of the fig6 result)."""
    return {"space": samples.space, "architecture_set": samples.architecture_set,
            "repeats": samples.repeats, "n_architectures": samples.n_architectures,
            "n_unique_nb101": samples.n_unique,
            "test_error": summarize(samples.test, thresholds),
            "valid_error": summarize(samples.valid, thresholds)}


def count_row(summary: dict[str, Any]) -> dict[str, Any] | None:
    """The set's size against Table 1's 'w/ loose ends' row (the caption's set), if it is."""
    if summary["architecture_set"] != "with_loose_ends":
        return None
    space = summary["space"]
    published = table1_paper("with_loose_ends")[space]
    ours = summary["n_architectures"]
    row: dict[str, Any] = {"kind": "paper", "group": f"SS{space}", "space": space,
                           "metric": "architectures with loose ends", "result_mean": ours,
                           "reference_mean": published, "diff": ours - published,
                           "tolerance": 0, "source": paper()["table1"]["source"]}
    if ours == published:
        return {**row, "pass": True, "note": "equal"}
    if space in KNOWN_COUNT_DEVIATIONS:
        return _known_deviation(row, space, ours, published, KNOWN_COUNT_DEVIATIONS[space])
    return {**row, "pass": False, "note": "count differs from the paper"}


def _known_deviation(row: dict[str, Any], space: int, ours: int, published: int,
                     equals_rule: str) -> dict[str, Any]:
    """Not counted only while the explanation holds, as Table 1's check does.

    The explanation is that the published cell is the `equals_rule` count and ours is the
    'w/ loose ends' count; both are recomputed here, so if either stops being true (the
    paper reference, the enumerator or the set changed) the row fails instead.
    """
    counts = count_space(SPACES[space]).as_dict()
    rule_count, loose = counts[equals_rule], counts["with_loose_ends"]
    if rule_count != published or ours != loose:
        return {**row, "pass": False, "outcome": "failed",
                "note": f"the known deviation no longer holds: Table 1 prints {published}, the "
                        f"{equals_rule} count is {rule_count}, the 'w/ loose ends' count is "
                        f"{loose}, ours is {ours}"}
    return {**row, "pass": None, "outcome": "known deviation",
            "note": f"known deviation: Table 1 prints {published} for SS{space}, the "
                    f"{equals_rule} count ({rule_count}); the 'w/ loose ends' rule that "
                    f"reproduces the other spaces gives {loose}, as ours does"}


def minimum_rows(space: int, minimum: dict[str, float]) -> list[dict[str, Any]]:
    """Best single-repeat errors of the space against the released code's constants.

    The released code hard-codes `test_min_error`/`valid_min_error` per space (the lower
    edge of Figure 6's histograms); on the real NB101 file ours must equal them.
    """
    consts = paper()["regret_constants"]
    rows = []
    for metric, ref_key in (("test_min_single_repeat", "test_min_error"),
                            ("valid_min_single_repeat", "valid_min_error")):
        ours, ref = minimum[metric], float(consts[ref_key][space])
        ok = abs(ours - ref) <= MIN_TOLERANCE
        rows.append({"kind": "original", "group": f"SS{space}", "space": space,
                     "metric": metric, "result_mean": ours, "reference_mean": ref,
                     "diff": ours - ref, "tolerance": MIN_TOLERANCE, "pass": ok,
                     "source": consts["source"],
                     "note": "equal within float32 rounding" if ok else "different minimum"})
    return rows
