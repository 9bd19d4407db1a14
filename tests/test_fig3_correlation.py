"""Figure 3: fixed-architecture supernet errors, rank correlations, and the smoke CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from search_helpers import run_nb1s

from nb1s.enumerate import decode, get_space
from nb1s.harness.experiments.correlation.compute import rank_correlations, sample_architectures
from nb1s.harness.experiments.correlation.reproduce import range_rows
from nb1s.harness.report.verdict import verdict
from nb1s.optimizers import Options, Supernet
from nb1s.optimizers.fixed_evaluation import architecture_errors, fixed_cell_weights


def test_fixed_weights_exact_and_normalized() -> None:
    space = get_space(3)
    config = decode(space, 123_457)
    exact = fixed_cell_weights(space, config, "exact")
    norm = fixed_cell_weights(space, config, "normalized")
    assert exact.hard_ops and not norm.hard_ops
    assert torch.equal(exact.beta.argmax(dim=1), torch.tensor(config.ops))
    assert torch.allclose(exact.beta.sum(dim=1), torch.ones(space.num_choice_blocks))
    big, small = np.exp(1) / (np.exp(1) + 2), 1 / (np.exp(1) + 2)
    for row, op in zip(norm.beta.tolist(), config.ops, strict=True):
        assert row[op] == pytest.approx(big) and sorted(row)[:2] == pytest.approx([small] * 2)
    parents = config.parents[-1]
    assert torch.nonzero(exact.gamma).flatten().tolist() == list(parents)
    assert norm.gamma.sum().item() == pytest.approx(1.0)
    for j, (a_exact, a_norm) in enumerate(zip(exact.alpha, norm.alpha, strict=True), start=1):
        if a_exact is None:
            assert a_norm is None
            continue
        assert torch.nonzero(a_exact).flatten().tolist() == list(config.parents[j - 1])
        assert a_norm.sum().item() == pytest.approx(1.0)


def test_architecture_errors_in_eval_mode_depend_on_the_architecture() -> None:
    torch.manual_seed(0)
    space = get_space(1)
    model = Supernet(space, Options.preset("original"), init_channels=4, layers=3)
    model.train()
    x = torch.randn(16, 3, 32, 32)
    y = torch.randint(0, 10, (16,))
    with torch.no_grad():  # give BN running statistics that follow the data
        for _ in range(3):
            model(x, [fixed_cell_weights(space, decode(space, 0), "normalized")] * 3)
    ids = [0, 77, 4000, 9001]
    errors = architecture_errors(model, space, ids, [(x[:8], y[:8]), (x[8:], y[8:])], "exact")
    assert model.training  # restored
    assert errors.shape == (4,) and ((errors >= 0) & (errors <= 1)).all()
    assert np.all(errors * 16 == np.round(errors * 16))  # wrong / total over both batches
    again = architecture_errors(model, space, ids, [(x, y)], "exact")
    np.testing.assert_allclose(errors, again)  # eval mode: batching does not matter
    with pytest.raises(ValueError, match="no batches"):
        architecture_errors(model, space, ids, [], "exact")


def test_rank_correlations_mean_paired_and_constant() -> None:
    oneshot = np.array([0.1, 0.2, 0.3, 0.4])
    nb = np.array([[0.05, 0.06, 0.07], [0.06, 0.07, 0.08], [0.07, 0.08, 0.09],
                   [0.08, 0.09, 0.10]])
    mean = rank_correlations(oneshot, nb, "mean")
    assert mean["spearman"] == pytest.approx(1.0) and mean["kendall"] == pytest.approx(1.0)
    paired = rank_correlations(oneshot, nb, "paired_x3")
    assert 0.5 < paired["spearman"] < 1.0  # ties and overlapping repeats lower it
    assert rank_correlations(-oneshot, nb, "mean")["spearman"] == pytest.approx(-1.0)
    assert rank_correlations(np.full(4, 0.5), nb, "mean")["spearman"] is None


def test_sample_is_a_seeded_subset_of_the_set() -> None:
    a = sample_architectures(1, "without_loose_ends", 20, 3)
    assert len(a) == 20 and np.array_equal(a, sample_architectures(1, "without_loose_ends",
                                                                   20, 3))
    assert len(sample_architectures(1, "without_loose_ends", 0, 3)) == 3702


def _row(optimizer: str, values: list[float | None]) -> dict[str, object]:
    return {"optimizer": optimizer, "label": optimizer.upper(), "space": 1,
            "budgets": {str(b): {"spearman": v} for b, v in zip((4, 108), values, strict=False)}}


def test_range_rows_against_the_papers_stated_range() -> None:
    result = {"settings": {"range_optimizers": ["darts", "gdas"]},
              "rows": [_row("darts", [0.1, -0.2]), _row("gdas", [0.5]),
                       _row("enas", [0.9]), _row("darts", [None])]}
    rows = {r["group"]: r for r in range_rows(result)}
    assert set(rows) == {"DARTS / SS1", "GDAS / SS1"}  # ENAS is outside the stated scope
    assert rows["DARTS / SS1"]["pass"] and rows["DARTS / SS1"]["note"].startswith("2/2")
    assert rows["GDAS / SS1"]["pass"] is False
    # the same values from smoke/synthetic data cannot test the paper: not checkable
    smoke = {r["group"]: r for r in range_rows({**result, "labels": ["smoke", "synthetic"]})}
    assert {r["outcome"] for r in smoke.values()} == {"not checkable"}
    assert all(r["pass"] is None for r in smoke.values())
    assert verdict(list(smoke.values()), ["smoke"])["status"] == "not-checkable"


def test_reproduce_fig3_smoke_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "fig3"
    args = ("reproduce", "fig3", "--profile", "smoke", "--out", str(out), "--smoke-data",
            str(tmp_path / "data"), "--workers", "2", "--json")
    proc = run_nb1s(*args)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["labels"] == ["smoke", "synthetic"] and not result["run"]["failed"]
    assert {(r["variant"], r["epoch"]) for r in result["rows"]} == {
        ("darts", 1), ("darts", 2), ("gdas", 1), ("gdas", 2)}
    for row in result["rows"]:
        assert row["n_architectures"] == 16 and row["missing_budgets"] == [4, 12, 36]
        rho = row["budgets"]["108"]["spearman"]
        assert rho is None or -1.0 <= rho <= 1.0
    verdict = result["diff"]["verdict"]
    # smoke data cannot test the paper's range: labelled not checkable, exit 0
    assert verdict["status"] == "not-checkable" and verdict["rows"] == 0
    assert verdict["counts"]["not checkable"] == 2 and verdict["line"].startswith("NOT CHECKABLE")
    assert (out / "plots/fig3-smoke-paper.png").read_bytes()[:4] == b"\x89PNG"
    run = out / "runs/darts/space1/seed0"
    assert (run / "checkpoint_epoch1.pt").is_file() and (run / "checkpoint_epoch2.pt").is_file()
    meta = json.loads((run / "run.json").read_text())
    assert meta["tracking"]["snapshot_epochs"] == [1, 2]
    assert meta["recipe"] == {"name": "fig3", "version": 4, "profile": "smoke",
                              "protocol": "paper"}
    # a second pass skips the searches and reuses every cached evaluation
    again = json.loads(run_nb1s(*args).stdout)
    assert len(again["run"]["skipped"]) == 2 and again["rows"] == result["rows"]
    proc = run_nb1s("diff", str(out), "--json")
    assert json.loads(proc.stdout)["verdict"] == verdict
