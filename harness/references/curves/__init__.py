"""Reference curves produced by real nb1s runs.

JSON files; see `nb1s.harness.experiments.search_curves.reference_curves`.

A package only so that the JSON files ship with the installed distribution.
"""
