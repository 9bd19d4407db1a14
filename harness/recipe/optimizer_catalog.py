"""Which optimizers `nb1s search` can run, and loading a user's optimizer by import path.

A recipe may name an optimizer this installation does not have (e.g. a plugin's): planning
asks here and lists those variants as "cannot run yet" instead of failing. A user's optimizer
is given as `package.module:Class` (a `OneShotMethod` subclass); it is imported and added
to the registry in whichever process runs the search (see `plugin_search`).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from nb1s.harness.errors import UserError


def builtin_optimizers() -> list[str]:
    """Registered optimizer names (imports torch: call only from commands that run)."""
    from nb1s.optimizers import method_names

    return method_names()


def availability(name: str) -> str | None:
    """None when `name` is registered, else the reason it cannot run."""
    names = builtin_optimizers()
    if name in names:
        return None
    return f"optimizer {name!r} is not implemented in nb1s yet (available: {', '.join(names)})"


def registered_spelling(name: str) -> str:
    """The registered name that `name` matches case-insensitively (unique), else `name`."""
    names = builtin_optimizers()
    if name in names:
        return name
    folded = [known for known in names if known.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else name


def load_plugin(path: str) -> Any:
    """Import `package.module:Class` and register it; returns the class."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise UserError(f"{path!r} is not an import path of the form package.module:Class")
    try:
        module = _import_user_module(module_name)
        cls = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"cannot import optimizer {path!r}: {exc}"
                        f"{_path_hint(exc, module_name)}") from None
    from nb1s.optimizers import METHODS, OneShotMethod, register_method

    if not (isinstance(cls, type) and issubclass(cls, OneShotMethod)):
        raise UserError(f"{path} is not a subclass of nb1s.optimizers.OneShotMethod")
    if METHODS.get(cls.name) is not cls:
        register_method(cls)
    return cls


def _import_user_module(module_name: str) -> Any:
    """Import a user's module, also from the current folder.

    `python -m ...` puts the current folder on the import path, the `nb1s` console script
    does not; so `nb1s check my_nas.snas_like:SoftGumbel`, run where `my_nas/` is, used to
    fail unless `PYTHONPATH=.` was set. When the top-level package is in the current
    folder it is now imported from there, and the folder is added to `PYTHONPATH` so that
    the search processes started for the check import it too (one line on stderr says so).
    """
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        top = module_name.split(".")[0]
        here = Path.cwd()
        if exc.name != top or not ((here / top).is_dir() or (here / f"{top}.py").is_file()):
            raise
        sys.path.insert(0, str(here))
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(here), os.environ.get("PYTHONPATH", "")) if p)
        importlib.invalidate_caches()
        module = importlib.import_module(module_name)
        print(f"nb1s: imported {top!r} from the current folder {here} (added to PYTHONPATH "
              f"for the runs)", file=sys.stderr)
        return module


def _path_hint(exc: Exception, module_name: str) -> str:
    """How to make a user's package importable, when its top-level package was not found
    (not when the package itself imports something missing)."""
    if not isinstance(exc, ModuleNotFoundError) or exc.name != module_name.split(".")[0]:
        return ""
    return (f" (run nb1s from the folder that holds {exc.name!r}, or add that folder to "
            f"PYTHONPATH: PYTHONPATH=/path/to/folder nb1s ...)")
