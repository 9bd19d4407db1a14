"""Mixing math of each optimizer: softmax, Gumbel-softmax (hard/soft), partial channels."""

from __future__ import annotations

import pytest
import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import (
    ArchWeights,
    GumbelMixing,
    Options,
    SoftmaxMixing,
    channel_shuffle,
    get_method,
    gumbel_softmax,
    method_names,
)
from nb1s.optimizers.mixing import CellWeights
from nb1s.optimizers.search_loop import OneShotSearch, cosine_lr
from nb1s.optimizers.supernet import MixedOp


def test_registry_has_the_four_methods() -> None:
    assert {"darts", "darts2", "gdas", "pcdarts"} <= set(method_names())
    with pytest.raises(ValueError, match="unknown optimizer"):
        get_method("snas")


def test_softmax_mixing_is_shared_by_all_cells() -> None:
    torch.manual_seed(0)
    arch = ArchWeights(get_space(3))
    cells = SoftmaxMixing().cell_weights(arch, 9)
    assert all(c is cells[0] for c in cells)
    w = cells[0]
    assert torch.allclose(w.beta, torch.softmax(arch.beta, -1))
    assert torch.allclose(w.gamma.sum(), torch.tensor(1.0))
    a4 = arch.alpha_of(4)
    assert a4 is not None and w.alpha[3] is not None
    assert torch.allclose(w.alpha[3], torch.softmax(a4, -1))
    assert w.alpha[0] is None and not w.hard_ops


def test_gumbel_hard_is_one_hot_forward_with_soft_gradients() -> None:
    logits = torch.tensor([[0.3, -0.2, 0.1], [1.0, 0.0, -1.0]], requires_grad=True)
    torch.manual_seed(5)
    hard = gumbel_softmax(logits, tau=2.0, hard=True)
    torch.manual_seed(5)
    soft = gumbel_softmax(logits, tau=2.0, hard=False)
    # forward: exact one-hot of the soft sample's argmax, zeros exactly 0.0
    assert torch.equal(hard.detach().sum(-1), torch.ones(2))
    assert set(hard.detach().flatten().tolist()) <= {0.0, 1.0}
    assert torch.equal(hard.detach().argmax(-1), soft.detach().argmax(-1))
    # backward: straight-through, i.e. exactly the soft sample's gradient, reaching every logit
    probe = torch.tensor([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
    (g_hard,) = torch.autograd.grad((hard * probe).sum(), logits)
    (g_soft,) = torch.autograd.grad((soft * probe).sum(), logits)
    assert torch.allclose(g_hard, g_soft)
    assert bool((g_hard != 0).all())


def test_gumbel_samples_follow_the_softmax() -> None:
    torch.manual_seed(1)
    logits = torch.tensor([1.0, 0.0, -0.5])
    draws = gumbel_softmax(logits.expand(40_000, 3), tau=1.0, hard=True).argmax(-1)
    freq = torch.bincount(draws, minlength=3).double() / draws.numel()
    assert torch.allclose(freq, torch.softmax(logits.double(), -1), atol=0.01)


def test_gdas_mixing_samples_per_cell_hard_ops_soft_edges() -> None:
    torch.manual_seed(2)
    arch = ArchWeights(get_space(2))
    cells = GumbelMixing(temperature=1.0).cell_weights(arch, 9)
    betas = torch.stack([c.beta.detach() for c in cells])
    assert set(betas.flatten().tolist()) <= {0.0, 1.0} and cells[0].hard_ops
    assert len({tuple(b.argmax(-1).tolist()) for b in betas}) > 1  # fresh samples per cell
    assert not GumbelMixing(1.0, skip_unsampled=False).cell_weights(arch, 1)[0].hard_ops
    gamma = cells[0].gamma.detach()
    assert bool((gamma > 0).all()) and float(gamma.sum()) == pytest.approx(1.0)


def test_gdas_temperature_schedule() -> None:
    method = get_method("gdas")
    hp = method.hyperparameters(epochs=50)
    assert method.temperature(hp, 0) == pytest.approx(10.0)
    assert method.temperature(hp, 49) == pytest.approx(1.18)
    assert method.temperature(hp, 50) == pytest.approx(1.0)
    assert get_method("darts").temperature(hp, 3) is None
    assert method.hyperparameters().epochs == 100  # the original GDAS default


def test_hard_mixed_op_evaluates_only_the_sampled_op() -> None:
    op = MixedOp(4, Options())
    calls = [0, 0, 0]
    for i, m in enumerate(op.ops):
        m.register_forward_hook(lambda mod, inp, out, i=i: calls.__setitem__(i, calls[i] + 1))
    x = torch.randn(2, 4, 8, 8)
    out = op(x, torch.tensor([0.0, 1.0, 0.0]), skip_zero=True)
    assert calls == [0, 1, 0]
    assert torch.allclose(out, op.ops[1](x))
    op(x, torch.tensor([0.2, 0.5, 0.3]), skip_zero=False)
    assert calls == [1, 3, 1]  # (one extra call above, by the test itself)


def test_channel_shuffle_interleaves_groups() -> None:
    x = torch.arange(8.0).view(1, 8, 1, 1)
    assert channel_shuffle(x, 4).flatten().tolist() == [0, 2, 4, 6, 1, 3, 5, 7]
    assert channel_shuffle(x, 2).flatten().tolist() == [0, 4, 1, 5, 2, 6, 3, 7]


def test_partial_channel_op_touches_only_the_first_quarter() -> None:
    torch.manual_seed(3)
    op = MixedOp(8, Options(), partial=4)
    assert op.op_channels == 2
    x = torch.randn(2, 8, 6, 6)
    w = torch.tensor([0.2, 0.3, 0.5])
    out = op(x, w, skip_zero=False)
    # undo the shuffle: group g of the shuffled tensor holds channels g, g+2, g+4, g+6 / ...
    unshuffled = out.view(2, 2, 4, 6, 6).transpose(1, 2).reshape(2, 8, 6, 6)
    expected_first = sum(w[i] * op.ops[i](x[:, :2]) for i in range(3))
    assert torch.allclose(unshuffled[:, :2], expected_first, atol=1e-6)
    assert torch.equal(unshuffled[:, 2:], x[:, 2:])


def test_cell_forced_parents_are_summed() -> None:
    """Space 1 node 2 has no alpha: with beta one-hot on maxpool the sum is visible."""
    torch.manual_seed(4)
    from nb1s.optimizers.supernet import Cell

    cell = Cell(get_space(1), 3, 2, Options())
    x = torch.randn(1, 3, 5, 5)
    beta = torch.tensor([[0.0, 0.0, 1.0]] * 4)
    w = CellWeights(alpha=[None, None, torch.tensor([1.0, 0.0, 0.0]),
                           torch.tensor([1.0, 0.0, 0.0, 0.0])],
                    beta=beta, gamma=torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0]))
    out = cell(x, w)
    proj = cell.projections(x)
    pool = torch.nn.functional.max_pool2d
    x1 = pool(proj[:, 0:2], 3, 1, 1)
    x2 = pool(proj[:, 2:4] + x1, 3, 1, 1)
    assert torch.allclose(out[:, 2:4], x2, atol=1e-6)
    assert torch.equal(out[:, :2], torch.zeros_like(out[:, :2]))


def test_lr_schedule_both_ways() -> None:
    method = get_method("darts")
    hp = method.hyperparameters(epochs=50, init_channels=4, layers=3)
    nominal = OneShotSearch(method, get_space(1), hp, Options(), seed=0)
    shifted = OneShotSearch(method, get_space(1), hp,
                            Options().with_values(lr_schedule="shifted"), seed=0)
    assert nominal.lr_for_epoch(0) == pytest.approx(0.025)
    assert shifted.lr_for_epoch(0) == pytest.approx(cosine_lr(hp, 1))
    assert shifted.lr_for_epoch(49) == pytest.approx(0.001)
    assert nominal.lr_for_epoch(49) == pytest.approx(0.001024, abs=1e-6)
