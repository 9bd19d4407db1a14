"""Stable import path `nb1s.harness.nasbench` for Google's `nasbench.api`, backed by nb1s's index.

The code lives in `nb1s.harness.nb101.nasbench_api`;
users' scripts and the README import it from here, so this module *is* that
module (same object in `sys.modules`), not a copy of its names.
"""

import sys

from nb1s.harness.nb101 import nasbench_api as _target

sys.modules[__name__] = _target
