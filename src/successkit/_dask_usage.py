"""Usage metrics over a Dask dataframe of events partitioned by account.

Every usage metric of an account reads that account's events and nothing else, so when each
account's events sit in one partition, each partition is read into an
:class:`~successkit.data.events.Events` and computed on its own; the per-account results
are put back together in the single-machine order (sorted ids, or the account table's
order). The event types are fixed once for all partitions (``types=``, or the distinct
types of the whole frame), so a partition without some type still knows it.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterable
from typing import Any, Unpack

import numpy as np
import numpy.typing as npt

from successkit._optional import import_optional
from successkit._rows import first_duplicate
from successkit.data._event_columns import array_of
from successkit.data.events import EventColumns, Events
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.usage.model import UsageModel
from successkit.usage.snapshot import (
    Members,
    assemble,
    check_table,
    compute,
    prepare,
    snapshot_days,
)

__all__ = ["usage_history"]

_Part = tuple[npt.NDArray[np.str_], dict[str, npt.NDArray[np.float64]], npt.NDArray[np.bool_]]

#: The column keywords and their defaults, taken from Events.from_columns so they cannot drift.
_COLUMNS: dict[str, Any] = {
    name: parameter.default
    for name, parameter in inspect.signature(Events.from_columns).parameters.items()
    if name in EventColumns.__optional_keys__
}


def usage_history(
    frame: Any,
    model: UsageModel,
    dates: Iterable[Any],
    *,
    accounts: Any = None,
    members: Members = "events",
    unmatched: str = "error",
    **columns: Unpack[EventColumns],
) -> History:
    """:func:`~successkit.usage.usage_history` over a ``dask.dataframe.DataFrame`` of
    events, computed partition by partition; equal to the single-machine result.

    Each account's events must all be in one partition (e.g. ``frame.shuffle(on=account)``
    or a frame read from files split by account); an account found in two partitions is a
    :class:`~successkit.DataError`. The columns are read as
    :meth:`Events.from_columns <successkit.data.events.Events.from_columns>` reads them
    (the keywords ``account``, ``time``, ``type``, ``user``, ``count``, ``value``, ``types``,
    with the same defaults); the other
    parameters are those of :func:`~successkit.usage.usage_history`. Bad rows are reported
    with their row within their partition. The computation runs on dask's current scheduler
    when this is called; the result is a :class:`~successkit.History` in memory.

    Examples
    --------
    >>> import pandas as pd
    >>> import dask.dataframe as dd
    >>> import successkit.dask
    >>> from successkit.usage import UsageModel
    >>> log = pd.DataFrame({"account_id": ["a", "a", "b", "c"],
    ...     "at": pd.to_datetime(["2026-01-03", "2026-01-20", "2026-01-05", "2026-01-30"]),
    ...     "event": ["login", "export", "login", "login"]})
    >>> frame = dd.from_pandas(log, npartitions=2, sort=False)
    >>> model = UsageModel.from_text("metric logins = count(login, 28d)")
    >>> h = successkit.dask.usage_history(frame, model, ["2026-02-01"])
    >>> h.latest.ids.tolist(), h.latest["logins"].tolist()
    (['a', 'b', 'c'], [0.0, 1.0, 1.0])
    """
    dask = import_optional("dask", purpose="successkit.dask.usage_history()")
    if not (hasattr(frame, "to_delayed") and hasattr(frame, "npartitions")):
        raise DataError("successkit.dask.usage_history() takes a dask DataFrame of events; "
                        f"got {frame.__class__.__name__}")
    if not isinstance(model, UsageModel):
        raise DataError(f"expected a UsageModel, got {model.__class__.__name__}")
    unknown = sorted(set(columns) - _COLUMNS.keys())
    if unknown:
        raise TypeError(f"usage_history() got an unexpected keyword argument {unknown[0]!r}")
    days = snapshot_days(dates)
    table = None if accounts is None else (
        accounts if isinstance(accounts, Portfolio) else Portfolio.from_columns(accounts))
    check_table(model, table)
    read: dict[str, Any] = {**_COLUMNS, **columns}
    integers = None
    if read["types"] is None:  # fixed once, so that every partition codes the same types
        distinct = frame[read["type"]].dropna().unique().compute()
        integers = _integer_types(distinct)
        read["types"] = (integers[1] if integers is not None else
                         sorted(str(t) for t in distinct.tolist()))
    read["types"] = list(read["types"])
    delayed = dask.delayed(_partition)
    tasks = [delayed(part, model, days, table, unmatched, read, members, integers)
             for part in frame.to_delayed()]
    parts: list[_Part] = list(dask.compute(*tasks))
    return _combine(parts, model, days, table, members, read)


_Integers = tuple[npt.NDArray[np.integer[Any]], list[str], npt.NDArray[np.intp]]


def _integer_types(distinct: Any) -> _Integers | None:
    """For an integer type column: its distinct values (sorted), their labels in label
    order (what Events.from_columns names them) and each value's position among those
    labels; ``None`` for other columns."""
    values = array_of(distinct)
    if values is None or values.dtype.kind not in "iu":
        return None
    values = np.unique(values)
    labels = values.astype(str)
    order = np.argsort(labels, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return values, labels[order].tolist(), rank


def _events(part: Any, read: dict[str, Any], integers: _Integers | None = None) -> Events:
    if integers is not None:
        # With ``types=``, integers are read as positions in the list of types, not as
        # labels: give each row the position of its own label (as one machine reads them).
        column = array_of(part[read["type"]])
        if column is not None and column.dtype.kind in "iu":
            values, _, rank = integers
            at = np.minimum(np.searchsorted(values, column), values.shape[0] - 1)
            if (values[at] != column).any():  # a value unseen when listing the types
                row = int(np.flatnonzero(values[at] != column)[0])
                raise DataError(f"event type {column[row]} changed while reading the frame",
                                column=read["type"], row=row)
            part = part.assign(**{read["type"]: rank[at]})
    return Events.from_columns(part, **read)


def _partition(part: Any, model: UsageModel, days: list[dt.date], table: Portfolio | None,
               unmatched: str, read: dict[str, Any], members: Members,
               integers: _Integers | None = None) -> _Part:
    """One partition's metrics for its own accounts (those of ``table`` among them)."""
    events = _events(part, read, integers)
    if table is not None:
        names = np.asarray(events.accounts, dtype=np.str_)
        rows = table.index_of(names) if names.size else np.zeros(0, np.intp)
        table = table.take(np.sort(rows[rows >= 0]))
    log, table, ids = prepare(events, table, unmatched)
    values, has = compute(log, model, days, table, members)
    return ids, values, np.ascontiguousarray(has)


def _combine(parts: list[_Part], model: UsageModel, days: list[dt.date],
             table: Portfolio | None, members: Members, read: dict[str, Any]) -> History:
    ids = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.str_)
    values = {name: np.concatenate([p[1][name] for p in parts], axis=1) if parts
              else np.zeros((len(days), 0)) for name in model.names}
    has = np.concatenate([p[2] for p in parts], axis=1) if parts else \
        np.zeros((len(days), 0), dtype=np.bool_)
    # One sort serves the duplicate check and, without a table, the final order.
    sort = np.argsort(ids, kind="stable")
    ranked = ids[sort]
    duplicate = first_duplicate(ids, sort)
    if duplicate is not None:
        raise DataError(f"account {str(ids[duplicate[1]])!r} has events in two "
                        "partitions; partition the events by account "
                        f"(frame.shuffle(on={read['account']!r}))", column=read["account"])
    if table is not None:
        # Accounts of the table without any event: computed from an empty log, as on one
        # machine (counts 0, days-since missing, per-seat rates of 0 ...).
        quiet = np.setdiff1d(table.ids, ids)
        if quiet.size:
            rest = table.take(np.sort(table.index_of(quiet)))
            empty = _events({read["account"]: np.zeros(0, np.str_),
                             read["time"]: np.zeros(0, "datetime64[D]"),
                             read["type"]: np.zeros(0, np.str_),
                             **({read["user"]: np.zeros(0, np.str_)} if read["user"] else {}),
                             **({read["count"]: np.zeros(0, np.int64)}
                                if isinstance(read["count"], str) else {}),
                             **({read["value"]: np.zeros(0)} if read["value"] else {})}, read)
            log, quiet_table, rest_ids = prepare(empty, rest, "error")
            more, more_has = compute(log, model, days, quiet_table, members)
            ids = np.concatenate([ids, rest_ids])
            values = {n: np.concatenate([values[n], more[n]], axis=1) for n in values}
            has = np.concatenate([has, more_has], axis=1)
        order = table.index_of(ids)
        final = table.ids
    else:
        order = np.empty_like(sort)  # position of each row in the sorted ids
        order[sort] = np.arange(sort.shape[0])
        final = ranked
    values = {n: _place(v, order, final.shape[0]) for n, v in values.items()}
    placed = np.zeros((len(days), final.shape[0]), dtype=np.bool_)
    placed[:, order] = has
    return assemble(values, placed, model, days, table, final, members)


def _place(v: npt.NDArray[np.float64], order: npt.NDArray[np.intp],
           n: int) -> npt.NDArray[np.float64]:
    out = np.full((v.shape[0], n), np.nan)
    out[:, order] = v
    return out
