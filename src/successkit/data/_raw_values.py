"""Raw values → numpy: a one-dimensional array from any sequence or frame column, and the
class of each value (missing, boolean, number, text, date) that kind inference reads.

Frame columns (pandas, polars, pyarrow) are recognised by duck typing (``to_numpy()``) and
never imported.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.kinds import Kind
from successkit.errors import DataError

__all__ = [
    "NUMBER_TYPES",
    "TEXT",
    "Context",
    "describe",
    "first_row",
    "is_missing",
    "is_whole_number",
    "local_times",
    "to_numpy",
    "value_class",
    "value_class_of_type",
]

_MISSING_TYPES = {"NoneType", "NAType", "NaTType"}
NUMBER_TYPES = (int, float, np.integer, np.floating, decimal.Decimal, fractions.Fraction)
TEXT = "text"


class Context:
    """Where a column came from, to name the first offending account in errors."""

    def __init__(self, name: str | None, ids: npt.NDArray[Any] | None) -> None:
        self.name = name
        self.ids = ids

    def error(self, message: str, row: int | None = None) -> DataError:
        if row is None:
            return DataError(message, column=self.name)
        if self.ids is not None and row < len(self.ids):
            return DataError(message, column=self.name, account=str(self.ids[row]))
        return DataError(message, column=self.name, row=row)


def to_numpy(raw: Any, ctx: Context) -> npt.NDArray[Any]:
    """A 1-d numpy array from a sequence, array or frame column (pandas/polars/pyarrow)."""
    raw = local_times(raw)
    if isinstance(raw, np.ma.MaskedArray):
        array = np.array(raw.data, dtype=object)
        array[np.ma.getmaskarray(raw)] = None
    elif isinstance(raw, np.ndarray):
        array = raw
    elif type(raw).__module__.startswith("pyarrow") and hasattr(raw, "to_numpy"):
        try:
            array = raw.to_numpy(zero_copy_only=False)
        except TypeError:  # ChunkedArray.to_numpy() takes no arguments
            array = raw.to_numpy()
        if getattr(raw, "null_count", 0) and array.dtype.kind == "O":
            # Dictionary-encoded arrays fill nulls with a real label; restore them.
            array = array.copy()
            array[np.asarray(raw.is_null())] = None
    elif hasattr(raw, "to_numpy") and not isinstance(raw, (str, bytes)):
        array = raw.to_numpy()
    elif isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        raise ctx.error(f"expected a sequence of values, got {type(raw).__name__} {raw!r}")
    else:
        items = raw if isinstance(raw, (list, tuple)) else list(raw)
        array = np.empty(len(items), dtype=object)
        array[:] = items if len(items) else []
    array = np.asarray(array)
    if array.ndim != 1:
        raise ctx.error(f"expected a one-dimensional column, got shape {array.shape}")
    return array


def local_times(raw: Any) -> Any:
    """A pyarrow or polars column of zoned timestamps as their local wall times: numpy
    would take the UTC instants, and a zoned time counts on its date in its own zone (as
    pandas' zoned timestamps do when read)."""
    module = type(raw).__module__
    if module.startswith("pyarrow") and getattr(getattr(raw, "type", None), "tz", None):
        import pyarrow.compute as pc

        return pc.local_timestamp(raw)
    if module.startswith("polars") and getattr(getattr(raw, "dtype", None), "time_zone", None):
        return raw.dt.replace_time_zone(None)
    return raw


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    if isinstance(value, str):
        return not value.strip()
    return type(value).__name__ in _MISSING_TYPES


def value_class(value: Any) -> str:
    return value_class_of_type(type(value))


def value_class_of_type(t: type) -> str:
    if issubclass(t, (bool, np.bool_)):
        return Kind.BOOLEAN.value
    if issubclass(t, NUMBER_TYPES):
        return Kind.NUMBER.value
    if issubclass(t, (str, np.str_)):
        return TEXT
    if issubclass(t, (dt.date, np.datetime64)):
        return Kind.DATE.value
    return t.__name__


def describe(value: Any) -> str:
    return f"{value_class(value)} {value!r}" if not isinstance(value, str) else repr(value)


def first_row(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def is_whole_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()
