"""Frames, mappings, records and accounts → ids and typed columns: the one reading pass.

:class:`~successkit.Portfolio`, :class:`~successkit.History`, the events and contracts
tables and every model read their input here: :func:`read_columns` splits a frame or
mapping into named columns (without copying), the caller's kinds are checked, and
:mod:`successkit.data.convert` turns the values into typed columns, one column at a time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._options import column_name
from successkit.data.account import Account
from successkit.data.column import Column
from successkit.data.convert import convert_columns, convert_table
from successkit.data.kinds import Kind, kind_of
from successkit.errors import DataError, did_you_mean_suffix

__all__ = [
    "is_table",
    "listed",
    "not_the_input",
    "plain_name",
    "read_accounts",
    "read_columns",
    "read_kinds",
    "read_records",
    "read_table",
    "read_table_columns",
    "read_typed",
    "typed_columns",
]


def _table_kind(data: Any) -> str | None:
    """Which kind of table ``data`` is — ``"mapping"``, ``"arrow"`` (a pyarrow ``Table``)
    or ``"frame"`` (pandas, polars) — by duck typing, so nothing optional is imported;
    ``None`` for anything else."""
    if isinstance(data, Mapping):
        return "mapping"
    if hasattr(data, "column_names") and hasattr(data, "column"):
        return "arrow"
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):
        return "frame"
    return None


def is_table(data: Any) -> bool:
    """Whether :func:`read_columns` reads ``data``: a mapping of columns, or a pandas,
    polars or pyarrow table.

    Examples
    --------
    >>> is_table({"id": ["a"]}), is_table([1, 2])
    (True, False)
    """
    return _table_kind(data) is not None


def not_the_input(value: Any, expected: str, make: str, *, role: str | None = None
                  ) -> DataError:
    """The error for ``value`` given where ``expected`` belongs (as the argument ``role``,
    when given); a table (see :func:`is_table`) is told how to become one: ``make``.

    Examples
    --------
    >>> print(not_the_input({"id": ["a"]}, "Events", "Events.from_columns(table, ...)"))
    expected Events, got dict: make one with Events.from_columns(table, ...)
    >>> print(not_the_input(None, "Contracts", "Contracts.from_columns(table, ...)"))
    expected Contracts, got NoneType
    """
    remedy = f": make one with {make}" if is_table(value) else ""
    at = f" as {role}" if role else ""
    return DataError(f"expected {expected}{at}, got {type(value).__name__}{remedy}")


def listed(value: Any, what: str) -> list[Any]:
    """``value`` as a list: a sequence of names or ids, never one text read as its letters.

    Examples
    --------
    >>> listed(("login", "export"), "types")
    ['login', 'export']
    >>> listed("login", "types")
    Traceback (most recent call last):
    successkit.errors.DataError: types must be a sequence of names, not one text: ['login']?
    """
    if isinstance(value, (str, bytes)):
        raise DataError(f"{what} must be a sequence of names, not one text: [{value!r}]?")
    if not isinstance(value, Iterable) or is_table(value):
        raise DataError(f"{what} must be a sequence of names, got {type(value).__name__}")
    return list(value)


def plain_name(name: str) -> str:
    """A column name as the "looks like" lists spell theirs: lower case, words joined by
    ``_`` (``"User ID"`` → ``"user_id"``), so a near-miss spelling is caught too.

    Examples
    --------
    >>> plain_name(" Plan Tier "), plain_name("ARR (USD)")
    ('plan_tier', 'arr_usd')
    """
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def read_columns(data: Any) -> dict[str, Any]:
    """The named columns of a mapping or a data frame, in order, without copying.

    Recognises a mapping of name → sequence, a pyarrow ``Table`` (``column_names``) and
    pandas / polars frames (``columns`` plus ``frame[name]``).
    """
    kind = _table_kind(data)
    if kind == "mapping":
        names = list(data.keys())
        getter: Callable[[Any], Any] = data.__getitem__
    elif kind == "arrow":
        names = list(data.column_names)
        getter = data.column
    elif kind == "frame":
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


def _index_levels(data: Any) -> dict[str, Any]:
    """The named levels of a pandas frame's index, as columns (what ``reset_index()``
    gives); none for an unnamed index, a mapping, or a table without an index."""
    if _table_kind(data) != "frame":
        return {}
    index = getattr(data, "index", None)
    names = getattr(index, "names", None)
    if index is None or names is None or not hasattr(index, "get_level_values"):
        return {}
    levels = {}
    for name in names:  # a loop over index levels
        if name is None:
            continue
        if not isinstance(name, str):
            raise DataError(f"index level names must be text, got {type(name).__name__} "
                            f"{name!r}")
        levels[name] = index.get_level_values(name)
    return levels


def read_table_columns(data: Any) -> dict[str, Any]:
    """The columns of a table as :func:`read_columns` gives them, and before them the
    named levels of a pandas frame's index (a frame indexed by account id reads as if
    ``reset_index()`` had been called), so a named index is read, never passed over.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": ["a", "b"], "x": [1, 2]}).set_index("id")
    >>> {name: list(values) for name, values in read_table_columns(frame).items()}
    {'id': ['a', 'b'], 'x': [1, 2]}
    """
    raw = read_columns(data)
    levels = _index_levels(data)
    for name, values in levels.items():
        if name in raw and not np.array_equal(np.asarray(values, dtype=object),
                                              np.asarray(raw[name], dtype=object)):
            raise DataError("is both an index level and a column of the table, with "
                            "different values; drop one", column=name)
    return {**{n: v for n, v in levels.items() if n not in raw}, **raw}


def read_table(
    data: Any,
    *,
    id: str = "id",
    kinds: Mapping[str, Kind | str] | None = None,
    fixed: Mapping[str, Kind] | None = None,
) -> tuple[npt.NDArray[np.str_], dict[str, Column]]:
    """The account ids and typed columns of a table: the one pass from a frame or mapping
    to what a :class:`~successkit.Portfolio` or :class:`~successkit.History` holds.

    ``kinds`` are the caller's kinds for some columns (see :func:`read_kinds`); ``fixed``
    names columns that must be there, each read as the given kind (``kinds`` may not name
    them), such as the snapshot dates of a History.

    Examples
    --------
    >>> ids, columns = read_table({"id": [7, "b"], "x": ["1", None]}, kinds={"x": "number"})
    >>> ids.tolist(), columns["x"].to_list()
    (['7', 'b'], [1.0, None])
    """
    column_name(id, "id")
    for name, kind in (fixed or {}).items():
        column_name(name, f"the {kind.value} column")
    raw = read_table_columns(data)
    if id not in raw:
        available = ", ".join(repr(n) for n in raw) or "none"
        suffix = did_you_mean_suffix(id, list(raw))
        raise DataError(f"no id column {id!r} (columns: {available}){suffix}", column=id)
    for name in fixed or {}:
        if name not in raw:
            suffix = did_you_mean_suffix(name, list(raw))
            raise DataError(f"no column {name!r}{suffix}", column=name)
    return read_typed(raw.pop(id), raw, id=id, kinds=kinds, fixed=fixed)


def read_typed(
    ids: Any,
    raw: Mapping[str, Any],
    *,
    id: str = "id",
    kinds: Mapping[str, Kind | str] | None = None,
    fixed: Mapping[str, Kind] | None = None,
) -> tuple[npt.NDArray[np.str_], dict[str, Column]]:
    """Account ids (the column ``id``) and the columns ``raw`` aligned with them, typed.

    The part of :func:`read_table` after the table is split into columns; records and
    :class:`~successkit.Account` objects, already split, start here.
    """
    fixed = fixed or {}
    wanted = read_kinds(kinds, [name for name in raw if name not in fixed])
    return convert_table(ids, raw, {**wanted, **fixed}, id=id)


def read_records(
    records: Iterable[Mapping[str, Any]],
    *,
    id: str = "id",
    kinds: Mapping[str, Kind | str] | None = None,
) -> tuple[npt.NDArray[np.str_], dict[str, Column]]:
    """The account ids and typed columns of row records (mappings, e.g. JSON objects): a
    name absent from a record is a missing value for that account.

    Examples
    --------
    >>> ids, columns = read_records([{"id": "a", "arr": 10}, {"id": "b"}])
    >>> ids.tolist(), columns["arr"].to_list()
    (['a', 'b'], [10.0, None])
    """
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise DataError(f"records must be a sequence of mappings, one per account; got "
                        f"{type(records).__name__}")
    rows = list(records)
    odd = next((i for i, row in enumerate(rows) if not isinstance(row, Mapping)), None)
    if odd is not None:
        raise DataError(f"a record must map field names to values, got "
                        f"{type(rows[odd]).__name__}", row=odd)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    if rows and id not in names:
        raise DataError(f"no record has an id field {id!r}", column=id)
    missing_id = next((i for i, row in enumerate(rows) if id not in row), None)
    if missing_id is not None:
        raise DataError("record has no account id", column=id, row=missing_id)
    names.pop(id, None)
    columns = {name: [row.get(name) for row in rows] for name in names}
    return read_typed([row[id] for row in rows], columns, id=id, kinds=kinds)


def read_accounts(
    accounts: Iterable[Account],
    *,
    as_of: Any = None,
    kinds: Mapping[str, Kind | str] | None = None,
) -> tuple[npt.NDArray[np.str_], dict[str, Column], Any]:
    """The account ids, typed columns and date of :class:`~successkit.Account` objects:
    ``as_of``, or else the accounts' common ``as_of`` (accounts that disagree are a
    :class:`~successkit.DataError`).

    Examples
    --------
    >>> ids, columns, as_of = read_accounts([Account("a", {"arr": 10}, as_of="2026-10-01")])
    >>> ids.tolist(), columns["arr"].to_list(), as_of
    (['a'], [10.0], datetime.date(2026, 10, 1))
    """
    if isinstance(accounts, str | bytes | Mapping) or not isinstance(accounts, Iterable):
        raise DataError(f"expected a sequence of Account objects, got {type(accounts).__name__}")
    accounts = list(accounts)
    for account in accounts:
        if not isinstance(account, Account):
            raise DataError(f"expected Account objects, got {type(account).__name__}")
    if as_of is None:
        dates: set[dt.date] = {a.as_of for a in accounts if a.as_of is not None}
        if len(dates) > 1:
            shown = ", ".join(sorted(d.isoformat() for d in dates))
            raise DataError(f"accounts describe different dates ({shown}); pass as_of=")
        as_of = dates.pop() if dates else None
    names: dict[str, None] = {}
    for account in accounts:
        names.update(dict.fromkeys(account.values))
    columns = {name: [a.values.get(name) for a in accounts] for name in names}
    return (*read_typed([a.id for a in accounts], columns, kinds=kinds), as_of)


def typed_columns(
    raw: Mapping[str, Any],
    ids: npt.NDArray[np.str_],
    *,
    kinds: Mapping[str, Kind | str] | None = None,
    against: str,
) -> dict[str, Column]:
    """Each of ``raw`` as a :class:`Column` with one value per id in ``ids`` (already read),
    ``kinds`` as in :func:`read_kinds`; ``against`` ends the message for a column of
    another length (see :func:`~successkit.data.convert.convert_columns`)."""
    return convert_columns(raw, ids, read_kinds(kinds, raw), against=against)


def read_kinds(kinds: Mapping[str, Kind | str] | None, names: Iterable[str]) -> dict[str, Kind]:
    """The caller's ``kinds`` as :class:`Kind` values, each naming one of ``names``.

    Examples
    --------
    >>> read_kinds({"due": "date"}, ["due", "arr"])
    {'due': <Kind.DATE: 'date'>}
    >>> read_kinds({"due": "when"}, ["due"])
    Traceback (most recent call last):
    ...
    successkit.errors.DataError: column 'due': unknown kind 'when'; choose one of number, ...
    """
    if kinds is None:
        return {}
    if not isinstance(kinds, Mapping):
        raise DataError(f"kinds must map column names to kinds, got {type(kinds).__name__}")
    known = set(names)
    out: dict[str, Kind] = {}
    for name, kind in kinds.items():
        if name not in known:
            raise DataError("kinds names a column that is not in the data", column=name)
        out[name] = kind_of(kind, name)
    return out
