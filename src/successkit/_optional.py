"""Optional extras, imported only when a user asks for them."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]

# Which extra installs each optional module.
_EXTRAS = {
    "pandas": "pandas",
    "polars": "polars",
    "pyarrow": "arrow",
    "matplotlib": "plot",
    "matplotlib.pyplot": "plot",
    "dask": "dask",
    "dask.dataframe": "dask",
}


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
        extra = _EXTRAS.get(module, module.split(".")[0])
        raise ImportError(
            f"{purpose} needs the optional package {module.split('.')[0]!r}: "
            f"pip install 'successkit[{extra}]'"
        ) from exc
