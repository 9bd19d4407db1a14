"""One search run: the runner behind `nb1s search`, its per-epoch tracker and the run directory it
writes.
"""
