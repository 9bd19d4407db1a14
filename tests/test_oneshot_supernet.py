"""The supernet: parameter counts of the original code, shapes, and every paper/original switch."""

from __future__ import annotations

import pytest
import torch

from nb1s.enumerate import get_space
from nb1s.optimizers import (
    OPTION_SPECS,
    ArchWeights,
    Options,
    SoftmaxMixing,
    Supernet,
    count_parameters,
)
from nb1s.optimizers.ops import ConvBnRelu

# docs/original-code.md#supernet-skeleton (counted by running the original module).
ORIGINAL_COUNTS = {(1, 1): 1_101_402, (2, 1): 1_101_402, (3, 1): 1_509_594,
                   (1, 4): 492_570, (2, 4): 492_570, (3, 4): 748_554}
CONCAT_COUNTS = {1: 1_009_530, 2: 1_009_530, 3: 1_323_610}


@pytest.mark.parametrize(("space", "partial"), sorted(ORIGINAL_COUNTS))
def test_original_parameter_counts(space: int, partial: int) -> None:
    model = Supernet(get_space(space), Options.preset("original"), partial=partial)
    assert count_parameters(model) == ORIGINAL_COUNTS[(space, partial)]


@pytest.mark.parametrize("space", [1, 2, 3])
def test_first_commit_concat_cell_counts(space: int) -> None:
    options = Options.preset("original").with_values(cell_output="concat")
    assert count_parameters(Supernet(get_space(space), options)) == CONCAT_COUNTS[space]


@pytest.mark.parametrize(("space", "scalars"), [(1, 24), (2, 26), (3, 35)])
def test_arch_weight_shapes_come_from_the_space(space: int, scalars: int) -> None:
    sp = get_space(space)
    arch = ArchWeights(sp)
    assert tuple(arch.beta.shape) == (sp.num_choice_blocks, 3)
    assert tuple(arch.gamma.shape) == (sp.num_choice_blocks + 1,)
    assert sum(p.numel() for p in arch.parameters()) == scalars
    # node 1 never has a choice; node 2 of space 1 is forced to parents {0, 1}
    assert arch.alpha_of(1) is None
    assert (arch.alpha_of(2) is None) == (space == 1)
    for j in range(1, sp.num_choice_blocks + 1):
        a = arch.alpha_of(j)
        assert a is None or a.numel() == j
    assert float(arch.beta.detach().abs().max()) < 0.01  # 1e-3 * N(0, 1)


def _spatial_sizes(options: Options) -> list[int]:
    torch.manual_seed(0)
    model = Supernet(get_space(1), options, init_channels=4)
    sizes: list[int] = []
    for cell in model.cells:
        cell.register_forward_hook(lambda m, inp, out: sizes.append(int(out.shape[-1])))
    arch = ArchWeights(get_space(1))
    out = model(torch.randn(2, 3, 32, 32), SoftmaxMixing().cell_weights(arch, 9))
    assert tuple(out.shape) == (2, 10)
    return sizes


def test_downsample_padding_both_ways() -> None:
    original = _spatial_sizes(Options.preset("original"))
    paper = _spatial_sizes(Options.preset("original").with_values(downsample_padding="paper"))
    assert original == [32] * 3 + [17] * 3 + [9] * 3
    assert paper == [32] * 3 + [16] * 3 + [8] * 3


def test_bn_momentum_both_ways() -> None:
    for value, expected in (("original", 0.997), ("tf_decay", 0.003)):
        model = Supernet(get_space(1), Options().with_values(bn_momentum=value), init_channels=4)
        moments = {m.momentum for m in model.modules()
                   if isinstance(m, torch.nn.BatchNorm2d) and m is not model.head_bn}
        assert len(moments) == 1
        assert moments.pop() == pytest.approx(expected)
        assert model.head_bn.momentum == pytest.approx(0.1)  # PyTorch default, both ways
        assert not model.head_bn.affine


def test_op_bn_affine_both_ways() -> None:
    for value, affine in (("original", True), ("affine_free", False)):
        model = Supernet(get_space(2), Options().with_values(op_bn_affine=value), init_channels=4)
        op_bns = [m.bn.affine for cell in model.cells for block in cell.blocks
                  for m in block.ops if isinstance(m, ConvBnRelu)]
        assert op_bns and set(op_bns) == {affine}
        # projections and stem stay affine in both settings
        assert model.stem.bn.affine and model.cells[0].projections.bn.affine


def test_presets_and_validation() -> None:
    paper, original = Options.preset("paper"), Options.preset("original")
    for name, spec in OPTION_SPECS.items():
        assert spec.paper in spec.values and spec.original in spec.values
        assert getattr(paper, name) == spec.paper
        assert getattr(original, name) == spec.original
    assert original == Options()
    with pytest.raises(ValueError, match="bn_momentum"):
        Options(bn_momentum="tensorflow")
    with pytest.raises(ValueError, match="preset"):
        Options.preset("camera-ready")


def test_channels_last_lever_gives_the_same_logits() -> None:
    from nb1s.optimizers import OneShotSearch, get_method

    method = get_method("darts")
    x = torch.randn(2, 3, 32, 32)
    outs = []
    for channels_last in (False, True):
        hp = method.hyperparameters(init_channels=4, layers=3, channels_last=channels_last)
        search = OneShotSearch(method, get_space(1), hp, Options(), seed=0)
        search.model.eval()
        with torch.no_grad():
            outs.append(search.logits(x))
    assert torch.allclose(outs[0], outs[1], atol=1e-5)
