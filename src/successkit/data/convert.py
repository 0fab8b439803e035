"""Raw values → typed columns: account ids and one :class:`Column` per named column.

Values arrive as Python sequences, numpy arrays, or the columns of pandas, polars and
pyarrow tables (split off their frame by :mod:`successkit.data.read`). Frame columns are
recognised by duck typing (``to_numpy()``) and never imported, so all four inputs go through
the same numpy path here and give identical portfolios.

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

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.data._raw_values import (
    NUMBER_TYPES,
    TEXT,
    Context,
    describe,
    first_row,
    is_missing,
    is_whole_number,
    to_numpy,
    value_class,
    value_class_of_type,
)
from successkit.data.column import Column, column_of
from successkit.data.dates import parse_days
from successkit.data.kinds import Kind
from successkit.errors import DataError

__all__ = ["convert_column", "convert_columns", "convert_ids", "convert_table"]


def convert_table(
    ids: Any, raw: Mapping[str, Any], kinds: Mapping[str, Kind], *, id: str = "id"
) -> tuple[npt.NDArray[np.str_], dict[str, Column]]:
    """Account ids (the column ``id``) and the columns ``raw`` aligned with them, each read
    as its kind in ``kinds`` or as inferred.

    Examples
    --------
    >>> ids, columns = convert_table([7, "b"], {"x": ["1", None]}, {"x": Kind.NUMBER})
    >>> ids.tolist(), columns["x"].to_list()
    (['7', 'b'], [1.0, None])
    """
    account_ids = convert_ids(ids, name=id)
    against = f"the id column {id!r} has {account_ids.shape[0]}"
    return account_ids, convert_columns(raw, account_ids, kinds, against=against)


def convert_columns(
    raw: Mapping[str, Any],
    ids: npt.NDArray[np.str_],
    kinds: Mapping[str, Kind],
    *,
    against: str,
) -> dict[str, Column]:
    """Each of ``raw`` as a :class:`Column` with one value per id in ``ids``.

    ``against`` ends the message for a column of another length ("has 2 values but
    *the portfolio has 3 accounts*").
    """
    n = ids.shape[0]
    out: dict[str, Column] = {}
    for name, values in raw.items():
        column = convert_column(values, name=name, kind=kinds.get(name), ids=ids)
        if len(column) != n:
            raise DataError(f"has {len(column)} values but {against}", column=name)
        out[name] = column
    return out


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
    ctx = Context(name, ids)
    # Typed arrays first, then the column is built in one step (and read as ``kind``).
    if isinstance(raw, Column):
        column: Column = raw
    else:
        typed = _typed(to_numpy(raw, ctx), wanted, ctx)
        column = column_of(*typed)
    return column if wanted is None else column.as_kind(wanted, name=name)


# A column's kind, its values (numbers, flags, labels or days) and the missing mask where
# the values cannot carry it: what :func:`~successkit.data.column.column_of` builds from.
_Typed = tuple[Kind, npt.NDArray[Any], "npt.NDArray[np.bool_] | None"]


def _typed(array: npt.NDArray[Any], wanted: Kind | None, ctx: Context) -> _Typed:
    code = array.dtype.kind
    if code in "biuf":
        return _from_numeric(array, wanted, ctx)
    if code == "M":
        if wanted not in (None, Kind.DATE):
            raise ctx.error(f"dates cannot be read as a {wanted} column")
        return Kind.DATE, array.astype("datetime64[D]"), None
    if code in "UST":  # "T": numpy's variable-width StringDType
        return _from_objects(array.astype(object), wanted, ctx)
    if code == "O":
        return _from_objects(array, wanted, ctx)
    if code == "m":
        raise ctx.error("durations are not a column kind; convert them to a number of days")
    raise ctx.error(f"values of dtype {array.dtype} are not supported")


def _from_numeric(array: npt.NDArray[Any], wanted: Kind | None, ctx: Context) -> _Typed:
    if array.dtype.kind == "b":
        if wanted in (None, Kind.BOOLEAN):
            return Kind.BOOLEAN, array, None
        if wanted is Kind.NUMBER:
            return Kind.NUMBER, array.astype(np.float64), None
        raise ctx.error(f"boolean values cannot be read as a {wanted} column")
    numbers = array.astype(np.float64)
    infinite = np.isinf(numbers)
    if infinite.any():
        row = first_row(infinite)
        raise ctx.error(f"infinite value {numbers[row]} in a number column", row)
    if wanted in (None, Kind.NUMBER):
        return Kind.NUMBER, numbers, None
    if wanted is Kind.CATEGORY:
        missing = np.isnan(numbers)
        fractional = ~missing & (numbers != np.round(numbers))
        if fractional.any():
            row = first_row(fractional)
            raise ctx.error(f"number {numbers[row]} cannot be a category label", row)
        labels = np.where(missing, 0, numbers).astype(np.int64).astype(str).astype(object)
        labels[missing] = None
        return Kind.CATEGORY, labels, None
    raise ctx.error(f"numbers cannot be read as a {wanted} column")


def _from_objects(array: npt.NDArray[Any], wanted: Kind | None, ctx: Context) -> _Typed:
    n = array.shape[0]
    missing = np.fromiter(map(is_missing, array), dtype=np.bool_, count=n)
    present_rows = np.flatnonzero(~missing)
    present = array[present_rows]
    if not present.size:
        return _empty(wanted or Kind.NUMBER, n)
    classes = {value_class_of_type(t) for t in set(map(type, present))}
    if wanted is None:
        first = value_class(present[0])
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
            row = first_row(infinite)
            raise ctx.error(f"infinite value {values[row]} in a number column", row)
        return Kind.NUMBER, values, None
    if kind is Kind.BOOLEAN:
        flags = np.zeros(n, dtype=np.bool_)
        flags[present_rows] = present.astype(np.bool_)
        return Kind.BOOLEAN, flags, missing
    if kind is Kind.CATEGORY:
        labels = np.empty(n, dtype=object)
        labels[present_rows] = [
            str(v) if not isinstance(v, NUMBER_TYPES) else _integral_label(v, ctx, int(row))
            for v, row in zip(present, present_rows, strict=True)
        ]
        return Kind.CATEGORY, labels, missing
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    dates[present_rows] = _parse_dates(present, present_rows, ctx)
    return Kind.DATE, dates, None


def _empty(kind: Kind, n: int) -> _Typed:
    """``n`` missing values of ``kind``."""
    values: npt.NDArray[Any]
    if kind is Kind.NUMBER:
        values = np.full(n, np.nan)
    elif kind is Kind.BOOLEAN:
        values = np.zeros(n, dtype=np.bool_)
    elif kind is Kind.CATEGORY:
        values = np.full(n, None, dtype=object)
    else:
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return kind, values, np.ones(n, dtype=np.bool_)


# The kind inferred from the class of the first present value.
_INFERRED: dict[str, Kind] = {
    Kind.NUMBER.value: Kind.NUMBER,
    Kind.BOOLEAN.value: Kind.BOOLEAN,
    TEXT: Kind.CATEGORY,
    Kind.DATE.value: Kind.DATE,
}

# Which value classes a requested kind accepts: text is parsed as numbers or ISO dates,
# booleans read as 0/1 numbers, whole numbers become category labels.
_ACCEPTS: dict[Kind, set[str]] = {
    Kind.NUMBER: {Kind.NUMBER.value, TEXT, Kind.BOOLEAN.value},
    Kind.BOOLEAN: {Kind.BOOLEAN.value},
    Kind.CATEGORY: {TEXT, Kind.NUMBER.value},
    Kind.DATE: {Kind.DATE.value, TEXT},
}


def _first_offender(present: npt.NDArray[Any], allowed: set[str]) -> int:
    for i, value in enumerate(present):
        if value_class(value) not in allowed:
            return i
    raise AssertionError("no offender found")  # pragma: no cover


# What spreadsheets add to numbers: currency signs, thousands separators, percent signs.
NUMBER_MARKS = (",", "$", "€", "£", "%", " ")


def formatting_of(value: Any) -> str:
    """The marks (see ``NUMBER_MARKS``) that make ``value`` a number written as text, or
    ``""`` when it is not one.

    Examples
    --------
    >>> formatting_of("$1,234.50"), formatting_of("n/a"), formatting_of("12")
    ("',', '$'", '', '')
    """
    if not isinstance(value, str):
        return ""
    found = [mark for mark in NUMBER_MARKS if mark in value.strip()]
    bare = value
    for mark in found:
        bare = bare.replace(mark, "")
    try:
        float(bare)
    except ValueError:
        return ""
    return ", ".join(repr(mark) for mark in found)


def _non_numeric(value: Any) -> str:
    message = f"non-numeric value {value!r} in a number column"
    marks = formatting_of(value)
    if marks:
        # Which of ',' and '.' is the decimal mark differs by country: not guessed.
        message += (f": a number written with {marks}; remove such marks first (pandas: "
                    "column.str.replace(r'[$€£%, ]', '', regex=True))")
        if "','" in marks:
            message += ", minding whether ',' separates thousands or is the decimal mark"
    return message


def _mismatch_message(value: Any, kind: Kind) -> str:
    found = value_class(value)
    if kind is Kind.NUMBER and found == TEXT:
        try:
            float(value)
        except ValueError:
            return _non_numeric(value)
        return f"text {value!r} in a number column (ask for kind 'number' to parse numbers)"
    if kind is Kind.DATE and found == TEXT:
        return f"text {value!r} in a date column (ask for kind 'date' to parse ISO dates)"
    return f"mixed types: {found} {value!r} in a {kind} column"


def _parse_numbers(
    present: npt.NDArray[Any], rows: npt.NDArray[np.intp], ctx: Context
) -> npt.NDArray[np.float64]:
    try:
        return present.astype(np.float64)
    except (TypeError, ValueError):
        for value, row in zip(present, rows, strict=True):
            try:
                float(value)
            except (TypeError, ValueError):
                raise ctx.error(_non_numeric(value), int(row)) from None
        raise  # pragma: no cover


def _integral_label(value: Any, ctx: Context, row: int) -> str:
    number = float(value)
    # Infinity and NaN (a Decimal NaN is not missing to the reader) have no whole value.
    if not math.isfinite(number) or number != round(number):
        raise ctx.error(f"number {value!r} cannot be a category label", row)
    return str(int(number))


def _parse_dates(
    present: npt.NDArray[Any], rows: npt.NDArray[np.intp], ctx: Context
) -> npt.NDArray[Any]:
    days, bad = parse_days(present)
    if bad is not None:
        text = str(present[bad])
        raise ctx.error(f"unparseable date {text!r} (expected ISO YYYY-MM-DD)", int(rows[bad]))
    return days


def convert_ids(raw: Any, *, name: str = "id") -> npt.NDArray[np.str_]:
    """Account ids as a numpy array of ``str``; whole numbers become text (``7`` → ``"7"``).

    The array is never the caller's (nor a view of their frame's memory): what they do to
    theirs afterwards cannot reach it. A read-only array that owns its data — the ids of a
    portfolio or result — is taken as it is, since nobody can write to it.

    Missing ids, other value types and duplicates are :class:`~successkit.DataError`.

    Examples
    --------
    >>> raw = np.array(["a", "b"])
    >>> ids = convert_ids(raw)
    >>> raw[0] = "z"
    >>> ids.tolist()
    ['a', 'b']
    """
    array = to_numpy(raw, Context(name, None))
    if array.dtype.kind == "T":  # numpy's variable-width StringDType
        array = array.astype(object)
    code = array.dtype.kind
    if code in "iu":
        ids = array.astype(str)
    elif code == "U":
        empty = np.char.str_len(np.char.strip(array)) == 0
        if empty.any():
            raise DataError("missing account id", column=name, row=first_row(empty))
        # The only branch that can hand back the input's own memory: copy it unless it is
        # frozen, so that hot paths re-reading a portfolio's ids do not copy them again.
        ids = array if _frozen(array) else array.copy()
    elif code in "fO":
        objects = array.astype(object)
        missing = np.fromiter(map(is_missing, objects), dtype=np.bool_, count=len(objects))
        if missing.any():
            raise DataError("missing account id", column=name, row=first_row(missing))
        labels = []
        for row, value in enumerate(objects):
            if isinstance(value, (str, np.str_)):
                labels.append(str(value))
            elif is_whole_number(value):
                labels.append(str(int(value)))
            else:
                raise DataError(
                    f"account ids must be text or whole numbers, got {describe(value)}",
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


def _frozen(array: npt.NDArray[Any]) -> bool:
    """Whether nobody can write to ``array``: read-only, and owning its memory (a read-only
    view of a writeable array still changes when that array does)."""
    return not array.flags.writeable and bool(array.flags.owndata)
