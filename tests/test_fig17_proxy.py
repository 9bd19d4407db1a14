"""Figure 17: the `fixed` stand-alone method, the proxy statistic and `nb1s reproduce fig17`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from search_helpers import run_nb1s

from nb1s.enumerate import decode, get_space, hash_spec
from nb1s.enumerate.encoding import to_nb101_spec
from nb1s.harness.experiments.proxy.compute import correlation_per_epoch, deduplicate
from nb1s.optimizers import Options, get_method
from nb1s.optimizers.fixed_arch import has_loose_ends, sample_without_loose_ends
from nb1s.optimizers.search_loop import OneShotSearch
from nb1s.optimizers.subnetwork import sample_config_id

SS3 = get_space(3)


def _search(seed: int, **hp: int) -> OneShotSearch:
    method = get_method("fixed")
    params = method.hyperparameters(init_channels=hp.pop("init_channels", 4),
                                    layers=hp.pop("layers", 3), **hp)
    return OneShotSearch(method, SS3, params, Options(), seed)


def _resolved_id(search: OneShotSearch) -> int:
    search.model.eval()
    with torch.no_grad():
        search.logits(torch.randn(2, 3, 32, 32))
    return search.config_id()


def test_loose_ends_agree_with_nb101_pruning() -> None:
    """A config has loose ends exactly when NB101 pruning drops one of its 7 vertices."""
    gen = torch.Generator().manual_seed(0)
    seen = set()
    for _ in range(400):
        config = decode(SS3, sample_config_id(SS3, gen))
        pruned = hash_spec(*to_nb101_spec(SS3, config)).pruned_ops
        seen.add(has_loose_ends(SS3, config))
        assert has_loose_ends(SS3, config) == (len(pruned) < 7)
    assert seen == {True, False}  # both cases were exercised


def test_sampler_is_seeded_and_never_yields_loose_ends() -> None:
    ids = [sample_without_loose_ends(SS3, seed) for seed in range(60)]
    assert all(not has_loose_ends(SS3, decode(SS3, i)) for i in ids)
    assert ids == [sample_without_loose_ends(SS3, seed) for seed in range(60)]
    assert len(set(ids)) > 55


def test_fixed_trains_only_its_architecture() -> None:
    search = _search(0, architecture=123_457)
    config = decode(SS3, 123_457)
    x, y = torch.randn(4, 3, 32, 32), torch.randint(10, (4,))
    search.model.train()
    search.loss(x, y).backward()
    for cell in search.model.cells:
        for j, block in enumerate(cell.blocks):
            for op_index, op in enumerate(block.ops):
                grads = [p.grad for p in op.parameters()]
                if op_index == config.ops[j]:
                    assert any(g is not None and g.abs().sum() > 0 for g in grads)
                else:
                    assert all(g is None for g in grads), (j, op_index)
    assert all(p.grad is None for p in search.arch.parameters())
    assert search.config_id() == 123_457


def test_same_seed_same_architecture_for_every_proxy_size() -> None:
    a = _resolved_id(_search(5, layers=3, init_channels=2))
    b = _resolved_id(_search(5, layers=6, init_channels=8))
    assert a == b == sample_without_loose_ends(SS3, 5)
    assert _resolved_id(_search(6)) == sample_without_loose_ends(SS3, 6)
    with pytest.raises(ValueError, match="not a config id"):
        _resolved_id(_search(0, architecture=SS3.num_configs))


def _runs(errors: dict[int, list[float]], regrets: dict[int, float]) -> dict[int, list[dict]]:
    return {s: [{"epoch": e, "oneshot_valid_error": v, "valid_regret": regrets[s]}
                for e, v in enumerate(errs)] for s, errs in errors.items()}


def test_correlation_deduplicates_by_epoch0_regret_and_returns_one_minus_rho() -> None:
    regrets = {0: 0.01, 1: 0.02, 2: 0.03, 3: 0.02}  # seed 3 repeats seed 1's architecture
    errors = {0: [0.9, 0.1], 1: [0.8, 0.2], 2: [0.7, 0.3], 3: [0.0, 0.99]}
    runs = _runs(errors, regrets)
    assert deduplicate(runs) == [0, 1, 2]
    rows = correlation_per_epoch(runs)
    assert [r["n"] for r in rows] == [3, 3]
    assert rows[0]["one_minus_spearman"] == pytest.approx(2.0)  # ranked backwards
    assert rows[1]["one_minus_spearman"] == pytest.approx(0.0)  # ranked exactly
    constant = correlation_per_epoch(_runs({0: [0.5], 1: [0.5]}, {0: 0.1, 1: 0.2}))
    assert constant[0]["spearman"] is None



def test_reproduce_fig17_smoke_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "fig17"
    args = ("reproduce", "fig17", "--profile", "smoke", "--out", str(out), "--smoke-data",
            str(tmp_path / "data"), "--workers", "2", "--json")
    proc = run_nb1s(*args)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "complete" and result["labels"] == ["smoke", "synthetic"]
    assert len(result["run"]["started"]) == 8 and not result["run"]["failed"]
    saved = json.loads((out / "proxy_correlation.json").read_text())
    assert saved["recipe"]["version"] == 3 and saved["groups"] == result["groups"]
    groups = {(g["cells"], g["channels"]): g for g in result["groups"]}
    assert set(groups) == {(3, 2), (3, 4)}
    # the same seeds give the same architectures in every (cells, channels) cell
    assert groups[3, 2]["architectures"] == groups[3, 4]["architectures"]
    assert len(set(groups[3, 2]["architectures"].values())) == 4
    for g in groups.values():
        assert [r["epoch"] for r in g["epochs"]] == [0, 1, 2]
        for r in g["epochs"]:
            assert 1 <= r["n"] <= 4
            v = r["one_minus_spearman"]
            assert v is None or (0.0 <= v <= 2.0 and v == pytest.approx(1 - r["spearman"]))
    for seed, config_id in groups[3, 4]["architectures"].items():
        lines = (out / f"runs/c3_ch4/space3/seed{seed}/epochs.jsonl").read_text().splitlines()
        assert {json.loads(line)["config_id"] for line in lines} == {config_id}
    assert (out / "plots/fig17-smoke-paper-cells3.png").read_bytes()[:4] == b"\x89PNG"
    diff = json.loads((out / "diff.json").read_text())
    assert diff["verdict"]["status"] == "not-checkable"
    assert diff["verdict"]["counts"]["not checkable"] == 2
    assert [r["note"] for r in diff["rows"]] == ["not checkable on smoke/synthetic data"] * 2
    again = json.loads(run_nb1s(*args).stdout)
    assert len(again["run"]["skipped"]) == 8 and again["groups"] == result["groups"]
    proc = run_nb1s("diff", str(out), "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"] == diff["verdict"]
