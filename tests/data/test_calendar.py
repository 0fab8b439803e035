"""Calendar spans: shifting dates by days and calendar months, and snapshot calendars."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from successkit.data.calendar import Span, calendar, parse_span, shift, span_text
from successkit.errors import DataError, ModelError

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


def _add_months(day: dt.date, months: int) -> dt.date:
    """Plain-Python reference: same day of month, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = pycalendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@given(st.lists(dates, min_size=1, max_size=20), st.integers(0, 40), st.sampled_from([1, -1]))
def test_shift_by_months_matches_reference(days: list[dt.date], months: int, sign: int) -> None:
    got = shift(np.array(days, dtype="datetime64[D]"), Span(months, "mo"), sign)
    assert [d.astype(object) for d in got] == [_add_months(d, sign * months) for d in days]


@given(st.lists(dates, min_size=1, max_size=20), st.integers(0, 500), st.sampled_from([1, -1]))
def test_shift_by_days_is_exact(days: list[dt.date], count: int, sign: int) -> None:
    got = shift(np.array(days, dtype="datetime64[D]"), f"{count}d", sign)
    assert [d.astype(object) for d in got] == [d + dt.timedelta(days=sign * count) for d in days]


def test_years_are_twelve_calendar_months_and_nat_stays_nat() -> None:
    got = shift(np.array(["2024-02-29", "NaT"], dtype="datetime64[D]"), "1y")
    assert str(got[0]) == "2025-02-28"
    assert np.isnat(got[1])
    assert str(shift(np.array(["2020-09-01"], dtype="datetime64[D]"), "1mo")[0]) == "2020-10-01"


@pytest.mark.parametrize("text", ["28d", "2w", "1mo", "1y", "0d"])
def test_span_text_round_trips(text: str) -> None:
    assert span_text(parse_span(text)) == text


@pytest.mark.parametrize("bad", ["soon", "-1d", "1.5mo", "", 30, None, dt.timedelta(hours=5)])
def test_bad_spans_name_what(bad: object) -> None:
    with pytest.raises(ModelError, match="horizon"):
        parse_span(bad, what="horizon")


def test_span_validates_its_fields() -> None:
    with pytest.raises(ModelError):
        Span(1, "q")  # type: ignore[arg-type]
    with pytest.raises(ModelError):
        Span(-1, "d")


@given(dates, st.integers(0, 400))
def test_month_calendar_is_every_first_of_month_in_range(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    expected = [
        start + dt.timedelta(days=k)
        for k in range(length + 1)
        if (start + dt.timedelta(days=k)).day == 1
    ]
    assert list(calendar(start, end, "month")) == expected


@given(dates, st.integers(0, 60), st.sampled_from(["monday", "sunday", "week", "day"]))
def test_weekday_calendars(start: dt.date, length: int, every: str) -> None:
    end = start + dt.timedelta(days=length)
    span = [start + dt.timedelta(days=k) for k in range(length + 1)]
    if every == "day":
        expected = span
    else:
        weekday = 6 if every == "sunday" else 0
        expected = [d for d in span if d.weekday() == weekday]
    assert list(calendar(start, end, every)) == expected


def test_span_calendar_steps_from_start_and_keeps_month_ends() -> None:
    got = calendar("2026-01-31", "2026-05-31", "1mo")
    assert [d.isoformat() for d in got] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
    ]
    assert [d.isoformat() for d in calendar("2026-01-01", "2026-01-20", "1w")] == [
        "2026-01-01",
        "2026-01-08",
        "2026-01-15",
    ]


def test_calendar_refuses_reversed_range_and_empty_step() -> None:
    with pytest.raises(DataError, match="before its start"):
        calendar("2026-02-01", "2026-01-01")
    with pytest.raises(ModelError, match="longer than 0"):
        calendar("2026-01-01", "2026-02-01", "0d")
