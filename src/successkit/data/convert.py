"""Raw input → typed columns.

Input arrives as Python sequences, numpy arrays, or the columns of pandas, polars and
pyarrow tables. Frames are recognised by duck typing (``.column_names`` or ``.columns`` plus
item access, and ``to_numpy()`` on their columns) and never imported, so all four inputs go
through the same numpy path here and give identical portfolios.

Kinds are inferred from the values unless the caller names them:

* numbers (ints, floats) → ``number``; ``bool`` → ``boolean``; text → ``category``;
  ``date`` / ``datetime`` / ``datetime64`` → ``date``;
* ``None``, NaN, NaT and pandas' ``NA`` are missing; empty text is missing;
* a column with no values at all is a ``number`` column (an all-missing column fits any kind
  where a model asks for one);
* asking for ``date`` parses ISO 8601 text, asking for ``number`` parses numeric text, asking
  for ``category`` turns whole numbers into labels (``7`` → ``"7"``).

Anything else — a number column with non-numeric text, mixed types, infinite numbers, an
unparseable date — is a :class:`~successkit.DataError` naming the column and the first
offending account.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data.column import Column
from successkit.data.kinds import Kind
from successkit.errors import DataError

__all__ = ["convert_column", "convert_ids", "read_columns"]

_MISSING_TYPES = {"NoneType", "NAType", "NaTType"}
_NUMBER_TYPES = (int, float, np.integer, np.floating, decimal.Decimal, fractions.Fraction)
_TEXT = "text"


def read_columns(data: Any) -> dict[str, Any]:
    """The named columns of a mapping or a data frame, in order, without copying.

    Recognises a mapping of name → sequence, a pyarrow ``Table`` (``column_names``) and
    pandas / polars frames (``columns`` plus ``frame[name]``).
    """
    if isinstance(data, Mapping):
        names = list(data.keys())
        getter: Callable[[Any], Any] = data.__getitem__
    elif hasattr(data, "column_names") and hasattr(data, "column"):
        names = list(data.column_names)
        getter = data.column
    elif hasattr(data, "columns") and hasattr(data, "__getitem__"):
        names = list(data.columns)
        getter = data.__getitem__
    else:
        raise DataError(
            "expected a mapping of column name to values, or a pandas, polars or pyarrow "
            f"table; got {type(data).__name__}"
        )
    for name in names:
        if not isinstance(name, str):
            raise DataError(f"column names must be text, got {type(name).__name__} {name!r}")
    if len(set(names)) != len(names):
        seen: set[str] = set()
        duplicate = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise DataError("the column name appears twice", column=duplicate)
    return {name: getter(name) for name in names}


class _Context:
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


def _to_numpy(raw: Any, ctx: _Context) -> npt.NDArray[Any]:
    """A 1-d numpy array from a sequence, array or frame column (pandas/polars/pyarrow)."""
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


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    if isinstance(value, str):
        return not value.strip()
    return type(value).__name__ in _MISSING_TYPES


def _value_class(value: Any) -> str:
    return _value_class_of_type(type(value))


def _value_class_of_type(t: type) -> str:
    if issubclass(t, (bool, np.bool_)):
        return Kind.BOOLEAN.value
    if issubclass(t, _NUMBER_TYPES):
        return Kind.NUMBER.value
    if issubclass(t, (str, np.str_)):
        return _TEXT
    if issubclass(t, (dt.date, np.datetime64)):
        return Kind.DATE.value
    return t.__name__


def _describe(value: Any) -> str:
    return f"{_value_class(value)} {value!r}" if not isinstance(value, str) else repr(value)


def convert_column(
    raw: Any,
    *,
    name: str | None = None,
    kind: Kind | str | None = None,
    ids: npt.NDArray[Any] | None = None,
) -> Column:
    """Convert raw values to a :class:`Column`, inferring the kind unless ``kind`` is given.

    ``name`` and ``ids`` only serve error messages: a :class:`~successkit.DataError` names
    the column and the account at the first offending row.

    Examples
    --------
    >>> convert_column([0.5, None, 2]).to_list()
    [0.5, None, 2.0]
    >>> convert_column(["2026-04-01", ""], kind="date").to_list()
    [datetime.date(2026, 4, 1), None]
    >>> convert_column([0.5, "n/a"], name="login_rate", ids=["a", "b"])
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: column 'login_rate', account 'b': non-numeric value 'n/a' ...
    """
    wanted = None if kind is None else Kind(kind)
    ctx = _Context(name, ids)
    if isinstance(raw, Column):
        return raw if wanted is None else raw.as_kind(wanted, name=name)
    array = _to_numpy(raw, ctx)
    code = array.dtype.kind
    if code in "biuf":
        return _from_numeric(array, wanted, ctx)
    if code == "M":
        if wanted not in (None, Kind.DATE):
            raise ctx.error(f"dates cannot be read as a {wanted} column")
        return Column.date(array.astype("datetime64[D]"))
    if code in "UST":  # "T": numpy's variable-width StringDType
        return _from_objects(array.astype(object), wanted, ctx)
    if code == "O":
        return _from_objects(array, wanted, ctx)
    if code == "m":
        raise ctx.error("durations are not a column kind; convert them to a number of days")
    raise ctx.error(f"values of dtype {array.dtype} are not supported")


def _first(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def _from_numeric(array: npt.NDArray[Any], wanted: Kind | None, ctx: _Context) -> Column:
    if array.dtype.kind == "b":
        if wanted in (None, Kind.BOOLEAN):
            return Column.boolean(array)
        if wanted is Kind.NUMBER:
            return Column.number(array.astype(np.float64))
        raise ctx.error(f"boolean values cannot be read as a {wanted} column")
    numbers = array.astype(np.float64)
    infinite = np.isinf(numbers)
    if infinite.any():
        row = _first(infinite)
        raise ctx.error(f"infinite value {numbers[row]} in a number column", row)
    if wanted in (None, Kind.NUMBER):
        return Column.number(numbers)
    if wanted is Kind.CATEGORY:
        missing = np.isnan(numbers)
        fractional = ~missing & (numbers != np.round(numbers))
        if fractional.any():
            row = _first(fractional)
            raise ctx.error(f"number {numbers[row]} cannot be a category label", row)
        labels = np.where(missing, 0, numbers).astype(np.int64).astype(str).astype(object)
        labels[missing] = None
        return Column.from_labels(labels)
    raise ctx.error(f"numbers cannot be read as a {wanted} column")


def _from_objects(array: npt.NDArray[Any], wanted: Kind | None, ctx: _Context) -> Column:
    n = array.shape[0]
    missing = np.fromiter(map(_is_missing, array), dtype=np.bool_, count=n)
    present_rows = np.flatnonzero(~missing)
    present = array[present_rows]
    if not present.size:
        return Column.empty(wanted or Kind.NUMBER, n)
    classes = {_value_class_of_type(t) for t in set(map(type, present))}
    if wanted is None:
        first = _value_class(present[0])
        if first not in _INFERRED:
            raise ctx.error(
                f"value {present[0]!r} of type {type(present[0]).__name__} is not a number, "
                "boolean, text or date",
                int(present_rows[0]),
            )
        kind, allowed = _INFERRED[first], {first}
    else:
        kind, allowed = wanted, _ACCEPTS[wanted]
    if not classes <= allowed:
        at = _first_offender(present, allowed)
        raise ctx.error(_mismatch_message(present[at], kind), int(present_rows[at]))
    if kind is Kind.NUMBER:
        values = np.full(n, np.nan)
        values[present_rows] = _parse_numbers(present, present_rows, ctx)
        infinite = np.isinf(values)
        if infinite.any():
            row = _first(infinite)
            raise ctx.error(f"infinite value {values[row]} in a number column", row)
        return Column.number(values)
    if kind is Kind.BOOLEAN:
        flags = np.zeros(n, dtype=np.bool_)
        flags[present_rows] = present.astype(np.bool_)
        return Column.boolean(flags, missing)
    if kind is Kind.CATEGORY:
        labels = np.empty(n, dtype=object)
        labels[present_rows] = [
            str(v) if not isinstance(v, _NUMBER_TYPES) else _integral_label(v, ctx, int(row))
            for v, row in zip(present, present_rows, strict=True)
        ]
        return Column.from_labels(labels, missing)
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    dates[present_rows] = _parse_dates(present, present_rows, ctx)
    return Column.date(dates)


# The kind inferred from the class of the first present value.
_INFERRED: dict[str, Kind] = {
    Kind.NUMBER.value: Kind.NUMBER,
    Kind.BOOLEAN.value: Kind.BOOLEAN,
    _TEXT: Kind.CATEGORY,
    Kind.DATE.value: Kind.DATE,
}

# Which value classes a requested kind accepts: text is parsed as numbers or ISO dates,
# booleans read as 0/1 numbers, whole numbers become category labels.
_ACCEPTS: dict[Kind, set[str]] = {
    Kind.NUMBER: {Kind.NUMBER.value, _TEXT, Kind.BOOLEAN.value},
    Kind.BOOLEAN: {Kind.BOOLEAN.value},
    Kind.CATEGORY: {_TEXT, Kind.NUMBER.value},
    Kind.DATE: {Kind.DATE.value, _TEXT},
}


def _first_offender(present: npt.NDArray[Any], allowed: set[str]) -> int:
    for i, value in enumerate(present):
        if _value_class(value) not in allowed:
            return i
    raise AssertionError("no offender found")  # pragma: no cover


def _mismatch_message(value: Any, kind: Kind) -> str:
    found = _value_class(value)
    if kind is Kind.NUMBER and found == _TEXT:
        try:
            float(value)
        except ValueError:
            return f"non-numeric value {value!r} in a number column"
        return f"text {value!r} in a number column (ask for kind 'number' to parse numbers)"
    if kind is Kind.DATE and found == _TEXT:
        return f"text {value!r} in a date column (ask for kind 'date' to parse ISO dates)"
    return f"mixed types: {found} {value!r} in a {kind} column"


def _parse_numbers(
    present: npt.NDArray[Any], rows: npt.NDArray[np.intp], ctx: _Context
) -> npt.NDArray[np.float64]:
    try:
        return present.astype(np.float64)
    except (TypeError, ValueError):
        for value, row in zip(present, rows, strict=True):
            try:
                float(value)
            except (TypeError, ValueError):
                raise ctx.error(
                    f"non-numeric value {value!r} in a number column", int(row)
                ) from None
        raise  # pragma: no cover


def _integral_label(value: Any, ctx: _Context, row: int) -> str:
    number = float(value)
    if number != round(number):
        raise ctx.error(f"number {value!r} cannot be a category label", row)
    return str(int(number))


def _parse_dates(
    present: npt.NDArray[Any], rows: npt.NDArray[np.intp], ctx: _Context
) -> npt.NDArray[Any]:
    out = np.empty(present.shape[0], dtype="datetime64[D]")
    texts = np.fromiter((isinstance(v, str) for v in present), dtype=np.bool_, count=len(present))
    if texts.any():
        unique, inverse = np.unique(present[texts].astype(str), return_inverse=True)
        parsed = np.empty(unique.shape[0], dtype="datetime64[D]")
        text_rows = rows[texts]
        for i, text in enumerate(unique.tolist()):
            day = _iso_day(text)
            if day is None:
                row = int(text_rows[_first(inverse == i)])
                raise ctx.error(f"unparseable date {text!r} (expected ISO YYYY-MM-DD)", row)
            parsed[i] = day
        out[texts] = parsed[inverse]
    others = ~texts
    if others.any():
        out[others] = np.array(
            [_day_of(v) for v in present[others]], dtype="datetime64[D]"
        )
    return out


def _iso_day(text: str) -> Any:
    text = text.strip()
    try:
        return np.datetime64(dt.date.fromisoformat(text), "D")
    except ValueError:
        pass
    try:
        return np.datetime64(dt.datetime.fromisoformat(text).date(), "D")
    except ValueError:
        return None


def _day_of(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]")
    if isinstance(value, dt.datetime):
        return np.datetime64(value.date(), "D")
    return np.datetime64(value, "D")


def _is_whole_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()


def convert_ids(raw: Any, *, name: str = "id") -> npt.NDArray[np.str_]:
    """Account ids as a numpy array of ``str``; whole numbers become text (``7`` → ``"7"``).

    Missing ids, other value types and duplicates are :class:`~successkit.DataError`.
    """
    array = _to_numpy(raw, _Context(name, None))
    if array.dtype.kind == "T":  # numpy's variable-width StringDType
        array = array.astype(object)
    code = array.dtype.kind
    if code in "iu":
        ids = array.astype(str)
    elif code == "U":
        ids = array
        empty = np.char.str_len(np.char.strip(ids)) == 0
        if empty.any():
            raise DataError("missing account id", column=name, row=_first(empty))
    elif code in "fO":
        objects = array.astype(object)
        missing = np.fromiter(map(_is_missing, objects), dtype=np.bool_, count=len(objects))
        if missing.any():
            raise DataError("missing account id", column=name, row=_first(missing))
        labels = []
        for row, value in enumerate(objects):
            if isinstance(value, (str, np.str_)):
                labels.append(str(value))
            elif _is_whole_number(value):
                labels.append(str(int(value)))
            else:
                raise DataError(
                    f"account ids must be text or whole numbers, got {_describe(value)}",
                    column=name,
                    row=row,
                )
        ids = np.asarray(labels, dtype=str) if labels else np.zeros(0, dtype=str)
    else:
        raise DataError(
            f"account ids must be text or whole numbers, not {array.dtype}", column=name
        )
    ids = np.asarray(ids, dtype=str)
    if not ids.size:
        return np.zeros(0, dtype="<U1")
    return ids


def first_duplicate(
    ids: npt.NDArray[np.str_], order: npt.NDArray[np.intp]
) -> tuple[int, int] | None:
    """Rows ``(first, again)`` of the earliest repeated id, or ``None`` when ids are unique.

    ``order`` is the stable argsort of ``ids`` (the caller keeps it as its lookup index).
    """
    if ids.size < 2:
        return None
    ordered = ids[order]
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1])
    if not repeat.size:
        return None
    again_rows = order[repeat + 1]
    k = int(np.argmin(again_rows))
    again = int(again_rows[k])
    first = int(order[np.searchsorted(ordered, ordered[repeat[k]])])
    return first, again
