"""Usage metrics on inputs a fuzzing session found mishandled: each is refused with a
successkit error naming what and where, or now gives the same answer as its plain twin."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.data.events import Events
from successkit.usage import UsageMetric, UsageModel, usage_history, usage_portfolio

D = "2026-02-01"
COUNT = UsageModel.from_text("metric c = count(*, 28d)")
EVENTS = Events.from_columns({"account_id": ["a", "b", "c"], "at": ["2026-01-10"] * 3,
                              "event": ["login"] * 3})


# 1. members= returning repeated ids, or not a list of ids

@settings(deadline=None, max_examples=40)
@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=2, max_size=6).filter(
    lambda ids: len(set(ids)) < len(ids)))
def test_members_repeating_an_id_is_refused(ids: list[str]) -> None:
    with pytest.raises(sk.DataError, match="more than once") as caught:
        usage_portfolio(EVENTS, COUNT, D, members=lambda _: ids)
    assert "2026-02-01" in str(caught.value)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
def test_members_distinct_ids_are_exactly_the_snapshot(ids: list[str]) -> None:
    pf = usage_portfolio(EVENTS, COUNT, D, members=lambda _: ids)
    assert pf.ids.tolist() == sorted(ids)


@pytest.mark.parametrize("chosen", [None, 3, "abc", b"a", 2.5])
def test_members_not_a_list_of_ids_is_a_data_error(chosen: Any) -> None:
    with pytest.raises(sk.DataError, match="members on 2026-02-01"):
        usage_portfolio(EVENTS, COUNT, D, members=lambda _: chosen)


# 2. time-zone-aware timestamps count on their local date, whatever the container

@settings(deadline=None, max_examples=30)
@given(st.lists(st.integers(0, 24 * 60 - 1), min_size=1, max_size=8),
       st.sampled_from(["America/New_York", "Asia/Tokyo", "UTC", "Australia/Adelaide"]))
def test_zoned_times_count_on_their_local_date_in_every_container(
        minutes: list[int], zone: str) -> None:
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    local = pd.to_datetime("2026-01-31") + pd.to_timedelta(minutes, unit="min")
    frame = pd.DataFrame({"account_id": ["a"] * len(minutes), "event": ["login"] * len(minutes),
                          "at": local.tz_localize(zone)})
    want = [day.date() for day in local]
    for data in (frame, pa.Table.from_pandas(frame), pl.from_pandas(frame)):
        assert Events.from_columns(data).day.tolist() == want


# 3. an account-table column named like a metric

@pytest.mark.parametrize("members", ["events", "table"])
def test_a_table_column_named_like_a_metric_is_refused(members: str) -> None:
    accounts = {"id": ["a", "b", "c"], "c": [100, 200, 300]}
    with pytest.raises(sk.DataError, match="rename the column or the metric") as caught:
        usage_history(EVENTS, COUNT, [D], accounts=accounts, members=members)
    assert caught.value.column == "c"


def test_the_dask_path_refuses_a_table_column_named_like_a_metric() -> None:
    dd = pytest.importorskip("dask.dataframe")
    import successkit.dask as skd

    frame = dd.from_pandas(pd.DataFrame({"account_id": ["a", "b"], "at": [D] * 2,
                                         "event": ["login"] * 2}), npartitions=1)
    with pytest.raises(sk.DataError, match="rename the column or the metric"):
        skd.usage_history(frame, COUNT, [D], accounts={"id": ["a", "b"], "c": [1, 2]})


# 4. metric definitions: a str is one name; names and types must be text

def test_a_str_of_is_one_name_never_letters() -> None:
    assert UsageMetric("d", "change", of="logins").of == ("logins",)
    with pytest.raises(sk.ModelError, match="reads 2 metric"):
        UsageMetric("r", "ratio", of="cc")


@pytest.mark.parametrize(("field", "value"), [
    ("name", 3), ("name", ["x"]), ("name", ""), ("kind", ["count"]), ("types", 3),
    ("types", ["login", 3]), ("of", 3), ("column", 7),
])
def test_definition_values_of_the_wrong_type_are_model_errors(field: str, value: Any) -> None:
    fields: dict[str, Any] = {"name": "x", "kind": "count", "window": "7d", field: value}
    with pytest.raises(sk.ModelError):
        UsageMetric(**fields)
    data = COUNT.to_dict()
    data["metrics"][0][field] = value
    with pytest.raises(sk.ModelError, match=r"metrics\[0\]"):
        UsageModel.from_dict(data)


def test_a_model_of_no_list_is_a_model_error() -> None:
    with pytest.raises(sk.ModelError, match="list of UsageMetric"):
        UsageModel(3)  # type: ignore[arg-type]


# 5. dask with integer event types and no types=

@settings(deadline=None, max_examples=15)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=30), st.integers(0, 12))
def test_dask_integer_types_equal_one_machine(types: list[int], wanted: int) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import successkit.dask as skd

    log = pd.DataFrame({"account_id": ["a", "b"] * len(types),
                        "at": pd.to_datetime(["2026-01-20"] * 2 * len(types)),
                        "event": np.repeat(types, 2)})
    known = sorted({str(t) for t in types})
    label = str(wanted) if str(wanted) in known else known[0]
    model = UsageModel([UsageMetric("n", "count", types=label, window="28d")])
    single = usage_history(Events.from_columns(log), model, [D]).latest
    parted = skd.usage_history(dd.from_pandas(log, npartitions=2, sort=False).shuffle(
        on="account_id"), model, [D]).latest
    assert parted.ids.tolist() == single.ids.tolist()
    assert parted["n"].tolist() == single["n"].tolist()


# 6. counts whose total no float64 cell holds exactly

@pytest.mark.parametrize("counts", [np.array([2**62, 2**62]), np.array([2**53, 1]),
                                    np.array([2**64 - 1, 1], dtype=np.uint64),
                                    [1e300, 1.0]])
def test_counts_beyond_an_exact_total_are_refused(counts: Any) -> None:
    with pytest.raises(sk.DataError) as caught:
        Events.from_columns({"account_id": ["a", "a"], "at": ["2026-01-30"] * 2,
                             "event": ["x"] * 2, "n": counts}, count="n")
    assert caught.value.column == "n"


def test_counts_joined_beyond_an_exact_total_are_refused() -> None:
    part = Events.from_columns({"account_id": ["a"], "at": ["2026-01-30"], "event": ["x"],
                                "n": np.array([2**52 + 1])}, count="n")
    with pytest.raises(sk.DataError, match="a total can hold exactly"):
        usage_portfolio(Events.concat([part, part]), COUNT, D)


def test_a_large_exact_count_total_is_kept() -> None:
    ev = Events.from_columns({"account_id": ["a", "a"], "at": ["2026-01-30"] * 2,
                              "event": ["x"] * 2, "n": np.array([2**52, 2**52 - 1])}, count="n")
    assert usage_portfolio(ev, COUNT, D)["c"].tolist() == [float(2**53 - 1)]


# 7. missing snapshot dates, unhashable ids, integers too big for numpy

@pytest.mark.parametrize("as_of", [pd.NaT, np.datetime64("NaT")])
def test_a_missing_snapshot_date_is_a_data_error(as_of: Any) -> None:
    with pytest.raises(sk.DataError, match="missing"):
        usage_portfolio(EVENTS, COUNT, as_of)
    with pytest.raises(sk.DataError, match="missing"):
        usage_history(EVENTS, COUNT, [D, as_of])


@pytest.mark.parametrize("column", ["account_id", "event"])
def test_a_list_in_a_pandas_id_column_names_its_row(column: str) -> None:
    data = {"account_id": ["a", "b"], "at": [D] * 2, "event": ["x", "y"]}
    data[column] = ["a", ["b"]]  # type: ignore[list-item]
    with pytest.raises(sk.DataError) as caught:
        Events.from_columns(pd.DataFrame(data))
    assert (caught.value.column, caught.value.row) == (column, 1)


@pytest.mark.parametrize("column", ["account_id", "event", "n"])
def test_a_polars_integer_beyond_64_bits_is_a_data_error(column: str) -> None:
    pl = pytest.importorskip("polars")
    data: dict[str, Any] = {"account_id": [1, 2], "at": [D] * 2, "event": [1, 2], "n": [1, 2]}
    data[column] = [1, 2**70]
    frame = pl.DataFrame(data, schema_overrides={column: pl.Int128})
    with pytest.raises(sk.DataError, match="64 bits") as caught:
        Events.from_columns(frame, count="n")
    assert (caught.value.column, caught.value.row) == (column, 1)


# 8. a window's value sum does not depend on values before the window

@settings(deadline=None, max_examples=60)
@given(st.lists(st.floats(-1e17, 1e17, allow_nan=False), min_size=1, max_size=6),
       st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=6))
def test_a_window_sum_ignores_big_values_before_it(before: list[float],
                                                   inside: list[float]) -> None:
    model = UsageModel.from_text("metric s = sum(*, 7d)")
    days = ["2026-01-01"] * len(before) + ["2026-01-30"] * len(inside)
    ev = Events.from_columns({"account_id": ["a"] * len(days), "at": days,
                              "event": ["x"] * len(days), "v": before + inside}, value="v")
    got = usage_portfolio(ev, model, D)["s"][0]
    assert math.isclose(got, math.fsum(inside), rel_tol=1e-12, abs_tol=1e-9)


def test_a_tiny_value_after_a_huge_one_is_summed() -> None:
    model = UsageModel.from_text("metric s = sum(*, 7d)\nmetric s2 = sum(*, 28d)")
    ev = Events.from_columns({"account_id": ["a", "a"], "at": ["2026-01-01", "2026-01-30"],
                              "event": ["x", "x"], "v": [1e16, 1.0]}, value="v")
    h = usage_history(ev, model, [D, dt.date(2026, 1, 30)])
    assert [p["s"].tolist() for p in h] == [[0.0], [1.0]]
    assert h.latest["s2"].tolist() == [1.0]
