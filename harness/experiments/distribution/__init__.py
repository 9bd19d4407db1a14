"""Test-error distribution of every architecture in each space (Figure 6)."""
