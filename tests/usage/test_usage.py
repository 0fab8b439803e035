"""Usage metrics against a brute-force, plain-Python reference on random logs."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.data.events import Events
from successkit.usage import UsageModel, _engine, usage_history, usage_portfolio

TYPES = ("login", "export", "share")
START = dt.date(2025, 1, 1)
MODEL = UsageModel.from_text("""
metric c7 = count(login, 7d)
metric c28 = count({export, share}, 28d)
metric call = count(*, 1mo)
metric c90 = count(share, 90d)
metric cy = count(*, 1y)
metric s28 = sum(export, 28d)
metric u28 = distinct_users(*, 28d)
metric u1mo = distinct_users({login, share}, 1mo)
metric a28 = active_days(login, 28d)
metric a90 = active_days(*, 90d)
metric sc = scaled_count(login, 90d)
metric obs = days_observed(90d)
metric first = days_since_first(export)
metric first_any = days_since_first(*)
metric last = days_since_last(*)
metric seat = per_seat(call, seats)
metric pu = per_user(c28)
metric r = ratio(c7, c28)
metric ch = change(u28)
metric rc = relative_change(call)
metric ch2 = change(a28)
""")
SEATS = {"a": 3.0, "b": 0.0, "c": 1.0, "d": 2.0, "e": 5.0}
TABLE = {"id": list(SEATS), "seats": list(SEATS.values())}

Row = tuple[str, int, str, int, int, float]
NUMBER = {day: START + dt.timedelta(days=day) for day in range(0, 500)}
rows = st.lists(
    st.tuples(st.sampled_from("abcd"), st.integers(0, 420), st.sampled_from(TYPES),
              st.integers(0, 3), st.integers(0, 3), st.integers(-5, 20).map(float)),
    min_size=1, max_size=50,
)
dates = st.lists(st.integers(0, 450), min_size=1, max_size=3, unique=True)


def _events(log: list[Row]) -> Events:
    return Events.from_columns({
        "account_id": [r[0] for r in log],
        "at": [START + dt.timedelta(days=r[1]) for r in log],
        "event": [r[2] for r in log], "user": [f"u{r[3]}" for r in log],
        "n": [r[4] for r in log], "amount": [r[5] for r in log],
    }, user="user", count="n", value="amount", types=TYPES)


def _back(day: dt.date, window: str) -> dt.date:
    number, unit = int(window.rstrip("dmoy")), window.lstrip("0123456789")
    if unit == "d":
        return day - dt.timedelta(days=number)
    months = number * (12 if unit == "y" else 1)
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _brute(log: list[Row], when: dt.date, account: str) -> dict[str, float | None]:
    """Every metric of MODEL for one account, by plain loops over the rows."""
    mine = [r for r in log if r[0] == account and r[4] > 0]
    number = NUMBER

    def pick(types: Any, lo: dt.date, hi: dt.date) -> list[Row]:
        return [r for r in mine if (types is None or r[2] in types) and lo <= number[r[1]] < hi]

    def window(w: str, lag: int = 0) -> tuple[dt.date, dt.date]:
        hi = when
        for _ in range(lag):
            hi = _back(hi, w)
        return _back(hi, w), hi

    def count(types: Any, w: str, lag: int = 0) -> float:
        return float(sum(r[4] for r in pick(types, *window(w, lag))))

    def users(types: Any, w: str, lag: int = 0) -> float:
        return float(len({r[3] for r in pick(types, *window(w, lag))}))

    def days(types: Any, w: str, lag: int = 0) -> float:
        return float(len({r[1] for r in pick(types, *window(w, lag))}))

    before = [number[r[1]] for r in mine if number[r[1]] < when]
    observed = min(90, (when - min(before)).days) if before else None
    exports = [number[r[1]] for r in mine if r[2] == "export" and number[r[1]] < when]
    out: dict[str, float | None] = {
        "c7": count({"login"}, "7d"), "c28": count({"export", "share"}, "28d"),
        "call": count(None, "1mo"), "c90": count({"share"}, "90d"), "cy": count(None, "1y"),
        "s28": float(sum(r[5] for r in pick({"export"}, *window("28d")))),
        "u28": users(None, "28d"), "u1mo": users({"login", "share"}, "1mo"),
        "a28": days({"login"}, "28d"), "a90": days(None, "90d"),
        "obs": float(observed) if observed is not None else None,
        "first": float((when - min(exports)).days) if exports else None,
        "first_any": float((when - min(before)).days) if before else None,
        "last": float((when - max(before)).days) if before else None,
    }
    out["sc"] = _div(out["c90"] * 0 + count({"login"}, "90d") * 90, observed)
    out["seat"] = _div(out["call"], SEATS[account])
    out["pu"] = _div(out["c28"], users(None, "28d"))
    out["r"] = _div(out["c7"], out["c28"])
    out["ch"] = users(None, "28d") - users(None, "28d", 1)
    out["rc"] = _div(count(None, "1mo") - count(None, "1mo", 1), count(None, "1mo", 1))
    out["ch2"] = days({"login"}, "28d") - days({"login"}, "28d", 1)
    return out


def _same(got: float | None, want: float | None) -> bool:
    if want is None:
        return got is None or math.isnan(got)
    return got is not None and got == pytest.approx(want)


def _check(log: list[Row], offsets: list[int], **kwargs: Any) -> None:
    when = [START + dt.timedelta(days=o) for o in offsets]
    history = usage_history(_events(log), MODEL, when, accounts=TABLE, **kwargs)
    for pf in history:
        active = sorted({r[0] for r in log if r[4] > 0 and START + dt.timedelta(days=r[1])
                         < pf.as_of})
        if kwargs.get("members") != "table":
            assert pf.ids.tolist() == [a for a in TABLE["id"] if a in active]
        for account in pf.ids.tolist():
            got = pf.account(account).values
            want = _brute(log, pf.as_of, account) if account in active else None
            for name in MODEL.names:
                if want is None:  # no event yet: counts 0, the rest missing
                    continue
                assert _same(got[name], want[name]), (name, account, pf.as_of, got[name],
                                                      want[name])


@settings(deadline=None, max_examples=60)
@given(rows, dates)
def test_every_metric_equals_a_brute_force_count(log: list[Row], offsets: list[int]) -> None:
    _check(log, offsets)


@settings(deadline=None, max_examples=25)
@given(rows, dates)
def test_many_small_passes_give_the_same_numbers(log: list[Row], offsets: list[int],
                                                 ) -> None:
    """A tiny memory budget splits dates into blocks, types into groups, rows into chunks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_engine, "_MIN_BUDGET", 8 * 5 * 3)
        patch.setattr(_engine, "_MIN_CHUNK", 7)
        _check(log, offsets, members="table")


@settings(deadline=None, max_examples=40)
@given(rows, st.integers(1, 60), st.randoms(use_true_random=False))
def test_split_shuffle_and_single_account_agree(log: list[Row], cut: int, rnd: Any) -> None:
    when = START + dt.timedelta(days=200)
    whole = usage_portfolio(_events(log), MODEL, when, accounts=TABLE)
    shuffled = list(log)
    rnd.shuffle(shuffled)
    assert usage_portfolio(_events(shuffled), MODEL, when, accounts=TABLE) == whole
    at = cut % (len(log) + 1)
    if 0 < at < len(log):
        joined = Events.concat([_events(log[:at]), _events(log[at:])])
        assert usage_portfolio(joined, MODEL, when, accounts=TABLE) == whole
    for account in whole.ids.tolist():
        one = usage_portfolio(_events([r for r in log if r[0] == account]), MODEL, when,
                              accounts=TABLE)
        assert one.account(account) == whole.account(account)


def test_duplicated_rows_are_counted_as_given() -> None:
    log: list[Row] = [("a", 3, "login", 1, 2, 1.0)]
    twice = usage_portfolio(_events(log + log), MODEL, START + dt.timedelta(days=5),
                            accounts=TABLE)
    assert twice["c7"].tolist() == [4.0]
    assert twice["u28"].tolist() == [1.0]


def test_window_edges() -> None:
    ev = Events.from_columns({"account_id": ["a", "a", "a"],
                              "at": ["2026-01-04", "2026-02-01", "2026-01-03"],
                              "event": ["login"] * 3})
    pf = usage_portfolio(ev, UsageModel.from_text("metric x = count(login, 28d)"), "2026-02-01")
    # D - 28 = 2026-01-04 is included, D itself is excluded, D - 29 is out.
    assert pf["x"].tolist() == [1.0]


def test_account_table_carried_and_unmatched() -> None:
    ev = Events.from_columns({"account_id": ["a", "zz"], "at": ["2026-01-04"] * 2,
                              "event": ["login"] * 2})
    table = {"id": ["b", "a"], "seats": [4, 2]}
    model = UsageModel.from_text("metric x = count(*, 28d)\nmetric y = per_seat(x, seats)")
    with pytest.raises(sk.DataError, match="row 1: event for account 'zz'") as info:
        usage_portfolio(ev, model, "2026-02-01", accounts=table)
    assert info.value.column == "account"
    pf = usage_portfolio(ev, model, "2026-02-01", accounts=table, unmatched="drop",
                         members="table")
    assert pf.ids.tolist() == ["b", "a"]
    assert pf["y"].tolist() == [0.0, 0.5]
    assert pf["seats"].tolist() == [4.0, 2.0]
    ids, dropped = ev.unmatched(table["id"])
    assert (ids.tolist(), dropped) == (["zz"], 1)


def test_members_from_a_function_of_the_date() -> None:
    ev = Events.from_columns({"account_id": ["a", "b"], "at": ["2026-01-04"] * 2,
                              "event": ["login"] * 2})
    model = UsageModel.from_text("metric x = count(*, 28d)")
    history = usage_history(ev, model, ["2026-02-01", "2026-03-01"],
                            members=lambda d: ["b"] if d.month == 2 else np.array(["a", "b"]))
    assert [p.ids.tolist() for p in history] == [["b"], ["a", "b"]]
    with pytest.raises(sk.DataError, match="names account 'q'"):
        usage_portfolio(ev, model, "2026-02-01", members=lambda d: ["q"])
    # A one-pass iterable (a generator) is read like a list.
    pf = usage_portfolio(ev, model, "2026-02-01", members=lambda d: (i for i in ["b"]))
    assert pf.ids.tolist() == ["b"]


@pytest.mark.parametrize(("text", "message", "column", "hint"), [
    ("metric x = cout(login, 28d)", "unknown metric kind 'cout'", 12, "did you mean 'count'?"),
    ("metric x = count(logn, 28d)", "unknown event type 'logn'", 18, "did you mean 'login'?"),
    ("metric x = count(login)", "count takes 2", 12, None),
    ("metric x = count(login, 28)", "'28' is not a window", 25, None),
    ("metric x = count(login, 3 weeks)", "unexpected name 'weeks'", 27, None),
    ("metric a = count(*, 7d)\nmetric x = ratio(a, bb)", "'bb' is not defined above", 21, None),
    ("metric ab = count(*, 7d)\nmetric x = change(abc)", "'abc' is not defined", 19,
     "did you mean 'ab'?"),
    ("metric x = count(login, 28d) extra", "unexpected", 30, None),
])
def test_text_errors_are_positioned(text: str, message: str, column: int,
                                    hint: str | None) -> None:
    with pytest.raises(sk.RuleError, match=message) as info:
        UsageModel.from_text(text, types=TYPES)
    assert info.value.line == text.count("\n") + 1
    assert info.value.column == column
    assert "^" in str(info.value)
    if hint is not None:
        assert hint in str(info.value)


@pytest.mark.parametrize(("metrics", "message"), [
    ([sk.usage.UsageMetric("a", "days_since_last", types="x"),
      sk.usage.UsageMetric("b", "change", of=("a",))], "change reads a windowed"),
    ([sk.usage.UsageMetric("a", "count", window="7d"),
      sk.usage.UsageMetric("a", "count", window="7d")], "appears twice"),
])
def test_model_errors(metrics: list, message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        UsageModel(metrics)


def test_model_round_trip_and_fingerprint() -> None:
    again = UsageModel.from_dict(MODEL.to_dict())
    assert again == MODEL
    assert again.fingerprint == MODEL.fingerprint
    assert UsageModel(MODEL.metrics[:-1]).fingerprint != MODEL.fingerprint
    assert MODEL.to_dict()["version"] == 1


def test_unknown_type_in_metric() -> None:
    ev = Events.from_columns({"account_id": ["a"], "at": ["2026-01-03"], "event": ["login"]})
    with pytest.raises(sk.DataError, match="did you mean 'login'"):
        usage_portfolio(ev, UsageModel.from_text("metric x = count(logn, 7d)"), "2026-02-01")


@pytest.mark.parametrize(("metric", "words"), [
    ("metric users = distinct_users(*, 28d)", r"name their column .*user=\.\.\."),
    ("metric spend = sum(*, 28d)", r"name their column .*value=\.\.\."),
])
def test_a_metric_that_needs_a_column_not_read_says_how_to_read_it(metric: str,
                                                                   words: str) -> None:
    table = {"account_id": ["a"], "at": ["2026-01-03"], "event": ["login"],
             "user_id": ["u1"], "amount": [9.0]}
    ev = Events.from_columns(table)
    with pytest.raises(sk.DataError, match=words):
        usage_portfolio(ev, UsageModel.from_text(metric), "2026-02-01")
    read = Events.from_columns(table, user="user_id", value="amount")
    assert usage_portfolio(read, UsageModel.from_text(metric), "2026-01-10")[
        metric.split()[1]].tolist() == [1.0 if "users" in metric else 9.0]


def test_numpy_fast_path_matches() -> None:
    rng = np.random.default_rng(0)
    n = 5000
    acc, typ = rng.integers(0, 50, n), rng.integers(0, 3, n)
    day = np.datetime64("2026-01-01") + rng.integers(0, 60, n).astype("timedelta64[D]")
    fast = Events.from_columns({"account_id": acc, "at": day, "event": typ}, types=TYPES,
                               accounts=[f"x{i}" for i in range(50)])
    slow = Events.from_columns({"account_id": [f"x{i}" for i in acc], "at": day.tolist(),
                                "event": [TYPES[t] for t in typ]})
    model = UsageModel.from_text("metric x = count(login, 28d)")
    assert usage_portfolio(fast, model, "2026-02-15") == usage_portfolio(slow, model, "2026-02-15")


def test_members_under_contract_from_the_contracts_table() -> None:
    from successkit.contracts import account_facts
    from successkit.data.contracts import Contracts

    contracts = Contracts.from_columns({
        "account_id": ["a", "b", "c"], "start": ["2026-01-01", "2026-01-01", "2026-02-15"],
        "end": [None, "2026-02-20", None], "seats": [5, 2, 3],
    }, seats="seats")
    ev = Events.from_columns({"account_id": ["a", "b", "b", "c"],
                              "at": ["2026-01-10", "2026-01-12", "2026-02-10", "2026-02-16"],
                              "event": ["login"] * 4})
    dates = ["2026-02-01", "2026-03-01"]
    facts = account_facts(contracts, dates)
    model = UsageModel.from_text("metric logins = count(login, 1mo)")
    history = usage_history(ev, model, dates, members=facts.members)
    # b's contract ended on 2026-02-20, c's began on 2026-02-15.
    assert [p.ids.tolist() for p in history] == [["a", "b"], ["a", "c"]]
    assert [p["logins"].tolist() for p in history] == [[1.0, 1.0], [0.0, 1.0]]


def test_counts_past_int32_stay_exact() -> None:
    big = 2**31 + 5
    ev = Events.from_columns({"account_id": ["a", "a", "b"],
                              "at": ["2026-01-10", "2026-01-11", "2026-01-12"],
                              "event": ["login"] * 3, "n": np.array([big, 1, 2])}, count="n")
    pf = usage_portfolio(ev, UsageModel.from_text("metric x = count(login, 28d)"), "2026-02-01")
    assert pf["x"].tolist() == [float(big + 1), 2.0]
