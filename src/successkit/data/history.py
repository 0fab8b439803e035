"""Snapshots of a portfolio over time."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any, overload

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import readonly
from successkit._html import html_table
from successkit._options import a_name, column_name
from successkit.data._stack import stack_snapshots
from successkit.data.column import Column
from successkit.data.convert import convert_ids
from successkit.data.dates import duration_days, to_date
from successkit.data.kinds import Kind, Schema
from successkit.data.portfolio import Portfolio
from successkit.data.read import not_the_input, read_table
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["History", "not_a_history"]

_VERSION = 1


def _to_snapshots(value: Iterable[Portfolio]) -> tuple[Portfolio, ...]:
    snapshots = tuple(value)
    for i, snapshot in enumerate(snapshots):
        if not isinstance(snapshot, Portfolio):
            raise DataError(f"snapshot {i} is a {type(snapshot).__name__}, not a Portfolio")
        if snapshot.as_of is None:
            raise DataError(f"snapshot {i} has no as_of date; a History orders snapshots by date")
    ordered = tuple(sorted(snapshots, key=lambda p: p.as_of or dt.date.min))
    for before, after in itertools.pairwise(ordered):
        if before.as_of == after.as_of:
            assert after.as_of is not None
            raise DataError(f"two snapshots have the same as_of date {after.as_of.isoformat()}")
    return ordered


@attrs.frozen(repr=False)
class History:
    """Snapshots of the same accounts on several dates, ordered by ``as_of``.

    A history feeds trends (how a score moved), rules that compare with the past
    (``change(x, 30d)``, ``becomes``), days-in-stage, replay and backtests. Accounts may
    appear and disappear between snapshots (new customers, churned ones): an account absent
    from a snapshot has missing values there once snapshots are aligned.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [10, 20]}, as_of="2026-09-01"),
    ...     sk.Portfolio.from_columns({"id": ["a", "c"], "arr": [12, 5]}, as_of="2026-10-01"),
    ... ])
    >>> len(history), history.latest.as_of
    (2, datetime.date(2026, 10, 1))
    >>> history.at("2026-09-15").as_of
    datetime.date(2026, 9, 1)
    >>> history.ids.tolist()
    ['a', 'b', 'c']
    >>> history.aligned()[0]["arr"].tolist()
    [10.0, 20.0, nan]
    """

    snapshots: tuple[Portfolio, ...] = attrs.field(converter=_to_snapshots)

    def __attrs_post_init__(self) -> None:
        if not self.snapshots:
            raise DataError("a History needs at least one snapshot")
        self._merged_schema()  # conflicting kinds are an error up front

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_columns(
        cls,
        columns: Any,
        *,
        id: str = "id",
        as_of: str = "as_of",
        kinds: Mapping[str, Kind | str] | None = None,
    ) -> History:
        """A history from one long table with a row per (account, date).

        Kinds are inferred over the whole table, so a column has the same kind in every
        snapshot. A repeated (account, date) pair is a :class:`~successkit.DataError`.

        Examples
        --------
        >>> import successkit as sk
        >>> history = sk.History.from_columns({
        ...     "id": ["a", "a", "b"],
        ...     "as_of": ["2026-09-01", "2026-10-01", "2026-10-01"],
        ...     "login_rate": [0.4, 0.5, 0.9],
        ... })
        >>> [len(s) for s in history]
        [1, 2]
        """
        column_name(as_of, "as_of (the snapshot date column)")
        ids, converted = read_table(columns, id=id, kinds=kinds, fixed={as_of: Kind.DATE})
        dates = converted.pop(as_of)
        if dates.missing.any():
            row = int(np.flatnonzero(dates.missing)[0])
            raise DataError("missing snapshot date", column=as_of, account=str(ids[row]))
        days, inverse = np.unique(dates.values, return_inverse=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(days.shape[0] + 1))
        snapshots = []
        for k, day in enumerate(days):
            rows = order[bounds[k] : bounds[k + 1]]
            columns = {name: column.take(rows) for name, column in converted.items()}
            try:
                snapshots.append(Portfolio(ids[rows], columns, day.astype(object),
                                           id_column=id))
            except DataError as exc:
                raise DataError(
                    f"{exc.message} on {day}", column=exc.column, account=exc.account
                ) from None
        return cls(snapshots)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
        """Rebuild a history from :meth:`to_dict` output."""
        if not isinstance(data, Mapping):
            raise DataError(f"expected a history's dictionary (from to_dict()), got "
                            f"{type(data).__name__}")
        version = data.get("version")
        if version != _VERSION:
            raise DataError(f"unsupported history version {version!r} (expected {_VERSION})")
        return cls(Portfolio.from_dict(s) for s in data.get("snapshots", []))

    # -- access -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.snapshots)

    def __iter__(self) -> Iterator[Portfolio]:
        return iter(self.snapshots)

    @overload
    def __getitem__(self, index: int) -> Portfolio: ...
    @overload
    def __getitem__(self, index: slice) -> History: ...
    def __getitem__(self, index: int | slice) -> Portfolio | History:
        """The snapshot at position ``index`` (oldest first), or a History of a slice;
        :meth:`at` finds a snapshot by date."""
        if isinstance(index, slice):
            return History(self.snapshots[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise DataError(f"a History is indexed by snapshot position or a slice, got "
                            f"{type(index).__name__}; History.at(date) finds a date")
        return self.snapshots[index]

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The snapshot dates, oldest first."""
        return tuple(s.as_of for s in self.snapshots if s.as_of is not None)

    @property
    def latest(self) -> Portfolio:
        """The most recent snapshot."""
        return self.snapshots[-1]

    @property
    def as_of(self) -> dt.date:
        """The date of the most recent snapshot."""
        return self.dates[-1]

    @cached_property
    def ids(self) -> npt.NDArray[np.str_]:
        """Every account that appears in any snapshot, in order of first appearance."""
        combined = np.concatenate([s.ids for s in self.snapshots])
        _, first = np.unique(combined, return_index=True)
        return readonly(combined[np.sort(first)])

    @cached_property
    def schema(self) -> Schema:
        """The columns of all snapshots with their kinds (consistent across snapshots)."""
        return self._merged_schema()

    def _merged_schema(self) -> Schema:
        kinds: dict[str, Kind] = {}
        firm: dict[str, tuple[Kind, dt.date | None]] = {}
        for snapshot in self.snapshots:
            for name, column in snapshot.columns.items():
                kinds.setdefault(name, column.kind)
                if column.all_missing:  # an empty column fits any kind
                    continue
                known = firm.setdefault(name, (column.kind, snapshot.as_of))
                if known[0] is not column.kind:
                    then = known[1].isoformat() if known[1] else "earlier"
                    now = snapshot.as_of.isoformat() if snapshot.as_of else "later"
                    raise DataError(
                        f"is a {known[0]} column on {then} but a {column.kind} column on {now}",
                        column=name,
                    )
                kinds[name] = column.kind
        return Schema(kinds)

    def at(self, when: Any, *, within: Any = None) -> Portfolio | None:
        """The latest snapshot on or before ``when``, or ``None`` if there is none.

        With ``within`` (a duration such as ``"45d"``), a snapshot older than ``when``
        minus ``within`` does not count.

        Examples
        --------
        >>> import successkit as sk
        >>> h = sk.History([sk.Portfolio.from_columns({"id": ["a"]}, as_of="2026-09-01")])
        >>> h.at("2026-08-31") is None, h.at("2026-09-01").as_of.isoformat()
        (True, '2026-09-01')
        >>> h.at("2026-12-01", within="30d") is None
        True
        """
        day = to_date(when, what="when")
        dates = np.array(self.dates, dtype="datetime64[D]")
        k = int(np.searchsorted(dates, np.datetime64(day, "D"), side="right")) - 1
        if k < 0:
            return None
        snapshot = self.snapshots[k]
        if within is not None:
            limit = duration_days(within, what="within")
            assert snapshot.as_of is not None
            if (day - snapshot.as_of).days > limit:
                return None
        return snapshot

    def aligned(self, ids: Any = None) -> History:
        """Every snapshot reindexed to the same ids (default: :attr:`ids`).

        Accounts absent from a snapshot have missing values in it, so columns line up
        across snapshots position by position.
        """
        target = self.ids if ids is None else convert_ids(ids)
        return History(s.reindex(target) for s in self.snapshots)

    def until(self, when: Any) -> History:
        """The snapshots on or before ``when``."""
        day = to_date(when, what="until")
        kept = [s for s in self.snapshots if s.as_of is not None and s.as_of <= day]
        if not kept:
            raise DataError(f"no snapshot on or before {day.isoformat()}")
        return History(kept)

    def since(self, when: Any) -> History:
        """The snapshots on or after ``when``."""
        day = to_date(when, what="since")
        kept = [s for s in self.snapshots if s.as_of is not None and s.as_of >= day]
        if not kept:
            raise DataError(f"no snapshot on or after {day.isoformat()}")
        return History(kept)

    def append(self, snapshot: Portfolio) -> History:
        """A new history with ``snapshot`` added."""
        return History((*self.snapshots, snapshot))

    def stacked(self) -> Portfolio:
        """Every snapshot in one portfolio, a row per account and date named
        ``"<id>@<date>"`` (a column a snapshot lacks is missing there): the table to fit one
        model on every month at once.

        Examples
        --------
        >>> import successkit as sk
        >>> history = sk.History([
        ...     sk.Portfolio.from_columns({"id": ["a"], "arr": [10]}, as_of="2026-09-01"),
        ...     sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [12, 5]},
        ...                               as_of="2026-10-01")])
        >>> stacked = history.stacked()
        >>> stacked.ids.tolist(), stacked["arr"].tolist()
        (['a@2026-09-01', 'a@2026-10-01', 'b@2026-10-01'], [10.0, 12.0, 5.0])
        """
        return stack_snapshots(self.snapshots)

    def column(self, name: str, ids: Any = None) -> tuple[Column, ...]:
        """Column ``name`` of every snapshot, aligned to ``ids`` (default: :attr:`ids`).

        A snapshot without the column contributes an all-missing column.
        """
        kind = self.schema.get(a_name(name, "a column's name"))
        if kind is None:
            suffix = did_you_mean_suffix(name, self.schema.names())
            raise DataError(f"no snapshot has this column{suffix}", column=name)
        target = self.ids if ids is None else convert_ids(ids)
        out = []
        for snapshot in self.snapshots:
            rows = snapshot.index_of(target)
            if name in snapshot.columns:
                out.append(snapshot.columns[name].as_kind(kind, name=name).take(rows))
            else:
                out.append(Column.empty(kind, target.shape[0]))
        return tuple(out)

    # -- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"version", "snapshots": [portfolio.to_dict(), ...]}``."""
        return {"version": _VERSION, "snapshots": [s.to_dict() for s in self.snapshots]}

    def __repr__(self) -> str:
        first, last = self.dates[0].isoformat(), self.dates[-1].isoformat()
        return f"History({len(self)} snapshots, {first} … {last}, {len(self.ids)} accounts)"

    def _repr_html_(self) -> str:
        table: dict[str, list[Any]] = {
            "as_of": list(self.dates),
            "accounts": [len(s) for s in self.snapshots],
            "columns": [len(s.columns) for s in self.snapshots],
        }
        return html_table(table, caption=repr(self))


def not_a_history(value: object) -> DataError:
    """The error for ``value`` given where a :class:`History` belongs; a table (a mapping of
    columns, or a pandas, polars or pyarrow frame) is told how to become one: from a row per
    account and date.

    Examples
    --------
    >>> print(not_a_history({"id": ["a"], "as_of": ["2026-01-01"]}))
    expected a History, got dict: make one with History.from_columns(table, id=..., as_of=...)
    """
    return not_the_input(value, "a History", "History.from_columns(table, id=..., as_of=...)")
