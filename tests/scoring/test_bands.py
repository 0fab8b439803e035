"""Bands: labels by lower bound, colours, and hysteresis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import bands_strategy

import successkit as sk


def test_default_bands_are_red_yellow_green_at_40_and_70() -> None:
    bands = sk.Bands()
    assert dict(bands) == {"red": 0.0, "yellow": 40.0, "green": 70.0}
    assert bands.labels == ("red", "yellow", "green")
    assert bands.assign([0, 39.99, 40, 69.9, 70, 100, np.nan]).tolist() == [
        "red", "red", "yellow", "yellow", "green", "green", None
    ]
    assert bands["yellow"] == 40.0
    with pytest.raises(KeyError):
        bands["blue"]


def test_bounds_are_sorted_whatever_the_order_given() -> None:
    assert sk.Bands({"good": 50, "bad": 0}).labels == ("bad", "good")


def test_colours_default_for_common_names_and_can_be_set() -> None:
    assert sk.Bands().colour("red") == "#f4cccc"
    assert sk.Bands({"low": 0, "high": 50}).colour("low") is None
    custom = sk.Bands({"low": 0, "high": 50}, colours={"low": "#f00"})
    assert custom.colour("low") == "#f00"
    assert custom.colour("high") is None
    assert custom.colour(None) is None


class TestHysteresis:
    def test_keeps_the_band_until_the_edge_is_crossed_by_the_margin(self) -> None:
        bands = sk.Bands(hysteresis=5)
        previous = ["green", "green", "yellow", "yellow", "yellow", "red", "yellow"]
        scores = [68, 64.9, 74.9, 75, 34.9, 45, 80]
        # 68 ≥ 70 − 5 stays green; 64.9 < 65 drops; 74.9 < 75 stays yellow; 75 rises;
        # 34.9 < 35 drops; 45 ≥ 40 + 5 rises; 80 rises.
        assert bands.assign(scores, previous=previous).tolist() == [
            "green", "yellow", "yellow", "green", "red", "yellow", "green"
        ]

    def test_a_jump_over_two_edges_moves_as_far_as_the_margin_allows(self) -> None:
        bands = sk.Bands(hysteresis=5)
        assert bands.assign([72, 90, 2], previous=["red", "red", "green"]).tolist() == [
            "yellow", "green", "red"
        ]

    def test_unknown_previous_band_or_missing_score_ignore_hysteresis(self) -> None:
        bands = sk.Bands(hysteresis=5)
        assert bands.assign([68, np.nan, 68], previous=[None, "green", "purple"]).tolist() == [
            "yellow", None, "yellow"
        ]

    def test_zero_margin_is_plain_assignment(self) -> None:
        assert sk.Bands().assign([68], previous=["green"]).tolist() == ["yellow"]


@given(bands_strategy, st.lists(st.floats(0, 100), min_size=1, max_size=20),
       st.data())
def test_hysteresis_band_lies_between_the_bands_of_score_minus_and_plus_margin(
    bands: sk.Bands, scores: list[float], data: st.DataObject
) -> None:
    previous = data.draw(st.lists(st.sampled_from([*bands.labels, None]),
                                  min_size=len(scores), max_size=len(scores)))
    got = bands.codes_of_labels(bands.assign(scores, previous=previous))
    low = bands.codes(np.asarray(scores) - bands.hysteresis)
    high = bands.codes(np.asarray(scores) + bands.hysteresis)
    assert ((got >= np.maximum(low, 0)) & (got <= high)).all()
    # with no previous band, it is the plain band
    plain = bands.codes(scores)
    unknown = np.array([p is None for p in previous])
    assert (got[unknown] == plain[unknown]).all()


@given(bands_strategy)
def test_bands_round_trip(bands: sk.Bands) -> None:
    assert sk.Bands.from_dict(bands.to_dict()) == bands
    assert eval(repr(bands), {"Bands": sk.Bands}).bounds == bands.bounds


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (({},), {}, "at least one band"),
        (({"red": 10, "green": 70},), {}, "start at 0"),
        (({"red": 0, "green": 170},), {}, r"\[0, 100\]"),
        (({"red": 0, "amber": 40, "green": 40},), {}, "same score"),
        (({"red": 0, "green": float("nan")},), {}, "finite"),
        (({"": 0},), {}, "non-empty text"),
        ((["red"],), {}, "mapping"),
        ((), {"hysteresis": -1}, r"\[0, 100\)"),
        ((), {"hysteresis": 100}, r"\[0, 100\)"),
        ((), {"hysteresis": "5"}, "must be a number"),
        ((), {"colours": {"blue": "#00f"}}, "unknown bands"),
        ((), {"colours": {"red": ""}}, "non-empty text"),
        ((), {"colours": ["red"]}, "mapping"),
    ],
)
def test_invalid_bands(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Bands(*args, **kwargs)  # type: ignore[arg-type]


def test_from_dict_needs_bounds() -> None:
    with pytest.raises(sk.ModelError, match="missing key 'bounds'"):
        sk.Bands.from_dict({})
