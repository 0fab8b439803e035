"""Trend: delta, slope, direction and band changes over a history."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

import successkit as sk


def model() -> sk.HealthModel:
    return sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])


def history() -> sk.History:
    snapshots = [
        ("2026-07-01", {"a": 40, "b": 50, "c": 80}),
        ("2026-07-31", {"a": 50, "b": 48, "c": None}),
        ("2026-08-30", {"a": 60, "b": 47, "c": 60, "new": 30}),
    ]
    return sk.History([
        sk.Portfolio.from_columns({"id": list(v), "x": list(v.values())}, as_of=day,
                                  kinds={"x": "number"})
        for day, v in snapshots
    ])


def test_delta_slope_direction_by_hand() -> None:
    result = sk.trend(history(), model(), window="60d", tolerance=5)
    assert result.ids.tolist() == ["a", "b", "c", "new"]
    assert result.since == dt.date(2026, 7, 1)
    assert result.as_of == dt.date(2026, 8, 30)
    assert result.delta[:3].tolist() == [20.0, -3.0, -20.0]
    assert math.isnan(result.delta[3])
    assert result.direction.tolist() == ["up", "flat", "down", None]
    # least squares over days 0, 30, 60: a rises 1/3 a day; b: −90/1800; c two points
    assert result.slope[:3] == pytest.approx([1 / 3, -0.05, -20 / 60])
    assert math.isnan(result.slope[3])
    assert result.score.tolist() == [60.0, 47.0, 60.0, 30.0]


def test_band_transitions_between_the_last_two_snapshots() -> None:
    result = sk.trend(history(), model(), window="60d")
    assert result.band_from.tolist() == ["yellow", "yellow", None, None]
    assert result.band_to.tolist() == ["yellow", "yellow", "yellow", "red"]
    assert result.changed.tolist() == [False, False, False, False]
    moved = sk.trend(history()[1:], model(), window="30d")
    assert moved.transitions() == {}
    first_two = sk.trend(history()[:2], model(), window="30d")
    assert first_two.band_from.tolist() == ["yellow", "yellow", "green"]
    assert first_two.band_to.tolist() == ["yellow", "yellow", None]
    assert first_two.transitions() == {}


def test_transitions_are_counted() -> None:
    h = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [80, 50, 75]},
                                  as_of="2026-08-01"),
        sk.Portfolio.from_columns({"id": ["a", "b", "c"], "x": [60, 30, 65]},
                                  as_of="2026-09-01"),
    ])
    result = sk.trend(h, model(), window="30d")
    assert result.transitions() == {("green", "yellow"): 2, ("yellow", "red"): 1}
    assert result.changed.tolist() == [True, True, True]


def test_baseline_is_the_snapshot_closest_to_the_window_start() -> None:
    # 45 days back from 2026-08-30 is 2026-07-16: 2026-07-01 and 2026-07-31 are 15 days
    # away each; the tie goes to the earlier one.
    assert sk.trend(history(), model(), window="45d").since == dt.date(2026, 7, 1)
    assert sk.trend(history(), model(), window="40d").since == dt.date(2026, 7, 31)
    # a window longer than the history falls back on the oldest snapshot
    assert sk.trend(history(), model(), window="1y").since == dt.date(2026, 7, 1)


def test_hysteresis_is_chained_through_the_history() -> None:
    sticky = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))],
                            bands=sk.Bands(hysteresis=5))
    h = sk.History([
        sk.Portfolio.from_columns({"id": ["a"], "x": [72]}, as_of="2026-08-01"),
        sk.Portfolio.from_columns({"id": ["a"], "x": [67]}, as_of="2026-09-01"),
    ])
    result = sk.trend(h, sticky, window="30d")
    assert result.band_to.tolist() == ["green"]
    assert result.transitions() == {}


def test_trend_of_results_equals_trend_of_history() -> None:
    results = model().score_history(history())
    from_results = sk.trend(list(reversed(results)), window="60d")
    from_history = sk.trend(history(), model(), window="60d")
    np.testing.assert_array_equal(from_results.delta, from_history.delta)
    np.testing.assert_array_equal(from_results.slope, from_history.slope)


def test_single_snapshot_has_no_trend() -> None:
    result = sk.trend(history()[-1:], model())
    assert result.since is None
    assert np.isnan(result.delta).all()
    assert dict(result.summary().directions) == {"up": 0, "flat": 0, "down": 0, "unknown": 4}


def test_outputs() -> None:
    result = sk.trend(history(), model(), window="60d")
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["direction"] == ["up", "flat", "down", None]
    assert data["since"] == "2026-07-01"
    assert dict(result.summary().directions) == {"up": 1, "flat": 1, "down": 1, "unknown": 1}
    assert list(result.to_frame().columns) == ["score", "delta", "slope", "direction",
                                               "band_from", "band_to"]
    assert "TrendResult(4 accounts since 2026-07-01" in repr(result)
    assert "<table" in result._repr_html_()
    assert len(result) == 4


def test_errors() -> None:
    with pytest.raises(sk.DataError, match="needs the model"):
        sk.trend(history())
    with pytest.raises(sk.DataError, match="at least one"):
        sk.trend([])
    with pytest.raises(sk.DataError, match="HealthResults"):
        sk.trend([1, 2])  # type: ignore[list-item]
    undated = model().score(sk.Portfolio.from_columns({"id": ["a"], "x": [1]}))
    with pytest.raises(sk.DataError, match="as_of"):
        sk.trend([undated])
    dated = model().score(history()[0])
    with pytest.raises(sk.DataError, match="same as_of"):
        sk.trend([dated, dated])
    with pytest.raises(sk.DataError, match="not a duration"):
        sk.trend(history(), model(), window="soon")
    with pytest.raises(sk.DataError, match="negative"):
        sk.trend(history(), model(), tolerance=-1)


def test_earlier_snapshots_are_aligned_by_account_id() -> None:
    # The same history with the earlier snapshots' accounts in another order (and one
    # account absent from the middle snapshot) gives the same trend, account by account.
    shuffled = sk.History([
        history()[0].take([2, 0, 1]),
        history()[1].take([1, 0]),
        history()[2],
    ])
    expected = sk.trend(history(), model(), window="60d")
    result = sk.trend(shuffled, model(), window="60d")
    np.testing.assert_array_equal(result.delta, expected.delta)
    np.testing.assert_array_equal(result.slope[:2], expected.slope[:2])
    assert result.slope[2] == pytest.approx(-20 / 60)  # c: days 0 and 60, as before
    assert result.band_from.tolist() == ["yellow", "yellow", None, None]


def test_an_empty_earlier_snapshot_has_no_scores() -> None:
    empty = sk.Portfolio.from_columns({"id": [], "x": []}, as_of="2026-07-01",
                                      kinds={"x": "number"})
    h = sk.History([empty, history()[2]])
    result = sk.trend(h, model(), window="60d")
    assert result.since == dt.date(2026, 7, 1)
    assert np.isnan(result.delta).all()
    assert np.isnan(result.slope).all()
    assert result.band_from.tolist() == [None] * 4
