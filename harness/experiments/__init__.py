"""Experiment kinds: each subpackage plans, computes, plots and diffs one kind of experiment."""
