"""Product event logs as one columnar table: account, day, event type, and optional extras.

:class:`Events` is the single events reader of successkit: usage metrics and the touch score
both read it. Rows are kept as given — a duplicated row is counted twice — and a ``count``
column marks pre-aggregated rows ("n events of this type on this day").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, optional_array, readonly, readonly_arrays
from successkit.data.column import Column
from successkit.data.convert import convert_column, convert_ids, read_columns
from successkit.data.kinds import Kind
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["COUNT_LIKE", "Events"]

# Column names that almost surely hold a pre-aggregated count: reading past one silently
# would count each row once (the bug that made the touch score see 8k events, not 762k).
COUNT_LIKE = frozenset(
    {"count", "counts", "n", "events", "num_events", "n_events", "event_count", "quantity",
     "qty", "cnt", "times", "occurrences", "frequency", "freq"}
)


def _freeze(value: Mapping[str, Column]) -> Mapping[str, Column]:
    return MappingProxyType(dict(value))


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@readonly_arrays
@attrs.frozen(eq=False, repr=False)
class Events:
    """An event log: one row per event, or per pre-aggregated group of events.

    ``account`` holds ``int32`` codes into ``accounts`` (sorted ids), ``day`` the event day
    (``datetime64[D]``), ``type`` ``int32`` codes into ``types``; ``user`` (codes into
    ``users``), ``count`` (``int64``, how many events a row stands for) and ``value``
    (``float64``, NaN when missing) are optional. ``extra`` holds kept columns. All arrays
    are read-only. Build one with :meth:`from_columns`.

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
    type: npt.NDArray[np.int32] = array_field()
    users: tuple[str, ...] = attrs.field(default=(), converter=_names)
    user: npt.NDArray[np.int64] | None = array_field(converter=optional_array(), default=None)
    count: npt.NDArray[np.int64] | None = array_field(converter=optional_array(), default=None)
    value: npt.NDArray[np.float64] | None = array_field(converter=optional_array(),
                                                        default=None)
    extra: Mapping[str, Column] = attrs.field(factory=dict, converter=_freeze)

    def __len__(self) -> int:
        return int(self.account.shape[0])

    def __repr__(self) -> str:
        return (f"Events({len(self)} rows, {len(self.accounts)} accounts, "
                f"{len(self.types)} types)")

    def total(self) -> npt.NDArray[np.int64]:
        """How many events each row stands for: its ``count``, or 1."""
        if self.count is None:
            return np.ones(len(self), dtype=np.int64)
        return self.count

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
        raw = read_columns(data)
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
        n = _length(raw[account], account)
        for name in wanted:
            if _length(raw[name], name) != n:
                raise DataError(f"has a different length than column {account!r}", column=name)
        ids, codes = _codes(raw[account], account, accounts, "account")
        kinds, type_codes = _codes(raw[type], type, types, "event type")
        day = _days(raw[time], time)
        users: tuple[str, ...] = ()
        user_codes = None
        if user is not None:
            names, user_codes = _codes(raw[user], user, None, "user")
            users = tuple(names)
        counts = None if not isinstance(count, str) else _counts(raw[count], count)
        values = None
        if value is not None:
            values = convert_column(raw[value], name=value, kind=Kind.NUMBER).values
        extra = {name: convert_column(raw[name], name=name) for name in keep}
        return cls(accounts=ids, types=kinds, account=codes, day=day, type=type_codes, users=users,
                   user=user_codes, count=counts, value=values, extra=extra)


def _length(raw: Any, name: str) -> int:
    try:
        return len(raw)
    except TypeError:
        raise DataError(f"expected a sequence of values, got {raw!r}", column=name) from None


def _array(raw: Any) -> npt.NDArray[Any] | None:
    """``raw`` as a numpy array when it already is one (or a frame column of one), else None."""
    if isinstance(raw, np.ndarray) and not isinstance(raw, np.ma.MaskedArray):
        return raw
    if hasattr(raw, "to_numpy") and type(raw).__module__.split(".")[0] in ("pandas", "polars"):
        array = np.asarray(raw.to_numpy())
        return array if array.dtype.kind in "iuUM" else None
    return None


def _codes(
    raw: Any, name: str, lookup: Sequence[Any] | None, what: str
) -> tuple[tuple[str, ...], npt.NDArray[Any]]:
    """(sorted names, int codes) of an id-like column; integer codes index ``lookup``."""
    array = _array(raw)
    if lookup is not None and array is not None and array.dtype.kind in "iu":
        table = (convert_ids(list(lookup), name=f"{name} lookup") if len(lookup)
                 else np.zeros(0, str))
        bad = (array < 0) | (array >= len(table))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"{what} code {int(array[row])} is outside the lookup table of "
                            f"{len(table)}", column=name, row=row)
        names, remap = np.unique(table, return_inverse=True)
        if len(names) != len(table):
            raise DataError(f"the {what} lookup table repeats a name", column=name)
        return tuple(names.tolist()), remap.astype(np.int32)[array]
    if array is not None and array.dtype.kind in "iu":
        values, inverse = np.unique(array, return_inverse=True)
        labels = values.astype(str)
        order = np.argsort(labels, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.shape[0])
        return tuple(labels[order].tolist()), rank.astype(np.int32)[inverse.reshape(-1)]
    labels = convert_ids(raw, name=name) if array is None or array.dtype.kind != "U" else array
    if array is not None and array.dtype.kind == "U":
        empty = np.char.str_len(np.char.strip(labels)) == 0
        if empty.any():
            raise DataError(f"missing {what}", column=name, row=int(np.flatnonzero(empty)[0]))
    names, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.reshape(-1)
    if lookup is not None:
        known = [str(v) for v in lookup]
        position = np.searchsorted(np.sort(np.asarray(known, dtype=str)), names)
        sorted_known = np.sort(np.asarray(known, dtype=str))
        found = np.zeros(len(names), dtype=np.bool_)
        if known:
            nearest = sorted_known[np.minimum(position, len(known) - 1)]
            found = np.asarray((position < len(known)) & (nearest == names), dtype=np.bool_)
        if not found.all():
            miss = int(np.flatnonzero(~found)[0])
            row = int(np.flatnonzero(inverse == miss)[0])
            raise DataError(f"unknown {what} {str(names[miss])!r}"
                            + did_you_mean_suffix(str(names[miss]), known), column=name, row=row)
        full = np.unique(np.asarray(known, dtype=str))
        return tuple(full.tolist()), np.searchsorted(full, names).astype(np.int32)[inverse]
    return tuple(names.tolist()), inverse.astype(np.int32)


def _days(raw: Any, name: str) -> npt.NDArray[np.datetime64]:
    array = _array(raw)
    if array is not None and array.dtype.kind == "M":
        days = array.astype("datetime64[D]")
    else:
        objects = np.asarray(raw.to_numpy() if hasattr(raw, "to_numpy") else list(raw),
                             dtype=object) if array is None else array.astype(object)
        zones = np.fromiter((isinstance(v, dt.datetime) for v in objects), bool, len(objects))
        if zones.any():
            aware = np.fromiter((isinstance(v, dt.datetime) and v.tzinfo is not None
                                 for v in objects), bool, len(objects))
            awareness = aware[zones]
            if awareness.any() and not awareness.all():
                rows = np.flatnonzero(zones)
                row = int(rows[np.flatnonzero(awareness != awareness[0])[0]])
                raise DataError("time-zone-aware and naive datetimes are mixed; convert them "
                                "to one time zone first", column=name, row=row)
        days = convert_column(objects, name=name, kind=Kind.DATE).values
    missing = np.isnat(days)
    if missing.any():
        raise DataError("missing or unparseable time", column=name,
                        row=int(np.flatnonzero(missing)[0]))
    return readonly(days)


def _counts(raw: Any, name: str) -> npt.NDArray[np.int64]:
    array = _array(raw)
    if array is not None and array.dtype.kind in "iu":
        counts = array.astype(np.int64)
    else:
        numbers = convert_column(raw, name=name, kind=Kind.NUMBER).values
        bad = np.isnan(numbers) | (numbers != np.round(numbers))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(f"count {numbers[row]} is not a whole number", column=name, row=row)
        counts = numbers.astype(np.int64)
    negative = counts < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise DataError(f"negative count {int(counts[row])}", column=name, row=row)
    return counts
