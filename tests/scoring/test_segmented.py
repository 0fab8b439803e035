"""SegmentedModel: one model per segment, in one call."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import health_models, permutation

import successkit as sk


def strict() -> sk.HealthModel:
    return sk.HealthModel(
        [sk.Metric("login_rate", scheme=sk.Linear(0.25, 0.75), group="deployment"),
         sk.Metric("nps", scheme=sk.Linear(0, 10), group="roi")]
    )


def loose() -> sk.HealthModel:
    return sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 0.5)),
                           sk.Metric("seminars", scheme=sk.Thresholds([1, 3]))])


def portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns({
        "id": ["a", "b", "c", "d"],
        "tier": ["high", "tech", "low", None],
        "login_rate": [0.5, 0.5, 0.5, 0.5],
        "nps": [8, 8, 8, 8],
        "seminars": [0, 3, 1, 1],
    })


def test_each_account_is_scored_by_its_segment_model() -> None:
    model = sk.SegmentedModel("tier", {"high": strict(), "tech": loose()})
    result = model.score(portfolio())
    # a: (50 + 80)/2 = 65; b: (100 + 100)/2 = 100; c, d: no model → missing
    assert result.score[:2].tolist() == [65.0, 100.0]
    assert np.isnan(result.score[2:]).all()
    assert result.band.tolist() == ["yellow", "green", None, None]
    assert np.isnan(result.coverage[2:]).all()
    assert result.metric_names == ("login_rate", "nps", "seminars")
    assert result.group_names == ("deployment", "roi")
    assert math.isnan(result.metric_scores["seminars"][0])
    assert math.isnan(result.metric_scores["nps"][1])
    assert result.metric_scores["seminars"][1] == 100.0
    assert result.fingerprint == model.fingerprint


def test_default_model_scores_the_rest_including_missing_segments() -> None:
    model = sk.SegmentedModel("tier", {"high": strict()}, default=loose())
    result = model.score(portfolio())
    # b, c, d by the loose model: login 100; seminars 3 → 3/3 points, 1 → 2/3 points
    assert result.score.tolist() == pytest.approx([65.0, 100.0, 250 / 3, 250 / 3])


def test_batch_equals_single_account() -> None:
    model = sk.SegmentedModel("tier", {"high": strict(), "tech": loose()}, default=loose())
    pf = portfolio()
    batch = model.score(pf)
    for row, account in enumerate(pf):
        single = model.score(account)
        np.testing.assert_array_equal(single.score, batch.score[row : row + 1])
        np.testing.assert_array_equal(single.metric_matrix, batch.metric_matrix[row : row + 1])


def test_explain_and_what_if_use_the_segment_model() -> None:
    model = sk.SegmentedModel("tier", {"high": strict(), "tech": loose()})
    result = model.score(portfolio())
    assert [m.metric for m in result.explain("b").metrics] == ["login_rate", "seminars"]
    assert result.what_if("a", tier="tech").score.tolist() == [pytest.approx(100 * 2 / 3)]
    with pytest.raises(sk.DataError, match="no model scores"):
        result.explain("c")
    assert result.rule_columns()["seminars"].to_list()[1] == 100.0


def test_hysteresis_per_segment() -> None:
    sticky = sk.Bands(hysteresis=5)
    a = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))], bands=sticky)
    model = sk.SegmentedModel("tier", {"high": a, "low": a})
    first = model.score(sk.Portfolio.from_columns(
        {"id": ["p", "q"], "tier": ["high", "low"], "x": [72, 30]}))
    second = model.score(sk.Portfolio.from_columns(
        {"id": ["q", "p"], "tier": ["low", "high"], "x": [42, 68]}), previous=first)
    assert second.band.tolist() == ["red", "green"]


def test_hysteresis_follows_an_account_into_another_segment() -> None:
    sticky = sk.Bands(hysteresis=5)
    high = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))], bands=sticky)
    rest = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 200))], bands=sticky)
    model = sk.SegmentedModel("tier", {"high": high}, default=rest)
    first = model.score(sk.Portfolio.from_columns(
        {"id": ["p", "q"], "tier": ["high", "high"], "x": [72, 50]}))
    second = model.score(sk.Portfolio.from_columns(
        {"id": ["q", "p"], "tier": ["high", None], "x": [50, 136]}), previous=first)
    # p now scores 68 under the default model: within the margin, so it stays green.
    assert second.score.tolist() == [50.0, 68.0]
    assert second.band.tolist() == ["yellow", "green"]


def test_previous_must_be_a_health_result_even_when_nothing_is_scored() -> None:
    model = sk.SegmentedModel("tier", {"high": strict()})
    for pf in (portfolio(), portfolio().take([])):
        with pytest.raises(sk.DataError, match="previous"):
            model.score(pf, previous="green")  # type: ignore[arg-type]


def test_rule_schema_is_the_union() -> None:
    model = sk.SegmentedModel("tier", {"high": strict(), "tech": loose()})
    assert list(model.rule_schema()) == ["score", "band", "coverage", "deployment", "roi",
                                         "login_rate", "nps", "seminars"]
    assert model.columns == ("tier", "login_rate", "nps", "seminars")
    assert model.kinds()["tier"] is sk.Kind.CATEGORY


def test_missing_columns_and_segment_column() -> None:
    model = sk.SegmentedModel("tier", {"high": strict()})
    with pytest.raises(sk.DataError, match="no such column") as info:
        model.score(portfolio().without_columns("nps"))
    assert info.value.column == "nps"
    with pytest.raises(sk.DataError) as info:
        model.score(portfolio().without_columns("tier"))
    assert info.value.column == "tier"


def test_round_trip_and_fingerprint() -> None:
    model = sk.SegmentedModel("tier", {"high": strict(), "tech": loose()}, default=loose())
    again = sk.SegmentedModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again == model
    assert again.fingerprint == model.fingerprint


@given(st.data())
def test_segments_permute_and_round_trip(data: st.DataObject) -> None:
    bands = sk.Bands()
    first = data.draw(health_models(percentile=False, categories=False))
    second = data.draw(health_models(percentile=False, categories=False))
    import attrs

    model = sk.SegmentedModel("tier", {"high": attrs.evolve(first, bands=bands)},
                              default=attrs.evolve(second, bands=bands))
    assert sk.SegmentedModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model
    n = data.draw(st.integers(1, 8))
    columns: dict[str, object] = {"id": [f"a{i}" for i in range(n)],
                                  "tier": data.draw(st.lists(
                                      st.sampled_from(["high", "low", None]),
                                      min_size=n, max_size=n))}
    for metric in (*first.metrics, *second.metrics):
        columns[metric.source] = data.draw(st.lists(
            st.one_of(st.none(), st.floats(-10, 10)), min_size=n, max_size=n))
    pf = sk.Portfolio.from_columns(columns, kinds=dict.fromkeys(columns.keys() - {"id", "tier"},
                                                                "number"))
    order = permutation(data.draw, n)
    before = model.score(pf)
    after = model.score(pf.take(order))
    np.testing.assert_array_equal(after.score, before.score[order])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("tier", {}), {}, "at least one segment model"),
        (("tier", {"high": "model"}), {}, "must be a HealthModel"),
        (("tier", [strict()]), {}, "mapping"),
        (("", {"high": strict()}), {}, "non-empty text"),
        (("tier", {"high": strict()}), {"default": "x"}, "default must be a HealthModel"),
        (("tier", {"high": strict(),
                   "low": sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))],
                                         bands=sk.Bands({"bad": 0, "ok": 50}))}), {},
         "same bands"),
        (("tier", {"high": strict(),
                   "low": sk.HealthModel([sk.Metric("nps", scheme=sk.Categories({"a": 1}))])}),
         {}, "read as number by one segment model and as category"),
        (("tier", {"high": strict(),
                   "low": sk.HealthModel([sk.Metric("roi", scheme=sk.Linear(0, 1))])}),
         {}, "group in one segment model and a metric in another"),
    ],
)
def test_invalid(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.SegmentedModel(*args, **kwargs)  # type: ignore[arg-type]


def test_from_dict_errors() -> None:
    good = sk.SegmentedModel("tier", {"high": strict()}).to_dict()
    with pytest.raises(sk.ModelError, match="type"):
        sk.SegmentedModel.from_dict({**good, "type": "health"})
    with pytest.raises(sk.ModelError, match="models must be a mapping"):
        sk.SegmentedModel.from_dict({**good, "models": []})
    with pytest.raises(sk.ModelError, match="missing key 'by'"):
        sk.SegmentedModel.from_dict({k: v for k, v in good.items() if k != "by"})
