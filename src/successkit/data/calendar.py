"""Calendar spans for windows and horizons: ``28d``, ``2w``, ``1mo``, ``1y`` moved along dates.

The playbook language counts a month as 30 days, which suits "within about a month". A usage
window or an outcome horizon instead has to line up with how a business reports: a monthly
metric at 2020-10-01 covers September, and "churned within 1mo" after 2020-09-01 means by
2020-10-01. So here ``mo`` and ``y`` are *calendar* months and years: the same day of the
month, clamped to the month's last day (2020-01-31 + 1mo = 2020-02-29), while ``d`` and ``w``
are exact days.

Two rules use these spans throughout successkit:

* a **window** ``w`` at snapshot date ``D`` covers the days ``[D - w, D)``: events on ``D``
  itself belong to the next snapshot;
* a **horizon** ``h`` after ``D`` covers the days ``(D, D + h]``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from successkit.data.dates import to_date
from successkit.errors import DataError, ModelError

__all__ = ["Span", "calendar", "parse_span", "shift", "span_text"]

Unit = Literal["d", "w", "mo", "y"]

_SPAN = re.compile(r"^\s*(\d+)\s*(d|w|mo|y)\s*$", re.IGNORECASE)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _check_unit(_: Any, __: Any, value: str) -> None:
    if value not in ("d", "w", "mo", "y"):
        raise ModelError(f"a span's unit is one of d, w, mo, y, not {value!r}")


def _check_count(_: Any, __: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelError(f"a span's count is a whole number of at least 0, not {value!r}")


@attrs.frozen
class Span:
    """A length of calendar time: ``count`` days, weeks, calendar months or calendar years.

    Examples
    --------
    >>> Span(28, "d")
    Span(count=28, unit='d')
    >>> span_text(Span(1, "mo"))
    '1mo'
    """

    count: int = attrs.field(validator=_check_count)
    unit: Unit = attrs.field(validator=_check_unit)

    @property
    def months(self) -> int:
        """Calendar months in the span (0 for spans of days or weeks)."""
        return self.count * {"mo": 1, "y": 12}.get(self.unit, 0)

    @property
    def days(self) -> int:
        """Exact days in the span (0 for spans of months or years)."""
        return self.count * {"d": 1, "w": 7}.get(self.unit, 0)

    def __str__(self) -> str:
        return span_text(self)


def parse_span(value: Any, *, what: str = "window") -> Span:
    """Read a span from text (``"28d"``, ``"2w"``, ``"1mo"``, ``"1y"``), a :class:`Span`, or
    a :class:`datetime.timedelta` of whole days.

    A bad span is a :class:`~successkit.ModelError` naming ``what``.

    Examples
    --------
    >>> parse_span("28d"), parse_span("1mo")
    (Span(count=28, unit='d'), Span(count=1, unit='mo'))
    >>> import datetime as dt
    >>> parse_span(dt.timedelta(weeks=1))
    Span(count=7, unit='d')
    >>> parse_span("a month", what="horizon")
    Traceback (most recent call last):
    ...
    successkit.errors.ModelError: horizon 'a month' is not a duration; write e.g. '28d', ...
    """
    if isinstance(value, Span):
        return value
    if isinstance(value, dt.timedelta):
        if value < dt.timedelta(0) or value != dt.timedelta(days=value.days):
            raise ModelError(f"{what} must be a whole, non-negative number of days, not {value}")
        return Span(value.days, "d")
    if isinstance(value, str):
        match = _SPAN.match(value)
        if match is not None:
            return Span(int(match.group(1)), match.group(2).lower())  # type: ignore[arg-type]
        raise ModelError(
            f"{what} {value!r} is not a duration; write e.g. '28d', '2w', '1mo' or '1y'"
        )
    raise ModelError(
        f"{what} must be text like '28d' or '1mo', not {type(value).__name__} {value!r}"
    )


def span_text(span: Span) -> str:
    """The span as text, as :func:`parse_span` reads it.

    Examples
    --------
    >>> span_text(parse_span("  90D "))
    '90d'
    """
    return f"{span.count}{span.unit}"


def shift(days: Any, span: Span | str, sign: int = 1) -> npt.NDArray[np.datetime64]:
    """Move every date in ``days`` by ``span``, forward (``sign=1``) or back (``sign=-1``).

    Vectorised over a ``datetime64[D]`` array (or anything :func:`numpy.asarray` makes one
    of). Calendar months keep the day of the month, clamped to the month's last day; NaT
    stays NaT.

    Examples
    --------
    >>> import numpy as np
    >>> shift(np.array(["2020-01-31", "2020-09-01"], dtype="datetime64[D]"), "1mo")
    array(['2020-02-29', '2020-10-01'], dtype='datetime64[D]')
    >>> shift(np.array(["2020-10-01"], dtype="datetime64[D]"), "28d", -1)
    array(['2020-09-03'], dtype='datetime64[D]')
    >>> shift(np.array(["2024-02-29"], dtype="datetime64[D]"), "1y")
    array(['2025-02-28'], dtype='datetime64[D]')
    """
    if sign not in (1, -1):
        raise ModelError(f"sign must be 1 or -1, not {sign!r}")
    span = parse_span(span)
    base = np.asarray(days, dtype="datetime64[D]")
    if span.months == 0:
        return np.asarray(base + np.timedelta64(sign * span.days, "D"), dtype="datetime64[D]")
    month = base.astype("datetime64[M]")
    day_of_month = (base - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(sign * span.months, "M")
    month_length = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1).astype(
        "timedelta64[D]"
    )
    return np.where(np.isnat(base), np.datetime64("NaT", "D"), out)


def calendar(start: Any, end: Any, every: str | Span = "month") -> tuple[dt.date, ...]:
    """Snapshot dates from ``start`` to ``end`` (both included when they fall on the grid).

    ``every`` is ``"month"`` (each first of the month), ``"week"`` (each Monday), a weekday
    name (``"sunday"``: each Sunday), ``"day"``, or a span (``"2w"``, ``"1mo"``), stepped
    from ``start`` itself.

    Examples
    --------
    >>> [d.isoformat() for d in calendar("2026-01-15", "2026-04-01")]
    ['2026-02-01', '2026-03-01', '2026-04-01']
    >>> [d.isoformat() for d in calendar("2026-03-01", "2026-03-20", "monday")]
    ['2026-03-02', '2026-03-09', '2026-03-16']
    >>> [d.isoformat() for d in calendar("2026-01-31", "2026-04-30", "1mo")]
    ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']
    """
    first, last = to_date(start, what="start"), to_date(end, what="end")
    if last < first:
        raise DataError(f"the calendar's end {last} is before its start {first}")
    lo, hi = np.datetime64(first, "D"), np.datetime64(last, "D")
    if isinstance(every, str) and every.lower() in ("month", "week", "day", *_WEEKDAYS):
        name = every.lower()
        if name == "month":
            months = np.arange(
                lo.astype("datetime64[M]") + np.timedelta64(int(first.day != 1), "M"),
                hi.astype("datetime64[M]") + np.timedelta64(1, "M"),
            )
            grid = months.astype("datetime64[D]")
        elif name == "day":
            grid = np.arange(lo, hi + np.timedelta64(1, "D"))
        else:
            weekday = 0 if name == "week" else _WEEKDAYS.index(name)
            offset = (weekday - first.weekday()) % 7
            grid = np.arange(lo + np.timedelta64(offset, "D"), hi + np.timedelta64(1, "D"), 7)
    else:
        span = parse_span(every, what="calendar step")
        if span.count == 0:
            raise ModelError("a calendar step must be longer than 0 days")
        if span.months == 0:
            grid = np.arange(lo, hi + np.timedelta64(1, "D"), span.days)
        else:
            # Step from the start each time so that a month-end start stays on month ends.
            steps = (last.year - first.year) * 12 + last.month - first.month
            starts = np.full(steps // span.months + 1, lo)
            grid = np.array(
                [shift(starts[:1], Span(k * span.months, "mo"))[0] for k in range(len(starts))],
                dtype="datetime64[D]",
            )
    grid = grid[grid <= hi]
    return tuple(day.astype(object) for day in grid)
