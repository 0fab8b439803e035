"""Optional extras, imported only when a user asks for them."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]

# The extras named otherwise than the package they install (by top-level package); every
# other extra (pandas, polars, dask) has its package's name.
_EXTRAS = {"pyarrow": "arrow", "matplotlib": "plot"}


def import_optional(module: str, *, purpose: str) -> ModuleType:
    """Import an optional dependency, or raise ``ImportError`` naming the extra to install.

    Examples
    --------
    >>> import_optional("not_a_real_module", purpose="testing")
    Traceback (most recent call last):
    ...
    ImportError: testing needs the optional package 'not_a_real_module': pip install ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        extra = _EXTRAS.get(package, package)
        raise ImportError(
            f"{purpose} needs the optional package {package!r}: "
            f"pip install 'successkit[{extra}]'"
        ) from exc
