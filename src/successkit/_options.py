"""Reading a call's options: a column name, one of a few choices, a flag — each refused by
name when it is something else, so an array or a number never reaches a comparison deep
inside."""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit.errors import DataError, SuccesskitError

__all__ = ["a_name", "column_name", "flag", "one_id", "one_of", "position"]


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


def a_name(value: Any, what: str, error: type[SuccesskitError] = DataError) -> str:
    """``value`` when it is one name (text) — of a column, metric, stage or rule.

    Examples
    --------
    >>> a_name(["login_rate"], "name")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: name must be one name (text), got ['login_rate']
    """
    if not isinstance(value, str):
        raise error(f"{what} must be one name (text), got {value!r}")
    return value


def position(value: Any, size: int, what: str, hint: str = "") -> int:
    """``value`` when it is a position among ``size`` (negative from the end).

    Examples
    --------
    >>> position(-1, 3, "k")
    -1
    >>> position("2026-01-01", 3, "k", "; for a date, use on(date)")
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: k must be a position from 0 to 2, got '2026-01-01'; for a ...
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not (
            -size <= value < size):
        raise DataError(f"{what} must be a position from 0 to {size - 1}, got {value!r}{hint}")
    return int(value)


def one_id(value: Any, what: str = "account_id") -> Any:
    """``value`` when it is one id (text or a whole number), not several.

    Examples
    --------
    >>> one_id(["a", "b"])
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: account_id must be one account id, got ['a', 'b']
    """
    if not isinstance(value, str | int | np.integer | np.str_) or isinstance(value, bool):
        raise DataError(f"{what} must be one account id, got {value!r}")
    return value
