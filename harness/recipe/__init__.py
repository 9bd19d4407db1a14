"""Recipes: the schema, YAML with source lines, the catalog, the plan of runs and the identity a
run records.
"""
