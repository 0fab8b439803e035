"""Contracts.from_columns: reading and every bad-input case."""

from __future__ import annotations

import numpy as np
import pytest

from successkit.data.contracts import Contracts
from successkit.errors import DataError


def _table(**changes: list[object]) -> dict[str, list[object]]:
    table: dict[str, list[object]] = {
        "account_id": ["a", "a", "b"],
        "start": ["2020-01-01", "2021-01-01", "2020-03-01"],
        "end": ["2021-01-01", None, "2020-09-01"],
        "seats": [10, 12, 3],
        "mrr": [100, 125, 50],
    }
    table.update(changes)
    return table


def test_reads_columns_and_mrr_becomes_arr() -> None:
    c = Contracts.from_columns(_table(), seats="seats", revenue="mrr", revenue_kind="mrr")
    assert c.arr is not None
    assert c.arr.tolist() == [1200.0, 1500.0, 600.0]
    assert np.isnat(c.end[1])
    assert not c.start.flags.writeable


@pytest.mark.parametrize(
    ("changes", "column", "row", "message"),
    [
        ({"end": ["2021-01-01", None, "2020-02-01"]}, "end", 2, "not after start"),
        ({"start": ["2020-01-01", None, "2020-03-01"]}, "start", 1, "missing start"),
        ({"seats": [10, -1, 3]}, "seats", 1, "negative"),
        ({"mrr": [100, 125, -5]}, "mrr", 2, "negative"),
        ({"start": ["2020-01-01", "soon", "2020-03-01"]}, "start", 1, "unparseable"),
        ({"end": ["2021-01-01", "2021-02-30", None]}, "end", 1, "unparseable"),
        ({"account_id": ["a", None, "b"]}, "account_id", 1, "missing account id"),
    ],
)
def test_bad_rows_name_column_and_row(
    changes: dict[str, list[object]], column: str, row: int, message: str
) -> None:
    with pytest.raises(DataError, match=message) as info:
        Contracts.from_columns(_table(**changes), seats="seats", revenue="mrr", revenue_kind="mrr")
    assert info.value.column == column
    assert info.value.row == row


def test_duplicate_rows_are_refused_or_dropped() -> None:
    table = {k: [*v, v[0]] for k, v in _table().items()}
    with pytest.raises(DataError, match="repeats row 0") as info:
        Contracts.from_columns(table, seats="seats", revenue="mrr", revenue_kind="mrr")
    assert info.value.row == 3
    c = Contracts.from_columns(table, seats="seats", revenue="mrr", revenue_kind="mrr", duplicates="drop")
    assert len(c) == 3
    assert c.dropped_duplicates == 1


def test_missing_column_is_named() -> None:
    with pytest.raises(DataError, match="no such column") as info:
        Contracts.from_columns(_table(), revenue="arr", seats=False)
    assert info.value.column == "arr"


def test_pandas_frame_reads_like_a_mapping() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_table())
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    a = Contracts.from_columns(frame, seats="seats", revenue="mrr", revenue_kind="mrr")
    b = Contracts.from_columns(_table(), seats="seats", revenue="mrr", revenue_kind="mrr")
    assert a == b


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_polars_and_pyarrow_tables_read_alike(library: str) -> None:
    module = pytest.importorskip(library)
    frame = module.table(_table()) if library == "pyarrow" else module.DataFrame(_table())
    a = Contracts.from_columns(frame, seats="seats", revenue="mrr", revenue_kind="mrr")
    b = Contracts.from_columns(_table(), seats="seats", revenue="mrr", revenue_kind="mrr")
    assert a == b


def test_account_codes_are_the_sorted_ids() -> None:
    c = Contracts.from_columns(_table(account_id=["b", "a", "b"]), revenue=False,
                               seats=False)
    ids, codes = c.account_codes()
    assert ids.tolist() == ["a", "b"]
    assert codes.tolist() == [1, 0, 1]
    assert c == Contracts.from_columns(_table(account_id=["b", "a", "b"]), revenue=False,
                                       seats=False)


def test_a_revenue_column_is_not_passed_over_in_silence() -> None:
    table = {"account_id": ["a", "b"], "start": ["2024-01-01"] * 2, "end": [None] * 2,
             "ARR": [1200.0, 600.0]}
    with pytest.raises(DataError, match="revenue='ARR' to read it, or revenue=False") as info:
        Contracts.from_columns(table)
    assert info.value.column == "ARR"
    assert Contracts.from_columns(table, revenue=False).revenue is None
    assert Contracts.from_columns(table, revenue="ARR").arr.tolist() == [1200.0, 600.0]
    with pytest.raises(DataError, match="a column name or False"):
        Contracts.from_columns(table, revenue=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["mrr", "MRR_usd", "monthly_revenue"])
def test_a_monthly_looking_revenue_needs_its_kind_said(name: str) -> None:
    table = {"account_id": ["a"], "start": ["2024-01-01"], "end": [None], name: [100.0]}
    with pytest.raises(DataError, match="looks monthly: pass revenue_kind='mrr'") as info:
        Contracts.from_columns(table, revenue=name)
    assert info.value.column == name
    assert Contracts.from_columns(table, revenue=name, revenue_kind="mrr").arr.tolist() == [
        1200.0]
    # Said to be annual, it is read as annual: the name was only a hint.
    assert Contracts.from_columns(table, revenue=name, revenue_kind="arr").arr.tolist() == [
        100.0]


@pytest.mark.parametrize(("option", "name", "values"), [
    ("plan", "plan", ["basic", "pro"]), ("plan", "Tier", ["gold", "silver"]),
    ("seats", "licenses", [5.0, 10.0]), ("seats", "quantity", [1.0, 2.0]),
    ("billing", "billing_period", ["monthly", "annual"]),
])
def test_a_plan_seats_or_billing_column_is_not_passed_over_in_silence(
        option: str, name: str, values: list[object]) -> None:
    table = {"account_id": ["a", "b"], "start": ["2024-01-01"] * 2, "end": [None] * 2,
             name: values}
    with pytest.raises(DataError, match=f"{option}={name!r} to read it, or {option}=False"
                       ) as info:
        Contracts.from_columns(table)
    assert info.value.column == name
    assert getattr(Contracts.from_columns(table, **{option: False}), option) is None
    read = getattr(Contracts.from_columns(table, **{option: name}), option)
    assert (read.tolist() if option == "seats" else read.to_list()) == values
    with pytest.raises(DataError, match="a column name or False"):
        Contracts.from_columns(table, **{option: 3})


@pytest.mark.parametrize("name", ["end_date", "ended_at", "Cancelled_At", "period_end"])
def test_an_end_date_not_read_is_refused_not_read_as_running(name: str) -> None:
    # Read as no end at all, every contract would run forever and no account would churn.
    table = {"account_id": ["a", "b"], "start": ["2024-01-01"] * 2,
             name: ["2024-06-01", None]}
    with pytest.raises(DataError, match=f"pass end={name!r} to read it, or pass end=None"
                       ) as info:
        Contracts.from_columns(table)
    assert info.value.column == "end"
    read = Contracts.from_columns(table, end=name)
    assert read.end.astype(str).tolist() == ["2024-06-01", "NaT"]
    running = Contracts.from_columns(table, end=None)
    assert np.isnat(running.end).all()


def test_an_end_column_named_but_not_there_is_refused() -> None:
    table = {"account_id": ["a"], "start": ["2024-01-01"], "finish": ["2024-06-01"]}
    with pytest.raises(DataError, match="name the column with end=") as info:
        Contracts.from_columns(table, end="ends")
    assert info.value.column == "ends"
    with pytest.raises(DataError, match="end must be a column name or None"):
        Contracts.from_columns(table, end=3)  # type: ignore[arg-type]
