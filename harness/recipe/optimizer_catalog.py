"""Which optimizers `nb1s search` can run, and loading a user's optimizer by import path.

A recipe may name an optimizer this installation does not have (e.g. a plugin's): planning
asks here and lists those variants as "cannot run yet" instead of failing. A user's optimizer
is given as `package.module:Class` (a `OneShotMethod` subclass); it is imported and added
to the registry in whichever process runs the search (see `plugin_search`).
"""

from __future__ import annotations

import importlib
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


def load_plugin(path: str) -> Any:
    """Import `package.module:Class` and register it; returns the class."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise UserError(f"{path!r} is not an import path of the form package.module:Class")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"cannot import optimizer {path!r}: {exc}") from None
    from nb1s.optimizers import METHODS, OneShotMethod, register_method

    if not (isinstance(cls, type) and issubclass(cls, OneShotMethod)):
        raise UserError(f"{path} is not a subclass of nb1s.optimizers.OneShotMethod")
    if METHODS.get(cls.name) is not cls:
        register_method(cls)
    return cls
