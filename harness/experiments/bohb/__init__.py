"""BOHB over the one-shot searches: Figures 5, 14 and 15 (recipe kind `bohb`)."""
