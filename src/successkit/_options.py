"""Reading a call's options: a column name, one of a few choices, a flag — each refused by
name when it is something else, so an array or a number never reaches a comparison deep
inside."""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit.errors import DataError, SuccesskitError

__all__ = ["column_name", "flag", "one_of"]


def column_name(value: Any, what: str) -> str:
    """``value`` when it is a column's name (non-empty text).

    Examples
    --------
    >>> column_name("arr", "arr")
    'arr'
    >>> column_name(3, "account")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: account must be a column name, got 3
    """
    if not isinstance(value, str) or not value:
        raise DataError(f"{what} must be a column name, got {value!r}")
    return value


def one_of(value: Any, allowed: tuple[str, ...], what: str,
           error: type[SuccesskitError] = DataError) -> str:
    """``value`` when it is one of the texts ``allowed``.

    Examples
    --------
    >>> one_of("drop", ("error", "drop"), "duplicates")
    'drop'
    >>> one_of(["drop"], ("error", "drop"), "duplicates")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: duplicates must be one of 'error', 'drop'; got ['drop']
    """
    if not isinstance(value, str) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise error(f"{what} must be one of {shown}; got {value!r}")
    return value


def flag(value: Any, what: str, error: type[SuccesskitError] = DataError) -> bool:
    """``value`` when it is ``True`` or ``False``.

    Examples
    --------
    >>> flag("no", "contraction")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: contraction must be True or False, got 'no'
    """
    if not isinstance(value, bool | np.bool_):
        raise error(f"{what} must be True or False, got {value!r}")
    return bool(value)
