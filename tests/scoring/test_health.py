"""HealthModel: the two-level weighting, missing data, hysteresis and the invariants."""

from __future__ import annotations

import contextlib
import json
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.strategies import health_models, permutation, scored_portfolios

import successkit as sk

QUARTILES = [0.25, 0.5, 0.75]


def sansan_model() -> sk.HealthModel:
    """Seed 003: Sansan's DEAR card, ten measures with four colours each (cuts documented in
    docs/health.md)."""
    rate = sk.Thresholds(QUARTILES)
    return sk.HealthModel([
        sk.Metric("D-1", scheme=rate, group="deployment", label="Contract account rate"),
        sk.Metric("D-2", scheme=rate, group="deployment", label="Activated account rate"),
        sk.Metric("D-3", scheme=rate, group="deployment", label="Login rate"),
        sk.Metric("D-4", scheme=rate, group="deployment", label="Bizcard scanning rate"),
        sk.Metric("E-1", scheme=sk.Thresholds([0.5, 1.0, 2.0]), group="engagement",
                  label="Touch score"),
        sk.Metric("E-2", scheme=sk.Categories({"bad": 1, "fair": 2, "good": 3,
                                                "excellent": 4}),
                  group="engagement", label="Keyman touch"),
        sk.Metric("A-1", scheme=rate, group="adoption", label="WMA"),
        sk.Metric("A-2", scheme=sk.Thresholds([100, 500, 1000]), group="adoption",
                  label="Bizcards held"),
        sk.Metric("A-3", scheme=rate, group="adoption"),
        sk.Metric("R-1", scheme=rate, group="roi", label="Achievement rate"),
    ])


SANSAN = {"D-1": 0.32, "D-2": 0.89, "D-3": 0.63, "D-4": 0.35, "E-1": 0.3, "E-2": "good",
          "A-1": 0.78, "A-2": 245, "A-3": 0.43, "R-1": 0.50}


def test_sansan_card_reads_26_of_40() -> None:
    result = sansan_model().score(sk.Account("sansan-customer", SANSAN))
    assert result.points.tolist() == [26.0]
    assert result.max_points.tolist() == [40.0]
    # equal weights: the score is the card as a percentage
    assert result.score.tolist() == [65.0]
    assert result.band.tolist() == ["yellow"]
    assert result.coverage.tolist() == [1.0]
    assert {g: v[0] for g, v in result.group_scores.items()} == {
        "deployment": 68.75, "engagement": 50.0, "adoption": pytest.approx(200 / 3), "roi": 75.0
    }
    points = {m: v[0] / 25 for m, v in result.metric_scores.items()}
    assert points == {"D-1": 2, "D-2": 4, "D-3": 3, "D-4": 2, "E-1": 1, "E-2": 3,
                      "A-1": 4, "A-2": 2, "A-3": 2, "R-1": 3}


def two_groups(**kwargs: object) -> sk.HealthModel:
    return sk.HealthModel(
        [
            sk.Metric("x", scheme=sk.Linear(0, 100), weight=1, group="A"),
            sk.Metric("y", scheme=sk.Linear(0, 100), weight=3, group="A"),
            sk.Metric("z", scheme=sk.Linear(0, 100), weight=1, group="B"),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


def frame(**columns: list[float | None]) -> sk.Portfolio:
    n = len(next(iter(columns.values())))
    return sk.Portfolio.from_columns(
        {"id": [f"a{i}" for i in range(n)], **columns}, kinds=dict.fromkeys(columns, "number")
    )


class TestRenormalisation:
    def test_missing_metric_weight_spreads_over_its_group(self) -> None:
        result = two_groups().score(frame(x=[None, 0], y=[50, 100], z=[100, 50]))
        # a0: A = y = 50 (x missing), B = 100; A weighs 4, B 1 → (4·50 + 100) / 5 = 60
        # a1: A = (0 + 3·100) / 4 = 75 → (4·75 + 50) / 5 = 70
        assert result.score.tolist() == [60.0, 70.0]
        assert result.group_scores["A"].tolist() == [50.0, 75.0]
        assert result.coverage.tolist() == [0.8, 1.0]
        assert result.points.tolist() == [1.5, 1.5]
        assert result.max_points.tolist() == [2.0, 3.0]

    def test_group_with_nothing_present_drops_out(self) -> None:
        data = frame(x=[None], y=[None], z=[80])
        assert math.isnan(two_groups().score(data).score[0])  # coverage 0.2 < 0.5
        result = two_groups(min_coverage=0.2).score(data)  # equal to the minimum: scored
        assert result.score.tolist() == [80.0]
        assert math.isnan(result.group_scores["A"][0])
        assert result.coverage.tolist() == [pytest.approx(0.2)]
        assert result.band.tolist() == ["green"]

    def test_explicit_group_weights(self) -> None:
        model = two_groups(groups={"A": 1, "B": 1})
        result = model.score(frame(x=[0, None], y=[100, 100], z=[50, 50]))
        # A = (0 + 300) / 4 = 75, B = 50 → 62.5; x carries 1/2 · 1/4 of the weight
        assert result.score.tolist() == [62.5, 75.0]
        assert result.coverage.tolist() == [1.0, 0.875]

    def test_ungrouped_metrics_stand_on_their_own(self) -> None:
        model = sk.HealthModel([
            sk.Metric("x", scheme=sk.Linear(0, 100), weight=2),
            sk.Metric("y", scheme=sk.Linear(0, 100), weight=1, group="G"),
            sk.Metric("z", scheme=sk.Linear(0, 100), weight=1, group="G"),
        ])
        result = model.score(frame(x=[90, None], y=[30, 30], z=[None, 60]))
        assert result.score.tolist() == [60.0, 45.0]  # (2·90 + 2·30)/4; x missing → G only
        assert list(result.group_scores) == ["G"]

    def test_zero_weight_metrics_count_for_nothing(self) -> None:
        model = sk.HealthModel([
            sk.Metric("x", scheme=sk.Linear(0, 100), weight=0, group="G"),
            sk.Metric("y", scheme=sk.Linear(0, 100), weight=1, group="G"),
            sk.Metric("z", scheme=sk.Linear(0, 100), weight=1),
        ], min_coverage=0)
        result = model.score(frame(x=[0, 10], y=[50, None], z=[70, 70]))
        assert result.score.tolist() == [60.0, 70.0]  # G missing for a1 despite x present
        assert math.isnan(result.group_scores["G"][1])


class TestMissingModes:
    def test_zero_scores_missing_metrics_as_zero(self) -> None:
        result = two_groups(missing="zero").score(frame(x=[None], y=[50], z=[100]))
        # A = (0 + 150) / 4 = 37.5 → (4·37.5 + 100) / 5 = 50; coverage stays honest
        assert result.score.tolist() == [50.0]
        assert result.coverage.tolist() == [0.8]
        assert result.max_points.tolist() == [3.0]

    def test_zero_mode_still_respects_min_coverage(self) -> None:
        result = two_groups(missing="zero").score(frame(x=[None], y=[None], z=[100]))
        assert math.isnan(result.score[0])

    def test_fail_raises_naming_metric_and_account(self) -> None:
        with pytest.raises(sk.DataError, match="metric 'y' has no value") as info:
            two_groups(missing="fail").score(frame(x=[1, 2], y=[50, None], z=[1, 1]))
        assert info.value.column == "y"
        assert info.value.account == "a1"
        assert two_groups(missing="fail").score(frame(x=[1], y=[2], z=[3])).score[0] > 0


class TestHysteresis:
    def model(self) -> sk.HealthModel:
        return sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))],
                              bands=sk.Bands(hysteresis=5))

    def test_band_sticks_until_the_edge_is_crossed_by_the_margin(self) -> None:
        model = self.model()
        bands = []
        previous = None
        for value in [72, 68, 64, 73, 75, 36, 34.9]:
            previous = model.score(frame(x=[value]), previous=previous)
            bands.append(previous.band[0])
        assert bands == ["green", "green", "yellow", "yellow", "green", "yellow", "red"]

    def test_previous_is_aligned_by_account_id(self) -> None:
        model = self.model()
        before = model.score(sk.Portfolio.from_columns({"id": ["b", "a"], "x": [30, 72]}))
        now = model.score(
            sk.Portfolio.from_columns({"id": ["a", "new", "b"], "x": [68, 68, 42]}),
            previous=before,
        )
        assert now.band.tolist() == ["green", "yellow", "red"]

    def test_score_history_chains_hysteresis(self) -> None:
        model = self.model()
        history = sk.History([
            sk.Portfolio.from_columns({"id": ["a"], "x": [x]}, as_of=f"2026-0{m}-01")
            for m, x in zip(range(1, 5), [72, 68, 66, 64], strict=True)
        ])
        results = model.score_history(history)
        assert [r.band[0] for r in results] == ["green", "green", "green", "yellow"]
        assert [r.as_of.month for r in results] == [1, 2, 3, 4]  # type: ignore[union-attr]
        with pytest.raises(sk.DataError, match="History"):
            model.score_history([history.latest])  # type: ignore[arg-type]

    def test_previous_must_be_a_health_result(self) -> None:
        with pytest.raises(sk.DataError, match="previous"):
            self.model().score(frame(x=[1]), previous="green")  # type: ignore[arg-type]

    def test_empty_previous_is_no_history(self) -> None:
        model = self.model()
        empty = model.score(frame(x=[1]).take([]))
        assert model.score(frame(x=[68]), previous=empty).band.tolist() == ["yellow"]


def test_account_path_with_missing_and_absent_values() -> None:
    model = two_groups()
    result = model.score(sk.Account("acme", {"x": None, "y": 50, "z": 100}))
    assert result.ids.tolist() == ["acme"]
    assert result.score.tolist() == [60.0]
    assert model.score(sk.Account("acme", {"y": 50, "z": 100})).score.tolist() == [60.0]
    with pytest.raises(sk.DataError, match="Portfolio or an Account"):
        model.score({"x": 1})  # type: ignore[arg-type]


def test_unknown_categories_score_missing_and_are_reported() -> None:
    model = sk.HealthModel([
        sk.Metric("touch", scheme=sk.Categories({"bad": 1, "good": 2})),
        sk.Metric("x", scheme=sk.Linear(0, 1)),
    ])
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "touch": ["good", "great"], "x": [1, 1]})
    result = model.score(pf)
    assert result.metric_scores["touch"].tolist()[0] == 100.0
    assert math.isnan(result.metric_scores["touch"][1])
    assert result.notes == (
        "metric 'touch': categories ['great'] are not in the scheme and score as missing",
    )


def test_rule_schema_matches_rule_columns() -> None:
    model = sansan_model()
    result = model.score(sk.Account("c", SANSAN))
    columns = result.rule_columns()
    assert list(columns) == list(model.rule_schema())
    assert {k: c.kind for k, c in columns.items()} == dict(model.rule_schema())
    assert list(columns)[:7] == ["score", "band", "coverage", "deployment", "engagement",
                                 "adoption", "roi"]
    band = columns["band"]
    assert band.categories == ("green", "red", "yellow")  # sorted, as Column requires
    assert band.to_list() == ["yellow"]
    assert band.code_of("yellow") == 2


def test_rule_columns_band_is_missing_where_the_score_is() -> None:
    result = two_groups().score(frame(x=[None, 90], y=[None, 90], z=[50, 90]))
    assert result.rule_columns()["band"].to_list() == [None, "green"]
    assert result.rule_columns()["score"].missing.tolist() == [True, False]


def test_metric_matrix_is_what_the_model_combines() -> None:
    model = two_groups()
    names, matrix = model.metric_matrix(frame(x=[None, 10], y=[20, 30], z=[40, 50]))
    assert names == ("x", "y", "z")
    assert matrix.shape == (2, 3)
    assert np.isnan(matrix[0, 0])
    assert matrix[1].tolist() == [10, 30, 50]
    assert not matrix.flags.writeable


def test_with_weights_replaces_metric_and_group_weights() -> None:
    model = two_groups()
    heavier = model.with_weights({"z": 4})
    assert [m.weight for m in heavier.metrics] == [1, 3, 4]
    assert heavier.groups is None
    grouped = model.with_weights(groups={"B": 8})
    assert grouped.groups == (("A", 4.0), ("B", 8.0))
    assert grouped.fingerprint != model.fingerprint
    with pytest.raises(sk.ModelError, match="no metric 'w'"):
        model.with_weights({"w": 1})
    with pytest.raises(sk.ModelError, match="no groups"):
        model.with_weights(groups={"C": 1})
    with pytest.raises(sk.ModelError, match="negative"):
        model.with_weights({"x": -1})


def test_fingerprint_is_stable_and_stamped_on_results() -> None:
    model = sansan_model()
    again = sk.HealthModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert again.fingerprint == model.fingerprint
    assert len(model.fingerprint) == 16
    assert model.score(sk.Account("c", SANSAN)).fingerprint == model.fingerprint
    assert two_groups().fingerprint != two_groups(min_coverage=0.4).fingerprint


@pytest.mark.parametrize("zero", [0.0, 0, np.float64(0.0), np.int64(0)])
def test_minus_zero_is_zero_in_equal_models(zero: object) -> None:
    # -0.0 == 0.0, but JSON writes "-0.0": a cut learnt as either would change the
    # fingerprint of an equal model, and print as "-0" on the card.
    def model(cut: object) -> sk.HealthModel:
        return sk.HealthModel([sk.Metric("growth", scheme=sk.Thresholds([cut, 0.1]))])

    signed, plain = model(-0.0), model(zero)
    assert signed == plain
    assert signed.fingerprint == plain.fingerprint
    assert signed.to_dict() == plain.to_dict()
    assert "-0" not in json.dumps(signed.to_dict())
    assert "-0" not in str(signed.card())


def test_columns_and_kinds() -> None:
    model = sansan_model()
    assert model.columns[:2] == ("D-1", "D-2")
    assert model.kinds()["E-2"] is sk.Kind.CATEGORY
    assert not model.population_dependent
    assert sk.HealthModel([sk.Metric("p", scheme=sk.Percentile())]).population_dependent
    with pytest.raises(sk.ModelError, match="did you mean 'D-1'"):
        model.metric("D1")


def test_dear_preset_scores_the_sample_portfolio() -> None:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(300, months=3, seed=2)
    model = sk.HealthModel.dear()
    result = model.score(sample.portfolio)
    assert model.group_names == ("deployment", "engagement", "adoption", "roi")
    assert set(model.columns) <= set(sample.portfolio.columns)
    assert not np.isnan(result.score).any()
    assert result.notes == ()


# -- invariants -------------------------------------------------------------------------------


@given(st.data())
def test_scores_in_range_and_consistent(data: st.DataObject) -> None:
    model = data.draw(health_models())
    pf = data.draw(scored_portfolios(model))
    result = model.score(pf)
    score = result.score
    present = ~np.isnan(score)
    assert ((score[present] >= 0) & (score[present] <= 100 + 1e-9)).all()
    assert ((result.coverage >= 0) & (result.coverage <= 1 + 1e-12)).all()
    assert (result.coverage[present] >= model.min_coverage - 1e-9).all()
    assert (result.points <= result.max_points + 1e-9).all()
    assert (np.equal(result.band, None) == ~present).all()
    for values in (*result.group_scores.values(), *result.metric_scores.values()):
        ok = ~np.isnan(values)
        assert ((values[ok] >= 0) & (values[ok] <= 100 + 1e-9)).all()


@given(st.data())
def test_batch_equals_single_account(data: st.DataObject) -> None:
    model = data.draw(health_models(percentile=False))
    pf = data.draw(scored_portfolios(model, max_size=6))
    batch = model.score(pf)
    for row, account in enumerate(pf):
        single = model.score(account)
        assert single.ids.tolist() == [account.id]
        np.testing.assert_array_equal(single.score, batch.score[row : row + 1])
        np.testing.assert_array_equal(single.coverage, batch.coverage[row : row + 1])
        np.testing.assert_array_equal(single.metric_matrix, batch.metric_matrix[row : row + 1])
        assert single.band.tolist() == batch.band[row : row + 1].tolist()


@given(st.data())
def test_permuting_accounts_permutes_results(data: st.DataObject) -> None:
    model = data.draw(health_models())
    pf = data.draw(scored_portfolios(model))
    order = permutation(data.draw, len(pf))
    before = model.score(pf)
    after = model.score(pf.take(order))
    assert after.ids.tolist() == before.ids[order].tolist()
    np.testing.assert_array_equal(after.score, before.score[order])
    np.testing.assert_array_equal(after.group_matrix, before.group_matrix[order])
    assert after.band.tolist() == before.band[order].tolist()


@given(st.data())
def test_improving_a_metric_never_lowers_the_score(data: st.DataObject) -> None:
    model = data.draw(health_models(categories=False, percentile=False))
    pf = data.draw(scored_portfolios(model, max_size=5))
    metric = data.draw(st.sampled_from(model.metrics))
    scheme = metric.scheme
    up = scheme.low < scheme.high if isinstance(scheme, sk.Linear) else scheme.higher_is_better  # type: ignore[attr-defined]
    step = data.draw(st.floats(0, 1e6))
    values = pf.column(metric.source).values
    assume(not np.isnan(values).all())
    better = values + (step if up else -step)
    before = model.score(pf)
    after = model.score(pf.with_columns({metric.source: better}))
    ok = ~np.isnan(before.score)
    assert (after.score[ok] >= before.score[ok] - 1e-9).all()
    assert (np.isnan(after.score) == np.isnan(before.score)).all()
    for name, values_before in before.group_scores.items():
        known = ~np.isnan(values_before)
        assert (after.group_scores[name][known] >= values_before[known] - 1e-9).all()


@given(health_models(modes=("renormalize", "zero", "fail")))
def test_every_model_round_trips_through_json(model: sk.HealthModel) -> None:
    text = json.dumps(model.to_dict())
    again = sk.HealthModel.from_dict(json.loads(text))
    assert again == model
    assert again.fingerprint == model.fingerprint
    assert again.to_dict()["version"] == 1


# -- errors -----------------------------------------------------------------------------------

LIN = sk.Linear(0, 1)


@pytest.mark.parametrize(
    ("metrics", "kwargs", "message"),
    [
        ([], {}, "at least one metric"),
        (sk.Metric("x", scheme=LIN), {}, "sequence of Metric"),
        (["x"], {}, "must be Metric objects"),
        ([sk.Metric("x", scheme=LIN), sk.Metric("x", scheme=LIN)], {}, "duplicate metric name"),
        ([sk.Metric("x", scheme=LIN, weight=0)], {}, "all metric weights are 0"),
        ([sk.Metric("x", scheme=LIN, group="A")], {"groups": {"A": 1, "B": 2}},
         r"groups \['B'\] have no metrics"),
        ([sk.Metric("x", scheme=LIN, group="A")], {"groups": {"B": 1}},
         r"groups \['B'\] have no metrics"),
        ([sk.Metric("x", scheme=LIN, group="A"), sk.Metric("y", scheme=LIN, group="C")],
         {"groups": {"A": 1}}, r"groups \['C'\] have no weight"),
        ([sk.Metric("x", scheme=LIN, group="A")], {"groups": {"A": -1}}, "negative"),
        ([sk.Metric("x", scheme=LIN, group="A")], {"groups": {"A": 0}},
         "all group weights are 0"),
        ([sk.Metric("x", scheme=LIN, group="A")], {"groups": ["A"]}, "mapping"),
        ([sk.Metric("x", scheme=LIN, group="A", weight=0), sk.Metric("y", scheme=LIN)],
         {"groups": {"A": 1}}, "every metric of the group has weight 0"),
        ([sk.Metric("score", scheme=LIN)], {}, "'score' is reserved"),
        ([sk.Metric("x", scheme=LIN, group="band")], {}, "'band' is reserved"),
        ([sk.Metric("coverage", scheme=LIN)], {}, "'coverage' is reserved"),
        ([sk.Metric("roi", scheme=LIN, group="roi")], {}, "share a name"),
        ([sk.Metric("x", scheme=LIN, group="y"), sk.Metric("y", scheme=LIN)], {},
         "share a name"),
        ([sk.Metric("x", scheme=LIN)], {"missing": "ignore"}, "missing must be one of"),
        ([sk.Metric("x", scheme=LIN)], {"min_coverage": 1.5}, r"\[0, 1\]"),
        ([sk.Metric("x", scheme=LIN)], {"min_coverage": "half"}, "must be a number"),
        ([sk.Metric("x", scheme=LIN)], {"bands": {"red": 0}}, "bands must be a Bands"),
    ],
)
def test_model_errors(metrics: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.HealthModel(metrics, **kwargs)  # type: ignore[arg-type]


def test_a_group_may_hold_a_zero_weight_metric_when_its_weight_is_zero() -> None:
    model = sk.HealthModel(
        [sk.Metric("x", scheme=LIN, group="A", weight=0), sk.Metric("y", scheme=LIN,
                                                                     group="B")],
        groups={"A": 0, "B": 1},
    )
    assert model.group_names == ("A", "B")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 0}, "version"),
        ({"type": "segmented"}, "type"),
        ({"metrics": "x"}, "metrics must be a list"),
        ({"metrics": [{"type": "metric", "version": 1}]}, "missing key 'name'"),
        ({"missing": "skip"}, "missing must be one of"),
        ({"bands": {"bounds": {"red": 5}}}, "start at 0"),
    ],
)
def test_model_from_dict_errors(change: dict[str, object], message: str) -> None:
    data = {**two_groups().to_dict(), **change}
    with pytest.raises(sk.ModelError, match=message):
        sk.HealthModel.from_dict(data)


def test_model_from_dict_needs_metrics_and_a_dict() -> None:
    with pytest.raises(sk.ModelError, match="missing key 'metrics'"):
        sk.HealthModel.from_dict({"type": "health", "version": 1})
    with pytest.raises(sk.ModelError, match="expected a dict"):
        sk.HealthModel.from_dict([])  # type: ignore[arg-type]


# -- robustness -------------------------------------------------------------------------------

_json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
              st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _replace(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: _replace(v, rest, value) if k == head else v for k, v in data.items()}
    assert isinstance(data, list)
    return [_replace(v, rest, value) if i == head else v for i, v in enumerate(data)]


@given(st.data())
def test_corrupted_model_dicts_raise_only_model_errors(data: st.DataObject) -> None:
    model = data.draw(health_models(max_metrics=3))
    original = json.loads(json.dumps(model.to_dict()))
    path = data.draw(st.sampled_from(_paths(original)))
    corrupted = _replace(original, path, data.draw(_json_values))
    with contextlib.suppress(sk.ModelError):  # anything else escaping fails the test
        sk.HealthModel.from_dict(corrupted)  # type: ignore[arg-type]


def test_models_and_results_pickle() -> None:
    import pickle

    model = sansan_model()
    result = model.score(sk.Account("c", SANSAN))
    assert pickle.loads(pickle.dumps(model)) == model
    assert pickle.loads(pickle.dumps(result)) == result


def test_an_empty_portfolio_scores_to_an_empty_result() -> None:
    result = two_groups().score(frame(x=[1.0], y=[1.0], z=[1.0]).take([]))
    assert len(result) == 0
    assert result.summary().accounts == (0, 0, 0)
    assert result.to_dict()["score"] == []
