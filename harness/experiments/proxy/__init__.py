"""Correlation between proxy and full NAS-Bench-101 budgets."""
