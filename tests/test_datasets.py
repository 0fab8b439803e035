"""Tests of successkit.datasets: the seeded synthetic portfolio with known churn drivers."""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import successkit as sk
from successkit.datasets import DRIVERS, END, NOISE, TOUCHPOINTS, SampleData, make_portfolio

KINDS = {
    "tier": "category",
    "industry": "category",
    "arr": "number",
    "seats": "number",
    "employees": "number",
    "contract_start": "date",
    "renewal_date": "date",
    "renewals": "number",
    "activated_users": "number",
    "license_activation_rate": "number",
    "first_login_rate": "number",
    "login_rate": "number",
    "weekly_active_rate": "number",
    "keyperson_usage": "number",
    "keyperson_touch": "category",
    "feature_x_usage": "number",
    "volume": "number",
    "support_tickets": "number",
    "nps": "number",
    "nps_responded": "boolean",
    "roi_achievement": "number",
    "seminar_attendance": "number",
    "case_study_ok": "boolean",
    "growth_company": "boolean",
    "parent_id": "category",
    "last_login_at": "date",
    "csm": "category",
}
TOUCH_RANK = {"bad": 0.0, "fair": 1.0, "good": 2.0, "excellent": 3.0}


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC by the rank formula (average ranks for ties); NaN scores are dropped."""
    keep = ~np.isnan(score)
    score, positive = score[keep], positive[keep]
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def driver_value(pf: sk.Portfolio, name: str) -> np.ndarray:
    """The value the churn logit uses: numbers as they are, keyperson_touch by rank."""
    if name == "keyperson_touch":
        return np.array([TOUCH_RANK[label] for label in pf.column(name).labels()])
    return np.asarray(pf.column(name, "number").values, dtype=float)


def fit_logistic(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Unregularised logistic regression by Newton's method; returns the slopes."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-design @ beta))
        hessian = design.T @ (design * (p * (1 - p))[:, None])
        beta += np.linalg.solve(hessian, design.T @ (y - p))
    return beta[1:]


@pytest.fixture(scope="module")
def sample() -> SampleData:
    return make_portfolio(1000, seed=0)


@pytest.fixture(scope="module")
def large() -> SampleData:
    return make_portfolio(20_000, months=3, seed=11)


# -- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_equal_data() -> None:
    a = make_portfolio(300, months=4, seed=3)
    b = make_portfolio(300, months=4, seed=3)
    assert a == b
    assert a.portfolio == b.portfolio
    assert a.history == b.history
    assert all(
        np.array_equal(a.events[k], b.events[k], equal_nan=k == "progress") for k in a.events
    )
    assert np.array_equal(a.churn_dates, b.churn_dates, equal_nan=True)
    assert a.description == b.description


def test_different_seed_differs() -> None:
    a = make_portfolio(300, months=4, seed=3)
    b = make_portfolio(300, months=4, seed=4)
    assert a != b
    assert a.portfolio != b.portfolio
    assert a.events != b.events


# -- shapes and alignment ------------------------------------------------------------------


def test_latest_snapshot_is_the_portfolio(sample: SampleData) -> None:
    assert len(sample.portfolio) == 1000
    assert sample.portfolio.as_of == END == dt.date(2026, 10, 1)
    assert sample.history.latest is sample.portfolio
    assert len(sample.history) == 12
    assert sample.history.dates[0] == dt.date(2025, 11, 1)
    assert all(d.day == 1 for d in sample.history.dates)


def test_ids_are_zero_padded_and_numbered_by_contract_start(sample: SampleData) -> None:
    ids = sample.history.ids
    assert all(i.startswith("acct-") and len(i) == 9 for i in ids.tolist())
    assert ids.tolist() == sorted(ids.tolist())
    assert ids[0] == "acct-0001"
    small = make_portfolio(50, months=2).history.ids
    assert small[0] == "acct-01"
    assert {len(i) for i in small.tolist()} == {len("acct-01")}
    starts = sk.History(sample.history.snapshots).column("contract_start")
    first_seen = np.full(ids.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    for column in starts:
        first_seen = np.where(np.isnat(first_seen), column.values, first_seen)
    assert np.all(np.diff(first_seen.astype(np.int64)) >= 0)


def test_outcomes_are_aligned(sample: SampleData) -> None:
    assert sample.churned.shape == sample.portfolio.ids.shape
    assert sample.churned.dtype == np.bool_
    assert sample.churn_dates.shape == sample.history.ids.shape
    assert sample.churn_dates.dtype == np.dtype("datetime64[D]")
    assert not sample.churned.flags.writeable


def test_column_kinds_as_documented(sample: SampleData) -> None:
    for snapshot in sample.history:
        assert snapshot.schema.to_dict() == KINDS


def test_drivers_and_noise_columns_exist(sample: SampleData) -> None:
    assert set(DRIVERS) <= set(KINDS)
    assert dict(sample.drivers) == dict(DRIVERS)
    assert all(DRIVERS[name] == 0.0 for name in NOISE)
    strengths = [abs(v) for v in DRIVERS.values() if v]
    assert strengths == sorted(strengths, reverse=True)
    assert len(set(strengths)) == len(strengths)
    assert DRIVERS["login_rate"] < 0
    assert DRIVERS["support_tickets"] > 0


# -- events --------------------------------------------------------------------------------


def test_events_columns_and_kinds(sample: SampleData) -> None:
    events = sample.events
    assert list(events) == ["account_id", "touchpoint", "at", "user_id", "item", "progress"]
    n = len(events["at"])
    assert all(len(events[k]) == n for k in events)
    assert events["at"].dtype == np.dtype("datetime64[D]")
    assert events["progress"].dtype == np.float64
    for name in ("account_id", "touchpoint", "user_id", "item"):
        assert events[name].dtype.kind == "U"
        assert not events[name].flags.writeable
    with pytest.raises(KeyError):
        events["nope"]


def test_events_volume_and_names(sample: SampleData) -> None:
    events = sample.events
    account_months = sum(len(s) for s in sample.history)
    assert 5 <= len(events["at"]) / account_months <= 15
    assert set(events["touchpoint"].tolist()) == set(TOUCHPOINTS)
    assert TOUCHPOINTS == (
        "video",
        "elearning",
        "web_access",
        "email_click",
        "midterm_review",
        "final_review",
        "seminar_signup",
        "seminar_attendance",
        "event_attendance",
    )


def test_events_belong_to_history_accounts_and_window(sample: SampleData) -> None:
    events = sample.events
    assert np.isin(events["account_id"], sample.history.ids).all()
    at = events["at"]
    assert at.max() <= np.datetime64(END)
    assert at.min() > np.datetime64("2025-10-01")
    # sorted by date, then account
    key = at.astype(np.int64) * 10_000 + np.searchsorted(sample.history.ids, events["account_id"])
    assert np.all(np.diff(key) >= 0)


def test_events_fall_inside_each_accounts_lifetime(sample: SampleData) -> None:
    events = sample.events
    ids = sample.history.ids
    row = np.searchsorted(ids, events["account_id"])
    start = np.full(ids.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    for column in sample.history.column("contract_start"):
        start = np.where(np.isnat(start), column.values, start)
    assert np.all(events["at"] >= start[row])
    churn = sample.churn_dates[row]
    assert np.all(np.isnat(churn) | (events["at"] < churn))


def test_events_users_and_items(sample: SampleData) -> None:
    events = sample.events
    prefix = np.strings.add(events["account_id"], "/u")
    assert np.strings.startswith(events["user_id"], prefix).all()
    number = np.strings.slice(events["user_id"], np.strings.str_len(prefix), None).astype(int)
    assert number.min() >= 1
    latest = sample.portfolio
    rows = latest.index_of(events["account_id"])
    here = rows >= 0
    assert np.all(number[here] <= latest["seats"][rows[here]])
    touch = events["touchpoint"]
    item = events["item"]
    assert np.strings.startswith(item[touch == "video"], "video-").all()
    assert np.strings.startswith(item[touch == "elearning"], "course-").all()
    assert (item[np.isin(touch, ["web_access", "midterm_review", "final_review"])] == "").all()


def test_progress_in_unit_interval_or_nan(sample: SampleData) -> None:
    touch = sample.events["touchpoint"]
    progress = sample.events["progress"]
    tiered = np.isin(touch, ["video", "elearning"])
    assert np.isnan(progress[~tiered]).all()
    assert not np.isnan(progress[tiered]).any()
    assert ((progress[tiered] >= 0) & (progress[tiered] <= 1)).all()
    video = progress[touch == "video"]
    assert (video == 1.0).any()
    assert (video < 0.2).any()
    assert ((video > 0.2) & (video < 0.6)).any()
    assert set(np.unique(progress[touch == "elearning"]).tolist()) <= {0.0, 0.25, 0.5, 0.75, 1.0}
    assert (progress[touch == "elearning"] == 0.0).any()


def test_seminar_attendance_counts_the_months_events(sample: SampleData) -> None:
    events = sample.events
    chosen = (events["touchpoint"] == "seminar_attendance") & (
        events["at"] > np.datetime64("2026-09-01")
    )
    ids, counts = np.unique(events["account_id"][chosen], return_counts=True)
    expected = np.zeros(len(sample.portfolio))
    rows = sample.portfolio.index_of(ids)
    expected[rows[rows >= 0]] = counts[rows >= 0]
    assert np.array_equal(sample.portfolio["seminar_attendance"], expected)


# -- accounts come and go ------------------------------------------------------------------


def test_accounts_appear_and_disappear(sample: SampleData) -> None:
    history = sample.history
    for before, after in zip(history.snapshots, history.snapshots[1:], strict=False):
        gone = before.ids[~np.isin(before.ids, after.ids)]
        new = after.ids[~np.isin(after.ids, before.ids)]
        assert gone.size > 0
        assert new.size > 0
        days = (after.as_of - before.as_of).days
        outcome = sample.churned_within(before.as_of, days)
        assert set(before.ids[outcome].tolist()) == set(gone.tolist())
        starts = after.column("contract_start").values[after.index_of(new)]
        assert np.all(starts > np.datetime64(before.as_of))
        assert np.all(starts <= np.datetime64(after.as_of))
    assert len(history.ids) > len(history.latest)


def test_churned_within_end_matches_churned(sample: SampleData) -> None:
    assert np.array_equal(sample.churned_within(END), sample.churned)
    assert np.array_equal(sample.churned_within("2026-10-01", "90d"), sample.churned)
    assert sample.churned_within(END, 0).sum() == 0
    longer = sample.churned_within(END, "120d")
    assert np.all(longer >= sample.churned)


def test_churned_within_earlier_snapshot(sample: SampleData) -> None:
    first = sample.history[0]
    outcome = sample.churned_within(first.as_of)
    assert outcome.shape == first.ids.shape
    assert 0.05 < outcome.mean() < 0.2


def test_churned_within_rejects_other_dates(sample: SampleData) -> None:
    with pytest.raises(sk.DataError, match="no snapshot on 2026-09-15"):
        sample.churned_within("2026-09-15")
    with pytest.raises(sk.DataError, match="simulated until 2027-02-01"):
        sample.churned_within(END, "1y")
    with pytest.raises(sk.DataError):
        sample.churned_within(END, "soon")


# -- values --------------------------------------------------------------------------------


def test_value_ranges(sample: SampleData) -> None:
    for pf in sample.history:
        day = np.datetime64(pf.as_of)
        seats = pf["seats"]
        activated = pf["activated_users"]
        assert (seats >= 1).all()
        assert (activated >= 1).all()
        assert (activated <= seats).all()
        assert np.allclose(pf["license_activation_rate"], activated / seats)
        for name in ("first_login_rate", "login_rate", "weekly_active_rate", "feature_x_usage"):
            assert ((pf[name] >= 0) & (pf[name] <= 1)).all(), name
        assert (pf["first_login_rate"] <= pf["license_activation_rate"] + 1e-12).all()
        assert (pf["weekly_active_rate"] <= pf["login_rate"] + 1e-12).all()
        nps = pf["nps"]
        assert np.array_equal(np.isnan(nps), ~pf["nps_responded"].filled(False))
        assert set(np.unique(nps[~np.isnan(nps)]).tolist()) <= set(range(11))
        roi = pf["roi_achievement"]
        assert (roi[~np.isnan(roi)] >= 0).all()
        start = pf["contract_start"]
        assert (start <= day).all()
        renewal = pf["renewal_date"]
        assert (renewal > day).all()
        assert (renewal <= day + np.timedelta64(366, "D")).all()
        assert (pf["renewals"] >= 0).all()
        last_login = pf["last_login_at"]
        assert (last_login <= day).all()
        assert (last_login >= start).all()
        assert (pf["arr"] > 0).all()
        assert (pf["support_tickets"] >= 0).all()


def test_tiers_follow_arr(large: SampleData) -> None:
    pf = large.portfolio
    tier = pf["tier"]
    shares = {t: float((tier == t).mean()) for t in ("high", "low", "tech")}
    assert shares == pytest.approx({"high": 0.15, "low": 0.35, "tech": 0.5}, abs=0.03)
    arr = pf["arr"]
    assert arr[tier == "high"].min() >= arr[tier == "low"].max()
    assert arr[tier == "low"].min() >= arr[tier == "tech"].max()
    assert 0.9e6 < np.median(arr) < 1.5e6


def test_missing_shares(large: SampleData) -> None:
    pf = large.portfolio
    assert np.isnan(pf["nps"]).mean() == pytest.approx(0.3, abs=0.05)
    assert np.isnan(pf["roi_achievement"]).mean() == pytest.approx(0.03, abs=0.015)
    assert np.isnan(pf["keyperson_usage"]).mean() == pytest.approx(0.04, abs=0.015)
    assert pf.column("parent_id").missing.mean() == pytest.approx(0.9, abs=0.02)
    for name in ("login_rate", "arr", "support_tickets"):
        assert not pf.column(name).missing.any()


def test_metrics_evolve_month_to_month(sample: SampleData) -> None:
    first, last = sample.history[0], sample.history.latest
    both = np.intersect1d(first.ids, last.ids)
    before = first["login_rate"][first.index_of(both)]
    after = last["login_rate"][last.index_of(both)]
    assert (before != after).mean() > 0.5
    assert 0.2 < np.corrcoef(before, after)[0, 1] < 0.95


# -- churn ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_churn_rate_in_documented_range(seed: int) -> None:
    sample = make_portfolio(1000, seed=seed)
    assert 0.08 <= sample.churn_rate <= 0.15
    assert sample.churn_rate == sample.churned.mean()


def test_drivers_drive_churn(sample: SampleData) -> None:
    pf, churned = sample.portfolio, sample.churned
    assert auc(driver_value(pf, "login_rate"), churned) < 0.4
    assert auc(driver_value(pf, "roi_achievement"), churned) < 0.45
    assert auc(driver_value(pf, "keyperson_touch"), churned) < 0.45


def test_noise_columns_do_not(large: SampleData) -> None:
    pf, churned = large.portfolio, large.churned
    for name in ("employees", "feature_x_usage"):
        assert auc(driver_value(pf, name), churned) == pytest.approx(0.5, abs=0.04), name
    industry = pf.column("industry")
    rates = [churned[industry.values == k].mean() for k in range(len(industry.categories))]
    assert max(rates) - min(rates) < 0.06


def test_fitted_model_recovers_the_drivers(large: SampleData) -> None:
    pf, churned = large.portfolio, large.churned
    names = [name for name, effect in DRIVERS.items() if effect]
    columns = []
    for name in names:
        x = driver_value(pf, name)
        x = np.where(np.isnan(x), np.nanmean(x), x)
        columns.append((x - x.mean()) / x.std())
    slopes = fit_logistic(np.column_stack(columns), churned.astype(float))
    assert np.array_equal(np.sign(slopes), np.sign([DRIVERS[n] for n in names]))
    assert np.argsort(-np.abs(slopes)).tolist() == list(range(len(names)))
    assert auc(np.column_stack(columns) @ slopes, churned) > 0.72


# -- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_accounts": 0}, "n_accounts must be at least 1"),
        ({"n_accounts": 2.5}, "n_accounts must be an integer"),
        ({"n_accounts": True}, "n_accounts must be an integer"),
        ({"months": 0}, "months must be at least 1"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"seed": "0"}, "seed must be an integer"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.DataError, match=message):
        make_portfolio(**kwargs)  # type: ignore[arg-type]


def test_one_month_and_one_account() -> None:
    tiny = make_portfolio(1, months=1, seed=5)
    assert len(tiny.portfolio) == 1
    assert len(tiny.history) == 1
    assert tiny.portfolio.ids.tolist() == ["acct-1"]
    assert tiny.churned.shape == (1,)


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=60),
    months=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_invariants_hold_for_any_arguments(n: int, months: int, seed: int) -> None:
    sample = make_portfolio(n, months=months, seed=seed)
    assert len(sample.portfolio) == n
    assert len(sample.history) == months
    assert sample.history.as_of == END
    assert np.array_equal(sample.churned_within(END), sample.churned)
    assert sample.churn_dates.shape == sample.history.ids.shape
    assert np.isin(sample.events["account_id"], sample.history.ids).all()
    assert (sample.events["at"] <= np.datetime64(END)).all()


def test_reduce_rebuilds_an_equal_sample() -> None:
    small = make_portfolio(40, months=2, seed=9)
    rebuild, args = small.__reduce__()
    assert rebuild(*args) == small
    assert pickle.loads(pickle.dumps(args[0]["drivers"])) == dict(DRIVERS)
    assert pickle.loads(pickle.dumps(small.events)) == small.events


def test_exports_and_repr(sample: SampleData) -> None:
    assert sk.SampleData is SampleData
    assert "SampleData" in sk.__all__
    assert not hasattr(sk, "make_portfolio")
    text = repr(sample)
    assert text.startswith("SampleData(1000 accounts as of 2026-10-01, 12 snapshots")
    assert repr(sample.events).startswith(f"Events({len(sample.events['at'])} rows: account_id")
    assert "login_rate" in sample.description
    assert "2026-10-01" in sample.description
    assert sample.horizon_days == 90
