"""Calendar dates and durations.

successkit works in whole calendar days. A portfolio's ``as_of`` date is the clock every
date computation uses (tenure, ``days_since``, windows); the wall clock is never read.
Times of day and time zones are dropped: a ``datetime`` becomes its own calendar date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit.errors import DataError, ModelError

__all__ = [
    "DAYS_PER_UNIT",
    "duration_days",
    "format_duration",
    "iso_date",
    "model_duration",
    "parse_days",
    "to_date",
    "to_dates",
]

#: Days per duration unit, as the playbook language defines them (a month is 30 days).
DAYS_PER_UNIT: dict[str, int] = {"d": 1, "w": 7, "mo": 30, "y": 365}

_DURATION = re.compile(r"^\s*(\d[\d_]*)\s*(d|w|mo|y)\s*$", re.IGNORECASE)


def to_date(value: Any, *, what: str = "date") -> dt.date:
    """Convert a date-like value to :class:`datetime.date`.

    Accepts ``date``, ``datetime`` (its calendar date), ``numpy.datetime64``, pandas
    ``Timestamp`` and ISO 8601 strings (``"2026-04-01"``).

    Examples
    --------
    >>> to_date("2026-04-01")
    datetime.date(2026, 4, 1)
    >>> import datetime as dt
    >>> to_date(dt.datetime(2026, 4, 1, 23, 59))
    datetime.date(2026, 4, 1)
    """
    # pandas' NaT is a datetime that is unequal to itself, like a float NaN.
    if isinstance(value, dt.date) and value != value:
        raise DataError(f"{what} is missing (NaT)")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise DataError(f"{what} is missing (NaT)")
        day = value.astype("datetime64[D]").astype(object)
        assert isinstance(day, dt.date)
        return day
    if isinstance(value, str):
        day = iso_date(value)
        if day is None:
            raise DataError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)")
        return day
    raise DataError(f"{what} must be a date, not {type(value).__name__} {value!r}")


def to_dates(values: Any, *, what: str = "date") -> list[dt.date]:
    """Each of a sequence of date-like ``values`` as :class:`datetime.date` (``what``
    names one in errors); one date or text alone is not a sequence.

    Examples
    --------
    >>> to_dates(["2026-01-01", dt.date(2026, 2, 1)])
    [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    >>> to_dates("2026-01-01", what="snapshot date")
    Traceback (most recent call last):
    successkit.errors.DataError: expected a sequence of snapshot dates, got str
    """
    if isinstance(values, (str, bytes, dt.date, np.datetime64)) or not isinstance(
            values, Iterable):
        raise DataError(f"expected a sequence of {what}s, got {type(values).__name__}")
    return [to_date(value, what=what) for value in values]


def iso_date(text: str) -> dt.date | None:
    """The calendar date of ISO 8601 text — a date, or a date and time — or ``None``.

    Examples
    --------
    >>> iso_date(" 2026-04-01T23:59 "), iso_date("04/01/2026")
    (datetime.date(2026, 4, 1), None)
    """
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def parse_days(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.datetime64], int | None]:
    """Days (``datetime64[D]``) of present date-like values — ISO text (parsed once per
    distinct text), ``date``, ``datetime`` or ``datetime64`` — and the position of the first
    occurrence of the first unparseable text in sorted order, or ``None`` when all parse.

    Examples
    --------
    >>> days, bad = parse_days(np.array(["2026-04-01", dt.date(2026, 5, 1)], dtype=object))
    >>> days.tolist(), bad
    ([datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)], None)
    >>> parse_days(np.array(["2026-04-01", "soon", "later"], dtype=object))[1]
    2
    """
    out = np.empty(values.shape[0], dtype="datetime64[D]")
    texts = np.fromiter((isinstance(v, str) for v in values), dtype=np.bool_, count=len(values))
    if texts.any():
        unique, inverse = np.unique(values[texts].astype(str), return_inverse=True)
        inverse = inverse.reshape(-1)
        parsed = np.empty(unique.shape[0], dtype="datetime64[D]")
        for i, text in enumerate(unique.tolist()):  # a loop over distinct texts
            day = iso_date(text)
            if day is None:
                at = np.flatnonzero(texts)[int(np.flatnonzero(inverse == i)[0])]
                return out, int(at)
            parsed[i] = np.datetime64(day, "D")
        out[texts] = parsed[inverse]
    others = ~texts
    if others.any():
        out[others] = np.array([_day_of(v) for v in values[others]], dtype="datetime64[D]")
    return out, None


def _day_of(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]")
    if isinstance(value, dt.datetime):
        return np.datetime64(value.date(), "D")
    return np.datetime64(value, "D")


def duration_days(value: Any, *, what: str = "duration") -> int:
    """A duration in whole days, from days (int), ``timedelta`` or text such as ``"30d"``.

    Text uses the playbook language's units: ``d`` days, ``w`` weeks, ``mo`` months of 30
    days, ``y`` years of 365 days. Negative durations are rejected.

    Examples
    --------
    >>> duration_days("2w"), duration_days("3mo"), duration_days(45)
    (14, 90, 45)
    >>> import datetime as dt
    >>> duration_days(dt.timedelta(days=7))
    7
    >>> duration_days(dt.timedelta(hours=36), what="window")
    Traceback (most recent call last):
    successkit.errors.DataError: window must be whole days, got 1 day, 12:00:00
    """
    if isinstance(value, dt.timedelta):
        if value % dt.timedelta(days=1):  # its .days alone would drop the hours silently
            raise DataError(f"{what} must be whole days, got {value}")
        days = value.days
    elif isinstance(value, np.timedelta64):
        try:
            span = value / np.timedelta64(1, "D")
        except TypeError:  # months or years have no fixed number of days
            raise DataError(f"{what} must be whole days, got {value}") from None
        if not np.isfinite(span) or span != round(span):
            raise DataError(f"{what} must be whole days, got {value}")
        days = int(span)
    elif isinstance(value, bool):
        raise DataError(f"{what} must be a number of days or text like '30d', not {value!r}")
    elif isinstance(value, (int, np.integer)):
        days = int(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise DataError(
                f"{what} {value!r} is not a duration; write e.g. '7d', '2w', '3mo' or '1y'"
            )
        days = int(match.group(1).replace("_", "")) * DAYS_PER_UNIT[match.group(2).lower()]
    else:
        raise DataError(
            f"{what} must be a number of days or text like '30d', not {type(value).__name__}"
        )
    if days < 0:
        raise DataError(f"{what} must not be negative, got {days} days")
    return days


def model_duration(
    value: Any, *, what: str, where: str | None = None, hint: str | None = None
) -> int:
    """:func:`duration_days` for a model's definition (a window, a due date, a stage's
    expected duration): a bad duration is a :class:`~successkit.ModelError` naming ``where``.

    Examples
    --------
    >>> model_duration("2w", what="due")
    14
    >>> model_duration("soon", what="due", where="task 'kickoff'")
    Traceback (most recent call last):
    ...
    successkit.errors.ModelError: task 'kickoff': due 'soon' is not a duration; write e.g. ...
    """
    try:
        return duration_days(value, what=what)
    except DataError as exc:
        message = exc.message if hint is None else f"{exc.message}; {hint}"
        raise ModelError(message, where=where) from None


def format_duration(days: int) -> str:
    """The shortest exact text for a number of days, in the playbook language's units.

    Examples
    --------
    >>> format_duration(14), format_duration(90), format_duration(365), format_duration(10)
    ('2w', '3mo', '1y', '10d')
    """
    for unit in ("y", "mo", "w"):
        size = DAYS_PER_UNIT[unit]
        if days and days % size == 0:
            return f"{days // size}{unit}"
    return f"{days}d"
