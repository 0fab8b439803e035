"""Column access and alignment: value_at, take with absent rows, empty columns."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import portfolios
from successkit._arrays import array_equal


@given(portfolios(min_size=1), st.data())
def test_take_with_absent_rows_matches_the_python_values(
    pf: sk.Portfolio, data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.integers(min_value=-1, max_value=len(pf) - 1), max_size=10))
    for column in pf.columns.values():
        taken = column.take(rows)
        values = column.to_list()
        assert taken.to_list() == [None if r < 0 else values[r] for r in rows]
        assert taken.missing.tolist() == [v is None for v in taken.to_list()]


@given(portfolios(min_size=1))
def test_value_at_is_the_python_value_of_to_list(pf: sk.Portfolio) -> None:
    for column in pf.columns.values():
        values = column.to_list()
        assert [column.value_at(row) for row in range(len(column))] == values
        assert [type(column.value_at(row)) for row in range(len(column))] == [
            type(v) for v in values
        ]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (sk.Column.number([1.5, float("nan")]), [1.5, None]),
        (sk.Column.boolean([True, True], missing=[False, True]), [True, None]),
        (sk.Column.from_labels(["b", None]), ["b", None]),
        (sk.Column.date(["2026-10-01", "NaT"]), [dt.date(2026, 10, 1), None]),
    ],
)
def test_take_fills_absent_and_missing_rows_with_the_kind_s_missing_value(
    column: sk.Column, expected: list[object]
) -> None:
    taken = column.take([1, -1, 0])
    assert taken.to_list() == [expected[1], None, expected[0]]
    assert taken.values.dtype == column.values.dtype
    # Missing and absent entries hold the kind's stored missing value (NaN, False, -1, NaT).
    assert array_equal(taken.values[:2], sk.Column.empty(column.kind, 2).values)


@pytest.mark.parametrize("kind", list(sk.Kind))
def test_taking_from_an_empty_column(kind: sk.Kind) -> None:
    empty = sk.Column.empty(kind, 0)
    assert empty.take([-1, -1]) == sk.Column.empty(kind, 2)
    assert empty.take([-1, -1]).all_missing
    with pytest.raises(IndexError):
        empty.take([0])
