"""The supernet's error on fixed architectures (paper §5.2, Figure 3;
docs/original-code.md#correlation-evaluation).

The correlation study asks how well the trained one-shot model ranks architectures: each
architecture gets mixing weights that select it, and the supernet (shared weights, eval
mode) classifies the given batches. Two weight modes, as in the released code:

- `exact`: 0/1 weights, only the architecture's edges and ops (how Random-WS runs were
  evaluated; unselected ops are skipped, which in eval mode changes nothing).
- `normalized`: a node's (and the output's) parents each weigh 1/(number of parents), and
  the ops of a block weigh softmax(one-hot), about (0.576, 0.212, 0.212), so all three
  ops still contribute (how DARTS, GDAS and PC-DARTS runs were evaluated).

The released script also dropped the node-4 -> output edge for spaces 1 and 2 (a bug in
undoing its matrix upscaling); that defect is not reproduced here.
No files, no NAS-Bench-101: the harness hands in the model, config ids and batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch

from nb1s.enumerate import Config, SearchSpace, decode

from .mixing import CellWeights
from .subnetwork import subnet_weights
from .supernet import Supernet

WeightMode = Literal["exact", "normalized"]
WEIGHT_MODES: tuple[WeightMode, ...] = ("exact", "normalized")


def fixed_cell_weights(space: SearchSpace, config: Config, mode: WeightMode,
                  device: torch.device | str = "cpu") -> CellWeights:
    """The `CellWeights` that select `config` in `mode` (see module docstring).

    Built by `subnetwork.subnet_weights`, the one constructor of architecture weights, so
    the correlation study and the searches select an architecture the same way.
    """
    if mode not in WEIGHT_MODES:
        raise ValueError(f"unknown weight mode {mode!r}: one of {WEIGHT_MODES}")
    return subnet_weights(space, config, hard_ops=mode == "exact", device=device,
                          normalized=mode == "normalized")


@torch.no_grad()
def architecture_errors(model: Supernet, space: SearchSpace, config_ids: Sequence[int],
                        batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
                        mode: WeightMode) -> npt.NDArray[np.float64]:
    """Top-1 error of the supernet on `batches` for each config id, in eval mode.

    Every architecture sees the same batches (the caller fixes them, e.g. the whole test
    set), so the errors are comparable across architectures.
    """
    if not batches:
        raise ValueError("no batches to evaluate on")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    errors = np.empty(len(config_ids), dtype=np.float64)
    try:
        for i, config_id in enumerate(config_ids):
            weights = fixed_cell_weights(space, decode(space, int(config_id)), mode, device)
            cells = [weights] * model.layers
            wrong = torch.zeros((), dtype=torch.int64, device=device)
            total = 0
            for x, y in batches:
                wrong += (model(x, cells).argmax(dim=1) != y).sum()
                total += len(y)
            errors[i] = float(wrong.item()) / total
    finally:
        model.train(was_training)
    return errors
