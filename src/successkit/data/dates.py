"""Calendar dates and durations.

successkit works in whole calendar days. A portfolio's ``as_of`` date is the clock every
date computation uses (tenure, ``days_since``, windows); the wall clock is never read.
Times of day and time zones are dropped: a ``datetime`` becomes its own calendar date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from successkit.errors import DataError, ModelError

__all__ = ["DAYS_PER_UNIT", "duration_days", "format_duration", "model_duration", "to_date"]

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
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            try:
                return dt.datetime.fromisoformat(text).date()
            except ValueError:
                raise DataError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from None
    raise DataError(f"{what} must be a date, not {type(value).__name__} {value!r}")


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
    """
    if isinstance(value, dt.timedelta):
        days = value.days
    elif isinstance(value, np.timedelta64):
        days = int(value.astype("timedelta64[D]").astype(np.int64))
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
