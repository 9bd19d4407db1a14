"""The fast compat-API paths answer exactly like the plain ones.

`NASBench.query` (canonical code -> row, columns read directly) against `query_plain`
(hash -> `get_metrics_from_spec` -> per-repeat dicts), `ModelSpec`'s compiled pruning
against the plain-Python oracle, canonical-code equality against NB101-hash equality,
and the spec lookup files (written at import, added to older indexes with a notice).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from nb1s.enumerate._core import SortedHashes, canonical_code, hash_module
from plain_enumerator import prune as plain_prune

from nb1s.enumerate import OPS, decode, get_space
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.errors import UserError
from nb1s.harness.nb101 import nasbench_api as api
from nb1s.harness.nb101 import spec_lookup
from nb1s.harness.nb101.importer import import_tfrecord
from nb1s.harness.nb101.integrity import column_checksums
from nb1s.harness.nb101.synthetic import write_synthetic_tfrecord


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast")
    source = root / "s.tfrecord"
    # full=True: budgets 4/12/36/108, so every epochs value and stop_halfway are exercised.
    write_synthetic_tfrecord(source, models=60, seed=3, full=True)
    import_tfrecord(source, root / "index")
    return root / "index"


def space_specs(space: int, count: int, seed: int) -> list[tuple[list[list[int]], list[str]]]:
    """Unpruned specs of a space (loose ends included), as users build them."""
    sp = get_space(space)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        matrix, ops = to_nb101_spec(sp, decode(sp, rng.randrange(sp.num_configs)))
        out.append((np.asarray(matrix).tolist(), list(ops)))
    return out


def with_dead_vertex(matrix: list[list[int]], ops: list[str]) -> tuple[Any, list[str]]:
    """The spec with one more vertex (fed by the input, feeding nothing): pruned away."""
    n = len(ops)
    grown = np.zeros((n + 1, n + 1), dtype=np.int64)
    grown[:n - 1, :n - 1] = np.asarray(matrix)[:n - 1, :n - 1]
    grown[:n - 1, n] = np.asarray(matrix)[:n - 1, n - 1]
    grown[0, n - 1] = 1
    return grown, [*ops[:-1], "maxpool3x3", "output"]


def same_answer(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal keys, values, Python types and adjacency dtype."""
    return (set(a) == set(b)
            and a["module_adjacency"].dtype == b["module_adjacency"].dtype
            and np.array_equal(a["module_adjacency"], b["module_adjacency"])
            and all(a[k] == b[k] and type(a[k]) is type(b[k]) for k in a
                    if k != "module_adjacency"))


def run_both(index: Path, specs: list[tuple[Any, list[str]]], seed: int
             ) -> tuple[list[Any], list[Any], api.NASBench, api.NASBench]:
    """Every spec at every budget and stage through the fast and the plain path; the
    outcome is the answer, or the exception type and text."""
    fast, plain = api.NASBench(index, seed=seed), api.NASBench(index, seed=seed)
    got_fast, got_plain = [], []
    for matrix, ops in specs:
        for epochs in (4, 12, 36, 108, 7):
            for halfway in (False, True):
                outcomes = []
                for method in (fast.query, plain.query_plain):
                    try:
                        outcomes.append(method(api.ModelSpec(matrix, ops), epochs, halfway))
                    except (KeyError, api.OutOfDomainError) as exc:
                        outcomes.append((type(exc).__name__, str(exc)))
                got_fast.append(outcomes[0])
                got_plain.append(outcomes[1])
    return got_fast, got_plain, fast, plain


def agree(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return same_answer(a, b)
    return bool(a == b)


def test_fast_query_matches_plain_path_and_counters(index: Path) -> None:
    nb = api.NASBench(index)
    stored = [nb.store.fixed(r) for r in range(nb.store.num_models)]
    specs: list[tuple[Any, list[str]]] = [
        (fx["module_adjacency"].tolist(), fx["module_operations"]) for fx in stored]
    specs += [with_dead_vertex(m, o) for m, o in specs if len(o) < 7]  # pruned back
    specs += space_specs(3, 40, seed=0)  # mostly absent from a 60-model file: KeyError
    specs.append(([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", "maxpool3x3", "output"]))
    got_fast, got_plain, fast, plain = run_both(index, specs, seed=11)
    assert sum(isinstance(g, dict) for g in got_fast) >= 2 * 60 * 8  # real answers compared
    assert {g[0] for g in got_fast if isinstance(g, tuple)} == {"KeyError", "OutOfDomainError"}
    assert all(agree(a, b) for a, b in zip(got_fast, got_plain, strict=True))
    assert fast.get_budget_counters() == plain.get_budget_counters()
    assert fast.get_budget_counters()[1] > 0
    # The same random stream afterwards: errors consumed no draws on either side.
    assert fast.random.random() == plain.random.random()


def test_comparison_catches_a_wrong_row(index: Path, tmp_path: Path) -> None:
    """The agreement test can fail: a lookup pointing at the wrong rows is detected."""
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in index.iterdir():
        os.symlink(f, broken / f.name)
    rows = np.load(index / spec_lookup.ROWS_FILE)
    os.unlink(broken / spec_lookup.ROWS_FILE)
    np.save(broken / spec_lookup.ROWS_FILE, np.roll(rows, 1))
    with pytest.raises(UserError, match="does not match its checksum"):
        api.NASBench(broken)  # the import's column checksums catch a damaged lookup first
    # a lookup that was wrong from the import on (checksums recorded over the wrong rows)
    # must still be caught by the fast-vs-plain comparison
    os.unlink(broken / "provenance.json")
    meta = json.loads((index / "provenance.json").read_text())
    meta["columns"] = column_checksums(broken)
    (broken / "provenance.json").write_text(json.dumps(meta))
    nb = api.NASBench(index)
    specs = [(nb.store.fixed(r)["module_adjacency"].tolist(),
              nb.store.fixed(r)["module_operations"]) for r in range(5)]
    got_fast, got_plain, _, _ = run_both(broken, specs, seed=2)
    assert not all(agree(a, b) for a, b in zip(got_fast, got_plain, strict=True))


def test_canonical_code_equal_exactly_when_hash_equal() -> None:
    """The claim the lookup rests on, on 3,000 unpruned specs of space 3."""
    by_code: dict[int, str] = {}
    by_hash: dict[str, int] = {}
    for matrix, ops in space_specs(3, 3000, seed=5):
        spec = api.ModelSpec(matrix, ops)
        digest = spec.hash_spec(OPS)
        code = spec._canonical_code(OPS)
        assert by_code.setdefault(code, digest) == digest
        assert by_hash.setdefault(digest, code) == code
    assert len(by_hash) > 1000


def test_canonical_code_separates_relabelled_and_merges_renumbered_graphs() -> None:
    # input -> {1, 2}, 1 -> 2, 2 -> output: vertices 1 and 2 are not interchangeable.
    masks = [6, 4, 8, 0]
    code = canonical_code(masks, [-1, 0, 1, -2])
    assert code != canonical_code(masks, [-1, 1, 0, -2])
    assert hash_module(masks, [-1, 0, 1, -2]) != hash_module(masks, [-1, 1, 0, -2])
    # input -> {1, 2}, 1 -> output, 2 -> output: swapping 1 and 2 is an isomorphism.
    fork = [6, 8, 8, 0]
    assert canonical_code(fork, [-1, 0, 1, -2]) == canonical_code(fork, [-1, 1, 0, -2])


@pytest.mark.parametrize("seed", range(4))
def test_model_spec_prunes_like_the_plain_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        n = int(rng.integers(2, 8))
        matrix = np.triu(rng.integers(0, 2, size=(n, n)), 1)
        ops = ["input"] + [OPS[i] for i in rng.integers(0, 3, size=n - 2)] + ["output"]
        spec = api.ModelSpec(matrix, ops)
        expected = plain_prune(matrix.tolist(), ops)
        if expected is None:
            assert not spec.valid_spec and spec.matrix is None and spec.ops is None
            continue
        assert spec.valid_spec and spec.matrix is not None
        assert spec.matrix.tolist() == expected[0] and spec.ops == expected[1]
        assert spec.matrix.dtype == matrix.dtype
        assert spec.original_matrix.tolist() == matrix.tolist()
        assert spec.original_matrix is not matrix and spec.original_ops is not ops
    lower = np.triu(np.ones((4, 4), dtype=int), 1)
    lower[3, 1] = 1
    with pytest.raises(ValueError, match="upper triangular"):
        api.ModelSpec(lower, ["input", OPS[0], OPS[1], "output"])


def test_sorted_hashes_finds_every_row_and_nothing_else(index: Path) -> None:
    nb = api.NASBench(index)
    hashes = nb.store.hashes
    table = SortedHashes(hashes)
    assert [table.row(h) for h in hashes.tolist()] == list(range(len(hashes)))
    assert table.row(hashes[3].decode()) == 3
    assert table.row("0" * 32) == -1 and table.row("f" * 32) == -1 and table.row("abc") == -1
    with pytest.raises(KeyError):
        nb.get_metrics_from_hash("0" * 32)


def test_old_index_gets_the_lookup_with_a_notice(index: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for f in index.iterdir():
        if f.name not in (spec_lookup.CODES_FILE, spec_lookup.ROWS_FILE):
            (old / f.name).write_bytes(f.read_bytes())
    meta = json.loads((old / "provenance.json").read_text())
    del meta["columns"]  # indexes imported before the spec lookup had no column checksums
    (old / "provenance.json").write_text(json.dumps(meta))
    nb = api.NASBench(old, seed=0)
    assert "predates the spec lookup" in capsys.readouterr().err
    assert (old / spec_lookup.CODES_FILE).is_file()
    assert np.array_equal(np.load(old / spec_lookup.CODES_FILE),
                          np.load(index / spec_lookup.CODES_FILE))
    fx = nb.store.fixed(0)
    assert nb.query(api.ModelSpec(fx["module_adjacency"], fx["module_operations"]))
    api.NASBench(old)
    assert capsys.readouterr().err == ""  # only once
