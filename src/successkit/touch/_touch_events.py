"""Touch events in, typed arrays out: reading and checking an event table once.

Events arrive as any mapping of columns or data frame (as for :class:`Portfolio`), with
columns ``account_id``, ``touchpoint``, ``at`` and optionally ``user_id``, ``item`` and
``progress``. Other columns are ignored. Text columns held as numpy ``str`` arrays take a
fast path (hashing, see :mod:`successkit.touch._text_keys`); other inputs go through
:func:`~successkit.data.convert.convert_column`, which handles every frame library.
Errors name the column and the 0-based row of the first offending event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, optional_array, readonly_arrays
from successkit.data.convert import convert_column, convert_ids, read_columns
from successkit.errors import DataError, did_you_mean, did_you_mean_suffix
from successkit.touch._text_keys import factorize, match, text_array

__all__ = ["COLUMNS", "EventTable", "check_events", "group_codes", "read_events"]

#: The columns of an event table: the first three are required.
COLUMNS = ("account_id", "touchpoint", "at", "user_id", "item", "progress")
_REQUIRED = COLUMNS[:3]


@readonly_arrays
@attrs.frozen(kw_only=True, eq=False)
class EventTable:
    """Events as typed arrays, one entry per event (row order kept).

    ``touch`` holds codes into the model's touch points. ``user`` and ``item`` serve
    grouping only: numpy ``str`` labels or integers (``None`` when the column is absent);
    :func:`group_codes` turns the events that count into dense codes, so the work is done
    for those events only.
    """

    account: npt.NDArray[np.str_] = array_field()
    touch: npt.NDArray[np.intp] = array_field()
    at: npt.NDArray[np.datetime64] = array_field()
    # array_field, so that readonly_arrays keeps them read-only through pickling too.
    user: npt.NDArray[Any] | None = array_field(default=None, converter=optional_array())
    item: npt.NDArray[Any] | None = array_field(default=None, converter=optional_array())
    progress: npt.NDArray[np.float64] | None = array_field(
        default=None, converter=optional_array()
    )
    touchpoints: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.account.shape[0])

    def rows_in(
        self, ids: npt.NDArray[np.str_], events: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """For the events at positions ``events``, the row of their account in ``ids``
        (``-1``: not there)."""
        return match(self.account[events], ids)


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


def _touch_codes(raw: Any, names: tuple[str, ...], n: int) -> npt.NDArray[np.intp]:
    known = np.array(names, dtype=np.str_)
    labels = _text_values(raw)
    index = None  # row → position in labels, when labels are the distinct categories
    if labels is not None:
        _check_length("touchpoint", labels.shape[0], n)
        codes = match(labels, known)
    else:
        column = convert_column(raw, name="touchpoint", kind="category")
        _check_length("touchpoint", len(column), n)
        # A missing touch point (code -1) picks the blank label appended last.
        labels = np.array([*column.categories, ""], dtype=np.str_)
        index = column.values
        codes = match(labels, known)[index]
    bad = codes < 0
    if bad.any():
        row = _first(bad)
        label = labels[row] if index is None else labels[index[row]]
        raise _unknown_touch(str(label), names, row)
    return codes


def _unknown_touch(label: str, names: tuple[str, ...], row: int) -> DataError:
    if not label.strip():
        return DataError("the event has no touch point", column="touchpoint", row=row)
    hint = did_you_mean(label, list(names))
    suffix = f"; did you mean {hint!r}?" if hint else f"; the model knows {', '.join(names)}"
    return DataError(f"unknown touch point {label!r}{suffix}", column="touchpoint", row=row)


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


def read_events(events: Any, names: Sequence[str]) -> EventTable:
    """Read and type an event table for a model with touch points ``names``.

    Raises
    ------
    DataError
        A required column is absent, columns differ in length, an account id, touch point
        or date is missing, a touch point is unknown, or a value has the wrong type.
    """
    if isinstance(events, EventTable):
        return events
    raw = read_columns(events)
    for name in _REQUIRED:
        if name not in raw:
            suffix = did_you_mean_suffix(name, list(raw))
            shown = ", ".join(repr(c) for c in raw) or "none"
            raise DataError(f"events need this column (columns: {shown}){suffix}", column=name)
    ids = raw["account_id"]
    text = _text_values(ids)
    account = convert_ids(ids if text is None else text, name="account_id")
    n = account.shape[0]
    touch = _touch_codes(raw["touchpoint"], tuple(names), n)
    at = convert_column(raw["at"], name="at", kind="date")
    _check_length("at", len(at), n)
    if at.missing.any():
        raise DataError("the event has no date", column="at", row=_first(at.missing))
    progress = None
    if "progress" in raw:
        column = convert_column(raw["progress"], name="progress", kind="number")
        _check_length("progress", len(column), n)
        progress = column.values
    user = _group_values(raw["user_id"], "user_id", n) if "user_id" in raw else None
    item = _group_values(raw["item"], "item", n) if "item" in raw else None
    return EventTable(
        account=account,
        touch=touch,
        at=at.values,
        user=user,
        item=item,
        progress=progress,
        touchpoints=tuple(names),
    )


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
