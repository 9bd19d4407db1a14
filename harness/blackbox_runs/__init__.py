"""Black-box optimizer runs on NAS-Bench-101: records on disk and the curves drawn from them.

Two experiment kinds need the same black-box records: `blackbox` (Figures 5/14/15's
black-box panels on their own) and `bohb` (the same panels beside BOHB-DARTS/GDAS/PC-DARTS).
Kinds never import each other (import-linter's independence contract), so what both use
lives here, one layer below `experiments`: `objective.py` wraps the NB101 store as the
optimizer layer's `Objective`, `budget.py` sizes a grid before it runs, `grid.py` runs
optimizers x seeds into per-seed record files and verifies them, `cluster.py` groups seeds
into one Slurm job array, and `curves.py` turns records into test-regret curves.
"""
