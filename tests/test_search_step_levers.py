"""The CPU search-step levers keep results equal, and nb1s's DARTS step equals the original's.

- lean backward (no weight gradients in the architecture step, no architecture gradients
  in the weight step) against the plain backward: weights, logits and the discretized
  architecture after a few steps, for every gradient method and both `zero_grad` modes;
  the one case where it is not provably equal (GDAS skipping unsampled ops under in-place
  zeroing) is shown to differ, so the guard that keeps the plain backward there matters;
- nb1s's DARTS first-order step (fused projections, lean backward) against the original
  code's step re-derived in `bench/original_darts.py`, in float64 with copied weights;
  a perturbed re-derivation (op columns not re-ordered) is shown to disagree.
"""

from __future__ import annotations

import pytest
import torch
from original_darts import as_nb1s_logits, copy_from_nb1s

from nb1s.enumerate import OPS, get_space
from nb1s.optimizers import OneShotSearch, Options, get_method

Batch = tuple[torch.Tensor, torch.Tensor]


def _pairs(steps: int, batch: int = 4, seed: int = 1) -> list[tuple[Batch, Batch]]:
    g = torch.Generator().manual_seed(seed)

    def one() -> Batch:
        return (torch.randn(batch, 3, 32, 32, generator=g),
                torch.randint(0, 10, (batch,), generator=g))

    return [(one(), one()) for _ in range(steps)]


def _search(optimizer: str, lean: bool, zero_grad: str = "in_place", space: int = 3,
            **hp: object) -> OneShotSearch:
    method = get_method(optimizer)
    values = {"epochs": 2, "batch_size": 4, "init_channels": 4, "layers": 3, **hp}
    return OneShotSearch(method, get_space(space), method.hyperparameters(**values),
                         Options(zero_grad=zero_grad), seed=0, lean_backward=lean)


def _state(search: OneShotSearch) -> list[torch.Tensor]:
    return [t.detach().clone() for t in
            [*search.model.state_dict().values(), *search.arch.parameters()]]


def _max_difference(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max(float((x.double() - y.double()).abs().max()) if x.numel() else 0.0
               for x, y in zip(a, b, strict=True))


def _run(search: OneShotSearch, pairs: list[tuple[Batch, Batch]]) -> None:
    search.train_epoch(pairs, 0)


@pytest.mark.parametrize(("optimizer", "zero_grad"), [
    ("darts", "in_place"), ("darts", "none"), ("darts2", "in_place"),
    ("pcdarts", "in_place"), ("gdas", "in_place"), ("gdas", "none")])
def test_lean_backward_equals_the_plain_backward(optimizer: str, zero_grad: str) -> None:
    pairs = _pairs(3)
    extra = {"partial_channels": 4} if optimizer == "pcdarts" else {}
    runs = []
    for lean in (False, True):
        search = _search(optimizer, lean, zero_grad, **extra)
        _run(search, pairs)
        runs.append((_state(search), search.config_id(),
                     [p.grad is not None for p in search.model.parameters()]))
    (plain, plain_id, plain_grads), (lean_state, lean_id, lean_grads) = runs
    assert _max_difference(plain, lean_state) == 0.0  # bit-identical
    assert plain_id == lean_id
    assert plain_grads == lean_grads  # the same weights hold a gradient (resume state)


def test_gdas_in_place_needs_the_plain_backward(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forcing the lean architecture backward where the guard forbids it changes results:
    an op sampled only in the architecture step then misses SGD's decay/momentum step."""
    pairs = _pairs(2)
    plain = _search("gdas", lean=False)
    _run(plain, pairs)
    forced = _search("gdas", lean=True)

    def unguarded(loss: torch.Tensor) -> None:
        loss.backward(inputs=list(forced.arch.parameters()))

    monkeypatch.setattr(forced, "arch_backward", unguarded)
    _run(forced, pairs)
    assert _max_difference(_state(plain), _state(forced)) > 1e-7


def test_lean_backward_leaves_no_architecture_gradient_on_weights_step() -> None:
    search = _search("darts", lean=True)
    pairs = _pairs(1)
    search.model.train()
    search.weight_backward(search.loss(*pairs[0][0]))
    assert all(p.grad is None for p in search.arch.parameters())
    assert all(p.grad is not None for p in search.model.parameters())
    search.weight_optimizer.zero_grad(set_to_none=True)
    search.arch_backward(search.loss(*pairs[0][1]))
    assert all(p.grad is None for p in search.model.parameters())
    assert all(p.grad is not None for p in search.arch.parameters())


def _float64_pair(space: int) -> tuple[OneShotSearch, object]:
    torch.set_default_dtype(torch.float64)
    try:
        search = _search("darts", lean=True, space=space)
    finally:
        torch.set_default_dtype(torch.float32)
    return search, copy_from_nb1s(search, OPS)


@pytest.mark.parametrize("space", [1, 2, 3])
def test_darts_step_matches_the_original_rederivation(space: int) -> None:
    search, original = _float64_pair(space)
    pairs = [((x.double(), y), (xv.double(), yv)) for (x, y), (xv, yv) in _pairs(3)]
    with torch.no_grad():
        search.model.eval()
        original.net.eval()  # type: ignore[attr-defined]
        x = pairs[0][0][0]
        assert torch.allclose(search.logits(x), original.net(x), rtol=0, atol=1e-13)  # type: ignore[attr-defined]
    lr = search.lr_for_epoch(0)
    for group in original.weight_optimizer.param_groups:  # type: ignore[attr-defined]
        group["lr"] = lr
    search.model.train()
    original.net.train()  # type: ignore[attr-defined]
    search.train_epoch(pairs, 0)
    for train, valid in pairs:
        original.step(train, valid)  # type: ignore[attr-defined]
    ours = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in
            {name: p.detach() for name, p in _named_logits(search).items()}.items()}
    theirs = as_nb1s_logits(original.net, OPS)  # type: ignore[attr-defined]
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert torch.allclose(ours[key], theirs[key], rtol=0, atol=1e-12), key
    reference = copy_from_nb1s(search, OPS).net  # nb1s's weights in the original's layout
    for p, q in zip(reference.parameters(), original.net.parameters(), strict=True):  # type: ignore[attr-defined]
        assert torch.allclose(p, q, rtol=0, atol=1e-12)


def _named_logits(search: OneShotSearch) -> dict[str, torch.Tensor]:
    out = {"beta": search.arch.beta, "gamma": search.arch.gamma}
    for key, value in search.arch.alpha.items():
        out[f"alpha_{key}"] = value
    return out


def test_a_perturbed_rederivation_disagrees() -> None:
    """Copying beta without re-ordering its columns must be caught by the comparison."""
    search, original = _float64_pair(3)
    with torch.no_grad():
        original.net.beta.copy_(search.arch.beta)  # type: ignore[attr-defined]
        search.arch.beta.mul_(1000.0)
        original.net.beta.mul_(1000.0)  # type: ignore[attr-defined]
        search.model.eval()
        original.net.eval()  # type: ignore[attr-defined]
        x = _pairs(1)[0][0][0].double()
        assert not torch.allclose(search.logits(x), original.net(x), rtol=0, atol=1e-6)  # type: ignore[attr-defined]


def test_the_step_comparison_catches_leaked_weight_gradients() -> None:
    """An original step whose weight step keeps the architecture step's weight gradients
    (what a wrong lean backward would do under no zeroing) must disagree with nb1s."""
    search, original = _float64_pair(3)
    net = original.net  # type: ignore[attr-defined]
    for group in original.weight_optimizer.param_groups:  # type: ignore[attr-defined]
        group["lr"] = search.lr_for_epoch(0)
    pairs = [((x.double(), y), (xv.double(), yv)) for (x, y), (xv, yv) in _pairs(2)]
    search.train_epoch(pairs, 0)
    ce = torch.nn.functional.cross_entropy
    for (x, y), (xv, yv) in pairs:
        original.arch_optimizer.zero_grad()  # type: ignore[attr-defined]
        ce(net(xv), yv).backward()
        original.arch_optimizer.step()  # type: ignore[attr-defined]
        ce(net(x), y).backward()  # no weight zero_grad: valid-batch gradients leak in
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        original.weight_optimizer.step()  # type: ignore[attr-defined]
        original.weight_optimizer.zero_grad()  # type: ignore[attr-defined]
    reference = copy_from_nb1s(search, OPS).net
    worst = max(float((p - q).detach().abs().max()) for p, q in
                zip(reference.parameters(), net.parameters(), strict=True))
    assert worst > 1e-6


def test_cpu_maxpool_fast_path_is_bit_identical_with_ties() -> None:
    """Values and gradients equal bit for bit, also where a window holds several maxima."""
    from nb1s.optimizers.fast_paths import fast_paths
    from nb1s.optimizers.ops import MaxPool3x3

    g = torch.Generator().manual_seed(0)
    base = torch.randint(0, 3, (4, 8, 9, 9), generator=g).double()  # many ties
    grad = torch.randn(4, 8, 9, 9, generator=g, dtype=torch.float64)
    results = []
    for fast in (False, True):
        with fast_paths(cpu_maxpool_channels_last=fast):
            x = base[:, 1:7].clone().requires_grad_()  # also a strided view below
            out = MaxPool3x3()(x[:, 1:])
            out.backward(grad[:, :5])
        assert out.is_contiguous()
        results.append((out.detach(), x.grad))
    assert torch.equal(results[0][0], results[1][0])
    assert torch.equal(results[0][1], results[1][1])
    # a different tie rule (last maximum instead of first) would be caught
    flipped = torch.nn.functional.max_pool2d(base.flip(-1)[:, 2:7].clone().requires_grad_(),
                                             3, 1, 1)
    assert flipped.shape == results[0][0].shape


@pytest.mark.parametrize("switch", ["split_projections", "cpu_maxpool_channels_last"])
def test_supernet_fast_paths_equal_the_plain_code(switch: str) -> None:
    from nb1s.optimizers.fast_paths import fast_paths

    pairs = _pairs(2)
    states = []
    for fast in (False, True):
        with fast_paths(**{switch: fast}):
            search = _search("darts", lean=True, space=1)
            _run(search, pairs)
        states.append(_state(search))
    assert all(torch.equal(a, b) for a, b in zip(*states, strict=True))


def test_fast_paths_reject_unknown_switches() -> None:
    from nb1s.optimizers.fast_paths import fast_paths

    with pytest.raises(ValueError, match="unknown fast path"), fast_paths(nonsense=True):
        pass
