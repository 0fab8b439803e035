"""HealthResult: explain, what-if, headroom, summary and output formats."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import successkit as sk


def model() -> sk.HealthModel:
    return sk.HealthModel(
        [
            sk.Metric("login_rate", scheme=sk.Linear(0, 1), weight=3, group="deployment"),
            sk.Metric("activation", scheme=sk.Thresholds([0.25, 0.5, 0.75]), weight=1,
                      group="deployment", label="licence activation"),
            sk.Metric("touch", scheme=sk.Categories({"bad": 1, "good": 2}), group="engagement"),
            sk.Metric("nps", scheme=sk.Linear(0, 10), group="roi", max_age="90d"),
        ],
        groups={"deployment": 2, "engagement": 1, "roi": 1},
    )


def portfolio() -> sk.Portfolio:
    return sk.Portfolio.from_columns(
        {
            "id": ["acme", "globex", "initech"],
            "login_rate": [0.5, 0.9, None],
            "activation": [0.3, 0.8, 0.1],
            "touch": ["good", "great", "bad"],
            "nps": [8, 6, 2],
            "nps_at": ["2026-09-01", "2026-03-01", "2026-09-15"],
            "arr": [100.0, 300.0, None],
        },
        kinds={"nps_at": "date"},
        as_of="2026-10-01",
    )


@pytest.fixture
def result() -> sk.HealthResult:
    return model().score(portfolio())


def test_scores_by_hand(result: sk.HealthResult) -> None:
    # acme: deployment (3·50 + 50)/4 = 50, engagement 100, roi 80 → (2·50 + 100 + 80)/4 = 70
    # globex: touch unknown, nps stale → deployment (3·90 + 100)/4 = 92.5 only; coverage 0.5
    # initech: deployment 25 (login missing), engagement 50, roi 20 → (50 + 50 + 20)/4 = 30
    assert result.score.tolist() == [70.0, 92.5, 30.0]
    assert result.coverage.tolist() == [1.0, 0.5, 0.625]
    assert result.band.tolist() == ["green", "green", "red"]
    assert result.as_of is not None
    assert result.as_of.isoformat() == "2026-10-01"
    assert len(result) == 3


def test_explain_contributions_add_up_to_the_score(result: sk.HealthResult) -> None:
    explanation = result.explain("acme")
    assert [m.metric for m in explanation.metrics] == ["touch", "nps", "login_rate",
                                                      "activation"]
    total = sum(m.contribution for m in explanation.metrics)
    assert total == pytest.approx(70.0)
    assert sum(m.weight_share for m in explanation.metrics) == pytest.approx(1.0)
    login = next(m for m in explanation.metrics if m.metric == "login_rate")
    assert (login.value, login.score, login.weight_share, login.contribution) == (
        0.5, 50.0, 0.375, 18.75
    )
    assert login.lost == 18.75
    activation = next(m for m in explanation.metrics if m.metric == "activation")
    assert (activation.label, activation.points, activation.max_points) == (
        "licence activation", 2.0, 4.0
    )


def test_explain_reports_why_a_metric_is_missing(result: sk.HealthResult) -> None:
    explanation = result.explain("globex")
    status = {m.metric: m.status for m in explanation.metrics}
    assert status == {"login_rate": "ok", "activation": "ok", "touch": "unknown",
                      "nps": "stale"}
    assert [m.metric for m in explanation.metrics][-2:] == ["touch", "nps"]
    assert result.explain("initech").metrics[-1].status == "missing"
    assert explanation.reasons() == [
        "login_rate = 0.9 scores 90 (−7.5 points)", "touch is unknown", "nps is stale"
    ]


def test_explain_text_and_formats(result: sk.HealthResult) -> None:
    explanation = result.explain("globex")
    text = str(explanation)
    assert text.splitlines()[0] == "globex: score 92.5 (green), coverage 50%, card 4.9 / 5"
    assert "stale" in text
    data = explanation.to_dict()
    json.dumps(data)
    assert data["metrics"][-1]["score"] is None
    assert data["metrics"][-1]["value"] == 6.0
    frame = explanation.to_frame()
    assert list(frame.index) == ["login_rate", "activation", "touch", "nps"]
    assert "<table" in explanation._repr_html_()


def test_headroom_is_exact_rescoring(result: sk.HealthResult) -> None:
    room = result.headroom("acme")
    assert list(room) == ["login_rate", "activation", "nps", "touch"]
    assert room == {"login_rate": 18.75, "activation": 6.25, "nps": 5.0, "touch": 0.0}
    # a missing metric's headroom includes its weight coming back: initech without login
    # (25 in deployment) → with login at 100: deployment (300 + 25)/4 = 81.25
    assert result.headroom("initech")["login_rate"] == pytest.approx(
        (2 * 81.25 + 50 + 20) / 4 - 30
    )


def test_headroom_of_an_unscored_account_is_missing() -> None:
    strict = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1)),
                             sk.Metric("y", scheme=sk.Linear(0, 1))], min_coverage=1)
    res = strict.score(sk.Portfolio.from_columns({"id": ["a"], "x": [0.5], "y": [None]}))
    assert all(math.isnan(v) for v in res.headroom("a").values())


def test_what_if_rescores_one_account(result: sk.HealthResult) -> None:
    changed = result.what_if("initech", login_rate=1.0, touch="good")
    assert changed.ids.tolist() == ["initech"]
    # deployment (300 + 25)/4 = 81.25, engagement 100, roi 20 → (162.5 + 120)/4
    assert changed.score.tolist() == [pytest.approx(70.625)]
    assert result.score[2] == 30.0  # the original result is unchanged
    assert result.what_if("globex", nps_at="2026-09-30").score.tolist() == [
        pytest.approx((2 * 92.5 + 60) / 3)
    ]


def test_what_if_errors(result: sk.HealthResult) -> None:
    with pytest.raises(sk.DataError, match="does not read") as info:
        result.what_if("acme", seats=3)
    assert info.value.column == "seats"
    with pytest.raises(sk.DataError, match="non-numeric"):
        result.what_if("acme", login_rate="high")
    with pytest.raises(sk.DataError, match="did you mean 'acme'"):
        result.what_if("acm", login_rate=1)


def test_what_if_with_percentiles_ranks_against_the_same_population() -> None:
    ranked = sk.HealthModel([sk.Metric("x", scheme=sk.Percentile())])
    pf = sk.Portfolio.from_columns({"id": ["a", "b", "c", "d"], "x": [1, 2, 3, 4]})
    res = ranked.score(pf)
    assert res.score.tolist() == [12.5, 37.5, 62.5, 87.5]
    assert res.what_if("a", x=10).score.tolist() == [87.5]


def test_summary_counts_accounts_and_arr_per_band(result: sk.HealthResult) -> None:
    summary = result.summary()
    assert summary.bands == ("red", "yellow", "green")
    assert summary.accounts == (1, 0, 2)
    assert summary.arr == (0.0, 0.0, 400.0)  # initech's ARR is missing
    assert summary.total_accounts == 3
    assert summary.total_arr == 400.0
    assert str(summary).splitlines()[0].split() == ["band", "accounts", "share", "arr",
                                                    "arr", "share"]
    assert result.summary(arr=None).arr is None
    assert json.dumps(summary.to_dict())
    assert list(summary.to_frame().columns) == ["accounts", "arr"]
    assert "background-color: #f4cccc" in summary._repr_html_()


def test_summary_counts_missing_scores() -> None:
    strict = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
    res = strict.score(sk.Portfolio.from_columns({"id": ["a", "b"], "x": [None, 0.1]}))
    summary = res.summary()
    assert summary.bands == ("red", "yellow", "green", "missing")
    assert summary.accounts == (1, 0, 0, 1)
    assert summary.arr is None
    assert summary.mean_score == pytest.approx(10.0)


def test_to_dict_is_plain_json(result: sk.HealthResult) -> None:
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["ids"] == ["acme", "globex", "initech"]
    assert data["band"] == ["green", "green", "red"]
    assert data["metrics"]["login_rate"][2] is None
    assert data["groups"]["roi"][1] is None
    assert data["fingerprint"] == model().fingerprint
    assert data["notes"] == [
        "metric 'touch': categories ['great'] are not in the scheme and score as missing"
    ]


def test_to_frame(result: sk.HealthResult) -> None:
    df = result.to_frame()
    assert list(df.index) == ["acme", "globex", "initech"]
    assert list(df.columns) == ["score", "band", "coverage", "points", "max_points",
                                "deployment", "engagement", "roi", "login_rate",
                                "activation", "touch", "nps"]
    assert list(df["band"].cat.categories) == ["red", "yellow", "green"]
    assert df["band"].tolist() == ["green", "green", "red"]


def test_frame_columns_never_collide() -> None:
    odd = sk.HealthModel([sk.Metric("points", scheme=sk.Linear(0, 1))])
    res = odd.score(sk.Portfolio.from_columns({"id": ["a"], "points": [0.5]}))
    assert "metric:points" in res.to_frame().columns


def test_html_uses_band_colours_and_escapes(result: sk.HealthResult) -> None:
    html = result._repr_html_()
    assert "background-color: #d9ead3" in html  # green
    assert "background-color: #f4cccc" in html  # red
    assert "<td>acme</td>" in html
    assert "HealthResult(3 accounts" in repr(result)


def test_take_and_index(result: sk.HealthResult) -> None:
    part = result.take([2, 0])
    assert part.ids.tolist() == ["initech", "acme"]
    assert part.score.tolist() == [30.0, 70.0]
    assert part.explain("acme").score == 70.0
    assert result.take(np.array([True, False, False])).ids.tolist() == ["acme"]
    assert result.index("globex") == 1


def test_results_are_immutable_and_compare_by_value(result: sk.HealthResult) -> None:
    assert not result.score.flags.writeable
    assert not result.band.flags.writeable
    assert not result.group_scores["roi"].flags.writeable
    with pytest.raises(TypeError):
        result.group_scores["roi"] = result.score  # type: ignore[index]
    assert result == model().score(portfolio())


def test_results_without_model_cannot_explain(result: sk.HealthResult) -> None:
    import attrs

    bare = attrs.evolve(result, model=None, portfolio=None)
    with pytest.raises(sk.DataError, match="does not keep"):
        bare.explain("acme")
    with pytest.raises(sk.DataError, match="does not keep"):
        bare.what_if("acme", nps=1)
    with pytest.raises(sk.DataError, match="portfolio"):
        bare.rollup()
