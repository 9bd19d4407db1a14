"""Switches for the supernet's exact CPU fast paths, so benchmarks and tests can turn them off.

Each fast path gives bit-identical values and gradients to the plain code it replaces
(pinned in tests/test_search_step_levers.py); the switches exist only to measure what each
one gives (`bench/search_step.py`) and to show the equality, never as a recipe setting:
- `split_projections`: take the fused input projection's per-block parts with one
  `split` (its backward is one concatenation) instead of k + 1 slices (whose backward
  zero-fills a full-size gradient per slice and adds them up);
- `cpu_maxpool_channels_last`: run the stride-1 3x3 max-pool op on CPU in channels-last
  layout and convert back. PyTorch's channels-last CPU kernel is vectorised over channels,
  the NCHW one is not; both pick the first maximum of a window in row-major order, so
  ties send the gradient to the same input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, fields


@dataclass
class FastPaths:
    split_projections: bool = True
    cpu_maxpool_channels_last: bool = True


#: the process-wide switches the supernet reads at forward time
FAST_PATHS = FastPaths()


@contextlib.contextmanager
def fast_paths(**values: bool) -> Iterator[FastPaths]:
    """Temporarily set some switches (e.g. `fast_paths(split_projections=False)`)."""
    names = {f.name for f in fields(FastPaths)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"unknown fast path(s) {sorted(unknown)}: choose from {sorted(names)}")
    before = {name: getattr(FAST_PATHS, name) for name in values}
    try:
        for name, value in values.items():
            setattr(FAST_PATHS, name, value)
        yield FAST_PATHS
    finally:
        for name, value in before.items():
            setattr(FAST_PATHS, name, value)
