"""The paper-vs-original switches of recipes/fig5.yaml as one typed value.

Each field changes what runs or how it is read: `cutout_applied` and `cs3_extra_applied`
change the `nb1s search` command of every evaluation, `nb101_repeat` the loss BOHB sees,
`incumbent`, `time_axis` and `band` the curves of Figures 5, 14 and 15.
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
    "time_axis": ("search_plus_train", "sequential_sum"),
    "band": ("std", "2sem"),
}


@dataclass(frozen=True)
class BohbProtocol:
    """One choice per difference between the paper and the shipped BOHB worker."""

    cutout_applied: bool = True
    cs3_extra_hyperparameters_applied: bool = True
    nb101_repeat: str = "mean"
    incumbent: str = "best_validation"
    time_axis: str = "search_plus_train"
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
