"""End to end through the real `nb1s` executable: synth -> import -> info -> query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nb1s.enumerate import decode, get_space, hash_spec
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.references import paper

NB1S = str(Path(sys.executable).parent / "nb1s")


def nb1s(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("NB1S_DATA_DIR", None)
    if data_dir is not None:
        env["NB1S_DATA_DIR"] = str(data_dir)
    return subprocess.run([NB1S, *args], capture_output=True, text=True, env=env, timeout=120)


def ok_json(*args: str, data_dir: Path | None = None) -> Any:
    result = nb1s(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    written = ok_json("data", "synth", "--out", str(root / "s.tfrecord"), "--models", "10",
                      "--spaces", "1", "--seed", "4")
    assert written["synthetic"] is True and written["records"] == 3 * written["models"]
    imported = ok_json("data", "import", str(root / "s.tfrecord"), "--into", str(root / "idx"))
    assert imported["synthetic"] is True
    assert imported["records"] == written["records"]
    assert imported["source"]["name"] == "s.tfrecord"
    return root / "idx"


def test_info_with_space_minimum(index: Path) -> None:
    info = ok_json("data", "info", "--space", "1", "--data-dir", str(index))
    assert info["provenance"]["synthetic"] is True
    minimum = info["space_minimum"]
    assert set(minimum["computed"]) == {"test_min_of_means", "valid_min_of_means",
                                        "test_min_single_repeat", "valid_min_single_repeat"}
    constants = paper()["regret_constants"]
    assert minimum["original_code_constants"] == {
        "test_min_error": constants["test_min_error"][1],
        "valid_min_error": constants["valid_min_error"][1]}
    assert minimum["computed"]["test_min_single_repeat"] <= minimum["computed"][
        "test_min_of_means"]
    human = nb1s("data", "info", "--space", "1", data_dir=index)
    assert human.returncode == 0 and "SYNTHETIC" in human.stdout


def test_query_three_ways_agree(index: Path) -> None:
    space = get_space(1)
    matrix, ops = to_nb101_spec(space, decode(space, 77))
    by_config = ok_json("query", "--space", "1", "--config", "77", data_dir=index)
    assert by_config["hash"] == hash_spec(matrix, ops).hash
    assert len(by_config["repeats"]) == 3
    assert by_config["mean"]["final_test_accuracy"] == pytest.approx(
        np.mean([r["final_test_accuracy"] for r in by_config["repeats"]]))
    by_hash = ok_json("query", "--hash", by_config["hash"], data_dir=index)
    by_spec = ok_json("query", "--matrix", json.dumps(matrix), "--ops",
                      ",".join(o.replace("-bn-relu", "") for o in ops), data_dir=index)
    for other in (by_hash, by_spec):
        assert other["repeats"] == by_config["repeats"]
        assert other["module_operations"] == by_config["module_operations"]
    assert by_config["synthetic"] is True


def test_missing_data_and_bad_input_exit_2_with_one_line(tmp_path: Path, index: Path) -> None:
    missing = nb1s("query", "--hash", "0" * 32, data_dir=tmp_path / "none")
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
    assert "https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord" in missing.stderr
    assert "nb1s data import" in missing.stderr
    both = nb1s("query", "--hash", "0" * 32, "--space", "1", "--config", "0", data_dir=index)
    assert both.returncode == 2 and "one way" in both.stderr


def test_corrupt_import_is_refused_without_leaving_an_index(tmp_path: Path, index: Path) -> None:
    del index
    source = tmp_path / "s.tfrecord"
    ok_json("data", "synth", "--out", str(source), "--models", "50", "--seed", "1")
    data = bytearray(source.read_bytes())
    data[1000] ^= 0x01
    source.write_bytes(bytes(data))
    result = nb1s("data", "import", str(source), "--into", str(tmp_path / "idx"))
    assert result.returncode == 2
    assert "record 2 at byte offset" in result.stderr and "CRC" in result.stderr
    assert not (tmp_path / "idx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.tfrecord"]
