"""Special values of a Thresholds scheme: exact values with points of their own, everywhere
a card goes (scores, JSON, SQL, the card view, stability, reason codes)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.outcomes.test_card_export import json_again, sql_scores

import successkit as sk
from successkit.outcomes import card_sql, reason_codes, stability
from successkit.scoring.schemes import scheme_from_dict

NAN = float("nan")

# Small grids so that cuts, special values and drawn values often coincide.
grid = st.one_of(st.integers(-12, 12).map(float),
                 st.floats(-12, 12, allow_nan=False, allow_infinity=False))


def reference(cuts: list[float], by_value: list[float], special: dict[float, float],
              value: float) -> float:
    """Points of one value, by hand: special first, else the band (cuts ≤ value)."""
    if math.isnan(value):
        return NAN
    if value in special:
        return special[value]
    return by_value[sum(cut <= value for cut in cuts)]


@st.composite
def special_schemes(draw: st.DrawFn) -> tuple[sk.Thresholds, list[float], list[float],
                                              dict[float, float]]:
    """A scheme with its cuts, its points in value order and its special values."""
    drawn_cuts = draw(st.lists(grid, max_size=5, unique=True))
    n_special = draw(st.integers(0, 3))
    cuts = sorted(set(drawn_cuts))
    if not cuts and n_special == 0:
        cuts = [draw(grid)]
    codes = st.one_of(st.sampled_from(cuts), grid) if cuts else grid
    special = draw(st.dictionaries(codes, st.one_of(st.integers(0, 20).map(float),
                                                    st.floats(0, 50)),
                                   min_size=n_special, max_size=n_special))
    special = {float(v): p for v, p in special.items()}
    bands = len(cuts) + 1
    shape = draw(st.sampled_from(["monotone", "monotone", "middle_is_best", "middle_is_worst"]))
    raw = draw(st.lists(st.integers(0, 10).map(float), min_size=bands, max_size=bands))
    higher = True
    if shape == "monotone":
        points = sorted(raw)
        higher = draw(st.booleans())
    else:
        turn = draw(st.integers(0, bands))
        rising, falling = sorted(raw[:turn]), sorted(raw[turn:], reverse=True)
        if shape == "middle_is_worst":
            rising, falling = sorted(raw[:turn], reverse=True), sorted(raw[turn:])
        points = rising + falling
    if max([*points, *special.values()]) <= 0:
        points = [1.0] * bands  # flat: valid for every shape
    scheme = sk.Thresholds(cuts, points=points, higher_is_better=higher, shape=shape,
                           special=special)
    by_value = points if higher else points[::-1]
    return scheme, cuts, by_value, special


@given(drawn=special_schemes(), data=st.data())
def test_points_match_a_plain_python_reference(drawn, data) -> None:
    scheme, cuts, by_value, special = drawn
    pool = [st.just(NAN), grid, st.floats(-1e6, 1e6)]
    if special:
        pool.append(st.sampled_from(sorted(special)))
    if cuts:
        pool.append(st.sampled_from(cuts))
    values = data.draw(st.lists(st.one_of(*pool), max_size=40))
    got = scheme.to_points(sk.Column.number(values))
    expected = [reference(cuts, by_value, special, v) for v in values]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, equal_nan=True)
    scores = scheme.scores(sk.Column.number(values))
    np.testing.assert_allclose(scores, np.array(expected) * 100 / scheme.max_points,
                               rtol=1e-12, atol=1e-9, equal_nan=True)
    assert scheme.special == tuple(sorted(special.items()))
    assert scheme.max_points == max([*by_value, *special.values()])


def test_points_into_an_out_array_and_with_many_cuts_too() -> None:
    cuts = [float(c) for c in range(20)]  # more cuts than the comparison-counting path takes
    scheme = sk.Thresholds(cuts, special={5: 0, 7.5: 30, -3: 2})
    values = [-4, -3, 0, 5, 5.5, 7.5, 19, 25, NAN]
    expected = [1, 2, 2, 0, 7, 30, 21, 21, NAN]
    np.testing.assert_allclose(scheme.to_points(sk.Column.number(values)), expected,
                               equal_nan=True)
    out = np.zeros(len(values))
    returned = scheme.scores(sk.Column.number(values), out=out)
    np.testing.assert_allclose(out, np.array(expected) * 100 / 30, equal_nan=True)
    assert returned is out


def test_a_middle_is_best_scheme_with_special_values() -> None:
    scheme = sk.Thresholds([1, 6], points=[2, 10, 0], shape="middle_is_best",
                           special={3: 1, 6: 4, -1: 10})
    got = scheme.to_points(sk.Column.number([0, 1, 3, 3.5, 6, 6.5, -1, NAN]))
    np.testing.assert_allclose(got, [2, 10, 1, 10, 4, 0, 10, NAN], equal_nan=True)
    assert scheme.max_points == 10


def test_lower_is_better_special_values_keep_their_own_points() -> None:
    scheme = sk.Thresholds([2, 5], points=[0, 1, 3], higher_is_better=False,
                           special={0: 0, 5: 2})
    got = scheme.to_points(sk.Column.number([0, 1, 2, 5, 6]))
    assert got.tolist() == [0.0, 3.0, 1.0, 2.0, 0.0]


def test_empty_cuts_with_special_values_is_one_band_for_every_other_value() -> None:
    scheme = sk.Thresholds([], points=[2], special={-1: 5, 0: 0})
    got = scheme.to_points(sk.Column.number([-1, 0, 3, -7, NAN]))
    np.testing.assert_allclose(got, [5, 0, 2, 2, NAN], equal_nan=True)
    assert sk.Thresholds([], special={9: 3}).points == (1.0,)
    assert "any value" in scheme.describe()


@given(drawn=special_schemes())
def test_scheme_dict_survives_json(drawn) -> None:
    scheme, _, _, special = drawn
    data = json.loads(json.dumps(scheme.to_dict()))
    again = scheme_from_dict(data)
    assert again == scheme
    assert again.special == scheme.special
    if special:
        assert data["special"] == [[v, p] for v, p in sorted(special.items())]
    else:
        assert "special" not in data


def test_special_values_are_sorted_pairs_whatever_order_they_come_in() -> None:
    first = sk.Thresholds([7, 9], points=[0, 5, 10], special={8: 12, -1: 3})
    second = sk.Thresholds([7, 9], points=[0, 5, 10], special=[[-1, 3], [8, 12]])
    assert first.special == ((-1.0, 3.0), (8.0, 12.0))
    assert first == second
    assert first.to_dict()["special"] == [[-1.0, 3.0], [8.0, 12.0]]
    assert first != sk.Thresholds([7, 9], points=[0, 5, 10], special={8: 12, -1: 4})


def test_health_model_round_trip_keeps_special_values_and_fingerprint() -> None:
    model = sk.HealthModel([
        sk.Metric("nps", scheme=sk.Thresholds([7, 9], points=[0, 5, 10], special={-1: 3})),
        sk.Metric("months", scheme=sk.Thresholds([], points=[4], special={0: 0})),
        sk.Metric("plan", scheme=sk.Categories({"basic": 0, "pro": 2})),
    ], missing="zero")
    again = json_again(model)
    assert again == model
    assert again.fingerprint == model.fingerprint
    assert again.metric("nps").scheme.special == ((-1.0, 3.0),)
    assert again.to_dict() == model.to_dict()
    # The special values are part of the model: another special value, another model.
    other = sk.HealthModel([
        sk.Metric("nps", scheme=sk.Thresholds([7, 9], points=[0, 5, 10], special={-1: 4})),
        *model.metrics[1:],
    ], missing="zero")
    assert other.fingerprint != model.fingerprint


def test_a_model_without_special_values_writes_no_special_key() -> None:
    model = sk.HealthModel([
        sk.Metric("nps", scheme=sk.Thresholds([7, 9], points=[0, 5, 10])),
        sk.Metric("tickets", scheme=sk.Thresholds([2], higher_is_better=False, special={})),
    ])
    for metric in model.to_dict()["metrics"]:
        assert "special" not in metric["scheme"]
    assert model.metric("nps").scheme.to_dict() == {
        "type": "thresholds", "cuts": [7.0, 9.0], "points": [0.0, 5.0, 10.0],
        "higher_is_better": True}
    assert json_again(model).fingerprint == model.fingerprint


@settings(max_examples=30)
@given(seed=st.integers(0, 10_000), higher=st.booleans())
def test_sql_in_sqlite_scores_special_values_like_the_model(seed: int, higher: bool) -> None:
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.choice(np.arange(-5, 10), 3, replace=False)).astype(float)
    points = np.sort(rng.integers(0, 6, 4)).astype(float)
    codes = [float(cuts[1]), -1.0, 2.5]  # a code on a cut, one below them, one between
    special = {code: float(rng.integers(0, 12)) for code in codes}
    model = sk.HealthModel([
        sk.Metric("x", scheme=sk.Thresholds(cuts, points=points, higher_is_better=higher,
                                           special=special), weight=2.0),
        sk.Metric("months", scheme=sk.Thresholds([], points=[3], special={0: 0, -9: 7})),
        sk.Metric("plan", scheme=sk.Categories({"a": 1, "b": 4})),
    ], missing="zero", min_coverage=0)
    n = 60
    x = rng.integers(-7, 12, n).astype(float)
    coded = rng.random(n) < 0.3
    x[coded] = rng.choice(codes, int(coded.sum()))
    x[rng.random(n) < 0.15] = np.nan
    months = rng.choice([0.0, -9.0, 5.0, 12.0, np.nan], n)
    pf = sk.Portfolio.from_columns({
        "id": [f"r{i}" for i in range(n)], "x": x, "months": months,
        "plan": rng.choice(["a", "b"], n),
    })
    got = sql_scores(model, pf)
    values = np.array([np.nan if got[str(i)] is None else got[str(i)] for i in pf.ids])
    np.testing.assert_allclose(values, model.score(pf).score, atol=1e-9, equal_nan=True)


def test_sql_tests_special_values_before_the_cuts() -> None:
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds(
        [7, 9], points=[0, 5, 10], special={8: 12, -1: 3}))], missing="zero")
    sql = card_sql(model)
    first_special = sql.index('WHEN "x" = -1.0 THEN 3.0')
    assert sql.index('WHEN "x" = 8.0 THEN 12.0') > first_special
    assert sql.index('WHEN "x" < 7.0') > sql.index('WHEN "x" = 8.0')
    assert sql.index('WHEN "x" IS NULL') < first_special
    pf = sk.Portfolio.from_columns({"id": list("abcdef"), "x": [-1, 8, 8.5, None, 10, 0]})
    got = sql_scores(model, pf)
    assert [got[i] for i in "abcef"] == pytest.approx([25.0, 100.0, 5 / 12 * 100, 10 / 12 * 100,
                                                       0.0])


def test_card_view_shows_one_row_per_special_value() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    nps = rng.integers(0, 11, n).astype(float)
    nps[rng.random(n) < 0.2] = -1.0
    nps[rng.random(n) < 0.05] = np.nan
    churned = rng.random(n) < np.where(nps == -1, 0.5, np.where(nps == 8, 0.05, 0.2))
    model = sk.HealthModel([sk.Metric("nps", scheme=sk.Thresholds(
        [7, 9], points=[0, 5, 10], special={8: 12, -1: 3}))], missing="zero")
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "nps": nps})
    view = model.card(pf, churned)
    rows = [r for r in view.rows if r.metric == "nps"]
    assert [r.band for r in rows] == ["< 7", "7 – 9", "≥ 9", "= -1", "= 8", "missing"]
    assert [r.points for r in rows] == [0.0, 5.0, 10.0, 3.0, 12.0, 0.0]
    assert [(r.low, r.high) for r in rows[3:5]] == [(-1.0, -1.0), (8.0, 8.0)]
    assert view.total_points == 12
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    for row in rows[3:5]:
        exact = nps == row.low
        assert row.share == pytest.approx(exact.mean())
        assert row.churn_rate == pytest.approx(churned[exact].mean())
    # The band 7 – 9 holds 7 and 7.x but no longer the special value 8.
    between = (nps >= 7) & (nps < 9) & (nps != 8)
    assert rows[1].share == pytest.approx(between.mean())
    assert rows[1].churn_rate == pytest.approx(churned[between].mean())
    below = (nps < 7) & (nps != -1)
    assert rows[0].churn_rate == pytest.approx(churned[below].mean())
    assert rows[-1].share == pytest.approx(np.isnan(nps).mean())
    text = str(view)
    assert "= -1" in text
    assert "= 8" in text
    table = view.to_rows()
    assert {"metric": "nps", "band": "= 8", "low": 8.0, "high": 8.0, "points": 12.0}.items() \
        <= table[4].items()


def test_card_view_of_empty_cuts_reads_any_other() -> None:
    model = sk.HealthModel([sk.Metric("months", scheme=sk.Thresholds(
        [], points=[4], special={0: 0, -9: 7}))], missing="zero")
    rows = model.card().rows
    assert [(r.band, r.low, r.high, r.points) for r in rows] == [
        ("any other", None, None, 4.0), ("= -9", -9.0, -9.0, 7.0), ("= 0", 0.0, 0.0, 0.0),
        ("missing", None, None, 0.0)]
    pf = sk.Portfolio.from_columns({"id": list("abcde"), "months": [0, 0, -9, 5, 3]})
    with_data = {r.band: r for r in model.card(pf, [True, False, True, False, False]).rows}
    assert set(with_data) == {"any other", "= -9", "= 0"}  # nobody missing: no missing row
    assert with_data["= 0"].share == pytest.approx(0.4)
    assert with_data["= 0"].churn_rate == pytest.approx(0.5)
    assert with_data["= -9"].churn_rate == 1.0
    assert with_data["any other"].share == pytest.approx(0.4)
    assert with_data["any other"].churn_rate == 0.0


def test_a_special_value_is_a_band_of_its_own_for_stability() -> None:
    def model(special: dict[float, float]) -> sk.HealthModel:
        return sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds(
            [3], points=[0, 5], special=special))], missing="zero")

    ids = [f"a{i}" for i in range(100)]
    base = sk.Portfolio.from_columns({"id": ids, "x": [1.0] * 50 + [5.0] * 50})
    # Half of the upper band moves to 4: the same band by the cuts.
    moved = sk.Portfolio.from_columns({"id": ids, "x": [1.0] * 50 + [5.0] * 25 + [4.0] * 25})
    plain = stability(model({}), base, moved)
    assert dict(plain.metrics)["x"] == 0
    coded = stability(model({4: 5}), base, moved)
    assert dict(coded.metrics)["x"] > 0.25
    assert "x" in coded.alerts
    assert dict(stability(model({4: 5}), base, base).metrics)["x"] == 0
    # Empty cuts: the special value and every other value are two bands.
    lone = sk.HealthModel([sk.Metric("x", scheme=sk.Thresholds(
        [], special={4: 2}))], missing="zero")
    assert dict(stability(lone, base, moved).metrics)["x"] > 0.25


def test_max_points_counts_special_points_above_the_best_band() -> None:
    scheme = sk.Thresholds([1], points=[0, 4], special={-1: 10, 2: 1})
    assert scheme.max_points == 10
    assert scheme.scores(sk.Column.number([-1, 0, 1, 2])).tolist() == [100.0, 0.0, 40.0, 10.0]
    model = sk.HealthModel([sk.Metric("x", scheme=scheme)], missing="zero")
    pf = sk.Portfolio.from_columns({"id": list("abc"), "x": [-1, 5, 2]})
    assert model.score(pf).score.tolist() == pytest.approx([100.0, 40.0, 10.0])
    assert model.card().total_points == 10
    codes = reason_codes(model, pf)
    assert codes.of("a") == []  # the special value earns the most: nothing lost
    assert codes.of("b") == [("x", pytest.approx(6.0))]
    assert codes.of("c") == [("x", pytest.approx(9.0))]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cuts": [5], "special": [(1, 2), (1.0, 3)]}, "lists a value twice"),
        ({"cuts": [5], "special": [[0.0, 1], [-0.0, 2]]}, "lists a value twice"),
        ({"cuts": [5], "special": {1: -1}}, "special points must not be negative"),
        ({"cuts": [5], "special": {NAN: 1}}, "special value must be finite"),
        ({"cuts": [5], "special": {float("inf"): 1}}, "special value must be finite"),
        ({"cuts": [5], "special": {float("-inf"): 1}}, "special value must be finite"),
        ({"cuts": [5], "special": {True: 1}}, "special value must be a number"),
        ({"cuts": [5], "special": {"-1": 1}}, "special value must be a number"),
        ({"cuts": [5], "special": {1: float("inf")}}, "points of special value 1 must be finite"),
        ({"cuts": [5], "special": {1: "3"}}, "points of special value 1 must be a number"),
        ({"cuts": [5], "special": [1, 2]}, "mapping of value"),
        ({"cuts": [], "special": {}}, "at least one cut"),
        ({"cuts": [], "special": None}, "at least one cut"),
        ({"cuts": [], "points": [0], "special": {1: 0}}, "more than 0"),
    ],
)
def test_invalid_special_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(sk.ModelError, match=message):
        sk.Thresholds(**kwargs)  # type: ignore[arg-type]


def test_invalid_special_values_read_from_a_dict() -> None:
    data = sk.Thresholds([5], special={1: 2}).to_dict()
    with pytest.raises(sk.ModelError, match="lists a value twice"):
        scheme_from_dict({**data, "special": [[1, 2], [1, 3]]})
    with pytest.raises(sk.ModelError, match="special value must be a number"):
        scheme_from_dict({**data, "special": {"1": 2}})  # JSON keys are text
    with pytest.raises(sk.ModelError, match="must not be negative"):
        scheme_from_dict({**data, "special": [[1, -2]]})
    with pytest.raises(sk.ModelError, match="at least one cut"):
        scheme_from_dict({**data, "cuts": [], "special": []})


def test_duplicate_special_value_as_a_tuple_of_pairs_is_refused() -> None:
    with pytest.raises(sk.ModelError, match="lists a value twice"):
        sk.Thresholds([5], special=((1.0, 2.0), (1.0, 3.0)))


def test_bands_of_orders_value_bands_special_values_then_missing() -> None:
    scheme = sk.Thresholds([7, 9], special={-1: 2, 99: 1})
    values = np.array([-1.0, 3.0, 7.0, 9.5, 99.0, np.nan])
    assert scheme.bands_of(values).tolist() == [3, 0, 1, 2, 4, 5]
    with pytest.raises(sk.DataError, match="reads numbers"):
        scheme.bands_of(["high"])


def test_subnormal_points_score_without_overflow() -> None:
    # 100 / 5e-324 overflows to inf, and inf × 0 is NaN: the points are divided first.
    pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [0.0, 1.0], "c": ["p", "q"]})
    special = sk.Thresholds([], points=[0.0], higher_is_better=False, special={0.0: 5e-324})
    levels = sk.Categories({"p": 5e-324, "q": 0.0})
    for metric in (sk.Metric("x", scheme=special), sk.Metric("c", scheme=levels)):
        assert sk.HealthModel([metric]).score(pf).score.tolist() == [100.0, 0.0]
