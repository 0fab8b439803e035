"""evaluate() and ValidationReport: exact AUC, bootstrap, tables, misses, probabilities."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import arr_amounts, scored_outcomes
from successkit.outcomes.auc import (
    _positions,
    _resample_counts,
    bootstrap_auc,
    counts_auc,
    roc_auc,
    weighted_auc,
)

metrics = pytest.importorskip("sklearn.metrics")


# -- AUC ------------------------------------------------------------------------------------


@given(scored_outcomes())
def test_auc_equals_scikit_learn_with_ties(data: tuple[np.ndarray, np.ndarray]) -> None:
    scores, churned = data
    expected = metrics.roc_auc_score(churned, -scores)
    assert abs(roc_auc(scores, churned) - expected) < 1e-9
    report = sk.evaluate(scores, churned, n_boot=0)
    assert abs(report.auc - expected) < 1e-9


@given(scored_outcomes())
def test_auc_of_risks_equals_scikit_learn(data: tuple[np.ndarray, np.ndarray]) -> None:
    scores, churned = data
    report = sk.evaluate(scores, churned, higher_is_better=False, n_boot=0)
    assert abs(report.auc - metrics.roc_auc_score(churned, scores)) < 1e-9


@given(scored_outcomes(), st.data())
def test_arr_weighted_auc_equals_scikit_learn_with_sample_weight(
    data: tuple[np.ndarray, np.ndarray], more: st.DataObject
) -> None:
    scores, churned = data
    arr = np.asarray(more.draw(st.lists(arr_amounts, min_size=len(scores),
                                        max_size=len(scores))))
    arr[np.flatnonzero(churned)[0]] += 1.0  # both classes carry weight
    arr[np.flatnonzero(~churned)[0]] += 1.0
    expected = metrics.roc_auc_score(churned, -scores, sample_weight=arr)
    assert abs(weighted_auc(scores, churned, arr) - expected) < 1e-9


def test_auc_by_hand() -> None:
    # stayers 90, 80, 40; churners 40, 10: pairs (s > c) = 3 + 2 + 0.5 (tie) = 5.5 of 6
    scores = np.array([90.0, 80.0, 40.0, 40.0, 10.0])
    churned = np.array([False, False, False, True, True])
    assert roc_auc(scores, churned) == pytest.approx(5.5 / 6)
    assert np.isnan(roc_auc(scores, np.zeros(5, dtype=bool)))


@given(scored_outcomes(max_size=30), st.integers(0, 2**32 - 1))
def test_counts_auc_is_the_weighted_auc_of_a_resample(
    data: tuple[np.ndarray, np.ndarray], seed: int
) -> None:
    scores, churned = data
    risk = -scores
    below, upto, n1, n0 = _positions(risk, churned)
    rng = np.random.default_rng(seed)
    churner_counts = rng.integers(0, 3, size=(3, n1))
    stayer_counts = rng.integers(0, 3, size=(3, n0))
    churner_counts[:, 0] += 1
    stayer_counts[:, 0] += 1
    got = counts_auc(below, upto, churner_counts, stayer_counts)
    order = np.argsort(risk[~churned], kind="stable")
    for row in range(3):
        weight = np.zeros(len(scores))
        weight[np.flatnonzero(churned)] = churner_counts[row]
        weight[np.flatnonzero(~churned)[order]] = stayer_counts[row]
        expected = metrics.roc_auc_score(churned, risk, sample_weight=weight)
        assert abs(got[row] - expected) < 1e-9


def test_resampling_draws_n_items_per_replicate() -> None:
    counts = _resample_counts(np.random.default_rng(0), 7, 500)
    assert counts.shape == (500, 7)
    assert (counts.sum(axis=1) == 7).all()
    # Each item is drawn once per replicate on average.
    assert np.allclose(counts.mean(axis=0), 1.0, atol=0.15)


def _separated(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    churned = rng.random(n) < 0.2
    churned[:2] = [True, False]
    scores = np.round(rng.normal(60, 15, n) - 15 * churned)
    return scores, churned


def test_bootstrap_is_seeded_and_brackets_the_auc() -> None:
    scores, churned = _separated()
    first = sk.evaluate(scores, churned, n_boot=300, seed=7)
    again = sk.evaluate(scores, churned, n_boot=300, seed=7)
    other = sk.evaluate(scores, churned, n_boot=300, seed=8)
    assert (first.auc_low, first.auc_high) == (again.auc_low, again.auc_high)
    assert (first.auc_low, first.auc_high) != (other.auc_low, other.auc_high)
    assert first.auc_low < first.auc < first.auc_high
    narrow = sk.evaluate(scores, churned, n_boot=300, seed=7, confidence=0.5)
    assert first.auc_low < narrow.auc_low < narrow.auc_high < first.auc_high


def _rank_auc(scores: np.ndarray, churned: np.ndarray) -> float:
    """Mann–Whitney from average ranks (independent of the implementation under test)."""
    _, inverse, counts = np.unique(-scores, return_inverse=True, return_counts=True)
    average = np.cumsum(counts) - (counts - 1) / 2
    ranks = average[inverse.reshape(-1)]
    n1 = int(churned.sum())
    n0 = churned.size - n1
    return float((ranks[churned].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def test_bootstrap_spread_matches_a_naive_resampling_loop() -> None:
    scores, churned = _separated(200, seed=3)
    assert _rank_auc(scores, churned) == pytest.approx(
        metrics.roc_auc_score(churned, -scores), abs=1e-12
    )
    fast = bootstrap_auc(scores, churned, replicates=3000, seed=1)
    rng = np.random.default_rng(2)
    pos, neg = np.flatnonzero(churned), np.flatnonzero(~churned)
    slow = []
    for _ in range(3000):
        rows = np.concatenate([rng.choice(pos, pos.size), rng.choice(neg, neg.size)])
        slow.append(_rank_auc(scores[rows], churned[rows]))
    assert np.mean(fast) == pytest.approx(np.mean(slow), abs=0.004)
    assert np.std(fast) == pytest.approx(np.std(slow), rel=0.08)


def test_bootstrap_chunks_give_the_same_replicates(monkeypatch: pytest.MonkeyPatch) -> None:
    from successkit.outcomes import auc as module

    scores, churned = _separated(50)
    whole = bootstrap_auc(scores, churned, replicates=40, seed=5)
    assert whole.shape == (40,)
    assert np.isfinite(whole).all()
    monkeypatch.setattr(module, "_CHUNK_ELEMENTS", 60)  # one replicate per chunk
    chunked = bootstrap_auc(scores, churned, replicates=40, seed=5)
    assert chunked.shape == (40,)
    assert np.isfinite(chunked).all()


def test_no_bootstrap_gives_no_interval() -> None:
    report = sk.evaluate([10.0, 90.0], [True, False], n_boot=0)
    assert np.isnan(report.auc_low)
    assert np.isnan(report.auc_high)
    assert "CI" not in report.summary()


# -- deciles and lift -----------------------------------------------------------------------


def test_deciles_and_lift_by_hand() -> None:
    scores = np.arange(20, dtype=float)  # decile 1 = scores 0, 1
    churned = np.zeros(20, dtype=bool)
    churned[[0, 1, 5, 19]] = True
    report = sk.evaluate(scores, churned, n_boot=0, arr=np.full(20, 10.0))
    assert report.deciles.accounts.tolist() == [2.0] * 10
    assert report.deciles.churned.tolist() == [2, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert report.deciles.low.tolist()[:2] == [0.0, 2.0]
    assert report.deciles.high.tolist()[-1] == 19.0
    assert report.lift == pytest.approx(1.0 / 0.2)
    assert report.arr_lift == pytest.approx(5.0)
    assert report.deciles.arr_churn_rate is not None
    assert report.deciles.arr_churn_rate[0] == 1.0


def test_ties_are_shared_across_decile_edges() -> None:
    # 10 accounts: five tied at 0 (two churned), five distinct above (none churned).
    scores = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5], dtype=float)
    churned = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    report = sk.evaluate(scores, churned, bands=None, n_boot=0)
    table = report.deciles
    assert table.accounts.tolist() == [1.0] * 10
    assert table.churned[:5] == pytest.approx([0.4] * 5)  # expected under random tie-breaks
    assert table.churned[5:].tolist() == [0.0] * 5
    assert report.lift == pytest.approx(0.4 / 0.2)
    assert table.low[0] == table.high[0] == 0.0


def test_all_tied_scores_have_no_lift() -> None:
    report = sk.evaluate(np.full(30, 50.0), np.arange(30) % 3 == 0, n_boot=0)
    assert report.auc == 0.5
    assert report.lift == pytest.approx(1.0)
    assert report.deciles.churn_rate == pytest.approx(np.full(10, 1 / 3))


@given(scored_outcomes(min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_report_is_invariant_to_account_order(
    data: tuple[np.ndarray, np.ndarray], random: object
) -> None:
    scores, churned = data
    order = np.arange(len(scores))
    random.shuffle(order)  # type: ignore[attr-defined]
    arr = np.linspace(1, 2, len(scores))
    a = sk.evaluate(scores, churned, arr=arr, bands=sk.Bands(), n_boot=0)
    b = sk.evaluate(scores[order], churned[order], arr=arr[order], bands=sk.Bands(), n_boot=0)
    assert a.auc == pytest.approx(b.auc, abs=1e-12)
    assert np.allclose(a.deciles.churned, b.deciles.churned)
    assert np.allclose(a.deciles.arr, b.deciles.arr)
    assert a.bands is not None
    assert b.bands is not None
    assert a.bands.labels == b.bands.labels
    assert a.bands.churned.tolist() == b.bands.churned.tolist()
    assert np.allclose(a.bands.arr, b.bands.arr)
    assert a.green_before_churn == b.green_before_churn


@given(scored_outcomes(min_size=2, max_size=80))
def test_deciles_keep_every_account_and_churner(data: tuple[np.ndarray, np.ndarray]) -> None:
    scores, churned = data
    report = sk.evaluate(scores, churned, n_boot=0)
    assert report.deciles.accounts.sum() == pytest.approx(len(scores))
    assert report.deciles.churned.sum() == pytest.approx(churned.sum())
    assert np.allclose(report.deciles.accounts, len(scores) / 10)
    assert (report.deciles.churned <= report.deciles.accounts + 1e-9).all()
    lows = report.deciles.low
    assert (np.diff(lows) >= 0).all()  # riskiest (lowest scores) first


# -- bands and misses -----------------------------------------------------------------------

SCORES = np.array([92.0, 85, 77, 71, 64, 58, 45, 38, 30, 22, np.nan])
CHURNED = [False, False, False, True, False, False, False, True, True, False, True]
ARR = np.array([100.0, 100, 100, 400, 100, 100, 100, 50, 50, 300, 999])


def test_bands_and_misses_by_hand() -> None:
    report = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), arr=ARR, n_boot=0)
    bands = report.bands
    assert bands is not None
    assert bands.labels == ("red", "yellow", "green")
    assert bands.accounts.tolist() == [3, 3, 4]
    assert bands.churned.tolist() == [2, 0, 1]
    assert bands.low.tolist() == [22, 45, 71]
    assert bands.high.tolist() == [38, 64, 92]
    assert bands.arr is not None
    assert bands.arr.tolist() == [400, 300, 700]
    assert report.green_before_churn == 1  # the 71 that churned
    assert report.green_before_churn_share == pytest.approx(1 / 3)
    assert report.red_that_stayed == 1  # the 22 that stayed
    assert report.red_that_stayed_share == pytest.approx(1 / 3)
    assert report.green_before_churn_arr_share == pytest.approx(400 / 500)
    assert report.red_that_stayed_arr_share == pytest.approx(300 / 400)
    assert report.missing == 1
    assert report.accounts == 10


def test_band_labels_are_ordered_by_score() -> None:
    labels = ["hi", "hi", "hi", "hi", "mid", "mid", "mid", "lo", "lo", "lo", None]
    report = sk.evaluate(SCORES, CHURNED, bands=labels, n_boot=0)
    assert report.bands is not None
    assert report.bands.labels == ("lo", "mid", "hi")
    assert report.green_before_churn == 1
    assert report.red_that_stayed == 1


def test_an_empty_band_has_no_rate() -> None:
    report = sk.evaluate([10.0, 20.0, 90.0], [True, False, False], bands=sk.Bands(), n_boot=0)
    assert report.bands is not None
    assert report.bands.accounts.tolist() == [2, 0, 1]
    assert np.isnan(report.bands.churn_rate[1])
    assert report.bands.to_dict()["churn_rate"] == [0.5, None, 0.0]


def test_without_bands_there_are_no_misses() -> None:
    report = sk.evaluate(SCORES, CHURNED, n_boot=0)
    assert report.bands is None
    assert np.isnan(report.green_before_churn_share)
    with pytest.raises(sk.DataError, match="no bands table"):
        report.table("bands")


# -- health results -------------------------------------------------------------------------


def _health_result() -> tuple[sk.HealthResult, np.ndarray]:
    from successkit.datasets import make_portfolio

    sample = make_portfolio(400, months=1, seed=5)
    model = sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Linear(0.1, 0.9)),
        sk.Metric("nps", scheme=sk.Linear(0, 10)),
        sk.Metric("feature_x_usage", scheme=sk.Percentile()),
    ])
    return model.score(sample.portfolio), sample.churned


def test_a_health_result_brings_bands_metrics_and_fingerprint() -> None:
    result, churned = _health_result()
    report = sk.evaluate(result, churned, n_boot=0)
    assert report.fingerprint == result.fingerprint
    assert report.bands is not None
    assert report.bands.labels == result.bands.labels
    assert set(report.metric_auc) == {"login_rate", "nps", "feature_x_usage"}
    for name, values in result.metric_scores.items():
        present = ~np.isnan(values) & ~np.isnan(result.score)
        expected = metrics.roc_auc_score(churned[present], -values[present])
        assert report.metric_auc[name] == pytest.approx(expected, abs=1e-9)
    assert report.metric_auc["login_rate"] > 0.6
    assert "Metric AUC: login_rate" in report.summary()
    assert report.table("metrics")["metric"] == list(report.metric_auc)


def test_explicit_bands_override_the_results() -> None:
    result, churned = _health_result()
    report = sk.evaluate(result, churned, bands=sk.Bands({"low": 0, "high": 50}), n_boot=0)
    assert report.bands is not None
    assert report.bands.labels == ("low", "high")


# -- probabilities --------------------------------------------------------------------------


def test_brier_score_and_reliability_by_hand() -> None:
    scores = [90.0, 70, 50, 30]
    churned = [False, False, True, True]
    p = [0.05, 0.15, 0.55, 0.95]
    report = sk.evaluate(scores, churned, probability=p, n_boot=0)
    assert report.brier == pytest.approx((0.05**2 + 0.15**2 + 0.45**2 + 0.05**2) / 4)
    table = report.reliability
    assert table is not None
    assert table.predicted is not None
    assert table.accounts.tolist() == [1, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    assert table.predicted[0] == pytest.approx(0.05)
    assert np.isnan(table.predicted[2])
    assert table.churn_rate[5] == 1.0
    assert table.low[3] == 0.3
    assert table.high[9] == 1.0
    assert "Brier score 0.0575" in report.summary()


def test_a_missing_probability_leaves_the_account_out() -> None:
    report = sk.evaluate([90.0, 70, 50, 30], [False, False, True, True],
                         probability=[0.1, np.nan, 0.5, 0.9], n_boot=0)
    assert report.accounts == 3
    assert report.missing == 1


# -- output ---------------------------------------------------------------------------------


def test_to_dict_is_plain_json() -> None:
    report = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), arr=ARR, probability=np.full(11, 0.3),
                         n_boot=50)
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["accounts"] == 10
    assert data["missing"] == 1
    assert data["bands"]["band"] == ["red", "yellow", "green"]
    assert data["reliability"]["accounts"][3] == 10
    assert data["auc_low"] <= data["auc"] <= data["auc_high"]


def test_to_dict_without_extras_uses_none() -> None:
    data = sk.evaluate([80.0, 20], [False, True], n_boot=0).to_dict()
    assert data["bands"] is None
    assert data["reliability"] is None
    assert data["arr"] is None
    assert data["brier"] is None
    assert data["metric_auc"] == {}


def test_to_frame_gives_each_table() -> None:
    pytest.importorskip("pandas")
    report = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), arr=ARR, probability=np.full(11, 0.3),
                         n_boot=0)
    deciles = report.to_frame()
    assert deciles.index.name == "decile"
    assert len(deciles) == 10
    assert {"accounts", "churned", "churn_rate", "arr_churn_rate"} <= set(deciles.columns)
    assert report.to_frame("bands").loc["red", "churned"] == 2
    assert report.to_frame("reliability").index.name == "probability"
    assert len(report.to_frame("metrics")) == 0
    with pytest.raises(sk.DataError, match="no table 'lift'"):
        report.to_frame("lift")


def test_repr_and_html() -> None:
    report = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), n_boot=20)
    assert repr(report).startswith("ValidationReport(accounts=10, churned=3, auc=0.714 [")
    html = report._repr_html_()
    assert "<table" in html
    assert "AUC" in html
    assert "green before churn" in html
    assert "churn per band" in html


def test_summary_names_bands_and_misses() -> None:
    text = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), arr=ARR, n_boot=0).summary()
    assert text.splitlines()[0] == (
        "10 accounts evaluated (1 without a score left out); 3 churned (30.0%)"
    )
    assert "Bands: red 3 (66.7% churned), yellow 3 (0.0% churned), green 4 (25.0% churned)" in text
    assert "1 of 3 churned accounts were green (33.3%)" in text
    assert "ARR-weighted AUC" in text


# -- plots ----------------------------------------------------------------------------------


@pytest.fixture
def pyplot() -> object:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_lift_and_calibration(pyplot: object) -> None:
    report = sk.evaluate(SCORES, CHURNED, bands=sk.Bands(), probability=np.linspace(0, 1, 11),
                         n_boot=0)
    ax = report.plot_lift()
    assert len(ax.patches) == 10
    assert "lift" in ax.get_title()
    assert len(report.plot_lift(by="bands").patches) == 3
    ax = report.plot_calibration()
    assert ax.get_xlabel() == "predicted churn probability"


def test_plot_errors(pyplot: object) -> None:
    report = sk.evaluate(SCORES, CHURNED, n_boot=0)
    with pytest.raises(sk.DataError, match="no probabilities"):
        report.plot_calibration()
    with pytest.raises(sk.DataError, match="no bands"):
        report.plot_lift(by="bands")
    with pytest.raises(sk.DataError, match="by must be"):
        report.plot_lift(by="months")


# -- errors ---------------------------------------------------------------------------------


def test_single_class_outcomes_are_a_model_error() -> None:
    with pytest.raises(sk.ModelError, match="all 3 evaluated accounts stayed"):
        sk.evaluate([1.0, 2.0, 3.0], [False, False, False])
    with pytest.raises(sk.ModelError, match="churned"):
        # the only stayer has no score, so every evaluated account churned
        sk.evaluate([1.0, 2.0, np.nan], [True, True, False])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": [1.0, 2.0], "churned": [True]}, "churned has 1 values but there are 2"),
        ({"scores": [1.0, 2.0], "churned": [True, 2]}, "must be true/false or 0/1, got 2"),
        ({"scores": [1.0, 2.0], "churned": [True, "no"]},
         "must be true/false or 0/1, got 'no'; text labels are not read as outcomes, compare "
         r"them yourself \(e.g. churned = labels == 'Yes'\)"),
        ({"scores": [np.nan, np.nan], "churned": [True, False]}, "no account has a score"),
        ({"scores": [1.0, np.inf], "churned": [True, False]}, "scores must be finite"),
        ({"scores": ["a", "b"], "churned": [True, False]}, "scores must be numbers"),
        ({"scores": 3.0, "churned": [True]}, "scores must be a sequence"),
        ({"scores": [[1.0]], "churned": [True]}, "one-dimensional"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "arr": [1, -5]},
         "arr must be finite and not negative, got -5"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "arr": [1, np.nan]}, "arr is missing"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "arr": [1]}, "arr has 1 values"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "probability": [0.5, 1.5]},
         "probability must lie in"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "n_boot": -1}, "n_boot must be"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "confidence": 1.0}, "confidence"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "confidence": "95%"}, "confidence"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "seed": "x"}, "seed must be"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "higher_is_better": "no"},
         "higher_is_better must be True or False"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "bands": "red"}, "bands must be"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "bands": ["a"]}, "bands has 1 values"),
        ({"scores": [1.0, 2.0], "churned": [True, False], "ids": ["a"]}, "ids has 1 values"),
    ],
)
def test_bad_input_is_a_data_error(kwargs: dict[str, object], message: str) -> None:
    scores = kwargs.pop("scores")
    churned = kwargs.pop("churned")
    with pytest.raises(sk.DataError, match=message):
        sk.evaluate(scores, churned, **kwargs)  # type: ignore[arg-type]


def test_errors_name_the_account() -> None:
    with pytest.raises(sk.DataError) as info:
        sk.evaluate([1.0, 2.0, 3.0], [True, False, "x"], ids=["a", "b", "c"])
    assert info.value.account == "c"
    with pytest.raises(sk.DataError) as info:
        sk.evaluate([1.0, 2.0], [True, False], arr=[1, -1], ids=["a", "b"])
    assert info.value.account == "b"
    assert info.value.column == "arr"
    with pytest.raises(sk.DataError) as info:
        sk.evaluate([1.0, 2.0], [True, 7])
    assert info.value.row == 1


def test_the_first_outcome_of_a_wrong_type_is_named() -> None:
    churned = np.array([True, None, False, "yes", 0, "no"], dtype=object)
    with pytest.raises(sk.DataError, match="got 'yes'") as info:
        sk.evaluate([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], churned, ids=list("abcdef"))
    assert info.value.account == "d"


@pytest.mark.parametrize("unknown", [None, np.nan])
def test_unknown_outcomes_are_left_out_and_counted(unknown: object) -> None:
    scores = [80.0, 30, 60, 20, 50, np.nan]
    churned = [False, True, unknown, True, False, unknown]
    report = sk.evaluate(scores, churned, n_boot=0)
    assert (report.accounts, report.unknown, report.missing) == (4, 1, 1)
    assert report.auc == sk.evaluate([80.0, 30, 20, 50], [False, True, True, False],
                                     n_boot=0).auc
    assert "1 with an unknown outcome" in report.summary()
    assert report.to_dict()["unknown"] == 1
    with pytest.raises(sk.DataError, match="no scored account has a known outcome"):
        sk.evaluate([1.0, 2.0], [unknown, unknown], n_boot=0)
