"""The harness side of the black-box baselines: objective, grid, curves, claim, the kind.

All NB101 numbers here are SYNTHETIC (the smoke profile's four-budget index of space 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from blackbox_helpers import build_full_index, records

from nb1s.harness.blackbox_runs.curves import (
    best_test_error,
    final_regret,
    incumbent_test_error,
    load_blackbox_results,
    regret_curve,
)
from nb1s.harness.blackbox_runs.grid import (
    load_records,
    parse_seeds,
    run_blackbox_grid,
    save_records,
    seed_file,
)
from nb1s.harness.blackbox_runs.objective import nb101_objective
from nb1s.harness.errors import UserError
from nb1s.harness.experiments.blackbox.claims import claim_rows
from nb1s.harness.nb101.store import NB101Store
from nb1s.harness.report.verdict import verdict
from nb1s.optimizers.discrete import RepeatPolicy


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_full_index(tmp_path_factory.mktemp("bb-data"))


@pytest.fixture(scope="module")
def store(index_dir: Path) -> NB101Store:
    return NB101Store(index_dir)


# ----------------------------------------------------------------------------- objective
def _expected(store: NB101Store, config_id: int, budget: int) -> dict[str, np.ndarray]:
    """The three repeats of a config id, read column by column from the index files."""
    index = store.space_index(1)
    row = int(store.rows_of(index.hashes[[index.config_hash[config_id]]])[0])
    return {"valid": 1.0 - np.asarray(store.metric(budget, "final_validation_accuracy")[row]),
            "test": 1.0 - np.asarray(store.metric(budget, "final_test_accuracy")[row]),
            "time": np.asarray(store.metric(budget, "final_training_time")[row]),
            "hash": index.hashes[index.config_hash[config_id]]}


def test_objective_returns_the_drawn_repeat(store: NB101Store) -> None:
    assert store.synthetic and store.budgets == [4, 12, 36, 108]
    obj = nb101_objective(store, 1, RepeatPolicy.ONE_RANDOM_REPEAT, (4, 12, 36, 108))
    ids = np.array([17, 17, 17, 4000], dtype=np.int64)
    draws = np.array([0.0, 0.5, 0.99, 0.4])  # floor(u * 3): repeats 0, 1, 2, 1
    for budget in (4, 108):
        ev = obj(ids, budget, draws)
        exp = _expected(store, 17, budget)
        np.testing.assert_array_equal(ev.valid_error[:3], exp["valid"])
        np.testing.assert_array_equal(ev.test_error[:3], exp["test"])
        np.testing.assert_array_equal(ev.train_time[:3], exp["time"])
        other = _expected(store, 4000, budget)
        assert ev.valid_error[3] == other["valid"][1]
        assert ev.hashes is not None and ev.hashes[0] == exp["hash"]
    # budgets differ (a 4-epoch training is cheaper than a 108-epoch one)
    assert obj(ids, 4, draws).train_time[0] < obj(ids, 108, draws).train_time[0]


def test_objective_mean_policy(store: NB101Store) -> None:
    obj = nb101_objective(store, 1, RepeatPolicy.MEAN_OF_REPEATS)
    ev = obj(np.array([17, 17]), 108, np.array([0.0, 0.9]))
    exp = _expected(store, 17, 108)
    assert ev.valid_error[0] == ev.valid_error[1] == pytest.approx(exp["valid"].mean())
    assert ev.test_error[0] == pytest.approx(exp["test"].mean())
    with pytest.raises(ValueError, match="no table for budget 4"):
        obj(np.array([17]), 4, np.array([0.0]))


def test_objective_refuses_missing_budgets_and_architectures(tmp_path: Path) -> None:
    from nb1s.harness.nb101.importer import import_tfrecord
    from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

    write_synthetic_tfrecord(tmp_path / "s.tfrecord", models=30, full=False)
    import_tfrecord(tmp_path / "s.tfrecord", tmp_path / "idx")
    small = NB101Store(tmp_path / "idx")
    with pytest.raises(UserError, match="needs 4, 12, 36 too"):
        nb101_objective(small, 1, budgets=(4, 12, 36, 108))
    with pytest.raises(UserError, match="lacks"):
        nb101_objective(small, 1)


# ----------------------------------------------------------------------------- grid
def test_parse_seeds() -> None:
    assert parse_seeds("0-3") == [0, 1, 2, 3]
    assert parse_seeds("5,0,2-3") == [0, 2, 3, 5]
    for bad in ("3-1", "a", "", "-2", "1-"):
        with pytest.raises(UserError, match="bad seed range"):
            parse_seeds(bad)


def test_resume_skips_finished_seeds_and_gives_identical_records(index_dir: Path,
                                                                 tmp_path: Path) -> None:
    first = run_blackbox_grid("RE", 1, [0, 1, 2, 3], 120, tmp_path / "a", data_dir=index_dir)
    assert (first["ran"], first["skipped"], first["synthetic"]) == (4, 0, True)
    kept = load_records(seed_file(tmp_path / "a", 1, "RE", 2))
    assert len(kept) == 120 and set(kept["seed"]) == {2}
    seed_file(tmp_path / "a", 1, "RE", 2).unlink()
    again = run_blackbox_grid("RE", 1, [0, 1, 2, 3, 4], 120, tmp_path / "a",
                              data_dir=index_dir)
    assert (again["ran"], again["skipped"]) == (2, 3)
    np.testing.assert_array_equal(load_records(seed_file(tmp_path / "a", 1, "RE", 2)), kept)
    fresh = run_blackbox_grid("RE", 1, [4], 120, tmp_path / "b", data_dir=index_dir)
    assert fresh["ran"] == 1
    np.testing.assert_array_equal(load_records(seed_file(tmp_path / "b", 1, "RE", 4)),
                                  load_records(seed_file(tmp_path / "a", 1, "RE", 4)))
    with pytest.raises(UserError, match="other settings"):
        run_blackbox_grid("RE", 1, [0], 150, tmp_path / "a", data_dir=index_dir)


def test_worker_processes_give_the_same_records(index_dir: Path, tmp_path: Path) -> None:
    run_blackbox_grid("RS", 1, range(6), 20, tmp_path / "one", data_dir=index_dir)
    run_blackbox_grid("RS", 1, range(6), 20, tmp_path / "two", data_dir=index_dir, workers=2)
    for seed in range(6):
        np.testing.assert_array_equal(load_records(seed_file(tmp_path / "one", 1, "RS", seed)),
                                      load_records(seed_file(tmp_path / "two", 1, "RS", seed)))


def test_grid_refuses_bad_input(index_dir: Path, tmp_path: Path) -> None:
    cases = [(("XX", 1, [0], 280), "unknown black-box optimizer"),
             (("RS", 4, [0], 280), "search space 4"),
             (("RS", 1, [0], 0), "at least 1"),
             (("RE", 1, [0], 50), "at least 100")]
    for args, message in cases:
        with pytest.raises(UserError, match=message):
            run_blackbox_grid(*args, tmp_path, data_dir=index_dir)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="repeat policy"):
        run_blackbox_grid("RS", 1, [0], 5, tmp_path, data_dir=index_dir, policy="median")


# ----------------------------------------------------------------------------- curves
def test_incumbents_and_regret_curve_by_hand() -> None:
    rec = np.concatenate([records(0, [0.3, 0.2, 0.25, 0.2], [0.1, 0.3, 0.05, 0.02],
                                  [10, 10, 10, 10]),
                          records(1, [0.4], [0.2], [20])])
    np.testing.assert_allclose(incumbent_test_error(rec, "best_validation"),
                               [0.1, 0.3, 0.3, 0.3, 0.2])  # a tie keeps the first
    np.testing.assert_allclose(incumbent_test_error(rec, "test_oracle"),
                               [0.1, 0.1, 0.05, 0.02, 0.2])
    grid = np.array([5.0, 10.0, 15.0, 25.0, 40.0, 100.0])
    got = regret_curve(rec, 0.05, "best_validation", grid)
    nan = np.nan
    np.testing.assert_allclose(got, [[nan, 0.05, 0.05, 0.25, 0.25, 0.25],
                                     [nan, nan, nan, 0.15, 0.15, 0.15]])
    oracle = regret_curve(rec[::-1], 0.05, "test_oracle", grid)  # order does not matter
    np.testing.assert_allclose(oracle, [[nan, 0.05, 0.05, 0.05, -0.03, -0.03],
                                        [nan, nan, nan, 0.15, 0.15, 0.15]])
    np.testing.assert_allclose(final_regret(rec, 0.05, "best_validation"), [0.25, 0.15])
    with pytest.raises(UserError):
        regret_curve(rec, 0.05, "median", grid)


def test_best_test_error_is_the_trackers_min_of_means(store: NB101Store) -> None:
    from nb1s.harness.search.tracker import regret_minimum

    best = best_test_error(store, 1)
    assert best == pytest.approx(regret_minimum(store, 1, "min_of_means")["test"])
    assert best_test_error(nb101_objective(store, 1), 1) == pytest.approx(best)


def test_load_blackbox_results_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "blackbox"
    save_records(seed_file(root, 2, "RE", 1), records(1, [0.2], [0.2], [1.0]))
    save_records(seed_file(root, 2, "RE", 0), records(0, [0.3, 0.1], [0.3, 0.1], [1.0, 2.0]))
    save_records(seed_file(root, 3, "HB", 7), records(7, [0.2], [0.2], [1.0], budget=4))
    found = load_blackbox_results(tmp_path)  # the results folder holding blackbox/
    assert set(found) == {(2, "RE"), (3, "HB")}
    assert found[(2, "RE")].records["seed"].tolist() == [0, 0, 1]
    assert found[(3, "HB")].records["budget"].tolist() == [4]
    assert load_blackbox_results(root).keys() == found.keys()


# ----------------------------------------------------------------------------- claim
def _finals(re_mean: float, other_mean: float, n: int = 40) -> dict[tuple[int, str], np.ndarray]:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.001, n)
    return {(1, "RE"): re_mean + noise, (1, "RS"): other_mean + noise[::-1],
            (1, "HB"): other_mean + 0.001 + noise}


def test_claim_passes_fails_and_stays_undecided() -> None:
    good = claim_rows(_finals(0.002, 0.01), [1], ["RE", "RS", "HB"], 0.01, 3, True)
    assert [r["outcome"] for r in good] == ["checked", "checked"]
    assert verdict(good, [])["status"] == "pass"
    # perturbed: RS better than RE at the end
    bad = claim_rows(_finals(0.01, 0.002), [1], ["RE", "RS", "HB"], 0.01, 3, True)
    assert bad[0]["outcome"] == "failed" and verdict(bad, [])["status"] == "fail"
    tie = claim_rows(_finals(0.005, 0.005), [1], ["RE", "RS"], 0.01, 3, True)
    assert tie[0]["outcome"] == "underpowered"
    few = claim_rows(_finals(0.002, 0.01, n=2), [1], ["RE", "RS"], 0.01, 3, True)
    assert few[0]["outcome"] == "underpowered"
    assert verdict(few, [])["status"] == "no-decision"
    synthetic = claim_rows(_finals(0.01, 0.002), [1], ["RE", "RS"], 0.01, 3, False, "synth")
    assert synthetic[0]["outcome"] == "not checkable"
    assert verdict(synthetic, ["synthetic"])["status"] == "not-checkable"
    missing = claim_rows({(1, "RE"): np.ones(5)}, [1], ["RE", "TPE"], 0.01, 3, True)
    assert missing[0]["outcome"] == "underpowered" and "TPE" in missing[0]["note"]


def test_diff_on_real_looking_data_fails_when_re_is_beaten(tmp_path: Path) -> None:
    """The recipe's diff on non-synthetic (paper-profile) results: PASS, then FAIL perturbed."""
    from nb1s.harness.experiments.blackbox.reproduce import diff_summary
    from nb1s.harness.recipe.catalog import load_recipe

    recipe = load_recipe("blackbox")
    seeds = list(range(12))
    rng = np.random.default_rng(1)

    def write(re_final: float, other_final: float) -> dict[str, object]:
        for opt, final in (("RE", re_final), ("RS", other_final)):
            for s in seeds:
                test = [0.3, final + rng.normal(0, 0.0005)]
                save_records(seed_file(tmp_path / "blackbox", 1, opt, s),
                             records(s, test, test, [5.0, 5.0]))
        return {"recipe": {"name": recipe.name, "version": recipe.version,
                           "profile": "paper", "protocol": "paper"},
                "labels": [], "missing_runs": [],
                "settings": {"optimizers": ["RE", "RS"], "spaces": [1], "seeds": seeds,
                             "evaluations": 2, "repeat_policy": "mean_of_repeats",
                             "incumbent": "best_validation", "evaluations_by_optimizer": {}},
                "spaces": {"1": {"best_test_error": 0.05, "optimizers": {}}}}

    passed = diff_summary(tmp_path, recipe, write(0.055, 0.065))
    assert passed["verdict"]["status"] == "pass"
    failed = diff_summary(tmp_path, recipe, write(0.065, 0.055))
    assert failed["verdict"]["status"] == "fail"
    assert json.loads((tmp_path / "diff.json").read_text())["verdict"]["status"] == "fail"
    assert "FAIL" in (tmp_path / "diff.md").read_text()


def test_the_re_best_claim_never_compares_the_running_minimum_of_the_test_error(
        tmp_path: Path) -> None:
    """Under the original protocol the figure draws `test_oracle`; the claim still compares
    each seed's best-validation incumbent (here RE's is worse than RS's, while RE's lowest
    test error over its evaluations is the best of all)."""
    from nb1s.harness.experiments.blackbox.reproduce import diff_summary
    from nb1s.harness.recipe.catalog import load_recipe

    recipe = load_recipe("blackbox")
    seeds = list(range(8))
    rng = np.random.default_rng(2)
    for s in seeds:
        e = float(rng.normal(0, 0.0005))
        save_records(seed_file(tmp_path / "blackbox", 1, "RE", s),
                     records(s, [0.10, 0.20], [0.070 + e, 0.052 + e], [5.0, 5.0]))
        save_records(seed_file(tmp_path / "blackbox", 1, "RS", s),
                     records(s, [0.30, 0.06], [0.30, 0.060 + e], [5.0, 5.0]))
    summary = {"recipe": {"name": recipe.name, "version": recipe.version,
                          "profile": "paper", "protocol": "original"},
               "labels": [], "missing_runs": [],
               "settings": {"optimizers": ["RE", "RS"], "spaces": [1], "seeds": seeds,
                            "evaluations": 2, "repeat_policy": "mean_of_repeats",
                            "incumbent": "test_oracle", "evaluations_by_optimizer": {}},
               "spaces": {"1": {"best_test_error": 0.05, "optimizers": {}}}}
    out = diff_summary(tmp_path, recipe, summary)
    assert out["verdict"]["status"] == "fail"  # RE 0.020 vs RS 0.010: contradicted


@pytest.mark.slow
def test_smac_in_workers_equals_smac_in_its_own_interpreter(index_dir: Path,
                                                             tmp_path: Path) -> None:
    """Pool workers start with PYTHONHASHSEED=0, so SMAC runs there without its own child
    process; the records must equal the in-process path (which spawns that child)."""
    run_blackbox_grid("SMAC", 1, [0, 1], 6, tmp_path / "one", data_dir=index_dir)
    run_blackbox_grid("SMAC", 1, [0, 1], 6, tmp_path / "two", data_dir=index_dir, workers=2)
    for seed in (0, 1):
        np.testing.assert_array_equal(load_records(seed_file(tmp_path / "one", 1, "SMAC", seed)),
                                      load_records(seed_file(tmp_path / "two", 1, "SMAC", seed)))


def test_regret_reference_and_left_edge_of_the_blackbox_curves() -> None:
    from nb1s.harness.blackbox_runs.curves import regret_reference
    from nb1s.harness.report.styles import style_of

    # under `original` the regret is measured against the original's single-repeat constant
    assert regret_reference(None, 3, "published_constants") == pytest.approx(  # type: ignore[arg-type]
        0.05338543653488159)
    with pytest.raises(UserError):
        regret_reference(None, 3, "oracle")  # type: ignore[arg-type]
    rec = records(0, [0.3, 0.2], [0.09, 0.07], [10, 10])
    grid = np.array([5.0, 10.0, 20.0])
    blank = regret_curve(rec, 0.05, "best_validation", grid)
    filled = regret_curve(rec, 0.05, "best_validation", grid, "backfill")
    assert np.isnan(blank[0, 0]) and filled[0, 0] == pytest.approx(0.04)
    assert filled[0, 1:].tolist() == pytest.approx(blank[0, 1:].tolist())
    # one colour per optimizer, the same in every figure
    assert style_of("RE") is not None and style_of("RE") != style_of("RS")
    assert style_of("BOHB-DARTS") == style_of("darts")
