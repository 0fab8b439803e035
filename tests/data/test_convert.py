"""Raw values → typed columns: inference, requested kinds, and every DataError case."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pytest

import successkit as sk
from successkit.data.convert import convert_column, convert_ids

IDS = np.array(["a", "b", "c"])


def column(values: object, kind: str | None = None) -> sk.Column:
    return convert_column(values, name="x", kind=kind, ids=IDS)


@pytest.mark.parametrize(
    ("values", "kind", "expected"),
    [
        ([1, 2.5, None], sk.Kind.NUMBER, [1.0, 2.5, None]),
        (np.array([1, 2, 3], dtype=np.int16), sk.Kind.NUMBER, [1.0, 2.0, 3.0]),
        ([decimal.Decimal("1.5"), 2, float("nan")], sk.Kind.NUMBER, [1.5, 2.0, None]),
        ([True, None, False], sk.Kind.BOOLEAN, [True, None, False]),
        (np.array([True, False, True]), sk.Kind.BOOLEAN, [True, False, True]),
        (["high", None, "low"], sk.Kind.CATEGORY, ["high", None, "low"]),
        (["high", "", "  "], sk.Kind.CATEGORY, ["high", None, None]),
        (
            [dt.date(2026, 1, 2), None, dt.datetime(2026, 1, 3, 23, 59)],
            sk.Kind.DATE,
            [dt.date(2026, 1, 2), None, dt.date(2026, 1, 3)],
        ),
        (
            np.array(["2026-01-02T10:00", "NaT", "1969-12-31T23:00"], dtype="datetime64[m]"),
            sk.Kind.DATE,
            [dt.date(2026, 1, 2), None, dt.date(1969, 12, 31)],
        ),
        ([None, None, None], sk.Kind.NUMBER, [None, None, None]),
    ],
)
def test_kinds_are_inferred_from_values(
    values: object, kind: sk.Kind, expected: list[object]
) -> None:
    col = column(values)
    assert col.kind is kind
    assert col.to_list() == expected
    assert col.missing.tolist() == [v is None for v in expected]


def test_requested_kinds_parse_text_and_whole_numbers() -> None:
    assert column(["1.5", " 2 ", None], "number").to_list() == [1.5, 2.0, None]
    assert column(["2026-04-01", "2026-04-01T09:30", ""], "date").to_list() == [
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 1),
        None,
    ]
    assert column([7, 8.0, None], "category").to_list() == ["7", "8", None]
    assert column(np.array([1, 2, 3]), "category").to_list() == ["1", "2", "3"]
    assert column([True, False, None], "number").to_list() == [1.0, 0.0, None]
    assert column([None, None, None], "date").kind is sk.Kind.DATE


def test_all_missing_column_fits_any_kind() -> None:
    col = column([None, None, None])
    for kind in sk.Kind:
        assert col.as_kind(kind).kind is kind
        assert col.as_kind(kind).all_missing


@pytest.mark.parametrize(
    ("values", "kind", "message"),
    [
        ([0.5, "n/a", 0.7], None, "column 'x', account 'b': non-numeric value 'n/a' in a number column"),
        ([0.5, 0.6, "n/a"], "number", "column 'x', account 'c': non-numeric value 'n/a' in a number column"),
        ([1.0, "2", None], None, "account 'b': text '2' in a number column (ask for kind 'number'"),
        (["x", 3, None], None, "account 'b': mixed types: number 3 in a category column"),
        ([1, True, 2], None, "account 'b': mixed types: boolean True in a number column"),
        ([dt.date(2026, 1, 1), "2026-01-02", None], None, "account 'b': text '2026-01-02' in a date column"),
        ([1.0, float("inf"), 2.0], None, "account 'b': infinite value inf in a number column"),
        (np.array([1.0, 2.0, -np.inf]), None, "account 'c': infinite value -inf in a number column"),
        (["2026-01-01", "2026-02-30", None], "date", "account 'b': unparseable date '2026-02-30'"),
        (["2026-01-01", "today", None], "date", "account 'b': unparseable date 'today'"),
        ([1.5, 2.0, None], "category", "account 'a': number 1.5 cannot be a category label"),
        ([True, False, None], "date", "account 'a': mixed types: boolean True in a date column"),
        (np.array([1.0, 2.0, 3.0]), "date", "numbers cannot be read as a date column"),
        (np.array([1.0, 2.0, 3.0]), "boolean", "numbers cannot be read as a boolean column"),
        ([object(), 1, 2], None, "account 'a': value <object"),
        ([{"k": 1}, None, None], None, "is not a number, boolean, text or date"),
        (np.array([1, 2, 3], dtype="timedelta64[D]"), None, "durations are not a column kind"),
        (np.zeros((3, 2)), None, "one-dimensional"),
        ("abc", None, "expected a sequence of values"),
    ],
)
def test_bad_values_name_the_column_and_first_offending_account(
    values: object, kind: str | None, message: str
) -> None:
    with pytest.raises(sk.DataError) as info:
        column(values, kind)
    assert message in str(info.value)
    assert info.value.column == "x"


def test_ids_accept_text_and_whole_numbers() -> None:
    assert convert_ids([1, 2]).tolist() == ["1", "2"]
    assert convert_ids(np.array([3.0, 4.0])).tolist() == ["3", "4"]
    assert convert_ids(np.array(["a", "b"], dtype=object)).tolist() == ["a", "b"]
    assert convert_ids([]).tolist() == []


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (["a", None], "row 1: missing account id"),
        (["a", ""], "row 1: missing account id"),
        (np.array(["a", " "]), "row 1: missing account id"),
        ([1.5, 2], "row 0: account ids must be text or whole numbers"),
        ([True, 2], "row 0: account ids must be text or whole numbers"),
        (np.array([True, False]), "account ids must be text or whole numbers, not bool"),
    ],
)
def test_bad_ids(ids: object, message: str) -> None:
    with pytest.raises(sk.DataError, match="column 'id'") as info:
        convert_ids(ids)
    assert message in str(info.value)


def test_masked_arrays_are_read_with_their_mask() -> None:
    masked = np.ma.MaskedArray([1.0, 2.0, 3.0], mask=[False, True, False])
    assert column(masked).to_list() == [1.0, None, 3.0]
