"""Named switches for every place the released NAS-Bench-1Shot1 code differs from the paper.

The published curves came from code that disagrees with the paper's text (and with
NAS-Bench-101) in several small ways. nb1s never picks one side silently: each difference
is an `OptionSpec` with a `paper` and an `original` value, a preset selects all of them at
once, and a run records the value of every switch. The README's options table documents the
same names.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal

PresetName = Literal["paper", "original"]
PRESETS: tuple[str, ...] = ("paper", "original")


@dataclass(frozen=True)
class OptionSpec:
    """One paper-vs-original difference: its allowed values and each preset's choice."""

    name: str
    values: dict[str, str]  # value -> what it means
    paper: str
    original: str

    def preset_value(self, preset: str) -> str:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}: choose paper or original")
        return self.paper if preset == "paper" else self.original


OPTION_SPECS: dict[str, OptionSpec] = {
    spec.name: spec
    for spec in (
        OptionSpec(
            "bn_momentum",
            {
                "original": "torch momentum 0.997: running stats ~ the last training batch",
                "paper": "NB101/TensorFlow decay 0.997, i.e. torch momentum 0.003",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "downsample_padding",
            {
                "original": "max-pool k2 s2 padding 1 between stages: 32->17->9",
                "paper": "max-pool k2 s2 no padding, as NB101: 32->16->8",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "op_bn_affine",
            {
                "original": "BN inside the choice-block ops is affine (the affine flag is ignored)",
                "paper": "affine-free BN inside the ops, the DARTS search convention asked for",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "data_split",
            {
                "original": "25k/25k over all 50k training images (incl. NB101 validation)",
                "paper": "20k/20k over data_batch_1..4; data_batch_5 (NB101 valid) never used",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "cutout_schedule",
            {
                "original": "cutout at the constant cutout_prob (the DARTS ramp is inert)",
                "paper": "the ramp the DARTS script logs: prob * epoch / (epochs - 1)",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "eval_augmentation",
            {
                "original": "one-shot validation sees the training augmentation",
                "paper": "one-shot validation on un-augmented (normalised) images",
            },
            paper="paper",
            original="original",
        ),
        OptionSpec(
            "cell_output",
            {
                "added": "projected input (n*C wide) added to the concat of choice blocks",
                "concat": "first-commit cell: projected input (C wide) concatenated",
            },
            paper="added",
            original="added",
        ),
        OptionSpec(
            "subnet_forward",
            {
                "masked": "Random-WS/ENAS run every op, unselected ones multiplied by 0",
                "sampled": "Random-WS/ENAS evaluate and train only the sampled ops",
            },
            paper="sampled",
            original="masked",
        ),
        OptionSpec(
            "enas_lr_schedule",
            {
                "per_batch": "ENAS child: cosine T_max=epochs stepped per minibatch (oscillates)",
                "per_epoch": "ENAS child: the DARTS cosine, one step per epoch",
            },
            paper="per_epoch",
            original="per_batch",
        ),
        OptionSpec(
            "lr_schedule",
            {
                "nominal": "epoch e trains at lr_e (torch <= 1.1 scheduler semantics)",
                "shifted": "epoch e trains at lr_(e+1) (torch >= 1.4 chainable semantics)",
            },
            paper="nominal",
            original="nominal",
        ),
    )
}


@dataclass(frozen=True)
class Options:
    """The value chosen for every `OPTION_SPECS` entry (defaults: the `original` preset)."""

    bn_momentum: str = "original"
    downsample_padding: str = "original"
    op_bn_affine: str = "original"
    data_split: str = "original"
    cutout_schedule: str = "original"
    eval_augmentation: str = "original"
    cell_output: str = "added"
    subnet_forward: str = "masked"
    enas_lr_schedule: str = "per_batch"
    lr_schedule: str = "nominal"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            allowed = OPTION_SPECS[f.name].values
            if value not in allowed:
                raise ValueError(
                    f"option {f.name}={value!r} not allowed: choose one of {', '.join(allowed)}"
                )

    @classmethod
    def preset(cls, name: str) -> Options:
        """All switches set to the `paper` or the `original` choice."""
        return cls(**{n: spec.preset_value(name) for n, spec in OPTION_SPECS.items()})

    def with_values(self, **values: str) -> Options:
        return replace(self, **values)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # Derived numbers the supernet and the data pipeline use ---------------------------------
    @property
    def torch_bn_momentum(self) -> float:
        """PyTorch's `momentum` is the weight of the new batch, TensorFlow's the decay."""
        return 0.997 if self.bn_momentum == "original" else 1.0 - 0.997

    @property
    def pool_padding(self) -> int:
        return 1 if self.downsample_padding == "original" else 0

    @property
    def affine_ops(self) -> bool:
        return self.op_bn_affine == "original"
