"""Two plugins for `nb1s check` (docs/verdicts.md#checking-a-plugin-on-the-cpu).

- `DartsCopy`: DARTS under another name, a copy of the baseline. On the seeds the
  reference holds it reproduces DARTS bit for bit, so `nb1s check` answers `same`.
- `PoolOnly`: a deliberately bad optimizer for trying the gate. It trains like Random-WS
  (weight sharing over uniformly sampled sub-networks) but every epoch reports the
  architecture with the most max-pooling and the fewest edges of
  the space, ignoring what it learned. NAS-Bench-101 models without convolutions are
  poor (the smoke profile's synthetic data mimic that), so `nb1s check` answers `worse`.

Use them with the folder of this file on PYTHONPATH, e.g.
`PYTHONPATH=docs/examples nb1s check check_plugins:PoolOnly --profile smoke ...`.
"""

from __future__ import annotations

from functools import cache

from nb1s.enumerate import OPS, Config, decode, get_space
from nb1s.optimizers.config.hyperparameters import Hyperparameters
from nb1s.optimizers.darts import Darts
from nb1s.optimizers.random_ws import RandomWS
from nb1s.optimizers.selection import ScreenSelector


class DartsCopy(Darts):
    name = "darts_copy"
    description = "DARTS under another name (a copy of the baseline)"


@cache
def pool_only_id(space: int) -> int:
    """The config id with the most max-pool ops, then the fewest edges (lowest id on ties)."""
    s = get_space(space)
    pool = OPS.index("maxpool3x3")

    def badness(i: int) -> tuple[int, int, int]:
        c = decode(s, i)
        return (-sum(op == pool for op in c.ops), sum(len(p) for p in c.parents), i)

    return min(range(s.num_configs), key=badness)


class PoolOnly(RandomWS):
    name = "pool_only"
    description = "trains like Random-WS, always reports a pooling-only architecture (worse)"

    def make_selector(self, hp: Hyperparameters) -> ScreenSelector:
        del hp

        def sample(search: object) -> Config:
            space = search.space  # type: ignore[attr-defined]
            return decode(space, pool_only_id(space.number))

        return ScreenSelector(sample, samples=1, batches=1, top_k=1)
