"""Point-lookup maps of the compat API (`nb101.random_access`) and its ModelSpec fast paths."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from nb1s.harness.errors import UserError
from nb1s.harness.nb101 import nasbench_api as api
from nb1s.harness.nb101.random_access import (
    open_random_access,
    prefetch_headers,
    prefetch_row,
)

ARRAYS = {
    "f64.npy": np.arange(3000 * 3, dtype=np.float64).reshape(3000, 3) / 7,
    "i8.npy": (np.arange(2000 * 7 * 7) % 3).astype(np.int8).reshape(2000, 7, 7),
    "hashes.npy": np.array([f"{i:032x}".encode() for i in range(500)], dtype="S32"),
    "fortran.npy": np.asfortranarray(np.arange(40, dtype=np.int64).reshape(8, 5)),
}


@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_map_equals_numpy_load_and_is_read_only(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    np.save(path, ARRAYS[name])
    mapped = open_random_access(path)
    assert mapped.dtype == ARRAYS[name].dtype and mapped.shape == ARRAYS[name].shape
    assert np.array_equal(mapped, np.load(path))
    assert not mapped.flags.writeable
    prefetch_headers([path, tmp_path / "absent.npy"])
    for row in (0, len(mapped) // 2, len(mapped) - 1, len(mapped), -1):
        prefetch_row((mapped,), row)  # advice only: out-of-range rows are ignored
    assert np.array_equal(mapped, ARRAYS[name])


def test_unreadable_file_is_a_one_line_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.npy"
    bad.write_bytes(b"not an npy file")
    with pytest.raises(UserError, match=r"broken\.npy is unreadable"):
        open_random_access(bad)
    with pytest.raises(UserError, match=r"missing\.npy is unreadable"):
        open_random_access(tmp_path / "missing.npy")


MATRIX = [[0, 1, 1, 0, 0, 1], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0],
          [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]]
OPS = ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "conv3x3-bn-relu", "output"]


def _grown(dtype: type) -> np.ndarray:
    """MATRIX plus a vertex 5 fed by the input that reaches nothing (pruned away)."""
    g = np.zeros((7, 7), dtype=dtype)
    g[:5, :5] = np.asarray(MATRIX)[:5, :5]
    g[:5, 6] = np.asarray(MATRIX)[:5, 5]
    g[0, 5] = 1
    return g


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.float64, np.bool_, object])
def test_pruning_keeps_dtype_and_equals_np_delete(dtype: type) -> None:
    grown = _grown(dtype)
    ops = [*OPS[:5], "conv3x3-bn-relu", "output"]
    spec = api.ModelSpec(grown, ops)
    expected = np.delete(np.delete(grown, [5], axis=0), [5], axis=1)
    assert spec.matrix is not None and spec.matrix.dtype == grown.dtype
    assert np.array_equal(spec.matrix, expected) and spec.ops == OPS
    assert spec.hash_spec(api.CONFIG["available_ops"]) == api.ModelSpec(
        MATRIX, OPS).hash_spec(api.CONFIG["available_ops"])


def test_fractional_and_nan_entries_are_edges_like_the_original() -> None:
    # The original tests `matrix[src, dst] != 0`; 0.5 and NaN are edges, also below
    # the diagonal (not upper triangular).
    half = np.asarray(MATRIX, dtype=np.float64) * 0.5
    assert api.ModelSpec(half, OPS).matrix is not None
    assert api.ModelSpec(half, OPS)._num_edges == int(np.sum(np.asarray(MATRIX)))
    lower = np.zeros((6, 6))
    lower[3, 1] = np.nan
    with pytest.raises(ValueError, match="upper triangular"):
        api.ModelSpec(lower, OPS)


def test_non_string_ops_are_deep_copied() -> None:
    ops: list[object] = [*OPS[:-1], ["output"]]
    spec = api.ModelSpec(MATRIX, ops)  # type: ignore[arg-type]
    assert spec.original_ops == ops and spec.original_ops[-1] is not ops[-1]


def test_benchmark_skips_in_one_line_without_googles_checkout(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NB1S_NASBENCH_SRC", raising=False)
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    sys.modules.pop("compat_api", None)
    import compat_api

    assert compat_api.main(["--quick"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("compat_api: skipped: Google's nasbench")
