"""Guards against losing work: folder locks, results-folder ownership, Ctrl-C handling."""
