"""Contracts at the edges a fuzz run found: churns before 1970, rows with no revenue value,
rows alike but for a column the table does not read, and revenue, seat and plan columns
named a little differently from the usual."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.contracts import account_facts, churn_labels, revenue_movements

periods = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 400), st.integers(1, 200),
                             st.booleans()), min_size=1, max_size=8)


def _table(rows: list[tuple[str, int, int, bool]], origin: dt.date) -> sk.Contracts:
    return sk.Contracts.from_columns({
        "account_id": [a for a, *_ in rows],
        "start": [origin + dt.timedelta(days=s) for _, s, _, _ in rows],
        "end": [None if running else origin + dt.timedelta(days=s + length)
                for _, s, length, running in rows]}, duplicates="drop", end_inclusive=False)


@settings(max_examples=60, deadline=None)
@given(periods, st.integers(0, 600))
def test_labels_and_facts_do_not_depend_on_the_century(rows, at: int) -> None:
    # Day-long horizons and grace gaps move with the dates: shifted into the 1900s, before
    # day 0 of numpy's calendar, every label and churn date shifts with them.
    modern, old = dt.date(2024, 1, 1), dt.date(1950, 1, 1)
    late, early = _table(rows, modern), _table(rows, old)
    day = dt.timedelta(days=at)
    until = dt.timedelta(days=900)
    assert np.array_equal(
        churn_labels(late, [modern + day], "60d", observed_until=modern + until).state,
        churn_labels(early, [old + day], "60d", observed_until=old + until).state)
    shift = np.datetime64(modern) - np.datetime64(old)
    late_on = account_facts(late, [modern + day]).churned_on
    early_on = account_facts(early, [old + day]).churned_on
    assert np.array_equal(late_on, early_on + shift, equal_nan=True)


def test_a_churn_before_1970_is_labelled() -> None:
    c = sk.Contracts.from_columns({"account_id": ["a", "b"], "start": ["1960-01-01"] * 2,
                                   "end": [None, "1960-06-01"]})
    assert churn_labels(c, ["1960-03-01"], "6mo",
                        observed_until="1961-01-01").state.tolist() == [[0, 1]]
    assert account_facts(c, ["1960-09-01"]).churned_on[0, 1] == np.datetime64("1960-06-01")


def _renewed_without_revenue() -> sk.Contracts:
    return sk.Contracts.from_columns({
        "account_id": ["a", "a", "b"], "start": ["2024-01-01", "2025-01-01", "2024-01-01"],
        "end": ["2025-01-01", None, None], "arr": [100, None, 50]}, revenue="arr")


def test_a_period_without_revenue_is_unknown_arr_not_zero() -> None:
    c = _renewed_without_revenue()
    facts = account_facts(c, ["2024-06-01", "2025-06-01"])
    assert facts.arr[0].tolist() == [100.0, 50.0]
    assert np.isnan(facts.arr[1, 0])
    assert facts.arr[1, 1] == 50.0
    # Before the row without revenue starts, the movements are known.
    assert revenue_movements(c, "2024-02-01", "2024-06-01").movement.tolist() == [
        "flat", "flat"]
    with pytest.raises(sk.DataError, match=r"row 1: revenue movements on 2025-06-01 need the "
                                            r"ARR of account 'a'"):
        revenue_movements(c, "2024-06-01", "2025-06-01")
    with pytest.raises(sk.DataError, match="row 1: contraction labels"):
        churn_labels(c, ["2024-06-01"], "1y", contraction=True, observed_until="2026-01-01")


def test_rows_alike_but_for_an_unread_column_are_two_rows() -> None:
    data = {"account_id": ["a", "a"], "start": ["2024-01-01"] * 2, "end": [None] * 2,
            "sku": ["seats", "storage"], "arr": [100, 100]}
    c = sk.Contracts.from_columns(data, revenue="arr")
    assert len(c) == 2
    assert c.dropped_duplicates == 0
    assert account_facts(c, ["2024-06-01"]).arr.tolist() == [[200.0]]
    same = {**data, "sku": ["seats", "seats"]}
    with pytest.raises(sk.DataError, match="row 1: this row repeats row 0 exactly"):
        sk.Contracts.from_columns(same, revenue="arr")
    assert sk.Contracts.from_columns(same, revenue="arr", duplicates="drop").dropped_duplicates == 1


@pytest.mark.parametrize(("column", "option"), [
    ("monthly_recurring_revenue", "revenue"), ("annual_recurring_revenue", "revenue"),
    ("arr_usd", "revenue"), ("ARR (USD)", "revenue"), ("Arr ", "revenue"),
    ("annual_contract_value", "revenue"), ("num_seats", "seats"),
    ("number_of_seats", "seats"), ("subscription_plan", "plan"), ("Plan Tier", "plan"),
])
def test_a_column_named_a_little_differently_is_not_passed_over(column: str,
                                                                option: str) -> None:
    table = {"account_id": ["a"], "start": ["2024-01-01"], "end": [None], column: [5]}
    with pytest.raises(sk.DataError, match=f"pass {option}="):
        sk.Contracts.from_columns(table)
    assert len(sk.Contracts.from_columns(table, **{option: False})) == 1


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "UTC"])
def test_zoned_dates_read_on_their_local_date_from_any_table(zone: str) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    # 23:30 or 00:30 local time: in UTC, one of the two falls on another day.
    frame = pd.DataFrame({"account_id": ["a", "b"], "start": ["2024-01-01 00:30"] * 2,
                          "end": ["2024-09-01 00:30", "2024-09-01 23:30"]})
    for name in ("start", "end"):
        frame[name] = pd.to_datetime(frame[name]).dt.tz_localize(zone)
    expected = ["2024-09-01", "2024-09-01"]
    for table in (frame, pl.from_pandas(frame), pl.from_pandas(frame).to_arrow()):
        read = sk.Contracts.from_columns(table)
        assert read.end.astype(str).tolist() == expected
        assert read.start.astype(str).tolist() == ["2024-01-01"] * 2
        dates = sk.Portfolio.from_columns({"id": ["a", "b"], "renewal": table["end"]})
        assert dates["renewal"].astype(str).tolist() == expected


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), "decimal-nan"])
def test_a_plan_with_no_whole_value_is_a_data_error(value: object) -> None:
    import decimal

    label = decimal.Decimal("NaN") if value == "decimal-nan" else value
    with pytest.raises(sk.DataError, match=r"row 1: number .* cannot be a category label"):
        sk.Contracts.from_columns({"account_id": ["a", "b"], "start": ["2024-01-01"] * 2,
                                   "end": [None] * 2, "plan": ["x", label]}, plan="plan")
