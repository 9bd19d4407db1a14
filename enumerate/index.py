"""Per-space lookup index: config id <-> NAS-Bench-101 hash, cached on disk.

The harness turns a discrete architecture into a NAS-Bench-101 row through this index:
`hashes` is the space's sorted table of distinct NB101 hashes, `config_hash[c]` the
position of config c's hash in it, and `canonical_config[h]` the smallest config id with
hash h. Building it enumerates and hashes the whole space (about a second for space 3);
it is then saved once as an uncompressed `.npz` (written atomically) and memory-loaded in
milliseconds. The file name carries `INDEX_VERSION`, bumped whenever the encoding or
the hashing changes, so a stale cache is never read.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nb1s.atomic import atomic_open

from .space_analysis import analyse_space
from .spaces import SearchSpace, get_space

INDEX_VERSION = 1
CACHE_ENV = "NB1S_CACHE_DIR"


def cache_dir() -> Path:
    """Where index caches live: $NB1S_CACHE_DIR, else $XDG_CACHE_HOME/nb1s, else ~/.cache/nb1s."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "nb1s"


@dataclass(frozen=True)
class LookupIndex:
    """Config id <-> NB101 hash arrays of one search space (see module docstring)."""

    space: int
    hashes: npt.NDArray[np.bytes_]  # [n_hashes] 'S32', sorted
    config_hash: npt.NDArray[np.int32]  # [num_configs] index into hashes
    canonical_config: npt.NDArray[np.int64]  # [n_hashes] smallest config id per hash

    def hash_of(self, config_id: int) -> str:
        """The NB101 hash (hex) of one config id."""
        return self.hashes[self.config_hash[int(config_id)]].decode("ascii")

    def hash_index(self, nb101_hash: str) -> int:
        """Position of a hash in `hashes`; KeyError when the space does not contain it."""
        key = nb101_hash.encode("ascii")
        pos = int(np.searchsorted(self.hashes, key))
        if pos >= len(self.hashes) or self.hashes[pos] != key:
            raise KeyError(nb101_hash)
        return pos

    def configs_of_hash(self, nb101_hash: str) -> npt.NDArray[np.int64]:
        """Every config id of the space whose architecture has this hash."""
        return np.flatnonzero(self.config_hash == self.hash_index(nb101_hash)).astype(np.int64)


def build_index(space: SearchSpace) -> LookupIndex:
    """Enumerate and hash the whole space (no cache)."""
    analysis = analyse_space(space)
    classes, first_config, inverse = np.unique(
        analysis.config_class, return_index=True, return_inverse=True
    )
    digests = analysis.hasher.hexdigests(classes.tolist())
    if len(set(digests)) != len(digests):
        raise RuntimeError("two non-isomorphic graphs share an NB101 hash in this space")
    hash_array = np.asarray(digests, dtype="S32")
    order = np.argsort(hash_array)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return LookupIndex(
        space=space.number,
        hashes=hash_array[order],
        config_hash=rank[inverse].astype(np.int32),
        canonical_config=first_config[order].astype(np.int64),
    )


def index_path(space_number: int, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"space{space_number}-index-v{INDEX_VERSION}.npz"


def save_index(index: LookupIndex, path: Path) -> None:
    """Write the index atomically as an uncompressed npz (fast to load)."""
    with atomic_open(path, "wb") as fh:
        np.savez(
            fh,
            version=np.int64(INDEX_VERSION),
            space=np.int64(index.space),
            hashes=index.hashes,
            config_hash=index.config_hash,
            canonical_config=index.canonical_config,
        )


def _read(path: Path) -> LookupIndex | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["version"]) != INDEX_VERSION:
                return None
            return LookupIndex(
                space=int(data["space"]),
                hashes=data["hashes"],
                config_hash=data["config_hash"],
                canonical_config=data["canonical_config"],
            )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def load_index(space: int | SearchSpace, directory: Path | None = None,
               rebuild: bool = False) -> LookupIndex:
    """The space's lookup index: from the cache when valid, else built and cached.

    A cache that cannot be written (read-only home) is not an error: the freshly built
    index is returned all the same.
    """
    sp = space if isinstance(space, SearchSpace) else get_space(space)
    path = index_path(sp.number, directory)
    if not rebuild and path.exists():
        cached = _read(path)
        if cached is not None and cached.space == sp.number and len(
            cached.config_hash
        ) == sp.num_configs:
            return cached
    index = build_index(sp)
    with contextlib.suppress(OSError):
        save_index(index, path)
    return index
