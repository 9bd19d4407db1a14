"""Import -> index -> lookups: exact values back, repeats in file order, batch space lookups."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from nb1s.atomic import atomic_open
from nb1s.enumerate import decode, get_space, hash_spec, load_index
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.errors import UserError
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.model_metrics import ModelMetrics
from nb1s.harness.nb101.paths import DATA_ENV, default_data_dir
from nb1s.harness.nb101.records import (
    METRIC_FIELDS,
    adjacency_string,
    decode_payload,
    encode_payload,
)
from nb1s.harness.nb101.store import NB101Store, open_store
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord
from nb1s.harness.nb101.tfrecord import CorruptRecordError, TFRecordWriter, iter_records

SPEC_A = ([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3-bn-relu", "output"])
SPEC_B = ([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
          ["input", "maxpool3x3", "conv1x1-bn-relu", "output"])


def metrics_bytes(model: int, budget: int, repeat: int, params: int = 1000) -> bytes:
    """A ModelMetrics whose every number encodes (model, budget, repeat, field)."""
    message = ModelMetrics(trainable_parameters=params + model, total_time=1.0)
    message.evaluation_data.add(current_epoch=0.0)
    for stage, offset in ((1, 0.0), (2, 0.5)):
        base = model * 0.1 + budget * 0.001 + repeat * 0.00001 + offset
        message.evaluation_data.add(
            current_epoch=budget / stage, training_time=100 * base, train_accuracy=base + 0.01,
            validation_accuracy=base + 0.02, test_accuracy=base + 0.03)
    return message.SerializeToString()


def expected(model: int, budget: int, repeat: int) -> dict[str, float]:
    out = {}
    for stage, offset in (("halfway", 0.0), ("final", 0.5)):
        base = model * 0.1 + budget * 0.001 + repeat * 0.00001 + offset
        out.update({f"{stage}_training_time": 100 * base, f"{stage}_train_accuracy": base + 0.01,
                    f"{stage}_validation_accuracy": base + 0.02,
                    f"{stage}_test_accuracy": base + 0.03})
    return out


def spec_record(spec: tuple[list[list[int]], list[str]], model: int, budget: int,
                repeat: int, params: int = 1000) -> bytes:
    h = hash_spec(*spec)
    return encode_payload(h.hash, budget, adjacency_string(h.pruned_matrix),
                          ",".join(h.pruned_ops), metrics_bytes(model, budget, repeat, params))


def write(path: Path, payloads: list[bytes]) -> None:
    with atomic_open(path, "wb") as fh:
        writer = TFRecordWriter(fh)
        for p in payloads:
            writer.write(p)


# Interleaved on purpose: repeat numbers come from the order within (model, budget).
ORDER = [(0, 108, 0), (1, 108, 0), (0, 108, 1), (0, 4, 0), (1, 108, 1), (0, 108, 2),
         (1, 4, 0), (1, 108, 2), (0, 4, 1), (0, 4, 2), (1, 4, 1)]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NB101Store]:
    root = tmp_path_factory.mktemp("handmade")
    source = root / "hand.tfrecord"
    write(source, [spec_record((SPEC_A, SPEC_B)[m], m, b, r) for m, b, r in ORDER])
    import_tfrecord(source, root / "index")
    return source, open_store(root / "index")


def test_provenance(handmade: tuple[Path, NB101Store]) -> None:
    source, store = handmade
    prov = store.provenance
    assert prov["records"] == 11 and prov["models"] == 2
    assert prov["budgets"] == [4, 108] == store.budgets
    assert prov["records_per_budget"] == {"4": 5, "108": 6}
    assert prov["synthetic"] is False and prov["synthetic_records"] == 0
    assert prov["source"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert prov["source"]["size"] == source.stat().st_size
    assert prov["official_file"] is False


def test_lookup_returns_exactly_what_was_written(handmade: tuple[Path, NB101Store]) -> None:
    _, store = handmade
    for model, spec in enumerate((SPEC_A, SPEC_B)):
        h = hash_spec(*spec)
        row = store.row_of(h.hash)
        fixed = store.fixed(row)
        assert fixed["module_adjacency"].dtype == np.int8
        assert fixed["module_adjacency"].tolist() == h.pruned_matrix
        assert fixed["module_operations"] == h.pruned_ops
        assert fixed["trainable_parameters"] == 1000 + model
        computed = store.computed(row)
        n4 = 3 if model == 0 else 2
        assert computed[108] == [expected(model, 108, r) for r in range(3)]
        assert computed[4] == [expected(model, 4, r) for r in range(n4)]
    row_b = store.row_of(hash_spec(*SPEC_B).hash)
    assert int(store.repeats(4)[row_b]) == 2
    assert np.isnan(store.metric(4, "final_test_accuracy")[row_b, 2])


def test_rows_of_is_vectorised_and_marks_missing(handmade: tuple[Path, NB101Store]) -> None:
    _, store = handmade
    a, b = hash_spec(*SPEC_A).hash, hash_spec(*SPEC_B).hash
    rows = store.rows_of([b, "f" * 32, a, "0" * 32])
    assert rows[1] == -1 and rows[3] == -1
    assert store.hashes[rows[0]].decode() == b and store.hashes[rows[2]].decode() == a
    with pytest.raises(KeyError):
        store.row_of("0" * 32)
    with pytest.raises(UserError, match="budget 36 epochs is not in this index"):
        store.metric(36, "final_test_accuracy")


_GOOD = metrics_bytes(0, 108, 0)


@pytest.mark.parametrize(("payload", "problem"), [
    (b"not json", "not JSON"),
    (encode_payload("abc", 108, "0100", "input,output", _GOOD), "not 32 lowercase hex"),
    (encode_payload("a" * 32, 108, "011", "input,output", _GOOD), "square 0/1"),
    (encode_payload("a" * 32, 108, "0100", "input,conv9x9", _GOOD), "raw_operations"),
    (json.dumps(["a" * 32, 108, "0100", "input,output", "!!"]).encode(), "base64"),
    (encode_payload("a" * 32, 108, "0100", "input,output", b"\xff\xff"), "not a ModelMetrics"),
    (encode_payload("a" * 32, 108, "0100", "input,output", b""), "0 evaluation points"),
])
def test_malformed_record_names_the_record(tmp_path: Path, payload: bytes, problem: str) -> None:
    source = tmp_path / "bad.tfrecord"
    good = spec_record(SPEC_A, 0, 108, 0)
    write(source, [good, good, payload])
    with pytest.raises(CorruptRecordError, match=f"record 2 at byte offset {2 * (len(good) + 16)}"
                       ) as info:
        import_tfrecord(source, tmp_path / "index")
    assert problem in str(info.value)
    assert not (tmp_path / "index").exists()


def test_too_many_repeats_and_conflicting_graphs(tmp_path: Path) -> None:
    source = tmp_path / "four.tfrecord"
    write(source, [spec_record(SPEC_A, 0, 108, r) for r in range(4)])
    with pytest.raises(UserError, match="more than 3 repeats at 108 epochs"):
        import_tfrecord(source, tmp_path / "index")
    h = hash_spec(*SPEC_A).hash
    clash = encode_payload(h, 108, "0110", "input,output", metrics_bytes(0, 108, 0))
    write(source, [spec_record(SPEC_A, 0, 108, 0), clash])
    with pytest.raises(CorruptRecordError, match="two different graphs"):
        import_tfrecord(source, tmp_path / "index")


# ---------------------------------------------------------------- search-space lookups
@pytest.fixture(scope="module")
def space1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, NB101Store]:
    root = tmp_path_factory.mktemp("space1")
    source = root / "s1.tfrecord"
    write_synthetic_tfrecord(source, models=20, seed=3, spaces=[1])
    import_tfrecord(source, root / "index")
    return source, open_store(root / "index")


def brute_force_test_accuracy(source: Path) -> dict[str, list[float]]:
    """hash -> final test accuracy per repeat, decoded one record at a time."""
    out: dict[str, list[float]] = {}
    for payload in iter_records(source):
        h, _, _, _, raw = decode_payload(payload)
        out.setdefault(h, []).append(ModelMetrics.FromString(raw).evaluation_data[2].test_accuracy)
    return out


def test_space_errors_match_brute_force(space1: tuple[Path, NB101Store]) -> None:
    source, store = space1
    truth = brute_force_test_accuracy(source)
    space = get_space(1)
    ids = np.random.default_rng(0).integers(0, space.num_configs, 300)
    result = store.space_errors(1, ids)
    assert result.synthetic is True
    assert result.test_error.shape == result.valid_error.shape == (300, 3)
    for k, config_id in enumerate(ids.tolist()):
        h = hash_spec(*to_nb101_spec(space, decode(space, config_id))).hash
        assert result.hashes[k].decode() == h
        np.testing.assert_array_equal(result.test_error[k], 1.0 - np.array(truth[h]))
        assert result.test_error_mean[k] == pytest.approx(1.0 - np.mean(truth[h]), abs=1e-15)
    assert np.all(result.valid_error_mean < 1) and np.all(result.valid_error_mean > 0)


def test_space_minimum_both_ways(space1: tuple[Path, NB101Store]) -> None:
    source, store = space1
    truth = brute_force_test_accuracy(source)
    index = load_index(1)
    space_accs = [truth[h.decode()] for h in index.hashes]
    minimum = store.space_minimum(1)
    assert minimum["test_min_of_means"] == pytest.approx(
        min(1 - float(np.mean(a)) for a in space_accs), abs=1e-15)
    assert minimum["test_min_single_repeat"] == pytest.approx(
        min(1 - x for a in space_accs for x in a), abs=1e-15)
    assert minimum["test_min_single_repeat"] < minimum["test_min_of_means"]
    assert minimum["valid_min_single_repeat"] <= minimum["valid_min_of_means"]


def test_space_not_covered_and_bad_ids(space1: tuple[Path, NB101Store]) -> None:
    _, store = space1
    with pytest.raises(UserError, match=r"lacks .* architectures of search space 2"):
        store.space_minimum(2)
    with pytest.raises(UserError, match="lacks"):
        store.space_errors(2, np.arange(get_space(2).num_configs))
    with pytest.raises(UserError, match="out of range"):
        store.space_errors(1, [get_space(1).num_configs])
    with pytest.raises(UserError, match="budget 4"):
        store.space_errors(1, [0], budget=4)


def test_missing_data_says_what_to_download(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nothing"))
    assert default_data_dir() == tmp_path / "nothing"
    with pytest.raises(UserError) as info:
        open_store()
    message = str(info.value)
    assert "https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord" in message
    assert "nasbench_full.tfrecord" in message
    assert f"nb1s data import nasbench_only108.tfrecord --into {tmp_path / 'nothing'}" in message
    monkeypatch.delenv(DATA_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "nb1s" / "nb101"


def test_metric_fields_are_the_api_names() -> None:
    assert len(METRIC_FIELDS) == 8
    assert {f.split("_", 1)[0] for f in METRIC_FIELDS} == {"halfway", "final"}


def test_hash_lookup_matches_searchsorted_including_prefix_collisions() -> None:
    from nb1s.harness.nb101.store import HashLookup, hex_prefix64

    rng = np.random.default_rng(1)
    hexes = sorted({rng.bytes(16).hex() for _ in range(5000)} | {
        "0123456789abcdef" + "0" * 16})
    table = np.array(hexes, dtype="S32")
    assert hex_prefix64(table).tolist() == [int(h[:16], 16) for h in hexes]
    queries = np.array([*hexes[::3], "f" * 32, "0123456789ABCDEF" + "0" * 16,
                        "0123456789abcdef" + "1" * 16, "zz"], dtype="S32")
    lookup = HashLookup(table)
    assert lookup.unique
    rows = lookup.rows(queries)
    assert rows[: len(hexes[::3])].tolist() == list(range(0, len(hexes), 3))
    assert rows[len(hexes[::3]):].tolist() == [-1, -1, -1, -1]
    # Two hashes sharing a 16-digit prefix: the table falls back to binary search.
    clash = np.array(sorted(["0123456789abcdef" + "0" * 16, "0123456789abcdef" + "1" * 16,
                             "ffff" + "0" * 28]), dtype="S32")
    fallback = HashLookup(clash)
    assert not fallback.unique
    assert fallback.rows(clash[::-1].copy()).tolist() == [2, 1, 0]
