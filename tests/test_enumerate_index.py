"""The lookup index maps every config id to its NB101 hash, and survives a cache round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nb1s.enumerate import SPACES, decode, hash_spec, load_index
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.enumerate.index import INDEX_VERSION, index_path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index-cache")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_config_hash_equals_hash_of_nb101_spec(number: int, cache: Path) -> None:
    space = SPACES[number]
    index = load_index(number, cache)
    assert len(index.config_hash) == space.num_configs
    assert len(index.hashes) == {1: 2685, 2: 7773, 3: 55854}[number]
    assert list(index.hashes) == sorted(index.hashes)
    rng = np.random.default_rng(number)
    for config_id in rng.integers(0, space.num_configs, size=300):
        matrix, ops = to_nb101_spec(space, decode(space, int(config_id)))
        assert index.hash_of(int(config_id)) == hash_spec(matrix, ops).hash
    # canonical configs map back to their own hash and are the smallest such id
    for h in rng.integers(0, len(index.hashes), size=50):
        canonical = int(index.canonical_config[h])
        assert index.config_hash[canonical] == h
        assert int(index.configs_of_hash(index.hashes[h].decode()).min()) == canonical


def test_cache_is_written_once_and_reloaded(cache: Path) -> None:
    path = index_path(1, cache)
    first = load_index(1, cache)
    assert path.exists() and f"-v{INDEX_VERSION}" in path.name
    mtime = path.stat().st_mtime_ns
    second = load_index(1, cache)
    assert path.stat().st_mtime_ns == mtime
    assert np.array_equal(first.config_hash, second.config_hash)
    assert not list(cache.glob(".*.tmp"))  # no leftovers of the atomic write


def test_corrupt_cache_is_rebuilt(cache: Path) -> None:
    path = index_path(2, cache)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not an npz file")
    index = load_index(2, cache)
    assert len(index.hashes) == 7773
    assert path.stat().st_size > 1000


def test_unknown_hash_is_a_key_error(cache: Path) -> None:
    index = load_index(1, cache)
    with pytest.raises(KeyError):
        index.hash_index("0" * 32)
