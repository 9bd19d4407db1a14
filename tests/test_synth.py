"""The synthetic NAS-Bench-101 writer: official format, coverage, determinism, plausibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nb1s.enumerate import hash_spec, load_index
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.model_metrics import ModelMetrics
from nb1s.harness.nb101.records import SYNTHETIC_PREFIX, decode_payload
from nb1s.harness.nb101.store import open_store
from nb1s.harness.nb101.synthetic import (
    _features,
    select_graphs,
    synth_metrics,
    write_synthetic_tfrecord,
)
from nb1s.harness.nb101.tfrecord import iter_records


def test_spaces_are_covered_completely_and_once() -> None:
    graphs = select_graphs(models=25, spaces=[1])
    wanted = {h.decode() for h in load_index(1).hashes}
    assert wanted <= set(graphs.hashes)
    assert len(graphs.hashes) == len(set(graphs.hashes))
    assert len(graphs.hashes) <= 25 + len(wanted)
    only_space = select_graphs(spaces=[1])
    assert set(only_space.hashes) == wanted


def test_written_graphs_hash_to_their_own_hash(tmp_path: Path) -> None:
    source = tmp_path / "s.tfrecord"
    write_synthetic_tfrecord(source, models=300, seed=0)
    import_tfrecord(source, tmp_path / "idx")
    store = open_store(tmp_path / "idx")
    assert store.num_models == 300
    for row in range(0, 300, 7):
        fixed = store.fixed(row)
        assert hash_spec(fixed["module_adjacency"].tolist(),
                         fixed["module_operations"]).hash == store.hashes[row].decode()


def test_records_are_marked_synthetic_and_deterministic(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a.tfrecord", "b.tfrecord", "c.tfrecord"))
    write_synthetic_tfrecord(a, models=20, seed=9, full=True)
    write_synthetic_tfrecord(b, models=20, seed=9, full=True)
    write_synthetic_tfrecord(c, models=20, seed=10, full=True)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    payloads = list(iter_records(a))
    assert len(payloads) == 20 * 4 * 3
    budgets = set()
    for payload in payloads:
        _, epochs, _, _, raw = decode_payload(payload)
        budgets.add(epochs)
        metrics = ModelMetrics.FromString(raw)
        assert len(metrics.evaluation_data) == 3
        assert all(e.checkpoint_path == f"{SYNTHETIC_PREFIX}seed=9"
                   for e in metrics.evaluation_data)
        assert metrics.evaluation_data[1].current_epoch == epochs / 2
    assert budgets == {4, 12, 36, 108}


def test_metrics_are_plausible_and_depend_on_the_architecture() -> None:
    graphs = select_graphs(models=20_000)
    metrics = synth_metrics(graphs, (4, 108), seed=0)
    final_test = metrics.values[:, :, :, 7]
    half_test = metrics.values[:, :, :, 3]
    assert np.all((final_test > 0.04) & (final_test < 0.96))
    assert np.all(metrics.values[:, :, :, 4] > 0)  # training time
    assert np.all((metrics.params > 0) & (metrics.params < 2**31))
    # Longer budgets and the end of training score better on average.
    assert final_test[:, 1].mean() > final_test[:, 0].mean()
    assert final_test.mean() > half_test.mean()
    # Accuracy rises with the number of 3x3 convolutions, params too.
    conv3 = _features(graphs)["conv3"]
    mean108 = final_test[:, 1].mean(axis=1)
    assert np.corrcoef(conv3, mean108)[0, 1] > 0.3
    assert np.corrcoef(conv3, metrics.params)[0, 1] > 0.8
    # The 3 repeats differ (noise per repeat), but far less than architectures do.
    assert np.std(final_test[:, 1], axis=1).mean() < 0.5 * np.std(mean108)
    assert 0.03 < 1 - mean108.max() < 0.08


@pytest.mark.parametrize("bad", [[4], ["x"]])
def test_unknown_space_is_rejected(bad: list[object]) -> None:
    from nb1s.enumerate import UnknownSpaceError

    with pytest.raises(UnknownSpaceError):
        select_graphs(models=1, spaces=bad)  # type: ignore[arg-type]
