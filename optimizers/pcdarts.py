"""PC-DARTS (Xu et al., 2020): DARTS with partial channels (first C/4) and channel shuffle.

As in the original benchmark code: K = 4, no random channel mask, the DARTS architect and
the DARTS defaults (not the official PC-DARTS batch 256 / lr 0.1), 100 epochs by default.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .config.method_defaults import builtin_defaults
from .registry import OneShotMethod, register_method


@register_method
class PcDarts(OneShotMethod):
    name = "pcdarts"
    description = "PC-DARTS, partial channels K=4 with channel shuffle"
    defaults: ClassVar[dict[str, Any]] = builtin_defaults("pcdarts")
