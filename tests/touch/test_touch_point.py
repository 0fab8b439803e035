"""TouchPoint: fixed points or tiers by progress, validation and round trips."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import TOUCH_MODEL

import successkit as sk


def test_fixed_points_ignore_progress() -> None:
    web = sk.TouchPoint("web_access", points=1, combine="sum")
    assert web.points_for([None, 0.0, 0.5, 1.0]).tolist() == [1.0] * 4
    assert not web.tiered
    assert web.max_points == 1.0


def test_tiers_pay_the_highest_tier_reached() -> None:
    video = sk.TouchPoint("video", tiers={0.2: 1, 0.6: 2, 1.0: 3})
    got = video.points_for([0.0, 0.19, 0.2, 0.59, 0.6, 0.99, 1.0, np.nan])
    np.testing.assert_array_equal(got, [0, 0, 1, 1, 2, 2, 3, np.nan])
    assert video.tiered
    assert video.max_points == 3.0


def test_tiers_may_be_given_as_pairs_in_any_order() -> None:
    a = sk.TouchPoint("e", tiers=[(1.0, 5), (0, 1), (0.5, 3)])
    b = sk.TouchPoint("e", tiers={0: 1, 0.5: 3, 1: 5})
    assert a == b
    assert a.tiers == ((0.0, 1.0), (0.5, 3.0), (1.0, 5.0))


def test_defaults() -> None:
    tp = sk.TouchPoint("x", points=2)
    assert (tp.channel, tp.synchronous, tp.combine, tp.label) == (None, True, "max", None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give either points or tiers"),
        ({"points": 1, "tiers": {0.5: 1}}, "give either points or tiers"),
        ({"points": -1}, "points must not be negative"),
        ({"points": float("inf")}, "points must be finite"),
        ({"points": "1"}, "points must be a number"),
        ({"tiers": {}}, "tiers must not be empty"),
        ({"tiers": {1.5: 1}}, "progress must lie in \\[0, 1\\]"),
        ({"tiers": {-0.1: 1}}, "progress must lie in \\[0, 1\\]"),
        ({"tiers": [(0.5, 1), (0.5, 2)]}, "two tiers start at the same progress"),
        ({"tiers": {0.2: 3, 0.6: 2}}, "must not pay fewer points for more progress"),
        ({"tiers": {0.2: -1}}, "points must not be negative"),
        ({"tiers": [(0.5,)]}, "each tier is a \\(progress, points\\) pair"),
        ({"tiers": "0.5:1"}, "tiers map progress"),
        ({"points": 1, "combine": "mean"}, "combine must be 'max' or 'sum'"),
        ({"points": 1, "synchronous": "no"}, "synchronous must be true or false"),
        ({"points": 1, "channel": ""}, "channel must be non-empty text"),
        ({"points": 1, "label": 3}, "label must be non-empty text"),
    ],
)
def test_invalid_touch_points(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.TouchPoint("x", **kwargs)


def test_name_must_be_text() -> None:
    with pytest.raises(sk.ModelError, match="name must be non-empty text"):
        sk.TouchPoint("", points=1)


def test_error_names_the_touch_point() -> None:
    with pytest.raises(sk.ModelError) as info:
        sk.TouchPoint("video", tiers={0.2: 3, 0.6: 2})
    assert info.value.where == "touch point 'video'"


@given(st.sampled_from(TOUCH_MODEL.touchpoints + sk.TouchModel.sansan().touchpoints))
def test_round_trip_through_json(tp: sk.TouchPoint) -> None:
    again = sk.TouchPoint.from_dict(json.loads(json.dumps(tp.to_dict())))
    assert again == tp
    assert again.fingerprint == tp.fingerprint


def test_malformed_dicts() -> None:
    with pytest.raises(sk.ModelError, match="expected a dict of type 'touchpoint'"):
        sk.TouchPoint.from_dict({"type": "touch", "version": 1})
    with pytest.raises(sk.ModelError, match="missing key 'name'"):
        sk.TouchPoint.from_dict({"type": "touchpoint", "version": 1, "points": 1})


def test_fingerprint_depends_on_content() -> None:
    a = sk.TouchPoint("x", points=1)
    assert a.fingerprint == sk.TouchPoint("x", points=1.0).fingerprint
    assert a.fingerprint != sk.TouchPoint("x", points=2).fingerprint


def test_describe_and_repr() -> None:
    lms = sk.TouchPoint("elearning", tiers={0: 1, 0.5: 3, 1: 5}, channel="online",
                        synchronous=False)
    assert lms.describe() == "0% → 1, 50% → 3, 100% → 5"
    assert repr(lms) == (
        "TouchPoint('elearning', tiers={0: 1, 0.5: 3, 1: 5}, channel='online', "
        "synchronous=False)"
    )
    assert repr(sk.TouchPoint("web", points=1, combine="sum", label="Web")) == (
        "TouchPoint('web', points=1, combine='sum', label='Web')"
    )
