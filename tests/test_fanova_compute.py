"""fANOVA marginals on fixed data sets: what the importances must say, and the seed.

Needs the optional `fanova` extra (installed by `make setup`); the not-installed path is
tested with a monkeypatched import, so it runs everywhere.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from nb1s.harness.experiments.fanova import compute
from nb1s.harness.experiments.fanova.space import cs2_space


def _sample(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"learning_rate": 10 ** rng.uniform(-3, 0, n),
            "weight_decay": 10 ** rng.uniform(-5, -3, n),
            "cutout_prob": rng.uniform(0, 1, n)}


def _analyse(values: dict[str, np.ndarray], losses: np.ndarray, seed: int | None = 0,
             pair: tuple[str, str] = ("weight_decay", "cutout_prob")) -> dict:
    return compute.analyse_budget(cs2_space(), values, losses, pair, 16, seed, 8)


def _shares(result: dict) -> dict[str, float]:
    return {n: m["importance"]["individual"] for n, m in result["single"].items()}


def test_a_loss_of_one_hyperparameter_gives_it_all_the_importance() -> None:
    values = _sample(200, 0)
    out = _analyse(values, values["cutout_prob"] ** 2)
    shares = _shares(out)
    assert shares["cutout_prob"] > 0.95
    assert shares["learning_rate"] < 0.02 and shares["weight_decay"] < 0.02
    assert out["pair"]["importance"]["individual"] < 0.02
    curve = out["single"]["cutout_prob"]
    assert curve["mean"][0] < curve["mean"][-1]  # the marginal rises with cutout
    assert np.corrcoef(np.square(curve["x"]), curve["mean"])[0, 1] > 0.98


def test_a_pure_interaction_shows_in_the_pair_and_not_in_the_singles() -> None:
    # fANOVA integrates over the raw values (as the original analysis did), so a pure
    # interaction is one with zero mean along each axis in raw units: lr (x) cutout
    values = _sample(500, 1)
    values["learning_rate"] = np.random.default_rng(9).uniform(1e-3, 1.0, 500)
    centred = (values["cutout_prob"] - 0.5) * (values["learning_rate"] - 0.5005)
    out = _analyse(values, centred, pair=("learning_rate", "cutout_prob"))
    shares = _shares(out)
    pair = out["pair"]["importance"]["individual"]
    assert pair > 0.6 and max(shares.values()) < 0.15 and pair > 4 * max(shares.values())
    surface = np.array(out["pair"]["mean"])  # rows: cutout, columns: lr
    assert surface[0, 0] > surface[0, -1] and surface[-1, -1] > surface[-1, 0]


def test_the_seed_fixes_the_forest() -> None:
    values = _sample(120, 2)
    losses = values["cutout_prob"] + 0.3 * np.log10(values["learning_rate"]) \
        + np.random.default_rng(3).normal(0, 0.2, 120)
    first, again = _analyse(values, losses, seed=5), _analyse(values, losses, seed=5)
    other = _analyse(values, losses, seed=6)
    assert first == again
    assert _shares(first) != _shares(other)


def test_incumbent_is_the_lowest_loss() -> None:
    values = _sample(5, 4)
    losses = np.array([0.3, 0.1, 0.2, 0.1, 0.5])
    inc = compute.incumbent([f"0-0-{i}" for i in range(5)], values, losses)
    assert inc["config_id"] == "0-0-1" and inc["loss"] == 0.1
    assert inc["config"]["cutout_prob"] == values["cutout_prob"][1]


def test_surface_correlation_across_spaces() -> None:
    base = np.arange(12.0).reshape(3, 4)
    same = compute.surface_correlation({1: base.tolist(), 2: (2 * base).tolist()})
    assert same["mean_spearman"] == pytest.approx(1.0)
    opposite = compute.surface_correlation({1: base.tolist(), 2: (-base).tolist()})
    assert opposite["mean_spearman"] == pytest.approx(-1.0)
    flat = compute.surface_correlation({1: base.tolist(), 2: np.zeros((3, 4)).tolist()})
    assert flat["pairs"][0]["spearman"] is None and flat["mean_spearman"] is None


def test_the_per_tree_statistic_is_read_from_pyrfr_memory_correctly() -> None:
    # the fallback for a pyrfr built with SWIG 4, checked on a statistic pyrfr wraps
    import pyrfr.util as util
    stat = util.weighted_running_stats()
    for x, w in ((1.0, 2.0), (4.0, 1.0), (-2.0, 0.5)):
        stat.push(x, w)
    read = compute._read_stat(stat.this)
    assert read.mean() == pytest.approx(stat.mean())
    assert read.sum_of_weights() == pytest.approx(stat.sum_of_weights()) == 3.5
    empty = compute._read_stat(util.weighted_running_stats().this)
    assert np.isnan(empty.mean()) and empty.sum_of_weights() == 0


def test_the_fallback_reader_gives_the_same_importances(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _sample(60, 7)
    losses = values["cutout_prob"] + np.log10(values["weight_decay"])
    wrapped = _analyse(values, losses)
    original = compute._ForestView.marginal_prediction_stat_of_tree
    reads = []

    def forced(self: compute._ForestView, tree: int, sample: list[float]) -> object:
        stat = original(self, tree, sample)  # a wrapped statistic, or already read
        reads.append(tree)
        if isinstance(stat, compute._TreeStat):  # a SWIG 4 pyrfr: read already
            return stat
        return compute._read_stat(stat.this)

    monkeypatch.setattr(compute._ForestView, "marginal_prediction_stat_of_tree", forced)
    assert _analyse(values, losses) == wrapped
    assert reads  # every per-tree statistic went through the reader


def test_missing_fanova_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fanova", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "fanova.fanova", None)
    with pytest.raises(compute.FanovaMissing) as info:
        compute.load_fanova()
    message = str(info.value)
    assert message.startswith("fanova not installed") and "\n" not in message
    assert "make setup" in message and "pyrfr" in message
    assert info.value.exit_code == 3 and info.value.label == "cannot-run"
