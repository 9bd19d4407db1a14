"""The paper-experiment recipes (YAML data, no code).

This file only makes the folder ship inside the `nb1s` distribution as `nb1s.recipes`, so a
plain `pip install` finds the recipes without `NB1S_RECIPES_DIR`.
"""
