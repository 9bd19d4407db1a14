"""Search curves (Figures 2-4, 7-9, Table 2): one-shot searches tracked against NAS-Bench-101."""
