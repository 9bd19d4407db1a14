"""Stable import path `nb1s.harness.store` for the memory-mapped NAS-Bench-101 index.

The code lives in `nb1s.harness.nb101.store`;
users' scripts and the README import it from here, so this module *is* that
module (same object in `sys.modules`), not a copy of its names.
"""

import sys

from nb1s.harness.nb101 import store as _target

sys.modules[__name__] = _target
