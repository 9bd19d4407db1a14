"""Correlation of one-shot and NAS-Bench-101 scores (Figures 3 and 17)."""
