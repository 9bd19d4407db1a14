"""DARTS second-order architecture gradient with the finite-difference Hessian-vector product.

The architecture gradient of L_val(w - xi * dw, a), dw = m*mu + grad_w L_train(w, a) + wd*w
(one unrolled SGD step with momentum and weight decay), is the direct term
grad_a L_val(w', a) minus xi * (grad^2_{a,w} L_train) v with v = grad_w' L_val(w', a). The
mixed second derivative is approximated by central differences at w +- eps*v with
eps = 0.01 / |v| (docs/original-code.md#darts-second-order). Written over plain tensor lists and
loss closures so the math can be checked on a toy problem against exact autograd.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

Tensors = Sequence[torch.Tensor]


def _grads(loss: torch.Tensor, wrt: Tensors) -> list[torch.Tensor]:
    grads = torch.autograd.grad(loss, list(wrt), allow_unused=True)
    return [torch.zeros_like(t) if g is None else g for g, t in zip(grads, wrt, strict=True)]


@torch.no_grad()
def _assign(targets: Tensors, values: Tensors) -> None:
    for t, v in zip(targets, values, strict=True):
        t.copy_(v)


def unrolled_arch_gradient(
    weights: Tensors,
    arch: Tensors,
    train_loss: Callable[[], torch.Tensor],
    valid_loss: Callable[[], torch.Tensor],
    xi: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    momentum_buffers: Sequence[torch.Tensor | None] | None = None,
    r: float = 0.01,
) -> list[torch.Tensor]:
    """Approximate d/da L_val(w'(a), a); the closures read the current values of the tensors.

    `weights` are modified in place during the computation and restored exactly at the end.
    """
    saved = [w.detach().clone() for w in weights]
    buffers = list(momentum_buffers) if momentum_buffers is not None else [None] * len(weights)
    g_train = _grads(train_loss(), weights)
    with torch.no_grad():
        for w, w0, g, m in zip(weights, saved, g_train, buffers, strict=True):
            step = g + weight_decay * w0
            if m is not None:
                step = step + momentum * m
            w.copy_(w0 - xi * step)
    grads = _grads(valid_loss(), [*arch, *weights])
    direct, v = grads[: len(arch)], grads[len(arch):]
    norm = torch.sqrt(sum((vi.double() ** 2).sum() for vi in v))  # type: ignore[arg-type]
    eps = r / float(norm) if float(norm) > 0 else 0.0
    if eps == 0.0:
        _assign(weights, saved)
        return direct
    _assign(weights, [w0 + eps * vi for w0, vi in zip(saved, v, strict=True)])
    g_plus = _grads(train_loss(), arch)
    _assign(weights, [w0 - eps * vi for w0, vi in zip(saved, v, strict=True)])
    g_minus = _grads(train_loss(), arch)
    _assign(weights, saved)
    return [d - xi * (gp - gm) / (2 * eps)
            for d, gp, gm in zip(direct, g_plus, g_minus, strict=True)]
