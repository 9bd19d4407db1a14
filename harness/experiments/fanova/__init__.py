"""Figure 16: fANOVA of the CS2 DARTS BOHB evaluations, per space and budget (kind `fanova`)."""
