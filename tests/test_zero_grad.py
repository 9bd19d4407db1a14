"""Option `zero_grad`: the authors' torch 1.3 in-place zeroing versus set-to-None.

GDAS evaluates only the sampled op of each choice block (and Random-WS/ENAS do under
`subnet_forward=sampled`), so an op can sit out a weight step after having had a gradient
in an earlier one. torch 1.3's `Optimizer.zero_grad` zeroed every existing gradient in
place, so SGD still gave such an op its weight-decay and momentum step; with gradients set
to None SGD skips it. The tests pin both behaviours and the `in_place` value against a
re-derivation of torch 1.3's zeroing.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nb1s.enumerate import OPS, get_space
from nb1s.optimizers import Options, get_method
from nb1s.optimizers.arch_weights import ArchWeights
from nb1s.optimizers.mixing import CellWeights
from nb1s.optimizers.search_loop import OneShotSearch, zero_gradients

CONV3 = OPS.index("conv3x3-bn-relu")
CONV1 = OPS.index("conv1x1-bn-relu")


def torch13_zero_grad(params: list[nn.Parameter]) -> None:
    """torch 1.3's `Optimizer.zero_grad`: detach and zero every gradient that exists."""
    for p in params:
        if p.grad is not None:
            p.grad.detach_()
            p.grad.zero_()


def test_in_place_is_torch13_zeroing() -> None:
    """Same gradients (zero tensors, the same storage; None stays None) and, after a step
    in which one layer takes no part, the same SGD update as the re-derivation."""
    torch.manual_seed(0)
    ours = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
    theirs = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
    theirs.load_state_dict(ours.state_dict())
    opts = [torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
            for m in (ours, theirs)]
    x = torch.randn(4, 3)
    for step in range(3):
        for model, opt, zero in ((ours, opts[0], "ours"), (theirs, opts[1], "theirs")):
            if zero == "ours":
                zero_gradients(opt, "in_place")
            else:
                torch13_zero_grad(list(model.parameters()))
            used = model[0] if step != 1 else model[1]  # layer 0 sits out step 1
            used(x).square().sum().backward()
            opt.step()
        for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
            assert (a.grad is None) == (b.grad is None)
            assert torch.equal(a, b)
    before = [p.grad for p in ours.parameters()]
    pointers = [g.data_ptr() for g in before if g is not None]
    zero_gradients(opts[0], "in_place")
    assert all(p.grad is not None and not p.grad.any() for p in ours.parameters())
    assert [p.grad.data_ptr() for p in ours.parameters() if p.grad is not None] == pointers
    zero_gradients(opts[0], "none")
    assert all(p.grad is None for p in ours.parameters())


class _GivenWeights:
    """A mixing that hands the same given weights to every cell."""

    temperature: float | None = None
    skip_unsampled = False

    def __init__(self, weights: CellWeights) -> None:
        self.weights = weights

    def cell_weights(self, arch: ArchWeights, num_cells: int) -> list[CellWeights]:
        del arch
        return [self.weights] * num_cells


def _one_op(op: int, k: int) -> CellWeights:
    """Hard one-hot op weights (only `op` runs in every block), plain edge weights."""
    beta = torch.zeros(k, len(OPS))
    beta[:, op] = 1.0
    # space 1: nodes 1 and 2 have no parent choice (alpha None), nodes 3.. choose
    alpha: list[torch.Tensor | None] = [None if j < 3 else torch.ones(j) / j
                                        for j in range(1, k + 1)]
    return CellWeights(alpha=alpha, beta=beta, gamma=torch.ones(k + 1) / (k + 1),
                       hard_ops=True)


def _two_steps(mode: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, OneShotSearch]:
    """conv3x3 runs in step 1, conv1x1 in step 2; the conv3x3 weights of cell 0, block 1
    before step 2, its momentum buffer after step 1, and after step 2."""
    method = get_method("gdas")
    hp = method.hyperparameters(init_channels=4, layers=3, warm_start_epochs=10, epochs=2)
    search = OneShotSearch(method, get_space(1), hp, Options(zero_grad=mode), seed=3)
    k = search.space.num_choice_blocks
    torch.manual_seed(5)
    batch = (torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,)))
    weight = search.model.cells[0].blocks[0].ops[CONV3].conv.weight
    search.mixing = _GivenWeights(_one_op(CONV3, k))
    search.train_epoch([(batch, batch)], epoch=0)
    w1 = weight.detach().clone()
    buf1 = search.weight_optimizer.state[weight]["momentum_buffer"].clone()
    search.mixing = _GivenWeights(_one_op(CONV1, k))
    search.train_epoch([(batch, batch)], epoch=0)
    return w1, buf1, weight.detach().clone(), search


def test_unsampled_op_steps_only_with_in_place_zeroing() -> None:
    w1, buf1, w2, search = _two_steps("in_place")
    hp = search.hp
    lr = search.lr_for_epoch(0)
    # SGD on a zero gradient: d = 0 + wd * w; buf = mu * buf + d; w <- w - lr * buf
    expected = w1 - lr * (hp.momentum * buf1 + hp.weight_decay * w1)
    assert not torch.equal(w2, w1)
    torch.testing.assert_close(w2, expected, rtol=0, atol=1e-7)

    w1n, _, w2n, _ = _two_steps("none")
    assert torch.equal(w1n, w1)  # step 1 is the same under both modes
    assert torch.equal(w2n, w1n)  # no gradient, no step: the unsampled op stays put


def test_presets_and_bad_value() -> None:
    assert Options.preset("original").zero_grad == "in_place"
    assert Options.preset("paper").zero_grad == "in_place"  # the paper is silent
    with pytest.raises(ValueError, match="zero_grad"):
        Options(zero_grad="lazy")
