"""Table 1: the search-space counts re-derived by the enumerator."""
