"""Contract facts and churn labels against a plain-Python per-account reference."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from successkit.contracts import account_facts, churn_labels
from successkit.data.calendar import shift
from successkit.data.contracts import Contracts
from successkit.errors import DataError

BASE = dt.date(2020, 1, 1)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[object]]:
    n = draw(st.integers(1, 12))
    rows: dict[str, list[object]] = {"account_id": [], "start": [], "end": [], "arr": [],
                                      "plan": []}
    for _ in range(n):
        start = BASE + dt.timedelta(days=draw(st.integers(0, 400)))
        length = draw(st.one_of(st.none(), st.integers(1, 300)))
        rows["account_id"].append(draw(st.sampled_from("abcd")))
        rows["start"].append(start)
        rows["end"].append(None if length is None else start + dt.timedelta(days=length))
        rows["arr"].append(float(draw(st.integers(0, 5))) * 100)
        rows["plan"].append(draw(st.sampled_from(["basic", "pro"])))
    return rows


def _rows(table: dict[str, list[object]], account: str) -> list[tuple[dt.date, dt.date, float]]:
    far = dt.date(9999, 1, 1)
    whole = dict.fromkeys(zip(*table.values(), strict=True))  # identical rows count once
    return [
        (s, e or far, a)  # type: ignore[misc]
        for i, s, e, a, _ in whole
        if i == account
    ]


def _churns(rows: list[tuple[dt.date, dt.date, float]], grace: int) -> list[dt.date]:
    """Coverage ends with no start within the grace gap after them (plain Python)."""
    far = dt.date(9999, 1, 1)
    out = []
    for _, end, _ in rows:
        if end == far:
            continue
        covered = any(s <= end < e for s, e, _ in rows)  # an overlapping or abutting row
        restart = any(end < s <= end + dt.timedelta(days=grace) for s, _, _ in rows)
        if not covered and not restart:
            out.append(end)
    return sorted(set(out))


DATES = [BASE + dt.timedelta(days=d) for d in (0, 45, 120, 200, 300, 420)]


@given(tables(), st.integers(0, 20))
def test_facts_equal_a_per_account_reference(table: dict[str, list[object]], grace: int) -> None:
    facts = account_facts(Contracts.from_columns(table, revenue="arr", plan="plan",
                                                 duplicates="drop", end_inclusive=False),
                          DATES, window="60d", grace=f"{grace}d")
    for j, account in enumerate(facts.ids.tolist()):
        rows = _rows(table, account)
        first = min(s for s, _, _ in rows)
        churns = _churns(rows, grace)
        for k, day in enumerate(DATES):
            covering = [r for r in rows if r[0] <= day < r[1]]
            assert facts.active[k, j] == bool(covering)
            tenure = (day - first).days
            assert facts.tenure_days[k, j] == (tenure if tenure >= 0 else pytest.approx(np.nan,
                                                                                       nan_ok=True))
            if covering:
                assert facts.arr[k, j] == sum(a for _, _, a in covering)
                assert facts.days_observed[k, j] == min(tenure, 60)
            past = [c for c in churns if c <= day]
            expected = np.datetime64(past[-1]) if past and not covering else np.datetime64("NaT")
            assert np.array_equal(facts.churned_on[k, j], expected, equal_nan=True)


@given(tables(), st.sampled_from(["30d", "1mo", "90d"]), st.integers(0, 10))
def test_labels_never_look_past_the_horizon(
    table: dict[str, list[object]], horizon: str, grace: int
) -> None:
    contracts = Contracts.from_columns(table, revenue=False, plan=False, seats=False,
                                       duplicates="drop",
                                       end_inclusive=False)
    until = dt.date(2021, 3, 1)
    labels = churn_labels(contracts, DATES, horizon, grace=f"{grace}d", observed_until=until)
    ends = shift(np.array(DATES, "M8[D]"), horizon, 1).astype(object)
    for j, account in enumerate(labels.ids.tolist()):
        rows = _rows(table, account)
        churns = _churns(rows, grace)
        for k, day in enumerate(DATES):
            active = any(s <= day < e for s, e, _ in rows)
            state = labels.state[k, j]
            if not active:
                assert state == -2
                continue
            hit = [c for c in churns if day < c <= ends[k]]
            if ends[k] + dt.timedelta(days=grace) > until:
                assert state == -1  # the window is not observed: unknown, never "retained"
            else:
                assert state == (1 if hit else 0)


@given(tables(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(table: dict[str, list[object]], rnd: object) -> None:
    order = list(range(len(table["start"])))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = {k: [v[i] for i in order] for k, v in table.items()}
    a = Contracts.from_columns(table, revenue="arr", plan="plan", duplicates="drop",
                               end_inclusive=False)
    b = Contracts.from_columns(shuffled, revenue="arr", plan="plan", duplicates="drop",
                               end_inclusive=False)
    assert account_facts(a, DATES) == account_facts(b, DATES)
    assert churn_labels(a, DATES, observed_until="2022-01-01") == churn_labels(
        b, DATES, observed_until="2022-01-01"
    )


def test_an_abutting_renewal_is_not_churn() -> None:
    c = Contracts.from_columns({
        "account_id": ["a", "a"], "start": ["2020-01-01", "2021-01-01"],
        "end": ["2021-01-01", "2022-01-01"],
    })
    labels = churn_labels(c, ["2020-12-15", "2021-12-15"], "1mo", observed_until="2023-01-01")
    assert labels.state.tolist() == [[0], [1]]
    facts = account_facts(c, ["2021-06-01"])
    assert facts.renewals.tolist() == [[1]]


def test_a_snapshot_at_or_after_churn_excludes_the_account() -> None:
    c = Contracts.from_columns({
        "account_id": ["a", "b"], "start": ["2020-01-01", "2020-01-01"],
        "end": ["2020-06-01", None],
    })
    facts = account_facts(c, ["2020-05-31", "2020-06-01", "2020-07-01"])
    assert [facts.to_portfolio(k).ids.tolist() for k in range(3)] == [["a", "b"], ["b"], ["b"]]
    assert churn_labels(c, ["2020-06-01"], "1mo", observed_until="2021-01-01").state.tolist() == [
        [-2, 0]
    ]


def test_grace_gap_bridges_a_late_renewal() -> None:
    c = Contracts.from_columns({
        "account_id": ["a", "a"], "start": ["2020-01-01", "2020-06-10"],
        "end": ["2020-06-01", None],
    })
    dates = ["2020-05-15"]
    assert churn_labels(c, dates, "1mo", observed_until="2021-01-01").state.tolist() == [[1]]
    assert churn_labels(c, dates, "1mo", grace="14d", observed_until="2021-01-01").state.tolist() == [
        [0]
    ]


def test_calendar_month_horizon() -> None:
    c = Contracts.from_columns({"account_id": ["a"], "start": ["2020-01-01"],
                                "end": ["2020-09-01"]})
    labels = churn_labels(c, ["2020-08-01"], "1mo", observed_until="2021-01-01")
    assert labels.state.tolist() == [[1]]  # 2020-09-01 is inside (2020-08-01, 2020-09-01]
    thirty = churn_labels(c, ["2020-08-01"], "30d", observed_until="2021-01-01")
    assert thirty.state.tolist() == [[0]]  # 30 days end on 2020-08-31


def test_bad_horizon_is_a_data_error() -> None:
    c = Contracts.from_columns({"account_id": ["a"], "start": ["2020-01-01"], "end": [None]})
    with pytest.raises(DataError, match="horizon"):
        churn_labels(c, ["2020-09-01"], "a month")
    for empty in ("0d", "0mo"):  # a window of no days, in which nobody could churn
        with pytest.raises(DataError, match="horizon must be at least one day"):
            churn_labels(c, ["2020-09-01"], empty)


def test_contraction_labels() -> None:
    c = Contracts.from_columns({
        "account_id": ["a", "a", "b"], "start": ["2020-01-01", "2020-06-01", "2020-01-01"],
        "end": ["2020-06-01", None, None], "arr": [1000, 600, 500],
    }, revenue="arr")
    labels = churn_labels(c, ["2020-05-15"], "1mo", observed_until="2021-01-01", contraction=True)
    assert labels.state.tolist() == [[1, 0]]


def test_movements_feed_the_retention_report() -> None:
    import successkit as sk
    from successkit.contracts import revenue_movements

    c = Contracts.from_columns({
        "account_id": ["a", "a", "b", "c"],
        "start": ["2020-01-01", "2020-07-01", "2020-01-01", "2020-06-01"],
        "end": ["2020-07-01", None, "2020-09-01", None],
        "arr": [100, 150, 200, 50],
    }, revenue="arr")
    m = revenue_movements(c, "2020-03-01", "2020-12-01")
    totals = m.totals()
    assert totals["ending"] == totals["starting"] + totals["new"] + totals["expansion"] - (
        totals["contraction"] + totals["churned"]
    )
    report = sk.retention(m)
    q1 = sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [100, 200]})
    q2 = sk.Portfolio.from_columns({"id": ["a", "c"], "arr": [150, 50]})
    assert report.nrr == sk.retention(q1, q2).nrr
    assert report.grr == sk.retention(q1, q2).grr


def test_results_are_read_only_through_pickling() -> None:
    import pickle

    from successkit.contracts import revenue_movements

    c = Contracts.from_columns({
        "account_id": ["a", "b"], "start": ["2020-01-01", "2020-02-01"], "end": [None, None],
        "arr": [1.0, 2.0],
    }, revenue="arr")
    results = [
        c,
        account_facts(c, ["2020-03-01"]),
        churn_labels(c, ["2020-03-01"], observed_until="2021-01-01"),
        revenue_movements(c, "2020-01-15", "2020-03-01"),
    ]
    for result in results:
        again = pickle.loads(pickle.dumps(result))
        assert again == result
        for value in vars(again).values() if hasattr(again, "__dict__") else ():
            assert not getattr(value, "flags", None) or not value.flags.writeable
    facts = pickle.loads(pickle.dumps(results[1]))
    assert not facts.arr.flags.writeable
    assert not pickle.loads(pickle.dumps(c)).revenue.flags.writeable
