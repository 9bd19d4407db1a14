"""Black-box NAS baselines of Figures 5, 14 and 15 on NAS-Bench-101 (experiment kind `blackbox`).

`objective.py` wraps the NB101 store as the optimizer layer's `Objective`, `grid.py` runs
optimizers x seeds into per-seed record files, `curves.py` turns records into test-regret
curves (shared with the BOHB figures), `claims.py` checks the paper's statement, `plot.py`
draws one panel per space and `kind.py` is the `ExperimentKind` the registry names.
"""
