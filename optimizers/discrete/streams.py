"""Per-seed random streams: every draw of a black-box run comes from its seed.

The original seeded only numpy's global RNG, so Python's `random` (NB101 repeats, RE
tournaments), hyperopt and SMAC ran unseeded (docs/original-code.md#unseeded-randomness). Here each
seed owns one numpy `Generator` per optimizer and purpose, made from
``SeedSequence([seed, optimizer, purpose])`` (the optimizer's name as an integer).

Why the optimizer is part of the key: with one stream per (seed, purpose) shared by every
optimizer, RE's random initial population was RS's first 100 architectures in every seed
and REINFORCE sampled RS's architecture in most steps, so RS, RL and early RE drew as one
line in Figures 5/14/15 (common random numbers). Each optimizer now has its own numbers,
and a seed still reproduces its run exactly. Lock-step
optimizers draw each seed's uniforms for the whole run up front from that seed's own
generator and stack them to [seeds, ...]; so seed s of a batch sees exactly the numbers a
run of seed s alone sees, and the optimizer itself is then pure array arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: purposes: the optimizer's own decisions, NB101 repeat draws, the library's RNG
DECISIONS = 0
REPEATS = 1
LIBRARY = 2


def check_seeds(seeds: Sequence[int] | npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Seeds as an int64 array; refuses negatives, duplicates and an empty list."""
    arr = np.atleast_1d(np.asarray(seeds, dtype=np.int64))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("give at least one seed")
    if (arr < 0).any():
        raise ValueError("seeds must be non-negative integers")
    if np.unique(arr).size != arr.size:
        raise ValueError("seeds must be distinct")
    return arr


def optimizer_key(optimizer: str) -> int:
    """The optimizer's name as the integer a SeedSequence takes (its ASCII bytes)."""
    if not optimizer or not optimizer.isascii():
        raise ValueError(f"optimizer name {optimizer!r}: give a non-empty ASCII name")
    return int.from_bytes(optimizer.encode("ascii"), "big")


def generator(seed: int, purpose: int, optimizer: str) -> np.random.Generator:
    """The generator of one seed, one optimizer and one purpose."""
    return np.random.default_rng(np.random.SeedSequence(
        [int(seed), optimizer_key(optimizer), int(purpose)]))


def generators(seeds: npt.ArrayLike, purpose: int,
               optimizer: str) -> list[np.random.Generator]:
    return [generator(int(s), purpose, optimizer) for s in np.asarray(seeds).ravel()]


def predraw(gens: Sequence[np.random.Generator], shape: tuple[int, ...]) -> FloatArray:
    """Uniforms [len(gens), *shape]: each generator's next block, stacked.

    Each generator fills its own row of one preallocated array (`out=`): the same numbers
    as ``np.stack([g.random(shape) ...])`` without a temporary per seed and the copy.
    """
    out = np.empty((len(gens), *shape))
    for gen, row in zip(gens, out, strict=True):
        gen.random(out=row)
    return out


def categorical(uniforms: FloatArray, cardinalities: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Uniform categorical indices from uniforms in [0, 1): floor(u * n), broadcast on n."""
    card = np.asarray(cardinalities, dtype=np.int64)
    return np.minimum((uniforms * card).astype(np.int64), card - 1)
