"""Adding an optimizer is one small registered class; every switch is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import (
    METHODS,
    OPTION_SPECS,
    GumbelMixing,
    Hyperparameters,
    OneShotMethod,
    OneShotSearch,
    Options,
    get_method,
    register_method,
)
from nb1s.optimizers.mixing import Mixing

OPTIONS_DOC = Path(__file__).resolve().parents[1] / "docs" / "paper-vs-code.md"


class _Batches:
    """Random tensors standing in for the harness's data."""

    def __init__(self) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(4, 3, 32, 32, generator=g)
        self.y = torch.randint(0, 10, (4,), generator=g)

    def train_pairs(self, epoch: int, epochs: int) -> Any:
        return [((self.x, self.y), (self.x, self.y))] * 2

    def eval_batches(self, epoch: int) -> Any:
        return [(self.x, self.y)]


def test_a_user_optimizer_is_one_small_class() -> None:
    @register_method
    class SoftGumbel(OneShotMethod):
        name = "test-soft-gumbel"
        defaults: ClassVar[dict[str, Any]] = {"tau_max": 2.0, "tau_min": 0.5}

        def make_mixing(self, hp: Hyperparameters) -> Mixing:
            return GumbelMixing(hp.tau_max, skip_unsampled=False)

        def temperature(self, hp: Hyperparameters, epoch: float) -> float | None:
            return hp.tau_max - (hp.tau_max - hp.tau_min) * epoch / hp.epochs

    try:
        method = get_method("test-soft-gumbel")
        hp = method.hyperparameters(epochs=2, init_channels=4, layers=3)
        assert hp.tau_max == 2.0
        search = OneShotSearch(method, get_space(3), hp, Options(), seed=0)
        seen: list[tuple[int, float | None]] = []
        search.run(_Batches(), lambda r, s: seen.append((r.epoch, r.temperature)))
        assert seen == [(0, None), (1, pytest.approx(2.0)), (2, pytest.approx(1.25))]
        with pytest.raises(ValueError, match="already registered"):
            register_method(type("Other", (OneShotMethod,), {"name": "test-soft-gumbel"}))
    finally:
        METHODS.pop("test-soft-gumbel", None)


def test_docs_table_documents_every_option() -> None:
    text = OPTIONS_DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(OPTION_SPECS)
    assert set(Options().as_dict()) == set(OPTION_SPECS)
