"""Build the compiled enumerator core; all other metadata lives in pyproject.toml.

The top-level folders `enumerate/`, `harness/` and `optimizers/` are exposed as
`nb1s.enumerate`, `nb1s.harness` and `nb1s.optimizers` through the links in `nb1s/`,
so the installed distribution has exactly one top-level package, `nb1s`.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension(
        "nb1s.enumerate._core",
        ["nb1s/enumerate/_core.pyx"],
        extra_compile_args=["-O3"],
    )
]

setup(ext_modules=cythonize(extensions, language_level=3, compiler_directives={
    "boundscheck": False, "wraparound": False, "cdivision": True, "initializedcheck": False,
}))
