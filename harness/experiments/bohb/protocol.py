"""The paper-vs-original switches of recipes/fig5.yaml as one typed value.

Each field changes what runs or how it is read: `cutout_applied` and `cs3_extra_applied`
change the `nb1s search` command of every evaluation, `nb101_repeat` the loss BOHB sees,
`gdas_arch_grad_clip` GDAS's architecture clip under CS3, `incumbent`, `time_axis`,
`regret_reference`, `left_edge`, `evaluation_order` and `band` the curves of Figures 5, 14 and 15.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from nb1s.harness.errors import UserError

CHOICES: dict[str, tuple[Any, ...]] = {
    "cutout_applied": (True, False),
    "cs3_extra_hyperparameters_applied": (True, False),
    "nb101_repeat": ("mean", "one_random"),
    "incumbent": ("best_validation", "test_oracle"),
    "time_axis": ("sequential_sum", "parallel_workers"),
    "regret_reference": ("min_of_means", "published_constants"),
    "left_edge": ("backfill", "blank"),
    "evaluation_order": ("finish_plus_train", "log"),
    "gdas_arch_grad_clip": ("tied", "fixed"),
    "band": ("std", "2sem"),
}

#: how the x axis of Figures 5/14/15 names each time axis (the plot says which it shows)
TIME_AXIS_LABELS = {
    "sequential_sum": "simulated wall-clock time, all evaluations summed sequentially [s]",
    "parallel_workers": "simulated wall-clock time on the run's parallel workers [s] "
                        "(not the paper's axis)",
}


@dataclass(frozen=True)
class BohbProtocol:
    """One choice per difference between the paper and the shipped BOHB worker."""

    cutout_applied: bool = True
    cs3_extra_hyperparameters_applied: bool = True
    nb101_repeat: str = "mean"
    incumbent: str = "best_validation"
    time_axis: str = "sequential_sum"
    regret_reference: str = "min_of_means"
    left_edge: str = "backfill"
    evaluation_order: str = "finish_plus_train"
    #: GDAS's architecture-gradient clip when BOHB tunes `grad_clip` (CS3): `tied` to it,
    #: as the released GDAS's one `--grad_clip` clips both, or `fixed` at GDAS's default 5
    gdas_arch_grad_clip: str = "tied"
    band: str = "std"

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UserError(f"{name}={getattr(self, name)!r}: choose one of "
                                f"{', '.join(map(str, allowed))}")

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> BohbProtocol:
        """The switches of a resolved recipe (`Plan.settings`)."""
        return cls(**{name: settings[name] for name in CHOICES if name in settings})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
