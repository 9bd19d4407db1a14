"""nb1s: the reproducibility harness for NAS-Bench-1Shot1.

Three layers live under this one namespace, each importing only those below it:
`nb1s.enumerate` (exact combinatorics) -> `nb1s.optimizers` (torch search code)
-> `nb1s.harness` (all I/O, data, recipes, runners and the CLI).
"""

__version__ = "0.1.0"
