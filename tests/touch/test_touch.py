"""TouchModel: the seed's touch score by hand, windows and decay, invariants, bad data."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import (
    TOUCH_ACCOUNTS,
    TOUCH_AS_OF,
    TOUCH_MODEL,
    touch_columns,
    touch_event_rows,
    touch_events,
    touch_seats,
)

import successkit as sk
import successkit.datasets  # sk.datasets below: a submodule, imported explicitly

AS_OF = "2026-10-01"


def portfolio(seats: dict[str, Any], as_of: str | None = AS_OF) -> sk.Portfolio:
    return sk.Portfolio.from_columns({"id": list(seats), "seats": list(seats.values())},
                                     as_of=as_of)


def events(*rows: tuple[Any, ...]) -> dict[str, list[Any]]:
    """Events from (account, touchpoint, at, user, item, progress) tuples."""
    names = ("account_id", "touchpoint", "at", "user_id", "item", "progress")
    return {name: [row[k] for row in rows] for k, name in enumerate(names)}


# -- the seed's example, by hand ------------------------------------------------------------

SEED_EVENTS = events(
    # Videos (20% → 1, 60% → 2, 100% → 3): best progress per (user, video) counts once.
    ("acme", "video", "2026-09-01", "u1", "v1", 0.2),
    ("acme", "video", "2026-09-05", "u1", "v1", 1.0),  # u1/v1 → 3
    ("acme", "video", "2026-09-06", "u1", "v2", 0.6),  # u1/v2 → 2
    ("acme", "video", "2026-09-07", "u2", "v1", 0.1),  # below 20%: 0
    ("acme", "video", "2026-09-08", "u2", "v1", 0.65),  # u2/v1 → 2
    # e-learning (login 1, 50% 3, 100% 5), asynchronous.
    ("acme", "elearning", "2026-09-02", "u3", "c1", 0.0),
    ("acme", "elearning", "2026-09-09", "u3", "c1", 0.5),  # u3/c1 → 3
    ("acme", "elearning", "2026-09-10", "u3", "c2", 1.0),  # u3/c2 → 5
    # Web access and e-mail clicks: every one counts.
    ("acme", "web_access", "2026-09-11", "u1", None, None),
    ("acme", "web_access", "2026-09-11", "u1", None, None),
    ("acme", "web_access", "2026-09-12", "u1", None, None),
    ("acme", "web_access", "2026-09-12", "u2", None, None),  # web → 4
    ("acme", "email_click", "2026-09-13", "u4", None, None),
    ("acme", "email_click", "2026-09-14", "u5", None, None),  # e-mail → 2
    # Reviews: 10 each, asynchronous, offline.
    ("acme", "midterm_review", "2026-09-15", "u1", None, None),
    ("acme", "final_review", "2026-09-29", "u1", None, None),
    # Seminar s1: sign-up 1 and attendance 3 per user; a repeated sign-up counts once.
    ("acme", "seminar_signup", "2026-09-16", "u1", "s1", None),
    ("acme", "seminar_attendance", "2026-09-20", "u1", "s1", None),
    ("acme", "seminar_signup", "2026-09-16", "u2", "s1", None),
    ("acme", "seminar_signup", "2026-09-17", "u2", "s1", None),
    # An event: 10.
    ("acme", "event_attendance", "2026-09-25", "u4", "e1", None),
    # Another contract: one video watched to the end by one of ten users.
    ("globex", "video", "2026-09-30", "g1", "v1", 1.0),
)


def test_the_seeds_touch_score_computed_by_hand() -> None:
    result = sk.TouchModel.sansan().score(SEED_EVENTS, portfolio({"acme": 5, "globex": 10}))
    by_tp = {name: values.tolist() for name, values in result.by_touchpoint.items()}
    assert by_tp == {
        "video": [7.0, 3.0],
        "elearning": [8.0, 0.0],
        "web_access": [4.0, 0.0],
        "email_click": [2.0, 0.0],
        "midterm_review": [10.0, 0.0],
        "final_review": [10.0, 0.0],
        "seminar_signup": [2.0, 0.0],
        "seminar_attendance": [3.0, 0.0],
        "event_attendance": [10.0, 0.0],
    }
    # Contract touch score = total touch score / number of user IDs (seats).
    assert result.total.tolist() == [56.0, 3.0]
    assert result.score.tolist() == [56.0 / 5, 0.3]
    assert result.asynchronous.tolist() == [28.0, 0.0]  # e-learning 8 + reviews 20
    assert result.synchronous.tolist() == [28.0, 3.0]
    assert {k: v.tolist() for k, v in result.by_channel.items()} == {
        "online": [21.0, 3.0],
        "offline": [35.0, 0.0],
    }
    assert result.events.tolist() == [21, 1]
    assert result.unmatched_events == 0


def test_sansan_preset_uses_the_sample_datas_touchpoint_names() -> None:
    assert sk.TouchModel.sansan().names == sk.datasets.TOUCHPOINTS


def test_sansan_preset_table() -> None:
    model = sk.TouchModel.sansan()
    table = {tp.name: (tp.describe(), tp.channel, tp.synchronous) for tp in model.touchpoints}
    assert table == {
        "video": ("20% → 1, 60% → 2, 100% → 3", "online", True),
        "elearning": ("0% → 1, 50% → 3, 100% → 5", "online", False),
        "web_access": ("1", "online", True),
        "email_click": ("1", "online", True),
        "midterm_review": ("10", "offline", False),
        "final_review": ("10", "offline", False),
        "seminar_signup": ("1", "offline", True),
        "seminar_attendance": ("3", "offline", True),
        "event_attendance": ("10", "offline", True),
    }
    assert model.per == "seats"
    assert model.window is None
    assert model.half_life is None
    assert sk.TouchModel.sansan(window="30d").window == 30


def test_sample_portfolio_scores_with_the_preset() -> None:
    sample = sk.datasets.make_portfolio(300, seed=1)
    result = sk.TouchModel.sansan(window="30d").score(sample.events, sample.portfolio)
    assert len(result) == len(sample.portfolio)
    assert np.all(result.score[~np.isnan(result.score)] >= 0)
    # The sample's event log holds churned accounts too: reported, not counted.
    in_portfolio = np.isin(np.asarray(sample.events["account_id"]), sample.portfolio.ids)
    recent = np.asarray(sample.events["at"]) > np.datetime64("2026-09-01")
    assert result.unmatched_events == int((~in_portfolio & recent).sum()) > 0
    assert set(result.unmatched.tolist()).isdisjoint(sample.portfolio.ids.tolist())


# -- semantics ------------------------------------------------------------------------------


def test_accounts_without_events_score_zero() -> None:
    result = sk.TouchModel.sansan().score(events(), portfolio({"a": 3, "b": 1}))
    assert result.score.tolist() == [0.0, 0.0]
    assert result.events.tolist() == [0, 0]


def test_combine_sum_counts_every_event_and_max_only_the_best() -> None:
    model = sk.TouchModel([
        sk.TouchPoint("seen", points=2, combine="max"),
        sk.TouchPoint("clicked", points=2, combine="sum"),
    ], per=None)
    rows = [("a", tp, "2026-09-01", "u1", "x", None) for tp in ("seen", "clicked")] * 3
    result = model.score(events(*rows), portfolio({"a": 1}))
    assert result.by_touchpoint["seen"].tolist() == [2.0]
    assert result.by_touchpoint["clicked"].tolist() == [6.0]


def test_max_groups_are_account_user_and_item() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", tiers={0.5: 1, 1.0: 2})], per=None)
    rows = [
        ("a", "v", "2026-09-01", "u1", "x", 1.0),
        ("a", "v", "2026-09-01", "u1", "y", 1.0),  # another item
        ("a", "v", "2026-09-01", "u2", "x", 0.5),  # another user
        ("b", "v", "2026-09-01", "u1", "x", 1.0),  # another account
        ("a", "v", "2026-09-01", None, "x", 0.5),  # a missing user is one shared user
        ("a", "v", "2026-09-01", None, "x", 1.0),
    ]
    result = model.score(events(*rows), portfolio({"a": 1, "b": 1}))
    assert result.total.tolist() == [2.0 + 2.0 + 1.0 + 2.0, 2.0]


def test_without_user_and_item_columns_max_counts_once_per_account() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", points=4)], per=None)
    data = {"account_id": ["a", "a", "b"], "touchpoint": ["v"] * 3, "at": [AS_OF] * 3}
    assert model.score(data, portfolio({"a": 1, "b": 1})).total.tolist() == [4.0, 4.0]


def test_progress_is_ignored_for_fixed_points() -> None:
    model = sk.TouchModel([sk.TouchPoint("web", points=1, combine="sum")], per=None)
    rows = [("a", "web", AS_OF, None, None, p) for p in (None, 0.0, 0.7, 1.0)]
    assert model.score(events(*rows), portfolio({"a": 1})).total.tolist() == [4.0]


def test_tier_boundaries_belong_to_the_tier_that_starts_there() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", tiers={0.2: 1, 0.6: 2, 1.0: 3},
                                         combine="sum")], per=None)
    cases = {0.0: 0, 0.19999: 0, 0.2: 1, 0.59999: 1, 0.6: 2, 0.99: 2, 1.0: 3}
    for progress, expected in cases.items():
        got = model.score(events(("a", "v", AS_OF, None, None, progress)), portfolio({"a": 1}))
        assert got.total.tolist() == [expected], progress


def test_score_is_total_per_seat_and_per_none_keeps_the_total() -> None:
    data = events(*[("a", "web_access", AS_OF, None, None, None)] * 3)
    pf = portfolio({"a": 4})
    assert sk.TouchModel.sansan().score(data, pf).score.tolist() == [0.75]
    kept = sk.TouchModel.sansan(per=None).score(data, pf)
    assert kept.score.tolist() == [3.0]
    assert kept.seats is None


def test_per_names_any_seat_column() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], "user_ids": [6]}, as_of=AS_OF)
    data = events(*[("a", "web_access", AS_OF, None, None, None)] * 3)
    assert sk.TouchModel.sansan(per="user_ids").score(data, pf).score.tolist() == [0.5]


def test_zero_and_missing_seats_give_a_missing_score_and_are_reported() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "seats": [0, None, 2]}, as_of=AS_OF)
    data = events(*[(acct, "web_access", AS_OF, None, None, None) for acct in "abc"])
    result = sk.TouchModel.sansan().score(data, pf)
    assert np.isnan(result.score[:2]).all()
    assert result.score[2] == 0.5
    assert result.total.tolist() == [1.0, 1.0, 1.0]
    assert result.no_seats.tolist() == ["a", "b"]
    assert "2 accounts without seats" in str(result.summary())


def test_window_keeps_the_days_ending_on_as_of() -> None:
    model = sk.TouchModel([sk.TouchPoint("web", points=1, combine="sum")], window="30d",
                          per=None)
    rows = [
        ("a", "web", "2026-10-01", None, None, None),  # age 0: in
        ("a", "web", "2026-09-02", None, None, None),  # age 29: in
        ("a", "web", "2026-09-01", None, None, None),  # age 30: out
        ("a", "web", "2025-10-01", None, None, None),  # a year old: out
    ]
    result = model.score(events(*rows), portfolio({"a": 1}))
    assert result.total.tolist() == [2.0]
    assert result.events.tolist() == [2]


def test_half_life_decays_points_by_age() -> None:
    model = sk.TouchModel([sk.TouchPoint("review", points=8, combine="sum")],
                          half_life="30d", per=None)
    rows = [
        ("a", "review", "2026-10-01", None, None, None),  # 8
        ("a", "review", "2026-09-01", None, None, None),  # 30 days: 4
        ("a", "review", "2026-08-02", None, None, None),  # 60 days: 2
        ("b", "review", "2026-09-16", None, None, None),  # 15 days: 8 / sqrt(2)
    ]
    result = model.score(events(*rows), portfolio({"a": 1, "b": 1}))
    assert result.total[0] == pytest.approx(14.0)
    assert result.total[1] == pytest.approx(8 / math.sqrt(2))


def test_half_life_with_max_keeps_the_best_decayed_event() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", tiers={0.2: 1, 1.0: 3})], half_life=30,
                          per=None)
    rows = [
        ("a", "v", "2026-08-02", "u1", "x", 1.0),  # 3 × 0.25 = 0.75
        ("a", "v", "2026-10-01", "u1", "x", 0.2),  # 1 × 1 = 1
    ]
    assert model.score(events(*rows), portfolio({"a": 1})).total.tolist() == [1.0]


def test_window_and_half_life_together() -> None:
    model = sk.TouchModel([sk.TouchPoint("web", points=4, combine="sum")], window="2w",
                          half_life="1w", per=None)
    rows = [("a", "web", day, None, None, None)
            for day in ("2026-10-01", "2026-09-24", "2026-09-17")]
    assert model.score(events(*rows), portfolio({"a": 1})).total.tolist() == [4.0 + 2.0]


def test_future_events_can_be_ignored_for_past_snapshots() -> None:
    model = sk.TouchModel([sk.TouchPoint("web", points=1, combine="sum")], per=None)
    data = events(("a", "web", "2026-09-01", None, None, None),
                  ("a", "web", "2026-11-01", None, None, None))
    result = model.score(data, portfolio({"a": 1}), future="ignore")
    assert result.total.tolist() == [1.0]


def test_unmatched_events_are_reported_not_counted() -> None:
    data = events(
        ("a", "web_access", AS_OF, None, None, None),
        ("zz", "web_access", AS_OF, None, None, None),
        ("yy", "web_access", AS_OF, None, None, None),
        ("zz", "web_access", AS_OF, None, None, None),
    )
    result = sk.TouchModel.sansan().score(data, portfolio({"a": 1}))
    assert result.total.tolist() == [1.0]
    assert result.unmatched.tolist() == ["yy", "zz"]
    assert result.unmatched_events == 3
    assert "3 events of 2 accounts not in the portfolio" in str(result.summary())
    with pytest.raises(sk.DataError, match="not in the portfolio") as info:
        sk.TouchModel.sansan().score(data, portfolio({"a": 1}), unmatched="error")
    assert (info.value.column, info.value.account, info.value.row) == ("account_id", "zz", 1)


def test_an_account_is_a_portfolio_of_one() -> None:
    pf = portfolio({"acme": 5, "globex": 10})
    whole = sk.TouchModel.sansan().score(SEED_EVENTS, pf)
    one = sk.TouchModel.sansan().score(SEED_EVENTS, pf.account("globex"))
    assert one.ids.tolist() == ["globex"]
    assert one.score.tolist() == whole.score[1:].tolist()
    assert one.unmatched.tolist() == ["acme"]


def test_read_events_once_and_score_several_portfolios() -> None:
    model = sk.TouchModel.sansan(window="30d")
    table = model.read_events(SEED_EVENTS)
    pf = portfolio({"acme": 5, "globex": 10})
    assert model.score(table, pf) == model.score(SEED_EVENTS, pf)
    later = model.score(table, pf.with_as_of("2026-10-20"))
    # 30 days ending 2026-10-20 start on 2026-09-21: the event and the final review.
    assert later.total.tolist() == [10.0 + 10.0, 3.0]
    other = sk.TouchModel([sk.TouchPoint("x", points=1)])
    with pytest.raises(sk.ModelError, match="other touch points"):
        other.score(table, pf)


def test_result_is_stamped_with_the_models_fingerprint_and_date() -> None:
    model = sk.TouchModel.sansan()
    result = model.score(SEED_EVENTS, portfolio({"acme": 5, "globex": 10}))
    assert result.fingerprint == model.fingerprint
    assert result.as_of == dt.date(2026, 10, 1)


# -- inputs ---------------------------------------------------------------------------------


def _as_arrays(data: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "account_id": np.array(data["account_id"]),
        "touchpoint": np.array(data["touchpoint"]),
        "at": np.array(data["at"], dtype="datetime64[D]"),
        "user_id": np.array([u or "" for u in data["user_id"]]),
        "item": np.array([i or "" for i in data["item"]]),
        "progress": np.array([np.nan if p is None else p for p in data["progress"]]),
    }


def test_numpy_pandas_polars_and_arrow_inputs_give_identical_results() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    model = sk.TouchModel.sansan()
    pf = portfolio({"acme": 5, "globex": 10})
    expected = model.score(SEED_EVENTS, pf)
    frame = pd.DataFrame(SEED_EVENTS)
    for data in (
        _as_arrays(SEED_EVENTS),
        frame,
        frame.assign(at=pd.to_datetime(frame["at"])),
        pl.DataFrame(SEED_EVENTS),
        pa.table(SEED_EVENTS),
    ):
        assert model.score(data, pf) == expected, type(data)


def test_integer_user_ids_and_items_group_like_text() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", points=1)], per=None)
    data = {"account_id": np.array(["a"] * 4), "touchpoint": np.array(["v"] * 4),
            "at": np.array([AS_OF] * 4, dtype="datetime64[D]"),
            "user_id": np.array([7, 7, 8, 8]), "item": np.array([1, 2, 1, 1])}
    assert model.score(data, portfolio({"a": 1})).total.tolist() == [3.0]


def test_numpy_variable_width_strings_are_read() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", points=1)], per=None)
    text = np.dtypes.StringDType()
    data = {"account_id": np.array(["a", "a"], dtype=text),
            "touchpoint": np.array(["v", "v"], dtype=text),
            "at": [AS_OF, AS_OF], "user_id": np.array(["u1", "u2"], dtype=text)}
    assert model.score(data, portfolio({"a": 1})).total.tolist() == [2.0]


def test_other_columns_are_ignored() -> None:
    data = dict(SEED_EVENTS, channel=["web"] * 22, note=[None] * 22)
    pf = portfolio({"acme": 5, "globex": 10})
    assert sk.TouchModel.sansan().score(data, pf) == sk.TouchModel.sansan().score(
        SEED_EVENTS, pf)


def test_large_event_tables_take_the_hashed_path_with_the_same_result() -> None:
    rng = np.random.default_rng(3)
    n, accounts = 60_000, 2_000
    ids = np.array([f"acct-{i:05d}" for i in range(accounts)])
    pf = sk.Portfolio.from_columns({"id": ids[: accounts - 50],
                                    "seats": rng.integers(1, 40, accounts - 50)},
                                   as_of=AS_OF)
    names = np.array(TOUCH_MODEL.names)
    touch = rng.integers(0, len(names), n)
    tiered = np.isin(touch, [0, 1])
    data = {
        "account_id": ids[rng.integers(0, accounts, n)],
        "touchpoint": names[touch],
        "at": np.datetime64(AS_OF, "D") - rng.integers(0, 120, n),
        "user_id": np.char.add("u", rng.integers(0, 30, n).astype(str)),
        "item": np.char.add("i", rng.integers(0, 5, n).astype(str)),
        "progress": np.where(tiered, rng.random(n).round(2), np.nan),
    }
    model = sk.TouchModel(TOUCH_MODEL.touchpoints, window="60d")
    fast = model.score(data, pf)
    slow = model.score({k: v.tolist() if v.dtype.kind == "U" else v for k, v in data.items()},
                       pf)
    assert fast == slow
    expected = reference_totals(model, _rows_of(data), pf)
    np.testing.assert_allclose(fast.touchpoint_matrix, expected)
    in_window = data["at"] > np.datetime64(AS_OF, "D") - 60
    outside = ~np.isin(data["account_id"], pf.ids) & in_window
    assert fast.unmatched_events == int(outside.sum())
    assert fast.unmatched.tolist() == sorted(set(data["account_id"][outside].tolist()))


# -- a plain-Python reference, event by event ----------------------------------------------


def _rows_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    n = len(data["account_id"])
    rows = []
    for i in range(n):
        row = {k: data[k][i] for k in data}
        for key in ("user_id", "item"):
            if row.get(key) == "":
                row[key] = None
        p = row.get("progress")
        row["progress"] = None if p is None or (isinstance(p, float) and math.isnan(p)) else p
        row["at"] = sk.data.dates.to_date(np.datetime64(row["at"], "D"))
        rows.append(row)
    return rows


def reference_totals(model: sk.TouchModel, rows: list[dict[str, Any]],
                     pf: sk.Portfolio) -> np.ndarray:
    """Points per account and touch point, computed one event at a time."""
    where = {account: i for i, account in enumerate(pf.ids.tolist())}
    out = np.zeros((len(pf), len(model.touchpoints)))
    best: dict[tuple[Any, ...], float] = defaultdict(float)
    for row in rows:
        if str(row["account_id"]) not in where:
            continue
        k = model.names.index(row["touchpoint"])
        tp = model.touchpoints[k]
        age = (pf.as_of - sk.data.dates.to_date(row["at"])).days
        if model.window is not None and age >= model.window:
            continue
        points = float(tp.points_for([row["progress"]])[0]) if tp.tiered else tp.points
        if model.half_life is not None:
            points *= 0.5 ** (age / model.half_life)
        i = where[str(row["account_id"])]
        if tp.combine == "sum":
            out[i, k] += points
        else:
            key = (i, k, row.get("user_id"), row.get("item"))
            best[key] = max(best[key], points)
    for (i, k, _, _), points in best.items():
        out[i, k] += points
    return out


@given(rows=touch_events(), seats=touch_seats,
       window=st.sampled_from([None, 7, 30]), half_life=st.sampled_from([None, 10, 45]))
def test_equals_the_event_by_event_reference(rows: list[dict[str, Any]], seats: list[int],
                                             window: int | None,
                                             half_life: int | None) -> None:
    model = sk.TouchModel(TOUCH_MODEL.touchpoints, window=window, half_life=half_life)
    pf = portfolio(dict(zip(TOUCH_ACCOUNTS[:2], seats[:2], strict=True)))  # initech absent
    result = model.score(touch_columns(rows), pf)
    expected = reference_totals(model, rows, pf)
    np.testing.assert_allclose(result.touchpoint_matrix, expected, rtol=1e-12)
    np.testing.assert_allclose(result.score, expected.sum(axis=1) / seats[:2], rtol=1e-12)
    in_window = [window is None or (TOUCH_AS_OF - r["at"]).days < window for r in rows]
    assert result.unmatched_events == sum(
        r["account_id"] == "initech" and inside for r, inside in zip(rows, in_window, strict=True)
    )


# -- properties -----------------------------------------------------------------------------


@given(rows=touch_events(), extra=touch_event_rows(), seats=touch_seats,
       window=st.sampled_from([None, 30]), half_life=st.sampled_from([None, 20]))
def test_adding_an_event_never_lowers_a_score(rows: list[dict[str, Any]],
                                              extra: dict[str, Any], seats: list[int],
                                              window: int | None,
                                              half_life: int | None) -> None:
    model = sk.TouchModel(TOUCH_MODEL.touchpoints, window=window, half_life=half_life)
    pf = portfolio(dict(zip(TOUCH_ACCOUNTS, seats, strict=True)))
    before = model.score(touch_columns(rows), pf)
    after = model.score(touch_columns([*rows, extra]), pf)
    assert np.all(after.score >= before.score)
    assert np.all(after.touchpoint_matrix >= before.touchpoint_matrix)


@given(rows=touch_events(min_size=1), seats=touch_seats, seed=st.integers(0, 2**32 - 1),
       half_life=st.sampled_from([None, 20]))
def test_scores_are_invariant_to_event_order(rows: list[dict[str, Any]], seats: list[int],
                                             seed: int, half_life: int | None) -> None:
    model = sk.TouchModel(TOUCH_MODEL.touchpoints, half_life=half_life)
    pf = portfolio(dict(zip(TOUCH_ACCOUNTS, seats, strict=True)))
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    a = model.score(touch_columns(rows), pf)
    b = model.score(touch_columns(shuffled), pf)
    if half_life is None:  # whole points: sums are exact in any order
        assert a == b
    else:
        np.testing.assert_allclose(a.touchpoint_matrix, b.touchpoint_matrix, rtol=1e-12)


@given(rows=touch_events(), seats=touch_seats, factor=st.integers(2, 9))
def test_score_is_normalised_per_seat(rows: list[dict[str, Any]], seats: list[int],
                                      factor: int) -> None:
    data = touch_columns(rows)
    one = TOUCH_MODEL.score(data, portfolio(dict(zip(TOUCH_ACCOUNTS, seats, strict=True))))
    many = TOUCH_MODEL.score(
        data, portfolio(dict(zip(TOUCH_ACCOUNTS, [s * factor for s in seats], strict=True)))
    )
    np.testing.assert_allclose(one.score * np.array(seats), one.total)
    np.testing.assert_allclose(many.score * factor, one.score)
    assert many.total.tolist() == one.total.tolist()


@given(rows=touch_events(), seats=touch_seats, seed=st.integers(0, 2**32 - 1))
def test_permuting_accounts_permutes_results(rows: list[dict[str, Any]], seats: list[int],
                                             seed: int) -> None:
    order = list(range(3))
    random.Random(seed).shuffle(order)
    pf = portfolio(dict(zip(TOUCH_ACCOUNTS, seats, strict=True)))
    shuffled = pf.take(order)
    a = TOUCH_MODEL.score(touch_columns(rows), pf)
    b = TOUCH_MODEL.score(touch_columns(rows), shuffled)
    assert b == a.take(order)


# -- bad data -------------------------------------------------------------------------------


def _one(**changes: Any) -> dict[str, list[Any]]:
    base = {"account_id": ["a", "a"], "touchpoint": ["video", "web_access"],
            "at": ["2026-09-01", "2026-09-02"], "user_id": ["u1", "u1"],
            "item": ["v1", None], "progress": [0.5, None]}
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("changes", "column", "row", "message"),
    [
        ({"touchpoint": ["video", "web_acess"]}, "touchpoint", 1,
         "unknown touch point 'web_acess'; did you mean 'web_access'"),
        ({"touchpoint": ["video", "phone call"]}, "touchpoint", 1,
         "unknown touch point 'phone call'; the model knows video, "),
        ({"touchpoint": ["video", None]}, "touchpoint", 1, "no touch point"),
        ({"touchpoint": np.array(["video", " "])}, "touchpoint", 1, "no touch point"),
        ({"touchpoint": np.array(["video", "Video"])}, "touchpoint", 1,
         "unknown touch point 'Video'"),
        ({"progress": [1.5, None]}, "progress", 0, "progress 1.5 is outside [0, 1]"),
        ({"progress": [0.5, -0.1]}, "progress", 1, "progress -0.1 is outside [0, 1]"),
        ({"progress": [None, None]}, "progress", 0,
         "touch point 'video' earns points by progress, but the event has none"),
        ({"progress": [0.5, "lots"]}, "progress", 1, "non-numeric value 'lots'"),
        ({"at": ["2026-09-01", None]}, "at", 1, "the event has no date"),
        ({"at": ["2026-09-01", "2026-10-02"]}, "at", 1,
         "dated 2026-10-02, after the portfolio's as_of date 2026-10-01"),
        ({"at": ["2026-09-01", "yesterday"]}, "at", 1, "unparseable date 'yesterday'"),
        ({"account_id": ["a", None]}, "account_id", 1, "missing account id"),
        ({"account_id": ["a", " "]}, "account_id", 1, "missing account id"),
    ],
)
def test_bad_events_name_the_column_and_row(changes: dict[str, Any], column: str, row: int,
                                            message: str) -> None:
    with pytest.raises(sk.DataError) as info:
        sk.TouchModel.sansan().score(_one(**changes), portfolio({"a": 3}))
    assert info.value.column == column
    assert info.value.row == row
    assert message in str(info.value)


@pytest.mark.parametrize("column", [["video", "vidoe", None], np.array(["video", "vidoe", ""])])
def test_the_first_bad_touch_point_is_reported(column: Any) -> None:
    """Lists (read as categories) and numpy text take different paths: same error."""
    data = {"account_id": ["a"] * 3, "touchpoint": column, "at": ["2026-09-01"] * 3,
            "progress": [0.5] * 3}
    with pytest.raises(sk.DataError, match="unknown touch point 'vidoe'") as info:
        sk.TouchModel.sansan().score(data, portfolio({"a": 3}))
    assert (info.value.column, info.value.row) == ("touchpoint", 1)


def test_tiered_events_need_a_progress_column() -> None:
    data = _one()
    del data["progress"]
    with pytest.raises(sk.DataError, match="events have no 'progress' column") as info:
        sk.TouchModel.sansan().score(data, portfolio({"a": 3}))
    assert (info.value.column, info.value.row) == ("progress", 0)
    fixed_only = {k: v[1:] for k, v in data.items()}  # web access alone needs no progress
    assert sk.TouchModel.sansan().score(fixed_only, portfolio({"a": 1})).total.tolist() == [1.0]


@pytest.mark.parametrize("name", ["account_id", "touchpoint", "at"])
def test_required_columns(name: str) -> None:
    data = _one()
    data[name + "s"] = data.pop(name)
    with pytest.raises(sk.DataError, match=f"did you mean '{name}s'") as info:
        sk.TouchModel.sansan().score(data, portfolio({"a": 3}))
    assert info.value.column == name


@pytest.mark.parametrize("name", ["touchpoint", "at", "progress", "user_id", "item"])
def test_columns_of_different_lengths(name: str) -> None:
    data = _one()
    data[name] = [*data[name], data[name][0]]
    with pytest.raises(sk.DataError, match="has 3 values but the 'account_id' column has 2"):
        sk.TouchModel.sansan().score(data, portfolio({"a": 3}))


def test_events_must_be_a_table() -> None:
    with pytest.raises(sk.DataError, match="expected a mapping of column name"):
        sk.TouchModel.sansan().score([("a", "video")], portfolio({"a": 3}))
    with pytest.raises(sk.DataError, match="expected a Portfolio or an Account"):
        sk.TouchModel.sansan().score(_one(), {"a": 3})  # type: ignore[arg-type]


def test_seats_problems() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "users": [3, 4]}, as_of=AS_OF)
    with pytest.raises(sk.DataError, match="no such column; did you mean 'users'") as info:
        sk.TouchModel.sansan(per="user").score(_one(), pf)
    assert info.value.column == "user"
    negative = sk.Portfolio.from_columns({"id": ["a", "b"], "seats": [3, -1]}, as_of=AS_OF)
    with pytest.raises(sk.DataError, match="seats must not be negative") as info:
        sk.TouchModel.sansan().score(_one(), negative)
    assert (info.value.column, info.value.account) == ("seats", "b")
    text = sk.Portfolio.from_columns({"id": ["a"], "seats": ["many"]}, as_of=AS_OF)
    with pytest.raises(sk.DataError, match="expected a number column"):
        sk.TouchModel.sansan().score(_one(), text)


def test_windows_and_decay_need_an_as_of_date() -> None:
    pf = portfolio({"a": 3}, as_of=None)
    assert sk.TouchModel.sansan().score(_one(), pf).total.tolist() == [2.0]  # no clock needed
    for model in (sk.TouchModel.sansan(window="30d"), sk.TouchModel.sansan(half_life=7)):
        with pytest.raises(sk.DataError, match="no as_of date"):
            model.score(_one(), pf)


def test_bad_keyword_values() -> None:
    with pytest.raises(sk.ModelError, match="unmatched must be"):
        sk.TouchModel.sansan().score(_one(), portfolio({"a": 3}), unmatched="drop")  # type: ignore[arg-type]
    with pytest.raises(sk.ModelError, match="future must be"):
        sk.TouchModel.sansan().score(_one(), portfolio({"a": 3}), future="skip")  # type: ignore[arg-type]


# -- the model ------------------------------------------------------------------------------


def test_model_errors() -> None:
    video = sk.TouchPoint("video", points=1)
    with pytest.raises(sk.ModelError, match="at least one touch point"):
        sk.TouchModel([])
    with pytest.raises(sk.ModelError, match="two touch points have this name"):
        sk.TouchModel([video, video])
    with pytest.raises(sk.ModelError, match="sequence of TouchPoint"):
        sk.TouchModel(video)  # type: ignore[arg-type]
    with pytest.raises(sk.ModelError, match="expected TouchPoint objects"):
        sk.TouchModel(["video"])  # type: ignore[list-item]
    with pytest.raises(sk.ModelError, match="window must be at least one day"):
        sk.TouchModel([video], window=0)
    with pytest.raises(sk.ModelError, match="is not a duration"):
        sk.TouchModel([video], half_life="a while")
    with pytest.raises(sk.ModelError, match="per must name the seats column"):
        sk.TouchModel([video], per="")
    with pytest.raises(sk.ModelError, match="no touch point 'vidoe'; did you mean 'video'"):
        sk.TouchModel([video])["vidoe"]


def test_durations_are_parsed_like_the_rest_of_successkit() -> None:
    model = sk.TouchModel([sk.TouchPoint("v", points=1)], window="3mo", half_life="2w")
    assert (model.window, model.half_life) == (90, 14)
    assert sk.TouchModel([sk.TouchPoint("v", points=1)], window=dt.timedelta(days=5)).window == 5


@given(window=st.sampled_from([None, 1, 30, 365]), half_life=st.sampled_from([None, 7]),
       per=st.sampled_from([None, "seats", "user_ids"]))
def test_model_round_trips_through_a_dict(window: int | None, half_life: int | None,
                                          per: str | None) -> None:
    import json

    model = sk.TouchModel(TOUCH_MODEL.touchpoints, window=window, half_life=half_life, per=per)
    data = json.loads(json.dumps(model.to_dict()))
    again = sk.TouchModel.from_dict(data)
    assert again == model
    assert again.fingerprint == model.fingerprint


def test_fingerprint_changes_with_the_configuration() -> None:
    prints = {
        sk.TouchModel.sansan().fingerprint,
        sk.TouchModel.sansan(window="30d").fingerprint,
        sk.TouchModel.sansan(half_life="30d").fingerprint,
        sk.TouchModel.sansan(per=None).fingerprint,
    }
    assert len(prints) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "touch", "version": 2, "touchpoints": []}, "unsupported touch version 2"),
        ({"type": "health", "version": 1}, "expected a dict of type 'touch'"),
        ({"type": "touch", "version": 1}, "missing key 'touchpoints'"),
        ({"type": "touch", "version": 1, "touchpoints": {}}, "touchpoints must be a list"),
        ({"type": "touch", "version": 1, "touchpoints": [{"type": "touchpoint"}]},
         "unsupported touchpoint version"),
        ({"type": "touch", "version": 1, "window": "x",
          "touchpoints": [sk.TouchPoint("v", points=1).to_dict()]}, "window must be a number"),
        ("touch", "expected a dict"),
    ],
)
def test_malformed_model_dicts(data: Any, message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.TouchModel.from_dict(data)


def test_rule_schema_matches_the_results_rule_columns() -> None:
    model = sk.TouchModel.sansan()
    result = model.score(SEED_EVENTS, portfolio({"acme": 5, "globex": 10}))
    assert dict(model.rule_schema()) == {k: c.kind for k, c in result.rule_columns().items()}


def test_repr() -> None:
    assert repr(sk.TouchModel([sk.TouchPoint("v", points=1)], window=30, per=None)) == (
        "TouchModel(['v'], window=30, per=None)"
    )


def test_a_bound_model_scores_each_snapshot_of_a_history_for_rules() -> None:
    events = {"account_id": ["a", "a", "a", "b"], "touchpoint": ["web_access"] * 4,
              "at": ["2026-08-20", "2026-09-20", "2026-09-25", "2026-08-20"]}
    snapshots = [
        sk.Portfolio.from_columns({"id": ["a", "b"], "seats": [1, 1]}, as_of=day)
        for day in ("2026-09-01", "2026-10-01")
    ]
    bound = sk.TouchModel.sansan(window="30d").bind(events)
    assert dict(bound.rule_schema()) == dict(sk.TouchModel.sansan().rule_schema())
    assert bound.fingerprint == sk.TouchModel.sansan(window="30d").fingerprint
    assert bound.score(snapshots[0]).total.tolist() == [1.0, 1.0]  # later events skipped
    assert bound.score(snapshots[1]).total.tolist() == [2.0, 0.0]
    assert repr(bound).endswith(".bind(<4 events>)")
    playbook = sk.Playbook.parse("when delta(touch.score, 30d) >= 1 then thank_champion")
    ctas = playbook.evaluate(sk.History(snapshots), touch=bound)
    assert [cta.account_id for cta in ctas] == ["a"]
