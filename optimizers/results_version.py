"""`RESULTS_VERSION`: which search results this code produces, bumped only when they change.

A run can be continued (`nb1s search --resume`) only by code that would have computed the
same numbers. The package version says nothing about that: a release that only touches
the CLI, the docs or the plots leaves every search bit-identical, and refusing to resume
its older runs would throw work away. So the resume check compares this integer instead.

Bump it in the same commit as any change under `optimizers/` (or the search data path it
is fed by) that changes what a search records for the same settings, seed and data: the
supernet, an update rule, mixing, discretization, the epoch loop, the order of random
draws. Do not bump it for refactors that keep results bit-identical, new methods or new
options whose default keeps the old behaviour.
"""

from __future__ import annotations

#: 1: the first version recorded in run.json (nb1s 0.1.0 as of issue 12).
RESULTS_VERSION = 1
