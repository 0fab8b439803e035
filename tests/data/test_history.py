"""History: ordering, lookup by date, accounts that come and go, bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk


def snap(date: str, ids: list[str], **columns: list[object]) -> sk.Portfolio:
    return sk.Portfolio.from_columns({"id": ids, **columns}, as_of=date)


@pytest.fixture
def history() -> sk.History:
    return sk.History(
        [
            snap("2026-10-01", ["a", "c"], arr=[12, 5], tier=["high", "low"]),
            snap("2026-08-01", ["a", "b"], arr=[10, 20], tier=["high", None]),
            snap("2026-09-01", ["b", "a"], arr=[21, 11], tier=[None, "high"]),
        ]
    )


def test_snapshots_are_ordered_by_date(history: sk.History) -> None:
    assert history.dates == (dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    assert history.latest.as_of == history.as_of == dt.date(2026, 10, 1)
    assert len(history) == 3
    assert [s.as_of for s in history] == list(history.dates)
    assert history[0].as_of == dt.date(2026, 8, 1)
    assert history[1:].dates == history.dates[1:]


def test_at_finds_the_latest_snapshot_on_or_before(history: sk.History) -> None:
    assert history.at("2026-07-31") is None
    assert history.at("2026-08-01").as_of == dt.date(2026, 8, 1)
    assert history.at("2026-08-31").as_of == dt.date(2026, 8, 1)
    assert history.at(dt.datetime(2026, 9, 1, 12)).as_of == dt.date(2026, 9, 1)
    assert history.at("2030-01-01").as_of == dt.date(2026, 10, 1)
    assert history.at("2026-09-20", within="14d") is None
    assert history.at("2026-09-20", within="3w").as_of == dt.date(2026, 9, 1)


def test_accounts_that_appear_and_disappear_are_missing_where_absent(
    history: sk.History,
) -> None:
    assert history.ids.tolist() == ["a", "b", "c"]
    aligned = history.aligned()
    assert [s.ids.tolist() for s in aligned] == [["a", "b", "c"]] * 3
    assert aligned[0].column("arr").to_list() == [10.0, 20.0, None]
    assert aligned[2].column("arr").to_list() == [12.0, None, 5.0]
    arr = history.column("arr", ids=["c", "a"])
    assert [c.to_list() for c in arr] == [[None, 10.0], [None, 11.0], [5.0, 12.0]]


def test_column_of_a_snapshot_without_it_is_missing() -> None:
    history = sk.History([snap("2026-01-01", ["a"]), snap("2026-02-01", ["a"], nps=[7])])
    assert [c.to_list() for c in history.column("nps")] == [[None], [7.0]]
    with pytest.raises(sk.DataError, match="column 'np': no snapshot has this column; did you mean 'nps'"):
        history.column("np")


def test_schema_is_merged_and_consistent(history: sk.History) -> None:
    assert dict(history.schema) == {"arr": "number", "tier": "category"}
    # An all-missing column does not conflict with a real kind.
    sk.History([snap("2026-01-01", ["a"], x=[None]), snap("2026-02-01", ["a"], x=["t"])])
    with pytest.raises(sk.DataError, match="column 'x': is a number column on 2026-01-01 but a category"):
        sk.History([snap("2026-01-01", ["a"], x=[1]), snap("2026-02-01", ["a"], x=["t"])])


@pytest.mark.parametrize(
    ("snapshots", "message"),
    [
        ([], "at least one snapshot"),
        ([snap("2026-01-01", ["a"]), snap("2026-01-01", ["b"])], "same as_of date 2026-01-01"),
        ([sk.Portfolio.from_columns({"id": ["a"]})], "snapshot 0 has no as_of date"),
        (["not a portfolio"], "snapshot 0 is a str, not a Portfolio"),
    ],
)
def test_bad_histories(snapshots: list, message: str) -> None:
    with pytest.raises(sk.DataError, match=message):
        sk.History(snapshots)


def test_until_since_append(history: sk.History) -> None:
    assert history.until("2026-09-15").dates == history.dates[:2]
    assert history.since("2026-09-01").dates == history.dates[1:]
    with pytest.raises(sk.DataError, match="no snapshot on or before 2026-01-01"):
        history.until("2026-01-01")
    with pytest.raises(sk.DataError, match="no snapshot on or after 2027-01-01"):
        history.since("2027-01-01")
    later = history.append(snap("2026-11-01", ["a"], arr=[13], tier=["high"]))
    assert later.as_of == dt.date(2026, 11, 1)


def test_from_long_table() -> None:
    history = sk.History.from_columns(
        {
            "id": ["a", "b", "a", "c"],
            "as_of": ["2026-09-01", "2026-09-01", "2026-10-01", "2026-10-01"],
            "tier": ["high", "low", "high", None],
        }
    )
    assert [s.ids.tolist() for s in history] == [["a", "b"], ["a", "c"]]
    # Kinds and categories are inferred over the whole table.
    assert history[1].column("tier").categories == ("high", "low")
    with pytest.raises(sk.DataError, match=r"account 'a': duplicate account id .* on 2026-09-01"):
        sk.History.from_columns({"id": ["a", "a"], "as_of": ["2026-09-01", "2026-09-01"]})
    with pytest.raises(sk.DataError, match="column 'date': no column 'date'; did you mean 'data'"):
        sk.History.from_columns({"id": ["a"], "data": [1]}, as_of="date")
    with pytest.raises(sk.DataError, match="column 'as_of', account 'b': missing snapshot date"):
        sk.History.from_columns({"id": ["a", "b"], "as_of": ["2026-09-01", None]})
    with pytest.raises(sk.DataError, match="column 'as_of', account 'a': unparseable date"):
        sk.History.from_columns({"id": ["a"], "as_of": ["someday"]})


def test_round_trip_and_repr(history: sk.History) -> None:
    data = json.loads(json.dumps(history.to_dict()))
    assert sk.History.from_dict(data) == history
    assert repr(history) == "History(3 snapshots, 2026-08-01 … 2026-10-01, 3 accounts)"
    assert "<table" in history._repr_html_()
    with pytest.raises(sk.DataError, match="unsupported history version"):
        sk.History.from_dict({"version": 0})


@given(st.permutations([0, 1, 2]))
def test_order_of_snapshots_does_not_matter(order: list[int]) -> None:
    snapshots = [
        snap("2026-08-01", ["a"], x=[1]),
        snap("2026-09-01", ["a"], x=[2]),
        snap("2026-10-01", ["a"], x=[3]),
    ]
    assert sk.History([snapshots[i] for i in order]) == sk.History(snapshots)


def test_history_pickles(history: sk.History) -> None:
    import pickle

    assert pickle.loads(pickle.dumps(history)) == history


def test_ids_are_cached_and_read_only(history: sk.History) -> None:
    assert history.ids is history.ids
    assert not history.ids.flags.writeable
