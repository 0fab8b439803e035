"""The one reading pass: every way into a Portfolio or History reads through data.read and
data.convert, so the same data gives the same columns whichever door it came in by."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import account_ids, dates, labels, numbers

import successkit as sk
from successkit.data.column import column_of
from successkit.data.convert import convert_table
from successkit.data.dates import iso_date, parse_days, to_date
from successkit.data.read import read_kinds, read_table, read_typed

# One row: an optional number, an optional label, an optional date (as ISO text).
_rows = st.lists(
    st.tuples(
        st.one_of(st.none(), numbers),
        st.one_of(st.none(), labels),
        st.one_of(st.none(), dates),
    ),
    min_size=1,  # records and accounts without any row have no columns to give kinds to
    max_size=8,
)


def _table(ids: list[str], rows: list[tuple[Any, Any, Any]]) -> dict[str, list[Any]]:
    return {
        "id": ids,
        "x": [r[0] for r in rows],
        "tier": [r[1] for r in rows],
        "due": [None if r[2] is None else r[2].isoformat() for r in rows],
    }


@given(st.data())
def test_every_door_reads_the_same_columns(data: st.DataObject) -> None:
    rows = data.draw(_rows)
    ids = data.draw(st.lists(account_ids, min_size=len(rows), max_size=len(rows), unique=True))
    table = _table(ids, rows)
    kinds = {"x": "number", "tier": "category", "due": "date"}
    by_columns = sk.Portfolio.from_columns(table, kinds=kinds)
    records = [{k: table[k][i] for k in table} for i in range(len(ids))]
    by_records = sk.Portfolio.from_records(records, kinds=kinds)
    accounts = [sk.Account(r["id"], {k: v for k, v in r.items() if k != "id"}) for r in records]
    by_accounts = sk.Portfolio.from_accounts(accounts, kinds=kinds)
    again = sk.Portfolio.from_dict(by_columns.to_dict())
    assert by_columns == by_records == by_accounts == again
    # The reference: each value read alone.
    assert by_columns.column("x").to_list() == [None if v is None else float(v)
                                                 for v in table["x"]]
    assert by_columns.column("tier").to_list() == table["tier"]
    assert by_columns.column("due").to_list() == [r[2] for r in rows]


def test_read_table_splits_off_the_ids_and_the_fixed_columns() -> None:
    ids, columns = read_table(
        {"key": [1, "b"], "on": ["2026-01-02", "2026-01-03"], "x": ["1", "2"]},
        id="key",
        kinds={"x": "number"},
        fixed={"on": sk.Kind.DATE},
    )
    assert ids.tolist() == ["1", "b"]
    assert list(columns) == ["on", "x"]
    assert columns["on"].to_list() == [dt.date(2026, 1, 2), dt.date(2026, 1, 3)]
    assert columns["x"].to_list() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: read_table({"ID": ["a"]}), r"column 'id': no id column 'id' \(columns: 'ID'\)"),
        (lambda: read_table({"id": ["a"]}, fixed={"as_of": sk.Kind.DATE}),
         "column 'as_of': no column 'as_of'"),
        # the caller's kinds may not name a fixed column: it is read as its fixed kind
        (lambda: read_table({"id": ["a"], "on": ["2026-01-01"]}, kinds={"on": "number"},
                            fixed={"on": sk.Kind.DATE}),
         "column 'on': kinds names a column that is not in the data"),
        (lambda: read_typed(["a", "b"], {"x": [1]}, id="key"),
         "column 'x': has 1 values but the id column 'key' has 2"),
        (lambda: read_kinds({"x": "when"}, ["x"]), "column 'x': unknown kind 'when'"),
        (lambda: read_kinds({"y": "number"}, ["x"]), "column 'y': kinds names a column"),
    ],
)
def test_reading_errors_name_the_column(call: Any, match: str) -> None:
    with pytest.raises(sk.DataError, match=match):
        call()


def test_convert_table_names_the_account_of_a_bad_value() -> None:
    with pytest.raises(sk.DataError, match="column 'x', account 'b': non-numeric value 'n/a'"):
        convert_table(["a", "b"], {"x": ["1", "n/a"]}, {"x": sk.Kind.NUMBER})


@pytest.mark.parametrize(
    ("kind", "values", "missing", "expected"),
    [
        (sk.Kind.NUMBER, [1.5, np.nan], None, [1.5, None]),
        (sk.Kind.BOOLEAN, [True, True], [False, True], [True, None]),
        (sk.Kind.CATEGORY, np.array(["b", None, "a"], dtype=object), None, ["b", None, "a"]),
        (sk.Kind.CATEGORY, np.array(["b", "x"], dtype=object), [False, True], ["b", None]),
        (sk.Kind.DATE, np.array(["2026-01-02", "NaT"], dtype="datetime64[D]"), None,
         [dt.date(2026, 1, 2), None]),
    ],
)
def test_column_of_builds_each_kind(kind: sk.Kind, values: Any, missing: Any,
                                    expected: list[Any]) -> None:
    column = column_of(kind, values, missing)
    assert column.kind is kind
    assert column.to_list() == expected


# -- dates: one ISO parser for single values and for whole columns ---------------------------


@given(st.lists(st.one_of(dates.map(lambda d: d.isoformat()),
                          dates.map(lambda d: f" {d.isoformat()}T12:30 "),
                          dates,
                          dates.map(lambda d: dt.datetime(d.year, d.month, d.day, 23, 59))),
                max_size=12))
def test_parse_days_agrees_with_to_date(values: list[Any]) -> None:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    days, bad = parse_days(array)
    assert bad is None
    assert days.tolist() == [to_date(v) for v in values]


@given(st.lists(st.sampled_from(["2026-01-02", "soon", "31/12/2026", "2026-02-30", "later"]),
                min_size=1, max_size=10))
def test_parse_days_finds_the_first_bad_text_in_sorted_order(texts: list[str]) -> None:
    array = np.array(texts, dtype=object)
    _, bad = parse_days(array)
    unparseable = sorted({t for t in texts if iso_date(t) is None})
    if not unparseable:
        assert bad is None
    else:
        assert bad == texts.index(unparseable[0])


def test_unparseable_dates_name_the_account() -> None:
    with pytest.raises(sk.DataError, match="account 'b': unparseable date 'soon'"):
        sk.Portfolio.from_columns({"id": ["a", "b"], "due": ["2026-01-01", "soon"]},
                                  kinds={"due": "date"})
    with pytest.raises(sk.DataError, match="as_of 'soon' is not an ISO date"):
        to_date("soon", what="as_of")
