"""Schemes: raw value → points → metric score, and every invalid definition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import numeric_schemes, schemes

import successkit as sk
from successkit.scoring.schemes import scheme_from_dict


def numbers(*values: float | None) -> sk.Column:
    return sk.Column.number([np.nan if v is None else v for v in values])


class TestThresholds:
    def test_four_colours_value_on_a_cut_belongs_to_the_higher_band(self) -> None:
        scheme = sk.Thresholds([0.25, 0.5, 0.75])
        got = scheme.to_points(numbers(0.0, 0.2499, 0.25, 0.5, 0.74, 0.75, 2.0, None))
        assert got.tolist()[:-1] == [1, 1, 2, 3, 3, 4, 4]
        assert math.isnan(got[-1])
        assert scheme.max_points == 4
        assert scheme.scores(numbers(0.3)).tolist() == [50.0]

    def test_lower_is_better_reverses_the_bands(self) -> None:
        scheme = sk.Thresholds([2, 5, 10], higher_is_better=False)
        assert scheme.to_points(numbers(0, 1.99, 2, 5, 9.9, 10, 50)).tolist() == [
            4, 4, 3, 2, 2, 1, 1
        ]

    def test_explicit_points_listed_worst_to_best(self) -> None:
        scheme = sk.Thresholds([7, 9], points=[0, 5, 10])
        assert scheme.scores(numbers(6, 7, 9)).tolist() == [0, 50, 100]
        lower = sk.Thresholds([7, 9], points=[0, 5, 10], higher_is_better=False)
        assert lower.scores(numbers(6, 7, 9)).tolist() == [100, 50, 0]

    def test_default_points_are_normalised_so_equal_definitions_compare_equal(self) -> None:
        assert sk.Thresholds([1, 2]) == sk.Thresholds([1, 2], points=[1, 2, 3])
        assert sk.Thresholds([1, 2]).points == (1.0, 2.0, 3.0)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"cuts": []}, "at least one cut"),
            ({"cuts": [0.5, 0.25]}, "increase strictly"),
            ({"cuts": [0.5, 0.5]}, "increase strictly"),
            ({"cuts": [0.1, float("nan")]}, "finite"),
            ({"cuts": [float("inf")]}, "finite"),
            ({"cuts": ["a"]}, "must be a number"),
            ({"cuts": "0.5"}, "sequence of numbers"),
            ({"cuts": [0.5], "points": [1, 2, 3]}, "needs 2 entries"),
            ({"cuts": [0.5], "points": [-1, 2]}, "negative"),
            ({"cuts": [0.5], "points": [2, 1]}, "must not decrease"),
            ({"cuts": [0.5], "points": [0, 0]}, "more than 0"),
            ({"cuts": [0.5], "points": [0, float("nan")]}, "finite"),
            ({"cuts": [0.5], "higher_is_better": "yes"}, "true or false"),
        ],
    )
    def test_invalid(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(sk.ModelError, match=message):
            sk.Thresholds(**kwargs)  # type: ignore[arg-type]


class TestLinear:
    def test_clipped_straight_line(self) -> None:
        scheme = sk.Linear(0.25, 0.75)
        got = scheme.scores(numbers(0.0, 0.25, 0.5, 0.75, 1.0, None))
        assert got.tolist()[:-1] == [0, 0, 50, 100, 100]
        assert math.isnan(got[-1])

    def test_low_above_high_means_lower_is_better(self) -> None:
        assert sk.Linear(10, 0).scores(numbers(-1, 0, 2.5, 10, 11)).tolist() == [
            100, 100, 75, 0, 0
        ]

    def test_points_scale_with_max_points(self) -> None:
        scheme = sk.Linear(0, 1, max_points=4)
        assert scheme.to_points(numbers(0.5)).tolist() == [2.0]
        assert scheme.max_points == 4

    @pytest.mark.parametrize(
        ("args", "kwargs", "message"),
        [
            ((1, 1), {}, "must differ"),
            ((float("nan"), 1), {}, "finite"),
            ((0, float("inf")), {}, "finite"),
            (("a", 1), {}, "must be a number"),
            ((0, 1), {"max_points": 0}, "positive"),
            ((0, 1), {"max_points": -2}, "positive"),
            ((True, 1), {}, "must be a number"),
            ((-1e308, 1e308), {}, "too far apart"),
        ],
    )
    def test_invalid(self, args: tuple[object, ...], kwargs: dict[str, object],
                     message: str) -> None:
        with pytest.raises(sk.ModelError, match=message):
            sk.Linear(*args, **kwargs)  # type: ignore[arg-type]


class TestCategories:
    def test_points_per_label_and_unknown_labels_missing(self) -> None:
        scheme = sk.Categories({"bad": 1, "fair": 2, "good": 3, "excellent": 4})
        column = sk.Column.from_labels(["good", "excellent", "great", None, "bad"])
        got = scheme.to_points(column)
        assert got[[0, 1, 4]].tolist() == [3, 4, 1]
        assert np.isnan(got[[2, 3]]).all()
        assert scheme.unknown(column) == ("great",)
        assert scheme.unknown(sk.Column.from_labels(["good", None])) == ()

    def test_unknown_reports_only_labels_that_occur(self) -> None:
        scheme = sk.Categories({"good": 1})
        column = sk.Column.from_labels(["good", "odd"]).take([0])  # "odd" no longer occurs
        assert scheme.unknown(column) == ()

    def test_order_of_the_mapping_does_not_matter(self) -> None:
        assert sk.Categories({"a": 1, "b": 2}) == sk.Categories({"b": 2, "a": 1})

    @pytest.mark.parametrize(
        ("mapping", "message"),
        [
            ({}, "at least one category"),
            ({"a": -1, "b": 2}, "negative"),
            ({"a": 0}, "more than 0"),
            ({"a": float("nan")}, "finite"),
            ({1: 2}, "non-empty text"),
            ({"": 2}, "non-empty text"),
            (["a"], "mapping"),
        ],
    )
    def test_invalid(self, mapping: object, message: str) -> None:
        with pytest.raises(sk.ModelError, match=message):
            sk.Categories(mapping)  # type: ignore[arg-type]


class TestPercentile:
    def test_ties_share_their_mean_rank(self) -> None:
        got = sk.Percentile().scores(numbers(10, 20, 20, 40, None))
        assert got.tolist()[:-1] == [12.5, 50.0, 50.0, 87.5]
        assert math.isnan(got[-1])

    def test_lower_is_better_and_a_lone_account(self) -> None:
        assert sk.Percentile(False).scores(numbers(10, 40)).tolist() == [75.0, 25.0]
        assert sk.Percentile().scores(numbers(3.0)).tolist() == [50.0]
        assert np.isnan(sk.Percentile().scores(numbers(None, None))).all()

    def test_is_population_dependent(self) -> None:
        assert sk.Percentile.population_dependent
        assert not sk.Thresholds.population_dependent

    def test_invalid(self) -> None:
        with pytest.raises(sk.ModelError, match="positive"):
            sk.Percentile(max_points=0)
        with pytest.raises(sk.ModelError, match="true or false"):
            sk.Percentile(1)  # type: ignore[arg-type]


@given(schemes)
def test_every_scheme_round_trips_through_json(scheme: sk.Scheme) -> None:
    import json

    again = scheme_from_dict(json.loads(json.dumps(scheme.to_dict())))
    assert again == scheme
    assert again.to_dict() == scheme.to_dict()


@given(numeric_schemes(), st.lists(st.one_of(st.none(), st.floats(-1e7, 1e7)), max_size=30))
def test_scores_lie_in_0_100_or_are_missing(scheme: sk.Scheme, values: list[float | None]) -> None:
    got = scheme.scores(numbers(*values))
    missing = np.array([v is None for v in values], dtype=bool)
    assert np.isnan(got[missing]).all()
    present = got[~missing]
    assert ((present >= 0) & (present <= 100)).all()


@given(numeric_schemes(percentile=False), st.floats(-1e7, 1e7), st.floats(0, 1e7))
def test_non_population_schemes_are_monotone(scheme: sk.Scheme, value: float,
                                             step: float) -> None:
    better = value + step if _higher_is_better(scheme) else value - step
    low, high = scheme.scores(numbers(value, better)).tolist()
    assert high >= low


def _higher_is_better(scheme: sk.Scheme) -> bool:
    if isinstance(scheme, sk.Linear):
        return scheme.low < scheme.high
    return bool(scheme.higher_is_better)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": "nope"}, "unknown scheme type"),
        ({}, "missing key 'type'"),
        ({"type": "linear", "low": 0}, "missing key 'high'"),
        ({"type": "thresholds"}, "missing key 'cuts'"),
        ({"type": "categories"}, "missing key 'mapping'"),
        ({"type": "linear", "low": "0", "high": 1}, "must be a number"),
        ("linear", "expected a dict"),
    ],
)
def test_scheme_from_dict_errors(data: object, message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        scheme_from_dict(data)  # type: ignore[arg-type]


def test_describe_is_human_text() -> None:
    assert sk.Thresholds([0.25, 0.5]).describe() == "thresholds at 0.25, 0.5 → 1/2/3 points"
    assert sk.Linear(0, 1).describe() == "linear from 0 (0) to 1 (100)"
    assert sk.Categories({"a": 1}).describe() == "a 1"
    assert sk.Percentile(False).describe() == "percentile rank, lower is better"
