"""Metric: sources (columns, backticked names, expressions), staleness, validation."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given
from tests.strategies import schemes

import successkit as sk

LINEAR = sk.Linear(0, 1)


def test_source_defaults_to_the_name() -> None:
    metric = sk.Metric("login_rate", scheme=LINEAR)
    assert metric.source == "login_rate"
    assert metric.column == "login_rate"
    assert metric.columns == ("login_rate",)
    assert metric.display == "login_rate"
    assert sk.Metric("x", scheme=LINEAR, label="X rate").display == "X rate"


def test_backticks_read_a_column_with_any_name() -> None:
    metric = sk.Metric("D-3", source="`D-3 Login Rate`", scheme=sk.Thresholds([0.25, 0.5, 0.75]))
    pf = sk.Portfolio.from_columns({"id": ["a"], "D-3 Login Rate": [0.63]})
    assert metric.columns == ("D-3 Login Rate",)
    assert metric.scores(pf).tolist() == [75.0]


def test_unicode_names_are_columns() -> None:
    metric = sk.Metric("ログイン率", scheme=LINEAR)
    assert metric.column == "ログイン率"


def test_expression_source_divides_with_zero_as_missing() -> None:
    metric = sk.Metric("activation", source="activated_users / seats", scheme=LINEAR)
    assert metric.column is None
    assert metric.columns == ("activated_users", "seats")
    pf = sk.Portfolio.from_columns(
        {"id": ["a", "b", "c"], "activated_users": [8, 5, None], "seats": [10, 0, 4]}
    )
    got = metric.scores(pf)
    assert got[0] == pytest.approx(80.0)
    assert np.isnan(got[1:]).all()
    assert metric.values(pf).to_list()[0] == pytest.approx(0.8)


def test_expression_errors() -> None:
    with pytest.raises(sk.ModelError, match="not a valid expression") as info:
        sk.Metric("x", source="a +", scheme=LINEAR)
    assert "metric 'x'" in str(info.value)
    with pytest.raises(sk.ModelError, match="backticks"):
        sk.Metric("D-3", source="D-3 Login Rate", scheme=LINEAR)
    with pytest.raises(sk.ModelError, match="reads a column, not an expression"):
        sk.Metric("t", source="a / b", scheme=sk.Categories({"x": 1}))
    metric = sk.Metric("r", source="a / seatz", scheme=LINEAR)
    pf = sk.Portfolio.from_columns({"id": ["a"], "a": [1], "seats": [2], "tier": ["x"]})
    with pytest.raises(sk.DataError, match="did you mean 'seats'") as data_error:
        metric.scores(pf)
    assert data_error.value.column == "seatz"
    with pytest.raises(sk.DataError, match="expected a number column"):
        sk.Metric("r", source="tier / a", scheme=LINEAR).scores(pf)


def test_a_column_only_tested_for_missing_may_be_any_kind() -> None:
    # `tier is missing` never reads the labels, so a category column will do; using the
    # labels as a number is still an error.
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "tier": ["high", None], "x": [1.0, 2.0]})
    flag = sk.Metric("no_tier", source="(tier is missing)", scheme=sk.Thresholds([0.5]))
    assert flag.scores(pf).tolist() == [50.0, 100.0]
    assert flag.kinds() == {}
    both = sk.Metric("m", source="(tier is missing) + x", scheme=LINEAR)
    assert both.kinds() == {"x": sk.Kind.NUMBER}
    with pytest.raises(sk.DataError, match="expected a number column"):
        sk.Metric("m", source="(tier is missing) + tier", scheme=LINEAR).scores(pf)


def test_column_of_the_wrong_kind_is_a_data_error() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a"], "tier": ["high"], "x": [1.0]})
    with pytest.raises(sk.DataError) as info:
        sk.Metric("tier", scheme=LINEAR).scores(pf)
    assert info.value.column == "tier"
    with pytest.raises(sk.DataError):
        sk.Metric("x", scheme=sk.Categories({"a": 1})).scores(pf)


def test_booleans_read_as_zero_and_one() -> None:
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "ok": [True, False]})
    assert sk.Metric("ok", scheme=sk.Thresholds([1])).scores(pf).tolist() == [100.0, 50.0]


class TestStaleness:
    def portfolio(self) -> sk.Portfolio:
        return sk.Portfolio.from_columns(
            {
                "id": ["fresh", "edge", "old", "undated", "future"],
                "nps": [9, 9, 9, 9, 9],
                "nps_at": ["2026-09-21", "2026-08-02", "2026-08-01", None, "2026-10-05"],
            },
            kinds={"nps_at": "date"},
            as_of="2026-10-01",
        )

    def test_values_older_than_max_age_or_undated_are_missing(self) -> None:
        metric = sk.Metric("nps", scheme=sk.Linear(0, 10), max_age="2mo")
        assert metric.max_age == 60
        assert metric.observed_at == "nps_at"
        assert metric.columns == ("nps", "nps_at")
        assert metric.kinds() == {"nps": sk.Kind.NUMBER, "nps_at": sk.Kind.DATE}
        got = metric.scores(self.portfolio())
        # 2026-08-02 is 60 days before 2026-10-01 (kept); 2026-08-01 is 61 (stale).
        assert got[[0, 1, 4]].tolist() == [90.0, 90.0, 90.0]
        assert np.isnan(got[[2, 3]]).all()

    def test_observed_at_names_another_date_column(self) -> None:
        pf = self.portfolio().with_columns(
            surveyed=[dt.date(2026, 9, 30)] * 5
        )
        metric = sk.Metric("nps", scheme=sk.Linear(0, 10), max_age=7, observed_at="surveyed")
        assert metric.scores(pf).tolist() == [90.0] * 5

    def test_errors(self) -> None:
        with pytest.raises(sk.ModelError, match="needs max_age"):
            sk.Metric("nps", scheme=LINEAR, observed_at="nps_at")
        with pytest.raises(sk.ModelError, match="not a duration"):
            sk.Metric("nps", scheme=LINEAR, max_age="soon")
        with pytest.raises(sk.ModelError, match="negative"):
            sk.Metric("nps", scheme=LINEAR, max_age=-3)
        metric = sk.Metric("nps", scheme=LINEAR, max_age="30d")
        with pytest.raises(sk.DataError, match="as_of"):
            metric.scores(self.portfolio().with_as_of(None))
        with pytest.raises(sk.DataError, match="no such column"):
            metric.scores(self.portfolio().without_columns("nps_at"))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("",), {"scheme": LINEAR}, "non-empty text"),
        ((None,), {"scheme": LINEAR}, "non-empty text"),
        (("x",), {"scheme": "linear"}, "scheme must be"),
        (("x",), {"scheme": LINEAR, "weight": -1}, "negative"),
        (("x",), {"scheme": LINEAR, "weight": float("nan")}, "finite"),
        (("x",), {"scheme": LINEAR, "weight": "1"}, "must be a number"),
        (("x",), {"scheme": LINEAR, "group": ""}, "group must be non-empty"),
        (("x",), {"scheme": LINEAR, "label": 3}, "label must be non-empty"),
        (("x",), {"scheme": LINEAR, "source": "  "}, "source must be non-empty"),
    ],
)
def test_invalid_metrics(args: tuple[object, ...], kwargs: dict[str, object],
                         message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Metric(*args, **kwargs)  # type: ignore[arg-type]


def test_errors_name_the_metric() -> None:
    with pytest.raises(sk.ModelError) as info:
        sk.Metric("login_rate", scheme=LINEAR, weight=-1)
    assert info.value.where == "metric 'login_rate'"


@given(schemes)
def test_metrics_round_trip_through_json(scheme: sk.Scheme) -> None:
    metric = sk.Metric("m", source="`m col`", scheme=scheme, weight=2.5, group="g",
                       label="M", max_age="3mo")
    again = sk.Metric.from_dict(json.loads(json.dumps(metric.to_dict())))
    assert again == metric


def test_from_dict_errors() -> None:
    good = sk.Metric("x", scheme=LINEAR).to_dict()
    with pytest.raises(sk.ModelError, match="version"):
        sk.Metric.from_dict({**good, "version": 2})
    with pytest.raises(sk.ModelError, match="type"):
        sk.Metric.from_dict({**good, "type": "health"})
    with pytest.raises(sk.ModelError, match="missing key 'scheme'"):
        sk.Metric.from_dict({k: v for k, v in good.items() if k != "scheme"})
    with pytest.raises(sk.ModelError, match="missing key 'name'"):
        sk.Metric.from_dict({k: v for k, v in good.items() if k != "name"})
