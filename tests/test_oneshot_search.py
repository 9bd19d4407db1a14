"""End to end: searches on the digits stand-in with a synthetic NB101 index.

Covers determinism (same seed -> identical records), resume after a kill, learning on real
images, and the `nb1s search` / `nb1s cifar digits` commands for every optimizer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from search_helpers import Killed, read_records
from typer.testing import CliRunner

from nb1s.harness.cli.app import app
from nb1s.harness.search.runner import SearchRequest, run_search

NB1S = Path(sys.executable).with_name("nb1s")
TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=1"]


@pytest.fixture(scope="module")
def data(search_data: dict[str, Path]) -> dict[str, Path]:
    return search_data


def _request(data: dict[str, Path], out: Path, optimizer: str = "darts", space: int = 1,
             epochs: int = 3, extra: list[str] | None = None, **kw: Any) -> SearchRequest:
    return SearchRequest(optimizer=optimizer, space=space, out=out, seed=3, epochs=epochs,
                         overrides=[*TINY, *(extra or [])], data_dir=data["nb101"],
                         cifar_dir=data["cifar"], device="cpu", **kw)


def _arch(out: Path) -> dict[str, np.ndarray]:
    with np.load(out / "arch_weights.npz") as z:
        return {k: z[k] for k in z.files}


def test_run_directory_follows_the_schema(data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    summary = run_search(_request(data, out, epochs=2))
    assert summary["status"] == "complete" and summary["records"] == 3
    meta = json.loads((out / "run.json").read_text())
    for key in ("schema_version", "optimizer", "space", "seed", "epochs", "hyperparameters",
                "options", "nb1s_version", "git_hash", "torch_version", "cuda_version",
                "device", "data", "status", "started_at", "finished_at"):
        assert key in meta, key
    assert meta["data"]["nb101"]["synthetic"] is True
    assert meta["data"]["cifar10"]["kind"] == "digits" and meta["data"]["cifar10"]["synthetic"]
    assert meta["hyperparameters"]["init_channels"] == 4 and meta["options"]["preset"] == "original"
    raw = [json.loads(line) for line in (out / "epochs.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in raw] == [0, 1, 2]
    for r in raw:
        assert len(r["test_error_repeats"]) == 3 and len(r["valid_error_repeats"]) == 3
        assert r["test_regret"] == pytest.approx(
            r["test_error_mean"] - meta["tracking"]["regret_minimum"]["test"])
        assert r["test_regret"] >= 0  # min_of_means: nothing beats the space minimum
    assert raw[0]["lr"] is None and raw[1]["lr"] == pytest.approx(0.025)
    arch = _arch(out)
    assert arch["beta"].shape == (3, 4, 3) and list(arch["epoch"]) == [0, 1, 2]
    assert (out / "checkpoint.pt").is_file()


def test_same_seed_gives_identicalread_records(data: dict[str, Path], tmp_path: Path) -> None:
    run_search(_request(data, tmp_path / "a", optimizer="gdas", space=2))
    run_search(_request(data, tmp_path / "b", optimizer="gdas", space=2))
    assert read_records(tmp_path / "a") == read_records(tmp_path / "b")
    a, b = _arch(tmp_path / "a"), _arch(tmp_path / "b")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    run_search(_request(data, tmp_path / "c", optimizer="gdas", space=2, extra=["tau_max=5"]))
    assert read_records(tmp_path / "c") != read_records(tmp_path / "a")


@pytest.mark.parametrize("optimizer", ["darts", "gdas"])
def test_resume_after_a_kill_matches_an_uninterrupted_run(
        data: dict[str, Path], tmp_path: Path, optimizer: str) -> None:
    run_search(_request(data, tmp_path / "full", optimizer=optimizer, epochs=4))

    def kill_after_epoch_2(epoch: int, total: int, record: dict[str, Any]) -> None:
        if epoch == 2:
            raise Killed

    out = tmp_path / "killed"
    with pytest.raises(Killed):
        run_search(_request(data, out, optimizer=optimizer, epochs=4),
                   progress=kill_after_epoch_2)
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    assert len(read_records(out)) == 3
    summary = run_search(_request(data, out, optimizer=optimizer, epochs=4, resume=True))
    assert summary["status"] == "complete"
    assert read_records(out) == read_records(tmp_path / "full")
    full, resumed = _arch(tmp_path / "full"), _arch(out)
    assert all(np.array_equal(full[k], resumed[k]) for k in full)
    # resuming a finished run is a no-op; changing a setting is refused
    finished = (out / "run.json").read_text()
    assert run_search(_request(data, out, optimizer=optimizer, epochs=4, resume=True))[
        "records"] == 5
    assert (out / "run.json").read_text() == finished
    assert "resumed_at" in json.loads(finished)
    from nb1s.harness.errors import UserError

    with pytest.raises(UserError, match="cannot resume"):
        run_search(_request(data, out, optimizer=optimizer, epochs=4, resume=True,
                            extra=["learning_rate=0.1"]))
    with pytest.raises(UserError, match="--resume"):
        run_search(_request(data, out, optimizer=optimizer, epochs=4))


def test_darts_learns_the_digits(data: dict[str, Path], tmp_path: Path) -> None:
    """Three epochs of DARTS on real digit images: clearly better than chance (90 % error)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # faster on a busy 2-core CI box; restored below
    request = SearchRequest(
        optimizer="darts", space=1, out=tmp_path / "learn", seed=0, epochs=3,
        overrides=["batch_size=16", "init_channels=8", "layers=3", "learning_rate=0.05",
                   "max_eval_batches=20"],
        data_dir=data["nb101"], cifar_dir=data["cifar"], device="cpu")
    try:
        run_search(request)
    finally:
        torch.set_num_threads(threads)
    records = read_records(tmp_path / "learn")
    assert records[0]["oneshot_valid_error"] > 0.8  # untrained: about chance
    assert records[-1]["oneshot_train_error"] < 0.7
    assert records[-1]["oneshot_valid_error"] < 0.7


@pytest.mark.parametrize(("optimizer", "space"),
                         [("darts", 1), ("darts2", 2), ("gdas", 3), ("pcdarts", 1),
                          ("pcdarts", 3)])
def test_cli_search_every_optimizer(data: dict[str, Path], tmp_path: Path, optimizer: str,
                                    space: int) -> None:
    out = tmp_path / f"{optimizer}-{space}"
    args = ["search", optimizer, "--space", str(space), "--epochs", "1", "--seed", "1",
            "--out", str(out), "--data-dir", str(data["nb101"]), "--cifar-dir",
            str(data["cifar"]), "--device", "cpu", "--json"]
    for item in TINY:
        args += ["--set", item]
    if optimizer == "gdas":
        args += ["--set", "preset=paper"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["optimizer"] == optimizer and summary["space"] == space
    assert summary["records"] == 2 and summary["synthetic"] == {"nb101": True, "images": "digits"}
    meta = json.loads((out / "run.json").read_text())
    assert meta["hyperparameters"]["partial_channels"] == (4 if optimizer == "pcdarts" else 1)
    records = read_records(out)
    if optimizer == "gdas":
        assert meta["options"]["downsample_padding"] == "paper"
        assert meta["options"]["bn_momentum"] == "original"  # the paper is silent on it
        assert records[1]["temperature"] == pytest.approx(10.0)
    assert isinstance(records[1]["test_regret"], float)


def _nb1s(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NB1S_CIFAR_DIR": ""}
    return subprocess.run([str(NB1S), *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_cli_subprocess_run_and_errors(data: dict[str, Path], tmp_path: Path) -> None:
    digits = _nb1s("cifar", "digits", "--out", str(tmp_path / "d"), "--json")
    assert digits.returncode == 0, digits.stderr
    assert json.loads(digits.stdout)["kind"] == "digits"
    common = ["--space", "1", "--out", str(tmp_path / "r"), "--data-dir", str(data["nb101"]),
              "--cifar-dir", str(tmp_path / "d")]
    sets = [x for item in TINY for x in ("--set", item)]
    ok = _nb1s("search", "darts", "--epochs", "1", *common, *sets)
    assert ok.returncode == 0, ok.stderr
    assert "test regret" in ok.stdout and "digits" in ok.stdout
    bad = _nb1s("search", "snas", *common)
    assert bad.returncode == 2 and "unknown optimizer" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad_set = _nb1s("search", "darts", *common[:-4], "--set", "learning_rate=fast",
                    "--cifar-dir", str(tmp_path / "d"), "--data-dir", str(data["nb101"]))
    assert bad_set.returncode == 2 and "learning_rate" in bad_set.stderr
    no_cifar = _nb1s("search", "darts", "--space", "1", "--out", str(tmp_path / "x"),
                     "--data-dir", str(data["nb101"]))
    assert no_cifar.returncode == 2 and "NB1S_CIFAR_DIR" in no_cifar.stderr
