"""More invariants of facts and labels against plain-Python references, and the time split."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from successkit.contracts import (
    ChurnLabels,
    account_facts,
    churn_labels,
    lapsed_labels,
    revenue_movements,
)
from successkit.data.calendar import shift
from successkit.data.contracts import Contracts
from successkit.data.events import Events
from successkit.datasets import make_portfolio
from successkit.errors import DataError

BASE = dt.date(2020, 1, 1)
DATES = [BASE + dt.timedelta(days=d) for d in (0, 45, 120, 200, 300, 420)]
FAR = dt.date(9999, 1, 1)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[object]]:
    n = draw(st.integers(1, 10))
    rows: dict[str, list[object]] = {"account_id": [], "start": [], "end": [], "arr": [],
                                      "seats": [], "plan": []}
    for _ in range(n):
        start = BASE + dt.timedelta(days=draw(st.integers(0, 400)))
        length = draw(st.one_of(st.none(), st.integers(1, 300)))
        rows["account_id"].append(draw(st.sampled_from("abc")))
        rows["start"].append(start)
        rows["end"].append(None if length is None else start + dt.timedelta(days=length))
        rows["arr"].append(float(draw(st.integers(0, 5))) * 100)
        rows["seats"].append(float(draw(st.integers(0, 9))))
        rows["plan"].append(draw(st.sampled_from(["basic", "pro", "team"])))
    return rows


def _rows(table: dict[str, list[object]], account: str) -> list[tuple[object, ...]]:
    whole = dict.fromkeys(zip(*table.values(), strict=True))  # identical rows count once
    return [(s, e or FAR, a, seats, plan) for i, s, e, a, seats, plan in whole if i == account]


@given(tables())
def test_seats_plan_renewal_date_and_arr_change_equal_a_reference(
    table: dict[str, list[object]]
) -> None:
    contracts = Contracts.from_columns(table, revenue="arr", seats="seats", plan="plan",
                                       duplicates="drop",
                                       end_inclusive=False)
    facts = account_facts(contracts, DATES, change_window="1mo")
    back = shift(np.array(DATES, "M8[D]"), "1mo", -1).astype(object)
    for j, account in enumerate(facts.ids.tolist()):
        rows = _rows(table, account)
        for k, day in enumerate(DATES):
            covering = [r for r in rows if r[0] <= day < r[1]]
            if not covering:
                assert np.isnan(facts.arr[k, j])
                assert facts.plan_codes[k, j] == -1
                continue
            assert facts.seats[k, j] == sum(r[3] for r in covering)
            ends = [r[1] for r in covering if r[1] != FAR]
            expected = (min(ends) - day).days if ends else np.nan
            assert np.array_equal(facts.days_to_renewal[k, j], expected, equal_nan=True)
            before = sum(r[2] for r in rows if r[0] <= back[k] < r[1])
            assert facts.arr_change[k, j] == sum(r[2] for r in covering) - before
            # renewals: rows starting the day the coverage before them ends (grace 0)
            ordered = sorted(rows, key=lambda r: (r[0], r[1]))
            renewed = sum(
                1 for n, r in enumerate(ordered)
                if n and r[0] <= day and r[0] == max(q[1] for q in ordered[:n])
            )
            assert facts.renewals[k, j] == renewed
            # the plan: largest ARR, ties to the later start, later end, later plan label
            best = max(covering, key=lambda r: (r[2], r[0], r[1],
                                                facts.plan_categories.index(r[4])))
            assert facts.plan_categories[facts.plan_codes[k, j]] == best[4]


@given(tables(), st.integers(0, 14))
def test_a_snapshot_at_or_after_churn_excludes_the_account(
    table: dict[str, list[object]], grace: int
) -> None:
    contracts = Contracts.from_columns(table, revenue=False, plan=False, seats=False,
                                       duplicates="drop",
                                       end_inclusive=False)
    facts = account_facts(contracts, DATES, grace=f"{grace}d")
    labels = churn_labels(contracts, DATES, "90d", grace=f"{grace}d",
                          observed_until="2022-01-01")
    assert np.array_equal(labels.state != -2, facts.active)
    for k, day in enumerate(DATES):
        churned = ~np.isnat(facts.churned_on[k])
        assert not (churned & facts.active[k]).any()
        assert (facts.churned_on[k][churned] <= np.datetime64(day)).all()
        present = set(facts.to_portfolio(k).ids.tolist())
        assert present == set(facts.members(day).tolist())
        assert present.isdisjoint(facts.ids[churned].tolist())


@given(tables(), st.integers(0, 400))
def test_labels_before_a_cut_do_not_depend_on_rows_after_it(
    table: dict[str, list[object]], cut_day: int
) -> None:
    """Rows and ends after the cut may change freely: labels whose window closed by the cut
    (the only ones a time-split fit uses) stay the same."""
    cut = BASE + dt.timedelta(days=cut_day)
    contracts = Contracts.from_columns(table, revenue=False, plan=False, seats=False,
                                       duplicates="drop",
                                       end_inclusive=False)
    ends = list(table["end"])
    later = {
        **table,
        # every end after the cut is moved later still (or the period keeps running)
        "end": [None if e is not None and e > cut and i % 2 else
                (e + dt.timedelta(days=40) if e is not None and e > cut else e)
                for i, e in enumerate(ends)],
    }
    changed = Contracts.from_columns(later, revenue=False, plan=False, seats=False,
                                     duplicates="drop",
                                     end_inclusive=False)
    a = churn_labels(contracts, DATES, "1mo", observed_until="2023-01-01")
    b = churn_labels(changed, DATES, "1mo", observed_until="2023-01-01")
    closed = shift(np.array(DATES, "M8[D]"), "1mo") <= np.datetime64(cut)
    assert np.array_equal(a.state[closed], b.state[closed])


def test_backtest_from_contract_labels_never_trains_on_what_came_after_the_cut() -> None:
    sample = make_portfolio(600, months=8, seed=9)
    history = sample.history
    cut = dt.date(2026, 7, 1)
    labels = churn_labels(sample.contracts, history.dates, "1mo",
                          observed_until=sample.observed_until)
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile()),
                            sk.Metric("nps", scheme=sk.Linear(0, 10))])
    result = sk.backtest(model, history, labels, train_until=cut, n_boot=0)
    assert result.train_dates[-1] == dt.date(2026, 6, 1)  # + 1mo = the cut
    assert result.horizon == "1mo"
    assert 0.5 < result.train_auc <= 1
    assert "last training date 2026-06-01" in result.summary()
    # The table as it was known at the cut gives the same training labels; swapping them in
    # (keeping the later, test labels) leaves the fitted model unchanged.
    known_then = churn_labels(sample.contracts, history.dates, "1mo", observed_until=cut)
    train_rows = [history.dates.index(d) for d in result.train_dates]
    assert np.array_equal(known_then.state[train_rows], labels.state[train_rows])
    assert (known_then.state[len(train_rows) + 1:] == -1).sum() > 0  # later ones censored
    state = labels.state.copy()
    state[train_rows] = known_then.state[train_rows]
    swapped = ChurnLabels(labels.dates, labels.horizon, labels.observed_until, labels.ids, state)
    again = sk.backtest(model, history, swapped, train_until=cut, n_boot=0)
    assert again.model == result.model
    assert again.train_auc == result.train_auc
    with pytest.raises(DataError, match="differs from the labels'"):
        sk.backtest(model, history, labels, train_until=cut, horizon="30d", n_boot=0)


def test_unknown_labels_are_left_out_and_counted_by_fit_calibrate_and_backtest() -> None:
    sample = make_portfolio(500, months=6, seed=2)
    history = sample.history
    # observed only up to 2026-08-15: the later windows are censored
    labels = churn_labels(sample.contracts, history.dates, "1mo", observed_until="2026-08-15")
    assert labels.counts()["unknown"] > 0
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile())])
    on = labels.on("2026-07-01")
    assert on.unknown == 0
    late = labels.on("2026-08-01")  # window to 2026-09-01 passes the observed end
    assert late.unknown == len(late)  # even the churns seen by then: an unbiased whole
    result = sk.backtest(model, history, labels, train_until="2026-07-01", n_boot=0)
    assert result.train_unknown == 0
    assert dt.date(2026, 8, 1) in result.untested
    assert "Not tested" in result.summary()
    test = result.reports[dt.date(2026, 7, 1)]
    assert test.unknown == labels.on("2026-07-01").unknown
    mixed = {**dict(zip(*labels.on("2026-07-01").keyed_outcomes(), strict=True))}
    ids = list(mixed)
    for i in ids[::4]:
        mixed[i] = None
    snapshot = history.at("2026-07-01")
    full = {i: mixed[i] for i in snapshot.ids.tolist()}
    calibrated = model.calibrate(snapshot, full)
    assert calibrated.unknown == len(ids[::4])
    assert "unknown" in repr(calibrated)
    kept = [i for i in snapshot.ids.tolist() if full[i] is not None]
    fitted = model.fit(snapshot, full)
    assert fitted == model.fit(snapshot.reindex(kept), [full[i] for i in kept])


@given(st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 120)), min_size=1, max_size=30),
       st.sampled_from(["7d", "30d", "1mo"]), st.integers(60, 200))
def test_lapsed_labels_equal_a_reference(
    events: list[tuple[str, int]], horizon: str, until: int
) -> None:
    ev = Events.from_columns({
        "account_id": [a for a, _ in events],
        "at": [BASE + dt.timedelta(days=d) for _, d in events],
        "event": ["login"] * len(events),
    })
    dates = [BASE + dt.timedelta(days=d) for d in (10, 40, 70, 100)]
    observed = BASE + dt.timedelta(days=until)
    labels = lapsed_labels(ev, dates, horizon, observed_until=observed)
    ends = shift(np.array(dates, "M8[D]"), horizon).astype(object)
    for j, account in enumerate(labels.ids.tolist()):
        days = [BASE + dt.timedelta(days=d) for a, d in events if a == account]
        for k, day in enumerate(dates):
            state = labels.state[k, j]
            if not any(d < day for d in days):
                assert state == -2
            elif ends[k] - dt.timedelta(days=1) > observed:
                assert state == -1
            else:
                assert state == (0 if any(day <= d < ends[k] for d in days) else 1)


@given(tables())
def test_movements_add_up_and_match_facts(table: dict[str, list[object]]) -> None:
    contracts = Contracts.from_columns(table, revenue="arr", plan=False, seats=False,
                                       duplicates="drop",
                                       end_inclusive=False)
    start, end = dt.date(2020, 3, 1), dt.date(2020, 12, 1)
    moves = revenue_movements(contracts, start, end)
    t = moves.totals()
    assert t["ending"] == pytest.approx(
        t["starting"] + t["new"] + t["expansion"] - t["contraction"] - t["churned"])
    facts = account_facts(contracts, [start, end])
    assert np.array_equal(moves.starting_arr, np.nan_to_num(facts.arr[0]))
    assert np.array_equal(moves.ending_arr, np.nan_to_num(facts.arr[1]))
    if t["starting"] > 0:
        report = sk.retention(moves)
        assert report.grr == pytest.approx((t["starting"] - t["contraction"] - t["churned"])
                                           / t["starting"])


# -- ends given as each period's last day ------------------------------------------------


def _one_day_gap(table: dict[str, list[object]]) -> bool:
    """Plain Python: does a period start the day after the latest end of its account's
    earlier periods (by start)?"""
    rows = sorted(zip(table["account_id"], table["start"], table["end"], strict=True),
                  key=lambda r: (r[0], r[1]))
    covered: dict[object, object] = {}
    for account, start, end in rows:
        last = covered.get(account)
        if last is not None and last != FAR and start == last + dt.timedelta(days=1):
            return True
        end = FAR if end is None else end
        covered[account] = end if last is None else max(last, end)
    return False


@given(tables())
def test_last_day_ends_read_as_the_day_after_ends_they_mean(
    table: dict[str, list[object]]
) -> None:
    exclusive = Contracts.from_columns(table, revenue="arr", plan=False, seats=False,
                                       duplicates="drop", end_inclusive=False)
    last_days = {**table, "end": [None if e is None else e - dt.timedelta(days=1)
                                  for e in table["end"]]}
    inclusive = Contracts.from_columns(last_days, revenue="arr", plan=False, seats=False,
                                       duplicates="drop", end_inclusive=True)
    assert inclusive == exclusive
    # Left to the default, a table is refused exactly when a plain-Python scan finds a
    # one-day gap, and read as given otherwise.
    if _one_day_gap(table):
        with pytest.raises(DataError, match="end_inclusive=True"):
            Contracts.from_columns(table, revenue="arr", plan=False, seats=False,
                                   duplicates="drop")
    else:
        assert Contracts.from_columns(table, revenue="arr", plan=False, seats=False,
                                      duplicates="drop") == exclusive


def test_a_yearly_renewal_with_last_day_ends_is_not_a_churn() -> None:
    table = {"account_id": ["acme", "acme", "globex"],
             "start": ["2024-01-01", "2025-01-01", "2024-01-01"],
             "end": ["2024-12-31", "2025-12-31", "2024-12-31"]}
    with pytest.raises(DataError, match="one day after the account's earlier period ends "
                                        r"\(2024-12-31\)") as info:
        Contracts.from_columns(table)
    assert (info.value.row, info.value.account) == (1, "acme")
    dates = ["2024-12-01"]
    said = churn_labels(Contracts.from_columns(table, end_inclusive=True), dates, "2mo",
                        observed_until="2026-06-01")
    assert said.on("2024-12-01").churned.tolist() == [0.0, 1.0]  # acme renews, globex leaves
    # Said to be day-after ends, the one-day gap is a churn and a return, as asked.
    gap = churn_labels(Contracts.from_columns(table, end_inclusive=False), dates, "2mo",
                       observed_until="2026-06-01")
    assert gap.on("2024-12-01").churned.tolist() == [1.0, 1.0]
    with pytest.raises(DataError, match=r"labels.on\(date\)"):
        gap.outcome("2024-12-01")  # type: ignore[arg-type]


def test_an_end_on_its_start_points_to_last_day_ends() -> None:
    table = {"account_id": ["a"], "start": ["2024-03-01"], "end": ["2024-03-01"]}
    with pytest.raises(DataError, match="pass end_inclusive=True"):
        Contracts.from_columns(table)
    one_day = Contracts.from_columns(table, end_inclusive=True)
    assert one_day.end.astype(str).tolist() == ["2024-03-02"]
    with pytest.raises(DataError, match=r"before start 2024-03-01 \(the end is inclusive\)"):
        Contracts.from_columns({**table, "end": ["2024-02-28"]}, end_inclusive=True)
    with pytest.raises(DataError, match="end_inclusive must be True, False or None"):
        Contracts.from_columns(table, end_inclusive="yes")  # type: ignore[arg-type]
