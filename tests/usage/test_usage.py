"""Usage metrics against a brute-force per-account reference on random logs."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.data.events import Events
from successkit.datasets import make_portfolio
from successkit.usage import UsageModel, usage_history, usage_portfolio

TYPES = ("login", "export", "share")
START = dt.date(2026, 1, 1)
MODEL = UsageModel.from_text("""
metric logins_28d = count(login, 28d)
metric all_1mo = count(*, 1mo)
metric set_7d = count({export, share}, 7d)
metric users_28d = distinct_users(*, 28d)
metric days_28d = active_days(login, 28d)
metric since_last = days_since_last(export)
metric since_first = days_since_first(*)
metric change_7d = change(set_7d)
metric per_user = per_user(logins_28d)
""")

rows = st.lists(
    st.tuples(st.sampled_from("abcd"), st.integers(0, 80), st.sampled_from(TYPES),
              st.integers(0, 3), st.integers(0, 4)),
    min_size=1, max_size=60,
)


def _events(log: list[tuple[str, int, str, int, int]]) -> Events:
    return Events.from_columns({
        "account_id": [r[0] for r in log],
        "at": [START + dt.timedelta(days=r[1]) for r in log],
        "event": [r[2] for r in log], "user": [f"u{r[3]}" for r in log],
        "n": [r[4] for r in log],
    }, user="user", count="n", types=TYPES)


def _brute(log: list[tuple[str, int, str, int, int]], when: dt.date, account: str) -> dict:
    d = (when - START).days

    def within(r: tuple, lo: int, hi: int) -> bool:
        return r[0] == account and lo <= r[1] < hi

    year, prev_month = when.year - (when.month == 1), (when.month - 2) % 12 + 1
    last_day = calendar.monthrange(year, prev_month)[1]
    month = (when - dt.date(year, prev_month, min(when.day, last_day))).days
    logins = sum(r[4] for r in log if within(r, d - 28, d) and r[2] == "login")
    users = len({r[3] for r in log if within(r, d - 28, d)})
    before = [r[1] for r in log if within(r, -10**6, d) and r[2] == "export"]
    sets = sum(r[4] for r in log if within(r, d - 7, d) and r[2] != "login")
    prev = sum(r[4] for r in log if within(r, d - 14, d - 7) and r[2] != "login")
    return {
        "logins_28d": logins,
        "all_1mo": sum(r[4] for r in log if within(r, d - month, d)),
        "set_7d": sets,
        "users_28d": users,
        "days_28d": len({r[1] for r in log if within(r, d - 28, d) and r[2] == "login"}),
        "since_last": d - max(before) if before else None,
        "since_first": d - min(r[1] for r in log if within(r, -10**6, d)),
        "change_7d": sets - prev,
        "per_user": logins / users if users else None,
    }


@settings(deadline=None)
@given(rows, st.integers(1, 90))
def test_metrics_equal_a_brute_force_count(log: list, offset: int) -> None:
    when = START + dt.timedelta(days=offset)
    pf = usage_portfolio(_events(log), MODEL, when)
    expected_ids = sorted({r[0] for r in log if r[1] < offset})
    assert pf.ids.tolist() == expected_ids
    for account in expected_ids:
        got = pf.account(account).values
        want = _brute(log, when, account)
        for name, value in want.items():
            assert got[name] == (value if value is None else pytest.approx(value)), name


@settings(deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_shuffled_split_and_single_account_agree(log: list, rnd: object) -> None:
    when = START + dt.timedelta(days=60)
    whole = usage_portfolio(_events(log), MODEL, when)
    shuffled = list(log)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert usage_portfolio(_events(shuffled), MODEL, when) == whole
    for account in whole.ids.tolist():
        one = usage_portfolio(_events([r for r in log if r[0] == account]), MODEL, when)
        assert one.account(account) == whole.account(account)


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
    with pytest.raises(sk.DataError, match="row 1"):
        usage_portfolio(ev, model, "2026-02-01", accounts=table)
    pf = usage_portfolio(ev, model, "2026-02-01", accounts=table, unmatched="drop",
                         members="table")
    assert pf.ids.tolist() == ["b", "a"]
    assert pf["y"].tolist() == [0.0, 0.5]
    assert pf["seats"].tolist() == [4.0, 2.0]


def test_history_feeds_health_model() -> None:
    ev = Events.from_columns({"account_id": ["a", "b", "b"], "at": ["2026-01-03", "2026-01-20",
                              "2026-02-10"], "event": ["login"] * 3})
    model = UsageModel.from_text("metric logins = count(login, 1mo)")
    history = usage_history(ev, model, sk.data.calendar.calendar("2026-02-01", "2026-03-01"))
    assert [p.as_of for p in history] == [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert history.latest["logins"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(("text", "message"), [
    ("metric x = cout(login, 28d)", "unknown metric kind 'cout'"),
    ("metric x = count(login)", "count takes 2"),
    ("metric x = ratio(a, b)", "is not defined above"),
    ("metric x = count(login, 28d) extra", "unexpected"),
])
def test_text_errors_are_positioned(text: str, message: str) -> None:
    with pytest.raises(sk.RuleError, match=message) as info:
        UsageModel.from_text(text)
    assert info.value.line == 1


def test_model_round_trip_and_fingerprint() -> None:
    again = UsageModel.from_dict(MODEL.to_dict())
    assert again == MODEL
    assert again.fingerprint == MODEL.fingerprint
    assert MODEL.to_dict()["version"] == 1


def test_unknown_type_in_metric() -> None:
    ev = Events.from_columns({"account_id": ["a"], "at": ["2026-01-03"], "event": ["login"]})
    with pytest.raises(sk.DataError, match="did you mean 'login'"):
        usage_portfolio(ev, UsageModel.from_text("metric x = count(logn, 7d)"), "2026-02-01")


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


def test_history_feeds_downstream_models_unchanged() -> None:
    sample = make_portfolio(60, months=3, seed=4)
    events = sample.usage
    model = UsageModel.from_text("metric logins = count(login, 28d)\n"
                                 "metric users = distinct_users(*, 28d)")
    history = usage_history(events, model, sample.history.dates, accounts=sample.portfolio,
                            members="table", unmatched="drop")
    health = sk.HealthModel([sk.Metric("logins", scheme=sk.Linear(0, 50), group="use"),
                             sk.Metric("users", scheme=sk.Linear(0, 4), group="use")])
    results = health.score_history(history)
    assert len(results) == len(history)
    assert results[-1].score.shape == (len(sample.portfolio),)
    playbook = sk.Playbook.parse("rule quiet: when logins < 5 then call")
    ctas = list(playbook.evaluate(history.latest))
    quiet = set(history.latest.ids[history.latest["logins"] < 5].tolist())
    assert {c.account_id for c in ctas} == quiet
