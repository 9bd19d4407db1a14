"""ENAS: controller samples, REINFORCE direction, per-batch learning rate, runs and resume."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import torch
from search_helpers import Killed, read_records
from typer.testing import CliRunner

from nb1s.enumerate import encode, get_space
from nb1s.harness.cli.app import app
from nb1s.harness.search.runner import SearchRequest, run_search
from nb1s.optimizers import Options, get_method
from nb1s.optimizers.enas import ADAM_BETAS, ADAM_EPS, reinforce_loss
from nb1s.optimizers.enas_controller import Controller
from nb1s.optimizers.search_loop import OneShotSearch, cosine_lr

TINY = ["batch_size=8", "init_channels=4", "layers=3", "max_batches_per_epoch=2",
        "max_eval_batches=2", "selection_samples=4", "selection_top_k=2",
        "controller_steps=3"]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_controller_samples_valid_configs_of_the_space(number: int) -> None:
    space = get_space(number)
    torch.manual_seed(number)
    controller = Controller(space)
    seen = set()
    with torch.no_grad():
        for _ in range(200):
            sample = controller()
            # encode raises for a parent set the space does not allow
            seen.add(encode(space, sample.config.parents, sample.config.ops))
            assert len(sample.config.ops) == space.num_choice_blocks
            assert float(sample.neg_log_prob) > 0 and float(sample.entropy) > 0
    assert len(seen) > 100  # a stochastic policy, not a constant


def test_initial_op_probabilities_match_the_original_bias() -> None:
    """b_soft [10, 10, 0] + fixed [0.25, 0.25, -0.25]: about 0.42 / 0.42 / 0.16 for
    maxpool / conv3x3 / conv1x1 (docs/original-code.md#enas-controller), i.e. NB101 labels 2 / 0 /
    1."""
    torch.manual_seed(0)
    controller = Controller(get_space(3))
    counts: Counter[int] = Counter()
    with torch.no_grad():
        for _ in range(600):
            counts.update(controller().config.ops)
    total = sum(counts.values())
    assert counts[1] / total == pytest.approx(0.16, abs=0.03)
    assert counts[0] / total == pytest.approx(0.42, abs=0.04)
    assert counts[2] / total == pytest.approx(0.42, abs=0.04)


def _share(controller: Controller, op: int, n: int = 200) -> float:
    with torch.no_grad():
        ops = [controller().config.ops[0] for _ in range(n)]
    return ops.count(op) / n


@pytest.mark.parametrize("target", [1, 2])
def test_reinforce_moves_the_policy_toward_rewarded_samples(target: int) -> None:
    """Toy reward: 100 when block 1 takes op `target` (conv1x1 starts at 0.16, maxpool at
    0.42). With a flipped sign the share would fall instead."""
    torch.manual_seed(target)
    controller = Controller(get_space(1))
    before = _share(controller, target)
    opt = torch.optim.Adam(controller.parameters(), lr=0.05, betas=ADAM_BETAS, eps=ADAM_EPS)
    baseline = 0.0
    for _ in range(80):
        sample = controller()
        reward = 100.0 * (sample.config.ops[0] == target)
        baseline = 0.99 * baseline + 0.01 * reward
        opt.zero_grad()
        reinforce_loss(sample.neg_log_prob, reward, baseline).backward()
        opt.step()
    after = _share(controller, target)
    assert after > before + 0.15, (before, after)


def test_reinforce_loss_gradient_sign() -> None:
    logit = torch.zeros(2, requires_grad=True)
    neg_log_prob = -torch.log_softmax(logit, dim=0)[0]
    reinforce_loss(neg_log_prob, reward=10.0, baseline=4.0).backward()
    assert logit.grad is not None
    assert logit.grad[0] < 0 < logit.grad[1]  # gradient descent raises the sampled logit


@pytest.mark.parametrize("schedule", ["per_batch", "per_epoch"])
def test_child_learning_rate_schedule_switch(schedule: str) -> None:
    """per_batch: cosine with T_max = epochs stepped every minibatch (period 2 * epochs
    minibatches, docs/original-code.md#enas-per-batch-cosine); per_epoch: the loop's epoch rate is
    left alone."""
    method = get_method("enas")
    hp = method.hyperparameters(epochs=4, init_channels=4, layers=3)
    search = OneShotSearch(method, get_space(1), hp, Options(enas_lr_schedule=schedule),
                           seed=0)
    batch = (torch.zeros(1, 3, 8, 8), torch.zeros(1, dtype=torch.int64))
    rates = []
    for _ in range(9):
        search.update.step(search, batch, batch, 0.025)
        rates.append(search.weight_optimizer.param_groups[0]["lr"])
    if schedule == "per_batch":
        assert rates == pytest.approx([cosine_lr(hp, i) for i in range(9)])
        assert rates[4] == pytest.approx(0.001) and rates[8] == pytest.approx(0.025)
    else:
        assert rates == [hp.learning_rate] * 9


@pytest.fixture(scope="module")
def data(search_data: dict[str, Path]) -> dict[str, Path]:
    return search_data


def _request(data: dict[str, Path], out: Path, **kw: Any) -> SearchRequest:
    return SearchRequest(optimizer="enas", space=2, out=out, seed=4, epochs=2,
                         overrides=list(TINY), data_dir=data["nb101"],
                         cifar_dir=data["cifar"], device="cpu", **kw)


def test_enas_is_deterministic_and_resumes_bit_identically(
        data: dict[str, Path], tmp_path: Path) -> None:
    run_search(_request(data, tmp_path / "a"))
    records = read_records(tmp_path / "a")
    assert [r["epoch"] for r in records] == [0, 1, 2]
    assert all(r["selection_valid_error"] is not None for r in records)

    def kill_after_epoch_1(epoch: int, total: int, record: dict[str, Any]) -> None:
        if epoch == 1:
            raise Killed

    with pytest.raises(Killed):
        run_search(_request(data, tmp_path / "b"), progress=kill_after_epoch_1)
    assert read_records(tmp_path / "b") == records[:2]  # same seed, same records so far
    run_search(_request(data, tmp_path / "b", resume=True))
    assert read_records(tmp_path / "b") == records  # controller, baseline and steps restored


def test_cli_search_enas(data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cli"
    args = ["search", "enas", "--space", "1", "--epochs", "1", "--seed", "0", "--out",
            str(out), "--data-dir", str(data["nb101"]), "--cifar-dir", str(data["cifar"]),
            "--device", "cpu", "--json"]
    for item in TINY:
        args += ["--set", item]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["optimizer"] == "enas" and summary["records"] == 2
    meta = json.loads((out / "run.json").read_text())
    assert meta["options"]["enas_lr_schedule"] == "per_batch"
    hp = meta["hyperparameters"]
    assert (hp["weight_decay"], hp["grad_clip"], hp["selection_batches"]) == (1e-4, 0.25, 1)
    assert isinstance(read_records(out)[1]["test_regret"], float)
