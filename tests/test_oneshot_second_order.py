"""DARTS second order: the finite-difference architecture gradient vs exact autograd."""

from __future__ import annotations

import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import OneShotSearch, Options, get_method
from nb1s.optimizers.second_order import unrolled_arch_gradient


def _toy() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    w = torch.randn(5, generator=g, dtype=torch.float64, requires_grad=True)
    a = torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)
    m = torch.randn(5, 3, generator=g, dtype=torch.float64)
    b = torch.randn(5, generator=g, dtype=torch.float64)
    buf = torch.randn(5, generator=g, dtype=torch.float64)
    return w, a, m, b, buf


def _train(w: torch.Tensor, a: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    # nonlinear in both, with a non-trivial mixed second derivative
    return 0.5 * ((w - torch.tanh(m @ a)) ** 2).sum() + 0.1 * (w**2 * torch.sigmoid(a[0])).sum()


def _valid(w: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return 0.5 * ((w - b) ** 2 * torch.softmax(a, 0).sum()).sum() + (w * a[1]).sum() ** 2


def test_unrolled_gradient_matches_exact_autograd() -> None:
    w, a, m, b, buf = _toy()
    xi, mu, wd = 0.05, 0.9, 3e-4
    # exact: differentiate through the unrolled step
    gw = torch.autograd.grad(_train(w, a, m), w, create_graph=True)[0]
    w_unrolled = w - xi * (mu * buf + gw + wd * w)
    exact = torch.autograd.grad(_valid(w_unrolled, a, b), a)[0]
    w_before = w.detach().clone()
    approx = unrolled_arch_gradient(
        [w], [a], lambda: _train(w, a, m), lambda: _valid(w, a, b), xi=xi, momentum=mu,
        weight_decay=wd, momentum_buffers=[buf])[0]
    assert torch.equal(w.detach(), w_before)  # weights restored exactly
    assert torch.allclose(approx, exact, rtol=1e-4, atol=1e-7)
    # and it differs from the first-order gradient (the correction term matters here)
    first = torch.autograd.grad(_valid(w, a, b), a)[0]
    assert not torch.allclose(first, exact, rtol=1e-2)


def test_second_order_step_on_a_tiny_supernet() -> None:
    space = get_space(1)
    method = get_method("darts2")
    hp = method.hyperparameters(epochs=1, init_channels=4, layers=3, batch_size=4)
    search = OneShotSearch(method, space, hp, Options(), seed=0)
    torch.manual_seed(1)
    train = (torch.randn(4, 3, 32, 32), torch.randint(0, 10, (4,)))
    valid = (torch.randn(4, 3, 32, 32), torch.randint(0, 10, (4,)))
    before_w = [p.detach().clone() for p in search.model.parameters()]
    before_a = [p.detach().clone() for p in search.arch.parameters()]
    buffers = {k: b.clone() for k, b in search.model.named_buffers()}
    search.update.step(search, train, valid, lr=0.025)
    after_w = list(search.model.parameters())
    assert all(torch.equal(x, y.detach()) for x, y in zip(before_w, after_w, strict=True))
    assert any(not torch.equal(x, y.detach())
               for x, y in zip(before_a, search.arch.parameters(), strict=True))
    # BN statistics moved through the train-batch passes (as in the original architect)
    changed = [not torch.equal(buffers[k], b) for k, b in search.model.named_buffers()
               if k.endswith("running_mean")]
    assert any(changed)
