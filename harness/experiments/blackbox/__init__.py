"""Black-box NAS baselines of Figures 5, 14 and 15 on NAS-Bench-101 (experiment kind `blackbox`).

The runs themselves (objective, budget, grid, cluster, curves) live in
`harness/blackbox_runs/`, below every kind, because the `bohb` kind draws the same curves;
here `claims.py` checks the paper's statement, `plot.py` draws one panel per space and
`kind.py` is the `ExperimentKind` the registry names.
"""
