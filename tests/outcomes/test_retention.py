"""Retention arithmetic: GRR, NRR, logo churn, movements, ARR at risk per band."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import arr_amounts


def test_hand_computed_cohort() -> None:
    # a expands 100→120, b contracts 200→150, c churns 50→0, e flat 80, d is new (0→80)
    report = sk.retention(
        [100, 200, 50, 0, 80], [120, 150, 0, 80, 80], ids=["a", "b", "c", "d", "e"]
    )
    assert report.movement.tolist() == ["expansion", "contraction", "churned", "new", "flat"]
    assert report.starting_arr == 430
    assert report.expansion == 20
    assert report.contraction == 50
    assert report.churned_arr == 50
    assert report.new_arr == 80
    assert report.ending_arr == 430
    assert report.accounts == 4
    assert report.churned_accounts == 1
    assert report.grr == pytest.approx((430 - 50 - 50) / 430)
    assert report.nrr == pytest.approx((430 + 20 - 50 - 50) / 430)
    assert report.logo_churn_rate == pytest.approx(1 / 4)
    assert report.counts() == {
        "churned": 1, "contraction": 1, "flat": 1, "expansion": 1, "new": 1,
    }


def test_net_retention_can_exceed_one_but_gross_cannot() -> None:
    report = sk.retention([100, 100], [300, 100])
    assert report.nrr == 2.0
    assert report.grr == 1.0


def test_accounts_paying_neither_time_have_no_movement() -> None:
    report = sk.retention([0, 10], [0, 10])
    assert report.movement.tolist() == [None, "flat"]
    assert report.accounts == 1


def test_an_empty_cohort_has_undefined_rates() -> None:
    report = sk.retention([0, 0], [5, 0])
    assert np.isnan(report.grr)
    assert np.isnan(report.nrr)
    assert np.isnan(report.logo_churn_rate)
    assert report.to_dict()["grr"] is None
    assert "GRR —" in report.summary()


def test_portfolios_are_matched_by_id() -> None:
    q1 = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "arr": [100, 200, 50]})
    q2 = sk.Portfolio.from_columns({"id": ["d", "b", "a"], "arr": [40, 150, 130]})
    report = sk.retention(q1, q2)
    assert report.ids.tolist() == ["a", "b", "c", "d"]
    assert report.start.tolist() == [100, 200, 50, 0]
    assert report.end.tolist() == [130, 150, 0, 40]
    assert report.movement.tolist() == ["expansion", "contraction", "churned", "new"]
    revenue = q1.with_columns(revenue=[1.0, 2.0, 3.0]).without_columns("arr")
    later = q2.with_columns(revenue=[1.0, 2.0, 3.0]).without_columns("arr")
    assert sk.retention(revenue, later, arr="revenue").starting_arr == 6.0


@given(st.lists(st.tuples(arr_amounts, arr_amounts), min_size=1, max_size=30))
def test_the_arr_bridge_balances(pairs: list[tuple[float, float]]) -> None:
    start = np.array([a for a, _ in pairs])
    end = np.array([b for _, b in pairs])
    report = sk.retention(start, end)
    bridge = (report.starting_arr + report.new_arr + report.expansion - report.contraction
              - report.churned_arr)
    assert bridge == pytest.approx(report.ending_arr, rel=1e-9, abs=1e-6)
    if report.starting_arr > 0:
        assert report.grr <= 1 + 1e-12
        assert report.grr <= report.nrr + 1e-12
        assert 0 <= report.logo_churn_rate <= 1


def test_output() -> None:
    report = sk.retention([100, 100], [110, 0], ids=["a", "b"])
    assert repr(report) == "RetentionReport(2 accounts, GRR 50.0%, NRR 55.0%, logo churn 50.0%)"
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["movement"] == ["expansion", "churned"]
    assert data["nrr"] == 0.55
    assert "NRR" in report._repr_html_()
    pytest.importorskip("pandas")
    frame = report.to_frame()
    assert frame.loc["b", "movement"] == "churned"


@pytest.mark.parametrize(
    ("start", "end", "kwargs", "message"),
    [
        ([100, -1], [100, 0], {}, "start must be finite and not negative, got -1"),
        ([100, 5], [100, np.nan], {}, "end is missing"),
        ([100, 5], [np.inf, 1], {}, "end must be finite"),
        ([100, 5], [100], {}, "end has 1 values"),
        ([100, 5], [100, 5], {"ids": ["a"]}, "ids has 1 values"),
        ("100", [1], {}, "start must be a one-dimensional"),
        ([1, "x"], [1, 2], {}, "start must be numbers"),
    ],
)
def test_bad_arrays(start: object, end: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.DataError, match=message):
        sk.retention(start, end, **kwargs)  # type: ignore[arg-type]


def test_errors_name_the_account() -> None:
    with pytest.raises(sk.DataError) as info:
        sk.retention([100, -1], [1, 1], ids=["acme", "globex"])
    assert info.value.account == "globex"
    assert info.value.column == "start"
    q1 = sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [100, None]})
    q2 = sk.Portfolio.from_columns({"id": ["a", "b"], "arr": [100, 5]})
    with pytest.raises(sk.DataError, match="is missing") as info:
        sk.retention(q1, q2)
    assert info.value.account == "b"


def test_bad_portfolio_input() -> None:
    q1 = sk.Portfolio.from_columns({"id": ["a"], "arr": [100]})
    with pytest.raises(sk.DataError, match="two portfolios"):
        sk.retention(q1, [100])
    with pytest.raises(sk.DataError, match="ids= is for ARR arrays"):
        sk.retention(q1, q1, ids=["a"])
    with pytest.raises(sk.DataError, match="no such column"):
        sk.retention(q1, q1, arr="mrr")


# -- ARR at risk ----------------------------------------------------------------------------


def test_arr_at_risk_by_hand() -> None:
    risk = sk.arr_at_risk(["red", "green", "red", "yellow", None], [100, 400, 50, 200, 999],
                          probability=[0.5, 0.1, 0.4, 0.2, 0.9],
                          order=["red", "yellow", "green"])
    assert risk.labels == ("red", "yellow", "green")
    assert risk.accounts.tolist() == [2, 1, 1]
    assert risk.arr.tolist() == [150, 200, 400]
    assert risk.total == 750
    assert risk.expected_loss is not None
    assert risk.expected_loss.tolist() == pytest.approx([70.0, 40.0, 40.0])
    assert repr(risk) == "ArrAtRisk(red 150, yellow 200, green 400)"
    assert json.dumps(risk.to_dict(), allow_nan=False)


def test_arr_at_risk_of_a_health_result() -> None:
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
    pf = sk.Portfolio.from_columns({
        "id": ["a", "b", "c"], "login_rate": [0.1, 0.5, 0.9], "arr": [10.0, 20.0, 30.0],
    })
    result = model.score(pf)
    risk = sk.arr_at_risk(result, "arr")
    assert risk.labels == ("red", "yellow", "green")
    assert risk.arr.tolist() == [10, 20, 30]
    assert risk.expected_loss is None
    assert sk.arr_at_risk(result, [1.0, 1.0, 1.0]).accounts.tolist() == [1, 1, 1]
    assert "<table" in risk._repr_html_()
    pytest.importorskip("pandas")
    assert risk.to_frame().loc["green", "arr"] == 30


def test_arr_at_risk_errors() -> None:
    with pytest.raises(sk.DataError, match=r"band labels \['blue'\] are not in order"):
        sk.arr_at_risk(["red", "blue"], [1, 2], order=["red"])
    with pytest.raises(sk.DataError, match="names a column"):
        sk.arr_at_risk(["red"], "arr")
    with pytest.raises(sk.DataError, match="arr is missing"):
        sk.arr_at_risk(["red", "red"], [1, None])
    with pytest.raises(sk.DataError, match="bands must be"):
        sk.arr_at_risk("red", [1])
    with pytest.raises(sk.DataError, match="probability must lie"):
        sk.arr_at_risk(["red"], [1], probability=[2])
