"""TensorFlow as an oracle for the TFRecord format, in both directions (TF only in tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from nb1s.enumerate import hash_spec
from nb1s.harness.nb101 import nasbench_api as api
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.model_metrics import ModelMetrics
from nb1s.harness.nb101.records import adjacency_string, encode_payload
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord
from nb1s.harness.nb101.tfrecord import CorruptRecordError, iter_records


@pytest.fixture(scope="module")
def tf() -> Any:
    """TensorFlow (the `oracle` extra, installed by `make setup`), imported only here.

    A missing TensorFlow fails these tests instead of skipping them: CI must run them.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow

    return tensorflow

SPECS = [
    ([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"]),
    ([[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
     ["input", "conv1x1-bn-relu", "maxpool3x3", "output"]),
]


def official_payloads() -> list[tuple[bytes, float]]:
    """Official-format payloads with a distinct final test accuracy each."""
    out = []
    for m, spec in enumerate(SPECS):
        h = hash_spec(*spec)
        for r in range(3):
            metrics = ModelMetrics(trainable_parameters=1000 * (m + 1))
            for stage in range(3):
                metrics.evaluation_data.add(current_epoch=54.0 * stage,
                                            training_time=10.0 * stage + r,
                                            test_accuracy=0.8 + 0.05 * m + 0.001 * r
                                            + 0.0001 * stage)
            payload = encode_payload(h.hash, 108, adjacency_string(h.pruned_matrix),
                                     ",".join(h.pruned_ops), metrics.SerializeToString())
            out.append((payload, 0.8 + 0.05 * m + 0.001 * r + 0.0002))
    return out


def test_tensorflow_written_file_imports_and_queries(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "tf.tfrecord"
    records = official_payloads()
    with tf.io.TFRecordWriter(str(path)) as writer:
        for payload, _ in records:
            writer.write(payload)
    assert list(iter_records(path)) == [p for p, _ in records]
    import_tfrecord(path, tmp_path / "index")
    nb = api.NASBench(tmp_path / "index", seed=0)
    for m, spec in enumerate(SPECS):
        _, computed = nb.get_metrics_from_spec(api.ModelSpec(*spec))
        got = [r["final_test_accuracy"] for r in computed[108]]
        assert got == [acc for _, acc in records[3 * m: 3 * m + 3]]
    assert nb.store.provenance["synthetic"] is False


def test_tensorflow_reads_nb1s_written_file(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "nb1s.tfrecord"
    write_synthetic_tfrecord(path, models=40, seed=2, full=True)
    ours = list(iter_records(path))
    theirs = [bytes(x.numpy()) for x in tf.data.TFRecordDataset(str(path))]
    assert len(ours) == 40 * 4 * 3
    assert theirs == ours


def test_both_refuse_the_same_damage(tf: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.tfrecord"
    write_synthetic_tfrecord(path, models=5, seed=2)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptRecordError, match=r"record 14 .* payload CRC"):
        list(iter_records(path))
    with pytest.raises(tf.errors.DataLossError):
        list(tf.data.TFRecordDataset(str(path)))
