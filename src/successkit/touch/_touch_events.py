"""Touch events in, typed arrays out: the shared events reader, plus touch's own columns.

Events arrive as any mapping of columns or data frame (as for :class:`Portfolio`), with
columns ``account_id``, ``touchpoint``, ``at`` and optionally ``user_id``, ``item``,
``progress`` and a count of events per row (``count=``), or as an
:class:`~successkit.data.events.Events` already read. The account, date, touch point and
count columns are read by :class:`~successkit.data.events.Events` — the one events reader of
successkit, shared with the usage metrics — so pre-aggregated rows ("n web accesses on this
day") score as the events they stand for, and a count-like column left unread is an error.
Other columns are ignored. Errors name the column and the 0-based row of the first
offending event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, optional_array, readonly, readonly_arrays
from successkit.data._text_keys import factorize, match, text_array
from successkit.data.convert import convert_column
from successkit.data.events import Events
from successkit.data.read import plain_name, read_table_columns
from successkit.errors import DataError, did_you_mean_suffix

__all__ = ["COLUMNS", "EventTable", "check_events", "detached", "group_codes", "read_events"]

#: The columns of an event table: the first three are required.
COLUMNS = ("account_id", "touchpoint", "at", "user_id", "item", "progress")
_REQUIRED = COLUMNS[:3]


@readonly_arrays
@attrs.frozen(kw_only=True, eq=False)
class EventTable:
    """Touch events as typed arrays over an :class:`~successkit.data.events.Events` (row
    order kept).

    ``touch`` holds codes into the model's touch points; ``weight`` how many events each
    row stands for (``None``: one each). ``user`` and ``item`` serve grouping only: numpy
    ``str`` labels or integers (``None`` when the column is absent); :func:`group_codes`
    turns the events that count into dense codes, so the work is done for those events only.
    """

    events: Events
    # One or two bytes a row (the model's touch point count decides), like Events.type.
    touch: npt.NDArray[np.unsignedinteger[Any]] = array_field()
    # array_field, so that readonly_arrays keeps them read-only through pickling too.
    user: npt.NDArray[Any] | None = array_field(default=None, converter=optional_array())
    item: npt.NDArray[Any] | None = array_field(default=None, converter=optional_array())
    touchpoints: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.events)

    @property
    def account(self) -> npt.NDArray[np.int32]:
        """Account codes into ``events.accounts``."""
        return self.events.account

    @property
    def at(self) -> npt.NDArray[np.datetime64]:
        """The day of each event."""
        return self.events.day

    @property
    def progress(self) -> npt.NDArray[np.float64] | None:
        """Progress of each event (the events' value column), or ``None``."""
        return self.events.value

    @property
    def weight(self) -> npt.NDArray[np.integer[Any]] | None:
        """Events per row (the count column), or ``None`` when each row is one event."""
        return self.events.count

    @cached_property
    def account_names(self) -> npt.NDArray[np.str_]:
        """The log's account ids as one array (built once: scoring reads them often)."""
        names: npt.NDArray[np.str_] = readonly(np.asarray(self.events.accounts, dtype=np.str_))
        return names

    def account_ids(self, events: npt.NDArray[np.intp]) -> npt.NDArray[np.str_]:
        """The account ids of the events at positions ``events``."""
        names = self.account_names
        return names[self.events.account[events]] if names.size else np.zeros(0, np.str_)

    def rows_in(
        self, ids: npt.NDArray[np.str_], events: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """For the events at positions ``events``, the row of their account in ``ids``
        (``-1``: not there): one match per distinct account, then a gather."""
        names = self.account_names
        if not names.size:
            return np.full(events.shape[0], -1, dtype=np.intp)
        return match(names, ids)[self.events.account[events]]


def _first(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.argmax(mask))


def _check_length(name: str, size: int, n: int) -> None:
    if size != n:
        raise DataError(f"has {size} values but the 'account_id' column has {n}", column=name)


def _text_values(raw: Any) -> npt.NDArray[np.str_] | None:
    """``raw`` as a numpy str array when it is one already (the fast path), else ``None``."""
    if isinstance(raw, np.ndarray) and raw.ndim == 1 and raw.dtype.kind in "UT":
        return text_array(raw)
    return None


def _group_values(raw: Any, name: str, n: int) -> npt.NDArray[Any]:
    """Values to group by: numpy ``str`` labels or integers (category codes, ``-1`` for
    missing, when read through :func:`convert_column`)."""
    labels = _text_values(raw)
    if labels is None and isinstance(raw, np.ndarray) and raw.ndim == 1 and (
        raw.dtype.kind in "iu"
    ):
        labels = raw
    if labels is not None:
        _check_length(name, labels.shape[0], n)
        return labels
    column = convert_column(raw, name=name, kind="category")
    _check_length(name, len(column), n)
    return column.values.astype(np.int64)


def group_codes(values: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Dense codes ``0, 1, …`` for grouping (equal values, equal codes). Blank labels are
    missing, and every missing value shares one code.

    Examples
    --------
    >>> group_codes(np.array(["u2", "u1", "", "u2", " "])).tolist()
    [1, 0, 2, 1, 2]
    """
    if values.dtype.kind != "U":
        _, inverse = np.unique(values, return_inverse=True)
        return inverse.reshape(-1).astype(np.intp)
    codes, distinct = factorize(values)
    blank = np.char.str_len(np.char.strip(distinct)) == 0
    if blank.any():
        # Renumber so that every blank label maps to one code after the others.
        renumber = np.cumsum(~blank) - 1
        renumber[blank] = int((~blank).sum())
        codes = renumber[codes]
    return codes.astype(np.intp)


def read_events(events: Any, names: Sequence[str], *,
                count: str | bool | None = None) -> EventTable:
    """Read and type an event table for a model with touch points ``names``.

    ``count`` names a column of events per row (pre-aggregated rows), or is ``False`` to
    leave a count-like column unread; see :meth:`~successkit.data.events.Events.from_columns`.

    Raises
    ------
    DataError
        A required column is absent, columns differ in length, an account id, touch point
        or date is missing, a touch point is unknown, a count is negative, a count-like
        column is not read, or a value has the wrong type.
    """
    if isinstance(events, EventTable):
        return events
    if isinstance(events, Events):
        return _from_events(events, tuple(names))
    raw = read_table_columns(events)
    for name in _REQUIRED:
        if name not in raw:
            suffix = did_you_mean_suffix(name, list(raw))
            shown = ", ".join(repr(c) for c in raw) or "none"
            raise DataError(f"events need this column (columns: {shown}){suffix}", column=name)
    _refuse_near_misses(raw)
    read = Events.from_columns(
        {k: v for k, v in raw.items() if k not in ("user_id", "item")},
        account="account_id", time="at", type="touchpoint", count=count,
        value="progress" if "progress" in raw else None, types=list(names), what="touch point",
    )
    n = len(read)
    user = _group_values(raw["user_id"], "user_id", n) if "user_id" in raw else None
    item = _group_values(raw["item"], "item", n) if "item" in raw else None
    return _from_events(read, tuple(names), user=user, item=item)


def detached(table: EventTable) -> EventTable:
    """``table`` with its own copy of every array that may be a view of the caller's columns.

    Reading keeps a ``datetime64[D]`` time column, integer counts and account codes (in
    :class:`~successkit.data.events.Events`) and numpy user and item labels as views, to
    spare memory for one call; a bound model outlives the call, and the caller may then
    reuse their arrays. Copying every array, not only the shared ones, because whether an
    array views a frame's memory cannot be told cheaply.
    """

    def own(array: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
        return None if array is None else array.copy()

    ev = table.events
    events = attrs.evolve(ev, account=ev.account.copy(), day=ev.day.copy(),
                          count=own(ev.count), user=own(ev.user), value=own(ev.value))
    return attrs.evolve(table, events=events, touch=table.touch.copy(), user=own(table.user),
                        item=own(table.item))


# Column names that almost surely mean ``user_id`` or ``item``, which are read by those
# exact names only: one left unread silently merges every user (or item) of an account.
_LOOKS_LIKE = {
    "user_id": frozenset({"user", "users", "userid", "user_id", "user_name", "username",
                          "member", "member_id", "person_id", "contact_id", "uid"}),
    "item": frozenset({"item", "items", "item_id", "itemid", "item_name", "content_id"}),
}


def _refuse_near_misses(raw: Mapping[str, Any]) -> None:
    """A DataError for a column that looks like ``user_id`` or ``item`` but is not read."""
    for name in raw:
        plain = plain_name(str(name))
        for wanted, names in _LOOKS_LIKE.items():
            if name != wanted and wanted not in raw and plain in names:
                raise DataError(
                    f"looks like the {wanted!r} column but is not read (touch events read "
                    f"{wanted!r} by that name only); rename it to {wanted!r}, or drop it",
                    column=str(name),
                )


def _from_events(events: Events, names: tuple[str, ...], *, user: Any = None,
                 item: Any = None) -> EventTable:
    """The touch view of ``events``: its types mapped to the model's touch point order."""
    position = {name: k for k, name in enumerate(names)}
    unknown = [t for t in events.types if t not in position]
    if unknown:  # a loop over event types, not events
        codes = np.flatnonzero(np.isin(np.asarray(events.types), unknown))
        rows = np.flatnonzero(np.isin(events.type, codes))
        if rows.size:  # a declared type that no row uses is harmless
            row = int(rows[0])
            label = events.types[int(events.type[row])]
            hint = did_you_mean_suffix(label, list(names)) or \
                f"; the model knows {', '.join(names)}"
            raise DataError(f"unknown touch point {label!r}{hint}", column="touchpoint", row=row)
    # Unknown types used by a row were refused above, so every row's code is a touch point.
    small = np.uint8 if len(names) <= 256 else np.uint16 if len(names) <= 65_536 else np.uint32
    remap = np.array([position.get(t, 0) for t in events.types], dtype=small)
    if events.type.dtype == small and np.array_equal(remap, np.arange(remap.shape[0])):
        touch = events.type  # the same codes: share the read-only array, no copy
    else:
        touch = np.take(remap, events.type) if remap.size else np.zeros(0, small)
    if user is None and events.user is not None:
        user = events.user
    if item is None and "item" in events.extra:
        item = events.extra["item"].values
    return EventTable(events=events, touch=touch, user=user, item=item, touchpoints=names)


def check_events(
    table: EventTable,
    *,
    tiered: npt.NDArray[np.bool_],
    as_of: dt.date | None,
    future: str,
) -> npt.NDArray[np.bool_] | None:
    """Check progress and dates; return the mask of events after ``as_of`` to skip (when
    ``future="ignore"``), else ``None``.

    ``tiered`` flags, per touch point, whether its points depend on progress.
    """
    progress = table.progress
    if progress is not None:
        outside = (progress < 0) | (progress > 1)
        if outside.any():
            row = _first(outside)
            raise DataError(
                f"progress {progress[row]:g} is outside [0, 1]", column="progress", row=row
            )
    needs = tiered[table.touch]
    lacking = needs if progress is None else needs & np.isnan(progress)
    if lacking.any():
        row = _first(lacking)
        what = "events have no 'progress' column" if progress is None else "event has none"
        raise DataError(
            f"touch point {table.touchpoints[table.touch[row]]!r} earns points by progress, "
            f"but the {what}",
            column="progress",
            row=row,
        )
    if as_of is None:
        return None
    late = table.at > np.datetime64(as_of, "D")
    if not late.any():
        return None
    if future == "ignore":
        return late
    row = _first(late)
    raise DataError(
        f"the event is dated {table.at[row]}, after the portfolio's as_of date "
        f"{as_of.isoformat()}",
        column="at",
        row=row,
    )
