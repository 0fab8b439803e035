"""Product event logs as one columnar table: account, day, event type, and optional extras.

:class:`Events` is the single events reader of successkit: usage metrics and the touch score
both read it. Rows are kept as given — a duplicated row is counted twice — and a ``count``
column marks pre-aggregated rows ("n events of this type on this day").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypedDict

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, optional_array, readonly, readonly_arrays
from successkit._options import column_name
from successkit._rows import lookup
from successkit.data._event_columns import codes_of, counts_of, days_of, length_of
from successkit.data.column import Column
from successkit.data.convert import convert_column, convert_ids
from successkit.data.kinds import Kind
from successkit.data.read import listed, not_the_input, read_table_columns
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["COUNT_LIKE", "EventColumns", "Events", "events_of"]

# Column names that almost surely hold a pre-aggregated count: reading past one silently
# would count each row once (the bug that made the touch score see 8k events, not 762k).
COUNT_LIKE = frozenset(
    {"count", "counts", "n", "events", "num_events", "n_events", "event_count", "quantity",
     "qty", "cnt", "times", "occurrences", "frequency", "freq"}
)


class EventColumns(TypedDict, total=False):
    """The keywords of :meth:`Events.from_columns` that name an event log's columns and types,
    for readers that read their events the same way (:func:`successkit.dask.usage_history`)."""

    account: str
    time: str
    type: str
    user: str | None
    count: str | bool | None
    value: str | None
    types: Sequence[str] | None


def _freeze(value: Mapping[str, Column]) -> Mapping[str, Column]:
    return MappingProxyType(dict(value))


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@readonly_arrays
@attrs.frozen(eq=False, repr=False)
class Events:
    """An event log: one row per event, or per pre-aggregated group of events.

    ``account`` holds ``int32`` codes into ``accounts`` (sorted ids), ``day`` the event day
    (``datetime64[D]``), ``type`` unsigned codes into ``types`` (one byte a row for up to
    256 types); ``user`` (codes into
    ``users``), ``count`` (whole numbers, how many events a row stands for) and ``value``
    (``float64``, NaN when missing) are optional. ``extra`` holds kept columns. All arrays
    are read-only. Build one with :meth:`from_columns`.

    Reading copies as little as it can: a numpy ``datetime64[D]`` time column, an integer
    count column and ``int32`` account codes with a sorted lookup are held as read-only
    views of the caller's arrays (100 million rows are several GB), so do not modify those
    arrays afterwards.

    .. versionadded:: 0.2

    Examples
    --------
    >>> from successkit.data.events import Events
    >>> ev = Events.from_columns({
    ...     "account_id": ["a", "b", "a"], "at": ["2026-01-02", "2026-01-03", "2026-01-05"],
    ...     "event": ["login", "login", "export"],
    ... })
    >>> len(ev), ev.accounts, ev.types
    (3, ('a', 'b'), ('export', 'login'))
    >>> ev.total().tolist()
    [1, 1, 1]
    """

    accounts: tuple[str, ...] = attrs.field(converter=_names)
    types: tuple[str, ...] = attrs.field(converter=_names)
    account: npt.NDArray[np.int32] = array_field()
    day: npt.NDArray[np.datetime64] = array_field()
    type: npt.NDArray[np.unsignedinteger[Any]] = array_field()
    users: tuple[str, ...] = attrs.field(default=(), converter=_names)
    user: npt.NDArray[np.int64] | None = array_field(converter=optional_array(), default=None)
    count: npt.NDArray[np.integer[Any]] | None = array_field(converter=optional_array(),
                                                             default=None)
    value: npt.NDArray[np.float64] | None = array_field(converter=optional_array(),
                                                        default=None)
    extra: Mapping[str, Column] = attrs.field(factory=dict, converter=_freeze)

    def __len__(self) -> int:
        return int(self.account.shape[0])

    def __repr__(self) -> str:
        return (f"Events({len(self)} rows, {len(self.accounts)} accounts, "
                f"{len(self.types)} types)")

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only mapping proxy cannot be pickled; rebuild from a plain dict (event
        # logs cross process boundaries under dask and multiprocessing).
        fields = {f.name: getattr(self, f.name) for f in attrs.fields(Events)}
        fields["extra"] = dict(self.extra)
        return (_rebuild, (fields,))

    def total(self) -> npt.NDArray[np.int64]:
        """How many events each row stands for: its ``count``, or 1."""
        if self.count is None:
            return np.ones(len(self), dtype=np.int64)
        return self.count.astype(np.int64, copy=False)

    def unmatched(self, ids: Any) -> tuple[npt.NDArray[np.str_], int]:
        """The accounts of this log that are not in ``ids`` and how many events they hold
        (rows weighted by their count): what ``unmatched="drop"`` leaves out of
        :func:`~successkit.usage.usage_history`.

        Examples
        --------
        >>> ev = Events.from_columns({"account_id": ["a", "zz", "zz"],
        ...     "at": ["2026-01-02"] * 3, "event": ["login"] * 3})
        >>> ids, events = ev.unmatched(["a", "b"])
        >>> ids.tolist(), events
        (['zz'], 2)
        """
        names = np.asarray(self.accounts, dtype=np.str_)
        wanted = np.unique(convert_ids(ids, name="ids")) if len(ids) else np.zeros(0, np.str_)
        outside = lookup(wanted, np.arange(wanted.shape[0]), names) < 0
        per_account = np.bincount(self.account, weights=self.total(), minlength=names.shape[0])
        return readonly(names[outside]), int(per_account[outside].sum())

    @classmethod
    def concat(cls, logs: Sequence[Events]) -> Events:
        """One log of the rows of ``logs``, in order; account, type and user names are
        merged by name (codes are renumbered), a log without counts counts one per row and
        a log without values has missing values.

        Examples
        --------
        >>> a = Events.from_columns({"account_id": ["x"], "at": ["2026-01-02"],
        ...                          "event": ["login"]})
        >>> b = Events.from_columns({"account_id": ["w", "x"], "at": ["2026-01-03"] * 2,
        ...                          "event": ["export", "login"]})
        >>> both = Events.concat([a, b])
        >>> both.accounts, both.types, both.account.tolist(), both.type.tolist()
        (('w', 'x'), ('export', 'login'), [1, 0, 1], [1, 0, 1])
        """
        logs = list(logs)
        if not logs or not all(isinstance(log, Events) for log in logs):
            raise DataError("Events.concat takes a non-empty list of Events")
        if any(log.extra for log in logs):
            raise DataError("Events.concat does not carry kept (extra) columns; read the logs "
                            "without keep=")

        def merged(names: list[tuple[str, ...]], codes: list[Any]) -> tuple[Any, Any]:
            every = np.unique(np.concatenate([np.asarray(n, dtype=np.str_) for n in names]))
            parts = [np.searchsorted(every, np.asarray(n, dtype=np.str_))[c] if len(n)
                     else np.zeros(0, np.int64) for n, c in zip(names, codes, strict=True)]
            return tuple(every.tolist()), np.concatenate(parts)

        accounts, account = merged([log.accounts for log in logs], [log.account for log in logs])
        types, kind = merged([log.types for log in logs], [log.type for log in logs])
        users: tuple[str, ...] = ()
        user = None
        if any(log.user is not None for log in logs):
            if not all(log.user is not None for log in logs):
                raise DataError("some logs have a user column and some do not", column="user")
            users, user = merged([log.users for log in logs], [log.user for log in logs])
        count = None if all(log.count is None for log in logs) else np.concatenate(
            [log.total() for log in logs])
        value = None if all(log.value is None for log in logs) else np.concatenate(
            [np.full(len(log), np.nan) if log.value is None else log.value for log in logs])
        return cls(accounts=accounts, types=types, account=account.astype(np.int32),
                   day=np.concatenate([log.day for log in logs]),
                   type=kind.astype(np.uint8 if len(types) <= 256 else np.uint16
                                    if len(types) <= 65_536 else np.uint32),
                   users=users, user=None if user is None else user.astype(np.int64),
                   count=count, value=value)

    @property
    def nbytes(self) -> int:
        """Bytes held by the row arrays."""
        arrays = [self.account, self.day, self.type, self.user, self.count, self.value]
        return sum(a.nbytes for a in arrays if a is not None)

    @classmethod
    def from_columns(
        cls,
        data: Any,
        *,
        account: str = "account_id",
        time: str = "at",
        type: str = "event",
        user: str | None = None,
        count: str | bool | None = None,
        value: str | None = None,
        types: Sequence[str] | None = None,
        accounts: Sequence[Any] | None = None,
        keep: Sequence[str] = (),
        what: str = "event type",
    ) -> Events:
        """Read an event log from a mapping or a pandas, polars or pyarrow table.

        Parameters
        ----------
        data:
            The columns.
        account, time, type:
            Names of the account id, time (date, datetime, ``datetime64`` or ISO text; kept
            as the day) and event type columns.
        user, value:
            Optional names of a user id column and of a numeric value column.
        count:
            Name of a column of non-negative whole counts (pre-aggregated rows), or
            ``False`` to read a count-like column (``count``, ``n``, ``events``...) as an
            ordinary ignored column. Leaving it ``None`` while such a column exists is a
            :class:`~successkit.DataError`.
        types:
            The known event types. With integer type codes, the lookup table (code ``k``
            means ``types[k]``); with names, the vocabulary: an unknown name is an error
            with a did-you-mean.
        accounts:
            With integer account codes, the ids the codes index.
        keep:
            Extra columns to carry (read with the usual kind inference).
        what:
            What an event type is called in error messages (``"touch point"`` for the
            touch score).

        Examples
        --------
        >>> import numpy as np
        >>> from successkit.data.events import Events
        >>> ev = Events.from_columns(
        ...     {"account_id": np.array([1, 0]), "at": np.array(["2026-01-02", "2026-01-03"],
        ...      dtype="datetime64[D]"), "event": np.array([0, 1]), "n": [3, 4]},
        ...     accounts=["x", "y"], types=["login", "export"], count="n")
        >>> ev.accounts, ev.account.tolist(), ev.total().tolist()
        (('x', 'y'), [1, 0], [3, 4])
        >>> Events.from_columns({"account_id": ["a"], "at": ["2026-01-01"], "event": ["lgin"]},
        ...                     types=["login"])
        Traceback (most recent call last):
        ...
        successkit.errors.DataError: column 'event', row 0: unknown event type 'lgin'; did you ...
        """
        raw = read_table_columns(data)
        if count is True:
            raise DataError("count is the name of a column of counts, or False to read none")
        for option, given in (("account", account), ("time", time), ("type", type),
                              ("user", user), ("value", value)):
            if given is not None or option not in ("user", "value"):
                column_name(given, option)
        if count is not None and count is not False:
            column_name(count, "count")
        keep = [column_name(name, "each name in keep") for name in listed(keep, "keep")]
        types = None if types is None else listed(types, "types")
        accounts = None if accounts is None else listed(accounts, "accounts")
        wanted = [account, time, type] + [c for c in (user, value) if c is not None]
        if isinstance(count, str):
            wanted.append(count)
        wanted.extend(keep)
        for name in wanted:
            if name not in raw:
                suffix = did_you_mean_suffix(name, list(raw))
                raise DataError(f"no column {name!r} in the events{suffix}", column=name)
        if count is None:
            for name in raw:
                if name not in wanted and name.lower() in COUNT_LIKE:
                    raise DataError(
                        "looks like a count of events per row but is not read; pass "
                        f"count={name!r} to weight each row by it, or count=False to ignore it",
                        column=name,
                    )
        n = length_of(raw[account], account)
        for name in wanted:
            size = length_of(raw[name], name)
            if size != n:
                raise DataError(f"has {size} values but the {account!r} column has {n}",
                                column=name)
        ids, codes = codes_of(raw[account], account, accounts, "account id")
        kinds, type_codes = codes_of(raw[type], type, types, what, narrow=True)
        day = days_of(raw[time], time)
        users: tuple[str, ...] = ()
        user_codes = None
        if user is not None:
            names, user_codes = codes_of(raw[user], user, None, "user")
            users = tuple(names)
        counts = None if not isinstance(count, str) else counts_of(raw[count], count)
        values = None
        if value is not None:
            values = convert_column(raw[value], name=value, kind=Kind.NUMBER).values
        extra = {name: convert_column(raw[name], name=name) for name in keep}
        return cls(accounts=ids, types=kinds, account=codes, day=day, type=type_codes, users=users,
                   user=user_codes, count=counts, value=values, extra=extra)


def _rebuild(fields: dict[str, Any]) -> Events:
    return Events(**fields)


def events_of(value: Any) -> Events:
    """``value`` when it is :class:`Events`, else the error that says how to make them.

    Examples
    --------
    >>> events_of({"account_id": ["a"], "at": ["2026-01-01"]})
    Traceback (most recent call last):
    successkit.errors.DataError: expected Events, got dict: make one with Events.from_columns(...)
    """
    if not isinstance(value, Events):
        raise not_the_input(value, "Events", "Events.from_columns(table, ...)")
    return value
