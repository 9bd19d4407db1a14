"""The Google-compatible API: seeded sampling, budget counters, domain errors, return shapes."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from plain_enumerator import hash_module as plain_hash_module

from nb1s.enumerate import OPS, decode, get_space, hash_spec
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.nb101 import nasbench_api as api
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord

QUERY_KEYS = {"module_adjacency", "module_operations", "trainable_parameters", "training_time",
              "train_accuracy", "validation_accuracy", "test_accuracy"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("api")
    source = root / "s.tfrecord"
    write_synthetic_tfrecord(source, models=10, seed=5, spaces=[1])
    import_tfrecord(source, root / "index")
    return source, root / "index"


def space1_spec(config_id: int) -> api.ModelSpec:
    space = get_space(1)
    matrix, ops = to_nb101_spec(space, decode(space, config_id))
    return api.ModelSpec(matrix, ops)


def test_query_samples_repeats_like_the_original(data: tuple[Path, Path]) -> None:
    nb = api.NASBench(data[1], seed=7)
    spec = space1_spec(1234)
    _, computed = nb.get_metrics_from_spec(spec)
    rng = random.Random()
    random.seed(7)  # the original seeds the global module; same sequence as Random(7)
    rng.seed(7)
    for _ in range(30):
        result = nb.query(spec)
        assert set(result) == QUERY_KEYS
        index = random.randint(0, 2)
        assert index == rng.randint(0, 2)
        assert result["test_accuracy"] == computed[108][index]["final_test_accuracy"]
        assert result["training_time"] == computed[108][index]["final_training_time"]
    other = api.NASBench(data[1], seed=7)
    again = api.NASBench(data[1], seed=7)
    seq1 = [other.query(spec)["test_accuracy"] for _ in range(20)]
    seq2 = [again.query(spec)["test_accuracy"] for _ in range(20)]
    assert seq1 == seq2
    assert len(set(seq1)) > 1  # it does sample different repeats


def test_budget_counters(data: tuple[Path, Path]) -> None:
    nb = api.NASBench(data[1], seed=0)
    assert nb.get_budget_counters() == (0.0, 0)
    spec = space1_spec(99)
    full = nb.query(spec)
    half = nb.query(spec, stop_halfway=True)
    time_spent, epochs = nb.get_budget_counters()
    assert epochs == 108 + 54
    assert time_spent == pytest.approx(full["training_time"] + half["training_time"])
    _, computed = nb.get_metrics_from_spec(spec)
    assert half["test_accuracy"] in [r["halfway_test_accuracy"] for r in computed[108]]
    nb.get_metrics_from_spec(spec)  # analysis calls do not count
    assert nb.is_valid(spec)
    assert nb.get_budget_counters() == (time_spent, epochs)
    with pytest.raises(api.OutOfDomainError, match="invalid number of epochs"):
        nb.query(spec, epochs=4)
    assert nb.get_budget_counters() == (time_spent, epochs)
    nb.reset_budget_counters()
    assert nb.get_budget_counters() == (0.0, 0)


CHAIN8 = [[1 if j == i + 1 else 0 for j in range(8)] for i in range(8)]
DENSE7 = [[1 if j > i else 0 for j in range(7)] for i in range(7)]
CONV = "conv3x3-bn-relu"


@pytest.mark.parametrize(("matrix", "ops", "message"), [
    ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", CONV, "output"], "disconnected"),
    (CHAIN8, ["input"] + [CONV] * 6 + ["output"], "too many vertices, got 8"),
    (DENSE7, ["input"] + [CONV] * 5 + ["output"], "too many edges, got 21"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [CONV, CONV, "output"], "first operation"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", CONV, CONV], "last operation"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"], "unsupported op"),
])
def test_out_of_domain(data: tuple[Path, Path], matrix: list[list[int]], ops: list[str],
                       message: str) -> None:
    nb = api.NASBench(data[1])
    spec = api.ModelSpec(matrix, ops)
    assert not nb.is_valid(spec)
    with pytest.raises(api.OutOfDomainError, match=message):
        nb.query(spec)
    with pytest.raises(api.OutOfDomainError, match=message):
        nb.get_metrics_from_spec(spec)
    assert nb.get_budget_counters() == (0.0, 0)


def test_model_spec_validation_and_pruning() -> None:
    with pytest.raises(ValueError, match="square"):
        api.ModelSpec([[0, 1]], ["input", "output"])
    with pytest.raises(ValueError, match="length of ops"):
        api.ModelSpec([[0, 1], [0, 0]], ["input", CONV, "output"])
    with pytest.raises(ValueError, match="upper triangular"):
        api.ModelSpec([[0, 1], [1, 0]], ["input", "output"])
    # Vertex 2 has no path to the output: pruned away, like the original.
    matrix = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    ops = ["input", CONV, "maxpool3x3", "output"]
    spec = api.ModelSpec(matrix, ops)
    assert spec.valid_spec
    assert spec.matrix is not None and spec.matrix.tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert spec.ops == ["input", CONV, "output"]
    assert spec.original_ops == ops and spec.original_matrix.tolist() == matrix
    dead = api.ModelSpec([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", CONV, "output"])
    assert not dead.valid_spec and dead.matrix is None and dead.ops is None


@pytest.mark.parametrize("config_id", [0, 17, 1234, 6000, 6239])
def test_hash_agrees_with_enumerator_and_plain_oracle(config_id: int) -> None:
    spec = space1_spec(config_id)
    ours = spec.hash_spec(OPS)
    assert ours == hash_spec(spec.original_matrix.tolist(), spec.original_ops).hash
    assert spec.matrix is not None and spec.ops is not None
    labels = [-1] + [OPS.index(op) for op in spec.ops[1:-1]] + [-2]
    assert ours == plain_hash_module(spec.matrix.tolist(), labels)


def test_float_matrix_finds_the_model(data: tuple[Path, Path]) -> None:
    nb = api.NASBench(data[1], seed=1)
    spec = space1_spec(42)
    as_float = api.ModelSpec(np.asarray(spec.original_matrix, dtype=np.float64),
                             spec.original_ops)
    assert as_float.hash_spec(OPS) == spec.hash_spec(OPS)
    assert nb.query(as_float)["module_operations"] == spec.ops


def test_metrics_from_hash_shapes(data: tuple[Path, Path]) -> None:
    nb = api.NASBench(data[1])
    keys = nb.hash_iterator()
    hashes = list(keys)
    assert len(keys) == len(hashes) == nb.store.num_models
    assert hashes == sorted(hashes) and all(len(h) == 32 for h in hashes)
    assert hashes[3] in keys and "0" * 32 not in keys
    fixed, computed = nb.get_metrics_from_hash(hashes[3])
    assert set(fixed) == {"module_adjacency", "module_operations", "trainable_parameters"}
    assert isinstance(fixed["module_adjacency"], np.ndarray)
    assert fixed["module_adjacency"].dtype == np.int8
    v = len(fixed["module_operations"])
    assert fixed["module_adjacency"].shape == (v, v)
    assert isinstance(fixed["trainable_parameters"], int)
    assert list(computed) == [108] and len(computed[108]) == 3
    assert all(set(r) == set(api.METRIC_FIELDS) for r in computed[108])
    assert all(isinstance(x, float) for r in computed[108] for x in r.values())
    with pytest.raises(KeyError):
        nb.get_metrics_from_hash("0" * 32)


def test_raw_tfrecord_is_imported_once_into_the_cache(
        data: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB1S_CACHE_DIR", str(tmp_path / "cache"))
    first = api.NASBench(data[0], seed=0)
    provenance = first.store.directory / "provenance.json"
    stamp = provenance.stat().st_mtime_ns
    second = api.NASBench(data[0], seed=0)
    assert second.store.directory == first.store.directory
    assert provenance.stat().st_mtime_ns == stamp
    assert first.store.directory.is_relative_to(tmp_path / "cache")
    assert second.store.synthetic
