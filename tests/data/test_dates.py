"""Dates and durations shared by every area."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from successkit.data.dates import duration_days, format_duration, to_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-01", dt.date(2026, 4, 1)),
        (" 2026-04-01T23:30:00+09:00 ", dt.date(2026, 4, 1)),
        (dt.datetime(2026, 4, 1, 23, 59), dt.date(2026, 4, 1)),
        (dt.date(2026, 4, 1), dt.date(2026, 4, 1)),
        (np.datetime64("2026-04-01T10:00"), dt.date(2026, 4, 1)),
    ],
)
def test_to_date(value: object, expected: dt.date) -> None:
    assert to_date(value) == expected


@pytest.mark.parametrize("value", ["tomorrow", 20260401, np.datetime64("NaT"), None])
def test_to_date_rejects(value: object) -> None:
    with pytest.raises(sk.DataError):
        to_date(value)


@pytest.mark.parametrize(
    ("value", "days"),
    [("7d", 7), ("2w", 14), ("3mo", 90), ("1y", 365), ("1_000d", 1000), (" 2 W ", 14),
     (45, 45), (dt.timedelta(days=3), 3), (np.timedelta64(2, "W"), 14),
     (np.timedelta64(48, "h"), 2)],
)
def test_duration_days(value: object, days: int) -> None:
    assert duration_days(value) == days


@pytest.mark.parametrize("value", ["7", "7 days", "-3d", 1.5, True, -1, "3m",
                                   dt.timedelta(days=3, hours=5), np.timedelta64(36, "h"),
                                   np.timedelta64(1, "M"), np.timedelta64("NaT")])
def test_duration_days_rejects(value: object) -> None:
    with pytest.raises(sk.DataError):
        duration_days(value)


@given(st.integers(min_value=0, max_value=100_000))
def test_format_duration_round_trips(days: int) -> None:
    assert duration_days(format_duration(days)) == days
