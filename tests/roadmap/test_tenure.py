"""Tenure assignment (Sansan's lifecycle, seed 003): windows by contract age and renewals.

Every boundary is tested one day before and one day after, with fixed 12-month renewals
(no renewal data) and with the account's actual renewals (``renewals`` count,
``renewal_date``).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

import successkit as sk

AS_OF = dt.date(2026, 10, 1)


def _ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


def _portfolio(starts: list[dt.date | None], **columns: list[object]) -> sk.Portfolio:
    ids = [f"a{i}" for i in range(len(starts))]
    kinds = {"contract_start": "date", **{k: "date" for k in columns if k.endswith("date")}}
    return sk.Portfolio.from_columns(
        {"id": ids, "contract_start": starts, **columns}, as_of=AS_OF, kinds=kinds
    )


def _stages(pf: sk.Portfolio, roadmap: sk.Roadmap | None = None) -> list[str | None]:
    return (roadmap or sk.Roadmap.lifecycle()).assign(pf).stage.tolist()


def test_onboarding_ends_after_two_months() -> None:
    pf = _portfolio([_ago(0), _ago(59), _ago(60), _ago(61)])
    assert _stages(pf) == ["onboarding", "onboarding", "operation", "operation"]


def test_fixed_renewals_without_renewal_data() -> None:
    ages = [364, 365, 366, 729, 730, 731]
    pf = _portfolio([_ago(a) for a in ages])
    assert _stages(pf) == [
        "operation", "utilisation", "utilisation", "utilisation", "established", "established",
    ]


def test_actual_renewal_count_decides_not_the_age() -> None:
    # a late first renewal keeps the account in operation; an early one moves it on
    pf = _portfolio(
        [_ago(400), _ago(300), _ago(800), _ago(700), _ago(800)],
        renewals=[0, 1, 1, 2, None],
    )
    assert _stages(pf) == ["operation", "utilisation", "utilisation", "established",
                           "established"]  # the last has no count: 800 days ≥ 2 years


def test_one_day_before_and_after_an_actual_renewal() -> None:
    start = dt.date(2025, 8, 20)  # renews on 2026-09-30 (aligned to a fiscal half)
    renewal = dt.date(2026, 9, 30)
    before = sk.Portfolio.from_columns(
        {"id": ["x"], "contract_start": [start], "renewals": [0], "renewal_date": [renewal]},
        as_of=renewal - dt.timedelta(days=1),
    )
    after = sk.Portfolio.from_columns(
        {"id": ["x"], "contract_start": [start], "renewals": [1],
         "renewal_date": [dt.date(2027, 9, 30)]},
        as_of=renewal + dt.timedelta(days=1),
    )
    roadmap = sk.Roadmap.lifecycle()
    first = roadmap.assign(before)
    second = roadmap.assign(after)
    assert first.stage.tolist() == ["operation"]
    assert first.entered.tolist() == [start + dt.timedelta(days=60)]
    assert second.stage.tolist() == ["utilisation"]
    assert second.entered.tolist() == [renewal]  # dated from the next renewal, one year back
    assert second.days_in_stage.tolist() == [1.0]


def test_renewal_date_alone_follows_a_longer_first_term() -> None:
    start = _ago(380)  # 12.5 months old; the first renewal is at 13 months
    pf = _portfolio(
        [start, start, _ago(760)],
        renewal_date=[start + dt.timedelta(days=395), _ago(10), _ago(760) + dt.timedelta(days=790)],
    )
    # the second account's renewal date is overdue (10 days ago) and not renewed: operation
    assert _stages(pf) == ["operation", "operation", "utilisation"]


def test_count_column_wins_over_renewal_date() -> None:
    start = _ago(500)
    pf = _portfolio([start, start], renewals=[0, None],
                    renewal_date=[start + dt.timedelta(days=730)] * 2)
    # the count says 0 renewals; without a count the renewal date (2 years after the
    # start) says 1 renewal (yearly terms)
    assert _stages(pf) == ["operation", "utilisation"]


def test_renewal_columns_can_be_ignored() -> None:
    pf = _portfolio([_ago(400)], renewals=[0])
    assert _stages(pf, sk.Roadmap.lifecycle(renewals=None)) == ["utilisation"]
    assert _stages(pf) == ["operation"]


def test_days_in_stage_from_windows() -> None:
    pf = _portfolio([_ago(10), _ago(100), _ago(800)], renewals=[0, 0, 3],
                    renewal_date=[None, None, AS_OF + dt.timedelta(days=100)])
    result = sk.Roadmap.lifecycle().assign(pf)
    assert result.stage.tolist() == ["onboarding", "operation", "established"]
    # the next renewal is 2027-01-09; renewal 2 happened (3 - 2 + 1) = 2 calendar years
    # before it
    assert result.entered.tolist()[2] == dt.date(2025, 1, 9)
    assert result.days_in_stage.tolist()[:2] == [10.0, 40.0]


def test_renewal_dated_by_age_when_no_renewal_date() -> None:
    pf = _portfolio([_ago(500), _ago(200)], renewals=[1, 1])
    result = sk.Roadmap.lifecycle().assign(pf)
    assert result.stage.tolist() == ["utilisation", "utilisation"]
    # nominal date (start + 1 year): 135 days ago; an early renewal cannot be dated
    assert result.days_in_stage.tolist()[0] == 135.0
    assert np.isnan(result.days_in_stage[1])


def test_missing_or_future_start_has_no_stage() -> None:
    pf = _portfolio([None, AS_OF + dt.timedelta(days=1), AS_OF])
    result = sk.Roadmap.lifecycle().assign(pf)
    assert result.stage.tolist() == [None, None, "onboarding"]
    assert result.codes.tolist() == [-1, -1, 0]
    assert np.isnan(result.days_in_stage[:2]).all()


def test_stalled_when_the_renewal_is_overdue() -> None:
    pf = _portfolio([_ago(364), _ago(366), _ago(366)], renewals=[0, 0, 1])
    result = sk.Roadmap.lifecycle().assign(pf)
    # operation is expected to last 305 days (one year minus onboarding)
    assert result.days_in_stage.tolist()[:2] == [304.0, 306.0]
    assert result.stalled.tolist() == [False, True, False]


def test_custom_columns_and_onboarding_length() -> None:
    pf = sk.Portfolio.from_columns(
        {"id": ["a", "b"], "signed": [_ago(89), _ago(90)]}, as_of=AS_OF
    )
    roadmap = sk.Roadmap.lifecycle(onboarding="3mo", contract_start="signed")
    assert roadmap.assign(pf).stage.tolist() == ["onboarding", "operation"]
    assert roadmap.stage("operation").expected_duration == 275


def test_history_uses_the_latest_snapshot() -> None:
    old = _portfolio([_ago(30)]).with_as_of(AS_OF - dt.timedelta(days=100))
    now = _portfolio([_ago(30)])
    result = sk.Roadmap.lifecycle().assign(sk.History([old, now]))
    assert result.stage.tolist() == ["onboarding"]
    assert result.days_in_stage.tolist() == [30.0]


def test_sample_data_lifecycle_matches_a_hand_computation() -> None:
    from successkit.datasets import make_portfolio

    pf = make_portfolio(300, seed=1).portfolio
    age = (np.datetime64(pf.as_of) - pf["contract_start"]).astype(int)
    renewals = pf["renewals"]
    expected = np.select(
        [renewals >= 2, renewals >= 1, age >= 60], [3, 2, 1], default=0
    )
    assert sk.Roadmap.lifecycle().assign(pf).codes.tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("columns", "kinds", "message"),
    [
        ({}, {}, "no such column"),
        ({"contract_start": ["2026-01-01"]}, {}, "kinds={'contract_start': 'date'}"),
        ({"contract_start": [1.0]}, {}, "expected a date column"),
        ({"contract_start": ["2026-01-01"], "renewals": [-1]}, {"contract_start": "date"},
         "cannot be negative"),
    ],
)
def test_bad_data(columns: dict[str, list[object]], kinds: dict[str, str], message: str) -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], **columns}, as_of=AS_OF, kinds=kinds)
    with pytest.raises(sk.DataError, match=re.escape(message)):
        sk.Roadmap.lifecycle().assign(pf)


def test_tenure_needs_as_of() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], "contract_start": [AS_OF]})
    with pytest.raises(sk.DataError, match="as_of"):
        sk.Roadmap.lifecycle().assign(pf)


def test_renewal_on_a_leap_day_is_dated_on_the_28th() -> None:
    pf = sk.Portfolio.from_columns(
        {"id": ["x"], "contract_start": [dt.date(2025, 2, 28)], "renewals": [1],
         "renewal_date": [dt.date(2028, 2, 29)]},
        as_of="2027-06-01",
    )
    result = sk.Roadmap.lifecycle().assign(pf)
    assert result.stage.tolist() == ["utilisation"]
    assert result.entered.tolist() == [dt.date(2027, 2, 28)]
