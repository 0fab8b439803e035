"""Fitting a whole card from outcomes: recovery of a known card, monotone bands, shuffled
rows, JSON round trip, selection, segments and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.outcomes.test_card_export import json_again

import successkit as sk
from successkit.outcomes import fit_card
from successkit.scoring._binning import bin_number
from successkit.scoring._card_solver import RowKeys, cv_folds
from successkit.scoring._likelihood import woe

TRUE_CUTS = (0.2, 0.5, 0.8)
TRUE_LOGIT = (0.0, 1.0, 1.6, 2.4)  # log-odds of staying by login band, worst first
PLAN_LOGIT = {"basic": 0.0, "team": 0.5, "enterprise": 1.2}


def known_card(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """Accounts whose churn follows a known card: login bands, plan points, noise."""
    rng = np.random.default_rng(seed)
    login = rng.uniform(0, 1, n)
    plan = rng.choice(list(PLAN_LOGIT), n)
    tickets = rng.poisson(3, n).astype(float)
    band = np.searchsorted(TRUE_CUTS, login, side="right")
    stay = -1.0 + np.asarray(TRUE_LOGIT)[band] + np.vectorize(PLAN_LOGIT.get)(plan)
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({
        "id": [f"acct-{i:06d}" for i in range(n)],
        "login_rate": login, "plan": plan, "noise": rng.normal(size=n), "tickets": tickets,
    })
    return pf, churned


@pytest.fixture(scope="module")
def fitted() -> tuple[sk.outcomes.CardFit, sk.Portfolio, np.ndarray]:
    pf, churned = known_card(40_000, seed=1)
    return fit_card(pf, churned), pf, churned


def test_recovers_known_cut_points_and_ordering(fitted) -> None:
    fit, _, _ = fitted
    scheme = fit.model.metric("login_rate").scheme
    assert isinstance(scheme, sk.Thresholds)
    assert scheme.higher_is_better
    assert len(scheme.cuts) == len(TRUE_CUTS)
    assert np.allclose(scheme.cuts, TRUE_CUTS, atol=0.03)
    assert list(scheme.points) == sorted(scheme.points)
    assert len(set(scheme.points)) == 4
    plan = dict(fit.model.metric("plan").scheme.mapping)
    assert plan["basic"] < plan["team"] < plan["enterprise"]
    # The ratio of point gaps follows the true log-odds gaps.
    gaps = np.diff(scheme.points)
    assert np.allclose(gaps / gaps.sum(), np.diff(TRUE_LOGIT) / 2.4, atol=0.08)
    assert "noise" in dict(fit.dropped)
    assert "tickets" in dict(fit.dropped)


def test_card_is_an_ordinary_model_and_round_trips_through_json(fitted) -> None:
    fit, pf, _ = fitted
    model = fit.model
    again = json_again(model)
    assert again == model
    assert again.fingerprint == model.fingerprint
    assert np.array_equal(again.score(pf).score, model.score(pf).score)
    # The score is 100 × points earned / points possible.
    result = model.score(pf)
    possible = sum(m.scheme.max_points for m in model.metrics)
    assert np.allclose(result.score, 100 * result.points / possible)
    explanation = result.explain(str(pf.ids[0]))
    assert "login_rate" in str(explanation)
    assert model.card(pf).rows[0].share is not None


def assert_points_follow_churn(model: sk.HealthModel, pf: sk.Portfolio,
                               churned: np.ndarray) -> None:
    """No number band earns more points than a band whose accounts churn less."""
    for metric in model.metrics:
        scheme = metric.scheme
        if not isinstance(scheme, sk.Thresholds) or metric.column is None:
            continue
        values = np.asarray(pf[metric.column], dtype=float)
        present = ~np.isnan(values)
        band = np.searchsorted(scheme.cuts, values[present], side="right")
        outcome = churned[present]
        points = np.asarray(scheme.points if scheme.higher_is_better else scheme.points[::-1])
        rates = np.array([outcome[band == b].mean() if (band == b).any() else np.nan
                          for b in range(points.size)])
        for a in range(points.size):
            for b in range(points.size):
                if points[a] > points[b] and not np.isnan(rates[a] + rates[b]):
                    assert rates[a] <= rates[b], (metric.name, scheme, rates)


def test_points_never_run_against_observed_churn(fitted) -> None:
    fit, pf, churned = fitted
    assert_points_follow_churn(fit.model, pf, churned)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), slope=st.floats(0.2, 1.0))
def test_bands_on_a_curve_never_run_against_observed_churn(seed: int, slope: float) -> None:
    # Churn moving steadily (and weakly) with tenure and charges: the bands' points follow
    # a curve, and neighbouring bands' own rates may cross it by chance; those merge.
    rng = np.random.default_rng(seed)
    n = 4000
    tenure = rng.uniform(0, 72, n).round()
    charges = rng.lognormal(4, 0.5, n).round(2)
    stay = slope * np.log1p(tenure) - 0.01 * (charges - 60) - 1.5
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "charges": charges})
    assert_points_follow_churn(fit_card(pf, churned).model, pf, churned)


def test_shuffled_rows_give_the_same_card() -> None:
    pf, churned = known_card(6000, seed=5)
    order = np.random.default_rng(9).permutation(len(pf))
    one = fit_card(pf, churned).model
    two = fit_card(pf.take(order), churned[order]).model
    assert one.to_dict() == two.to_dict()
    assert one.fingerprint == two.fingerprint


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), digits=st.integers(0, 2))
def test_any_row_order_gives_one_fingerprint(seed: int, digits: int) -> None:
    # Rounded values bring ties and both signs of zero; a category, missing values and a
    # U-shaped effect bring the other kinds of bands.
    rng = np.random.default_rng(seed)
    n = 1500
    x = rng.normal(0.0, 0.5, n).round(digits)
    u = rng.normal(size=n).round(1)
    plan = rng.choice(["basic", "team", "enterprise"], n, p=[0.5, 0.35, 0.15])
    x[rng.random(n) < 0.1] = np.nan
    stay = 0.8 * np.nan_to_num(x) - 0.6 * u * u + (plan == "enterprise") - 0.5
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": [f"a{i}" for i in range(n)], "x": x, "u": u,
                                    "plan": plan})
    order = rng.permutation(n)
    one = fit_card(pf, churned).model
    assert fit_card(pf.take(order), churned[order]).model.fingerprint == one.fingerprint


def test_a_cut_at_zero_does_not_depend_on_which_zero_comes_first() -> None:
    # Rounded negative values are -0.0: a quantile cut at zero could be either sign,
    # depending on the rows' order, and the card's fingerprint with it.
    rng = np.random.default_rng(3)
    growth = rng.normal(0.0, 0.08, 3000).round(1)
    zero = growth == 0
    assert (zero & np.signbit(growth)).any()
    assert (zero & ~np.signbit(growth)).any()
    churned = rng.random(3000) < np.where(growth < 0, 0.4, 0.15)
    pf = sk.Portfolio.from_columns({"id": np.arange(3000).astype(str), "growth": growth})
    cards = {fit_card(pf.take(order), churned[order]).model.fingerprint
             for order in [np.arange(3000), *(rng.permutation(3000) for _ in range(4))]}
    assert len(cards) == 1
    card = fit_card(pf, churned).model
    assert 0.0 in card.metric("growth").scheme.cuts
    assert "-0" not in str(card.card())


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000), slope=st.floats(-3, 3), k=st.integers(2, 6))
def test_learned_bands_are_monotone_where_they_say(seed: int, slope: float, k: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=2000)
    churned = rng.random(2000) < 1 / (1 + np.exp(-slope * x))
    bins = bin_number(x, churned, k=k, direction=None)
    assert bins.n_bands <= k
    rates = np.asarray(bins.churned[:-1]) / np.asarray(bins.accounts[:-1])
    steps = np.diff(rates) * -bins.direction  # higher is better: churn falls with value
    assert (steps >= -1e-12).all()
    assert all(a >= 0.05 * 2000 for a in bins.accounts[:-1])


def test_fixed_direction_against_the_data_is_reported() -> None:
    pf, churned = known_card(5000, seed=2)
    fit = fit_card(pf, churned, monotone={"login_rate": "lower_is_better"})
    assert fit.against_direction == ("login_rate",)
    assert "login_rate" in dict(fit.dropped)
    assert fit_card(pf, churned, monotone="higher_is_better").against_direction == ()


def test_max_metrics_keeps_the_strongest_and_says_why() -> None:
    pf, churned = known_card(8000, seed=3)
    fit = fit_card(pf, churned, max_metrics=1)
    assert fit.model.names == ("login_rate",)
    assert "max_metrics=1" in dict(fit.dropped)["plan"]


def test_correlated_metric_is_dropped_with_its_twin_named() -> None:
    pf, churned = known_card(8000, seed=4)
    twin = pf["login_rate"] + np.random.default_rng(0).normal(0, 0.001, len(pf))
    fit = fit_card(pf.with_columns({"login_copy": twin}), churned, l2=1.0)
    names = set(fit.model.names)
    assert len(names & {"login_rate", "login_copy"}) >= 1
    reasons = dict(fit.dropped)
    loser = "login_copy" if "login_rate" in names else "login_rate"
    if loser in reasons:
        assert "says what" in reasons[loser]


def test_missing_with_signal_gets_its_own_points() -> None:
    rng = np.random.default_rng(0)
    n = 6000
    nps = rng.normal(size=n)
    unanswered = rng.random(n) < 0.3
    churned = rng.random(n) < np.where(unanswered, 0.5, 0.15) + 0.2 * (nps < -1)
    nps[unanswered] = np.nan
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "nps": nps})
    fit = fit_card(pf, churned)
    assert fit.missing_bands == ("nps",)
    scores = fit.model.score(pf).score
    assert scores[unanswered].mean() < scores[~unanswered].mean()
    rule = fit_card(pf, churned, missing="rule")
    assert rule.missing_bands == ()


def test_categories_are_shrunk_and_rare_levels_pool() -> None:
    rng = np.random.default_rng(1)
    n = 4000
    plan = rng.choice(["basic", "pro"], n).astype(object)
    plan[:3] = ["solo-a", "solo-b", "solo-c"]  # single-account levels
    churned = rng.random(n) < np.where(plan == "basic", 0.4, 0.1)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "plan": plan})
    fit = fit_card(pf, churned)
    mapping = dict(fit.model.metric("plan").scheme.mapping)
    assert mapping["solo-a"] == mapping["solo-b"] == mapping["solo-c"]  # one "other" band
    assert mapping["basic"] < mapping["pro"]
    scheme = fit.model.metric("plan").scheme
    # A level never seen in training scores as the pooled rare levels: the "other" band.
    assert scheme.other == mapping["solo-a"]
    unseen = sk.Portfolio.from_columns({"id": ["z"], "plan": ["brand-new"]})
    result = fit.model.score(unseen)
    assert result.score[0] == pytest.approx(100 * scheme.other / scheme.max_points)
    assert result.notes == ("metric 'plan': categories ['brand-new'] are not in the scheme "
                            f"and score as other ({scheme.other:g} points)",)


def test_without_rare_levels_other_is_the_average_account() -> None:
    rng = np.random.default_rng(2)
    n = 4000
    plan = rng.choice(["basic", "team", "pro"], n, p=[0.5, 0.3, 0.2])
    churned = rng.random(n) < np.select([plan == "basic", plan == "team"], [0.45, 0.3], 0.1)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "plan": plan})
    fit = fit_card(pf, churned)
    scheme = fit.model.metric("plan").scheme
    mapping = dict(scheme.mapping)
    shares = {label: float(np.mean(plan == label)) for label in mapping}
    average = sum(shares[label] * points for label, points in mapping.items())
    # The overall rate: the points of the average training account, rounded.
    assert scheme.other is not None
    assert abs(scheme.other - average) <= 1.0
    assert mapping["basic"] < scheme.other < mapping["pro"]


def test_segments_are_pooled_toward_the_whole() -> None:
    pf, churned = known_card(12_000, seed=6)
    region = np.where(np.arange(len(pf)) < 300, "tiny", "main")
    fit = fit_card(pf.with_columns({"region": region}), churned, by="region",
                   min_segment=200)
    model = fit.model
    assert isinstance(model, sk.SegmentedModel)
    tiny = dict(model.models)["tiny"]
    pooled = model.default
    # the small segment keeps the pooled bands and stays near the pooled points
    tiny_points = np.asarray(tiny.metric("login_rate").scheme.points)
    pooled_points = np.asarray(pooled.metric("login_rate").scheme.points)
    assert tiny.metric("login_rate").scheme.cuts == pooled.metric("login_rate").scheme.cuts
    assert np.abs(tiny_points - pooled_points).max() <= 0.5 * pooled_points.max()
    assert str(fit.card("tiny")).startswith("health card")


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_metric_left_off_is_on_no_segment_card(seed: int) -> None:
    # A category that says nothing earns under a point on the pooled card; refitted on one
    # segment's accounts it could earn a point or two by chance, which would make
    # ``dropped`` untrue for that segment's card.
    rng = np.random.default_rng(seed)
    n = 4000
    x = rng.normal(size=n)
    segment = rng.choice(["a", "b", "c"], n)
    churned = rng.random(n) < 1 / (1 + np.exp(x + (segment == "a")))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "x": x,
                                    "segment": segment, "noise": rng.choice(["p", "q"], n)})
    fit = fit_card(pf, churned, by="segment", columns=["x", "noise"])
    model = fit.model
    assert isinstance(model, sk.SegmentedModel)
    left_off = {name for name, _ in fit.dropped}
    assert model.default is not None
    pooled = set(model.default.names)
    for label, card in model.models:
        assert set(card.names) <= pooled, label
        assert not set(card.names) & left_off, label


def test_accounts_without_a_segment_use_the_pooled_card_and_are_counted() -> None:
    pf, churned = known_card(6000, seed=6)
    region = np.where(np.arange(len(pf)) % 3 == 0, "emea", "amer").astype(object)
    region[:250] = None
    fit = fit_card(pf.with_columns({"region": region}), churned, by="region",
                   min_segment=500)
    assert "250 accounts with no 'region' use the pooled card" in fit.notes
    model = fit.model
    assert isinstance(model, sk.SegmentedModel)
    unsegmented = pf.take(np.arange(250)).with_columns({"region": [None] * 250})
    scores = model.score(unsegmented).score
    assert np.array_equal(scores, model.default.score(unsegmented).score)


def test_cv_folds_keep_an_account_together_and_ignore_row_order() -> None:
    ids = np.array(["a", "b", "a", "c", "b", "d"])
    folds = cv_folds(ids, 3)
    for key in set(ids.tolist()):
        assert len(set(folds[ids == key].tolist())) == 1
    order = np.array([5, 3, 1, 0, 2, 4])
    assert np.array_equal(cv_folds(ids[order], 3), folds[order])


def _fnv_keys(ids: list[str], width: int) -> list[int]:
    """The row keys by their definition, one id at a time: FNV-1a over the id's code
    points padded with zeros to ``width``, then the bits mixed down."""
    mask = (1 << 64) - 1
    keys = []
    for text in ids:
        value = 14695981039346656037
        for point in [ord(c) for c in text] + [0] * (width - len(text)):
            value = ((value ^ point) * 1099511628211) & mask
        value ^= value >> 29
        value = (value * 0xBF58476D1CE4E5B9) & mask
        value ^= value >> 32
        keys.append(value)
    return keys


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.text(st.characters(exclude_characters="\x00"), max_size=9),
                    min_size=1, max_size=30),
       extra=st.integers(0, 12))
def test_row_keys_match_their_definition_at_any_padding(ids: list[str], extra: int) -> None:
    # Arrays hold ids padded to their widest; the keys skip the padding's work, not its effect.
    width = max(len(text) for text in ids) + extra
    array = np.array(ids, dtype=f"<U{max(width, 1)}")
    assert RowKeys.of(array).hash.tolist() == _fnv_keys(ids, max(width, 1))


def test_l2_is_chosen_on_training_folds() -> None:
    pf, churned = known_card(3000, seed=7)
    fit = fit_card(pf, churned)
    assert (fit.l2_toward, fit.l2) in [(toward, l2) for toward, l2, _ in fit.cv_loss]
    assert {toward for toward, _, _ in fit.cv_loss} == {"scorecard", "flat"}
    assert min(loss for _, _, loss in fit.cv_loss) == next(
        loss for toward, l2, loss in fit.cv_loss if (toward, l2) == (fit.l2_toward, fit.l2))
    assert fit_card(pf, churned, l2=5.0, l2_toward="flat").cv_loss == ()
    # One of the two given: cross-validation chooses the other.
    strengths = fit_card(pf, churned, l2_toward="scorecard")
    assert {toward for toward, _, _ in strengths.cv_loss} == {"scorecard"}
    assert len(strengths.cv_loss) == 8 + 2  # the grid, then two strengths around its best
    assert strengths.l2_toward == "scorecard"
    targets = fit_card(pf, churned, l2=5.0)
    assert [(toward, l2) for toward, l2, _ in targets.cv_loss] == [
        ("scorecard", 5.0), ("flat", 5.0)]
    assert targets.l2 == 5.0


def _new_accounts_never_churn(n: int, seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """Brand-new accounts (2 %) never churn, though their first survey answers look risky."""
    rng = np.random.default_rng(seed)
    months = np.where(rng.random(n) < 0.02, 0.0, rng.integers(1, 13, n)).astype(float)
    new = months == 0
    csat = np.where(new, rng.choice([5.0, 6.0, 7.0], n),
                    rng.choice([5.0, 6.0, 7.0, 8.0, 9.0, 10.0], n,
                               p=[0.02, 0.03, 0.1, 0.2, 0.35, 0.3]))
    support = np.round(rng.exponential(5, n), 1)
    stay = 2.0 * (csat - 8.5) - 0.35 * support + 0.1 * months + 1.5
    churned = (rng.random(n) < 1 / (1 + np.exp(stay))) & ~new
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "csat": csat,
                                    "support_minutes": support, "months_active": months})
    return pf, churned


def test_cross_validation_may_choose_a_pull_weaker_than_one_account() -> None:
    # A band that never churns is shrunk hard in the scorecard the pull aims at; when the
    # folds say so, the pull goes down to 0.001 accounts' curvature per band.
    pf, churned = _new_accounts_never_churn(2000, seed=1)
    fit = fit_card(pf, churned, l2_toward="scorecard")
    strengths = sorted(l2 for _, l2, _ in fit.cv_loss)
    assert {0.001, 10_000.0} <= set(strengths)
    assert fit.l2 < 1.0
    assert fit.l2 == min(fit.cv_loss, key=lambda r: (r[2], -r[1]))[1]
    pulled = fit_card(pf, churned, l2=1.0, l2_toward="scorecard")
    months = "months_active"
    assert max(fit.model.metric(months).scheme.points) > max(
        pulled.model.metric(months).scheme.points)


def test_weight_of_evidence_reference() -> None:
    accounts, bad = np.array([100.0, 300.0]), np.array([40.0, 30.0])
    rate = 70 / 400
    expected = [np.log(60 / 40) - np.log(330 / 70), np.log(270 / 30) - np.log(330 / 70)]
    assert np.allclose(woe(accounts, bad, rate, 0.0), expected)


# -- bad input ----------------------------------------------------------------------------------


def test_one_outcome_class_is_an_error() -> None:
    pf, _ = known_card(500, seed=0)
    with pytest.raises(sk.ModelError, match="all 500 training accounts stayed"):
        fit_card(pf, np.zeros(500, dtype=bool))


def test_constant_and_empty_metrics_are_dropped_with_reasons() -> None:
    pf, churned = known_card(3000, seed=0)
    pf = pf.with_columns({"flat": np.ones(3000), "empty": np.full(3000, np.nan)})
    reasons = dict(fit_card(pf, churned).dropped)
    assert reasons["flat"] == "is constant on the training accounts"
    assert reasons["empty"] == "has no value in the training accounts"


def test_unknown_outcomes_are_left_out_and_counted() -> None:
    pf, churned = known_card(3000, seed=0)
    labels = churned.astype(object)
    labels[:7] = None
    labels[7] = float("nan")
    fit = fit_card(pf, list(labels))
    assert fit.left_out == 8
    assert len(fit.portfolio) == 2992
    assert "left out 8 accounts" in fit.notes[0]
    with pytest.raises(sk.DataError, match="true/false"):
        fit_card(pf, ["yes"] * 3000)


def test_nothing_predicts_churn_is_an_error() -> None:
    rng = np.random.default_rng(0)
    pf = sk.Portfolio.from_columns({"id": np.arange(2000).astype(str),
                                    "noise": rng.normal(size=2000)})
    with pytest.raises(sk.ModelError, match="no candidate metric"):
        fit_card(pf, rng.random(2000) < 0.2)


@pytest.mark.parametrize(("option", "value"), [
    ("k", 0), ("k", 1), ("max_metrics", 0), ("folds", 1), ("monotone", "up"), ("missing", "x"),
    ("l2", -1.0), ("l2", "auto"), ("points", 0), ("prior", -1.0), ("min_share", 0.6),
    ("min_category", 0), ("groups", {"login": "adoption"}), ("groups", ["login_rate"]),
])
def test_bad_options_are_model_errors(option: str, value: object) -> None:
    pf, churned = known_card(500, seed=0)
    with pytest.raises(sk.ModelError):
        fit_card(pf, churned, **{option: value})


def test_groups_make_a_two_level_card_with_the_same_score() -> None:
    pf, churned = known_card(5000, seed=8)
    flat = fit_card(pf, churned, l2=1.0).model
    grouped = fit_card(pf, churned, l2=1.0,
                       groups={"login_rate": "adoption", "plan": "roi"}).model
    assert grouped.group_names == ("adoption", "roi")
    assert np.allclose(grouped.score(pf).score, flat.score(pf).score)


def test_cv_groups_by_column_keep_a_period_in_one_fold() -> None:
    pf, churned = known_card(4000, seed=9)
    period = np.where(np.arange(4000) % 4 == 0, "2025-q1", "2025-q2").astype(object)
    fit = fit_card(pf.with_columns({"period": period}), churned, columns=["login_rate", "plan"],
                   cv_groups="period", folds=2)
    assert fit.l2 in [l2 for _, l2, _ in fit.cv_loss]
    with pytest.raises(sk.DataError, match="cv_groups"):
        fit_card(pf, churned, cv_groups=[1, 2, 3])


@settings(max_examples=12)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 6), weak=st.floats(0.0, 0.6))
@example(seed=474, k=6, weak=0.5)  # a draw where x's bands turn once
def test_any_fitted_card_round_trips_and_is_monotone(seed: int, k: int, weak: float) -> None:
    rng = np.random.default_rng(seed)
    n = 1500
    x = rng.normal(size=n)
    x[rng.random(n) < 0.2] = np.nan
    level = rng.choice(["a", "b", "c", "d"], n)
    flag = (rng.random(n) < 0.2).astype(float)  # a weak metric, maybe entering late
    stay = 0.8 * np.tanh(np.nan_to_num(x, nan=-1.0)) + (level == "a") * 0.7 - weak * flag
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "x": x, "level": level,
                                    "flag": flag})
    try:
        model = fit_card(pf, churned, k=k, l2=1.0).model
    except sk.ModelError:
        return  # nothing predicted churn in this draw: a clear error, not a card
    assert json_again(model) == model
    for metric in model.metrics:
        scheme = metric.scheme
        if isinstance(scheme, sk.Thresholds) and metric.column is not None:
            assert len(scheme.cuts) < k
            points = list(scheme.points)
            # Monotone where it says it is; a turn rises to one peak and falls after it
            # (or the reverse), as its shape says.
            peak = points.index(max(points) if scheme.shape != "middle_is_worst"
                                else min(points))
            if scheme.shape == "monotone":
                assert points == sorted(points)
            elif scheme.shape == "middle_is_best":
                assert points[:peak + 1] == sorted(points[:peak + 1])
                assert points[peak:] == sorted(points[peak:], reverse=True)
            else:
                assert points[:peak + 1] == sorted(points[:peak + 1], reverse=True)
                assert points[peak:] == sorted(points[peak:])
    assert_points_follow_churn(model, pf, churned)
    result = model.score(pf)
    possible = sum(m.scheme.max_points for m in model.metrics)
    assert np.allclose(result.score, 100 * result.points / possible)


def test_fitted_card_summary_sql_and_html(fitted) -> None:
    fit, _, _ = fitted
    text = fit.summary()
    assert text.startswith("health card")
    assert "left off the card:" in text
    assert "noise:" in text
    assert "cross-validated" in text
    assert fit.to_sql().startswith("SELECT")
    assert "<table" in fit._repr_html_()


def test_sampled_paths_are_shuffle_free_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cuts, points, cross-validation and twins read samples on many accounts: samples chosen
    by account id, so shuffled rows still give the same card."""
    from successkit.outcomes import _card_select, card_fit

    monkeypatch.setattr(card_fit, "BINNING_ROWS", 3000)
    monkeypatch.setattr(card_fit, "FIT_ROWS", 2000)
    monkeypatch.setattr(card_fit, "TWIN_ROWS", 2000)
    monkeypatch.setattr(_card_select, "CV_ROWS", 1500)
    pf, churned = known_card(8000, seed=10)
    order = np.random.default_rng(3).permutation(len(pf))
    # Cuts learnt on 3000 accounts: at most as many bands as the true card has, plus one.
    one = fit_card(pf, churned, k=5)
    two = fit_card(pf.take(order), churned[order], k=5)
    assert one.model.to_dict() == two.model.to_dict()
    assert one.model.metric("login_rate").scheme.cuts == pytest.approx(TRUE_CUTS, abs=0.04)


@settings(max_examples=30)
@given(n=st.integers(2, 60), seed=st.integers(0, 1000), missing_share=st.floats(0, 1))
def test_small_or_odd_data_gives_a_card_or_a_clear_error(
        n: int, seed: int, missing_share: float) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=n), 1)
    x[rng.random(n) < missing_share] = np.nan
    pf = sk.Portfolio.from_columns({"id": [f"a{i}" for i in range(n)], "x": x,
                                    "plan": rng.choice(["a", "b", "c"], n)})
    churned = rng.random(n) < 0.4
    try:
        fit = fit_card(pf, churned, min_category=2)
    except sk.SuccesskitError:
        return
    assert len(fit.model.metrics) >= 1
    assert np.isfinite(fit.model.score(pf).score).all()


def test_playbook_rules_read_a_fitted_card() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    x = rng.normal(size=n)
    nps = rng.normal(size=n)
    answered = rng.random(n) < 0.6
    nps[~answered] = np.nan
    churned = rng.random(n) < 1 / (1 + np.exp(2 * x + np.where(answered, 0.0, -1.0)))
    pf = sk.Portfolio.from_columns({"id": [str(i) for i in range(n)], "x": x, "nps": nps})
    model = fit_card(pf, churned).model
    assert "nps_missing" in model.names
    pb = sk.Playbook.parse("when health.nps_missing = 0 then resend_survey")
    ctas = pb.evaluate(pf, health=model)
    assert len(ctas) == int((~answered).sum())


# -- the joint fit of the points -------------------------------------------------------------


def _isotonic_reference(target: list[float], weight: list[float]) -> list[float]:
    """The non-decreasing weighted least-squares fit by the min-max formula: value i is
    max over a ≤ i of min over b ≥ i of the weighted mean of a..b."""
    def mean(a: int, b: int) -> float:
        w = sum(weight[a:b + 1])
        return sum(t * v for t, v in zip(target[a:b + 1], weight[a:b + 1], strict=True)) / w
    n = len(target)
    return [max(min(mean(a, b) for b in range(i, n)) for a in range(i + 1)) for i in range(n)]


@settings(max_examples=60)
@given(values=st.lists(st.tuples(st.floats(-5, 5), st.floats(0.1, 10)), min_size=1,
                       max_size=12), up=st.booleans())
def test_isotonic_matches_the_min_max_reference(values: list[tuple[float, float]],
                                                up: bool) -> None:
    from successkit.scoring._card_solver import isotonic

    target = [t for t, _ in values]
    weight = [w for _, w in values]
    got = isotonic(np.array(target), np.array(weight), 1 if up else -1)
    if up:
        expected = _isotonic_reference(target, weight)
    else:
        expected = [-v for v in _isotonic_reference([-t for t in target], weight)]
    assert np.allclose(got, expected, atol=1e-9)


def test_free_bands_without_penalty_reach_each_bands_own_log_odds() -> None:
    from successkit.scoring._card_solver import Shape, backfit

    rng = np.random.default_rng(0)
    band = rng.integers(0, 4, 20_000).astype(np.int16)
    churned = rng.random(20_000) < np.array([0.5, 0.3, 0.2, 0.1])[band]
    fit = backfit([band], [Shape(ordered=4, direction=1)], [4], churned, l2=0.0, tol=1e-8)
    stay = np.array([1 - churned[band == b].mean() for b in range(4)])
    expected = np.log(stay / (1 - stay))
    assert np.allclose(fit.tables[0] + fit.intercept, expected, atol=1e-5)


def test_a_profile_block_is_a_one_coefficient_logistic_regression() -> None:
    from successkit.scoring._card_solver import Shape, backfit, predictor

    rng = np.random.default_rng(1)
    band = rng.integers(0, 3, 10_000).astype(np.int16)
    profile = np.array([-1.0, 0.0, 2.0])
    churned = rng.random(10_000) < 1 / (1 + np.exp(0.7 * profile[band] + 1.0))
    fit = backfit([band], [Shape(profile=profile)], [3], churned, l2=0.0, tol=1e-9)
    coefficient = float(fit.tables[0] @ profile / (profile @ profile))
    assert np.allclose(fit.tables[0], coefficient * profile)
    # At the optimum the score equations hold: the gradient along the profile is zero.
    eta = predictor([band], fit.tables, fit.intercept, 10_000)
    residual = 1 / (1 + np.exp(-eta)) - (~churned)
    assert abs(float(residual @ profile[band])) < 1e-3 * 10_000
    assert abs(coefficient - 0.7) < 0.1


def test_points_are_earned_next_to_the_other_metrics() -> None:
    """A number whose churn signal comes only through a category it tracks earns few
    points once the category is on the card (the joint fit), though alone it splits well."""
    rng = np.random.default_rng(2)
    n = 20_000
    plan = rng.choice(["basic", "pro"], n)
    charges = np.where(plan == "pro", 80.0, 30.0) + rng.normal(0, 10, n)
    churned = rng.random(n) < np.where(plan == "basic", 0.4, 0.1)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "plan": plan,
                                    "charges": charges})
    alone = fit_card(pf, churned, columns=["charges"]).model
    both = fit_card(pf, churned).model
    assert alone.metric("charges").scheme.max_points > 0
    share = (both.metric("charges").scheme.max_points if "charges" in both.names else 0.0)
    assert share < 0.25 * both.metric("plan").scheme.max_points


def _plan_explained_by_logins() -> tuple[sk.Portfolio, np.ndarray, np.ndarray]:
    """Jointly, plan "a" helps most (+0.4 log-odds of staying, "c" +0.3, "b" 0), but its
    accounts log in less, which costs more: on its own, "a" churns the most."""
    rng = np.random.default_rng(3)
    n = 20_000
    plan = rng.choice(["a", "b", "c"], n)
    login = rng.uniform(0, 1, n) - 0.35 * (plan == "a")
    stay = -0.5 + 3.0 * login + 0.4 * (plan == "a") + 0.3 * (plan == "c")
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "plan": plan,
                                    "login": login})
    return pf, churned, plan


def test_category_points_follow_their_churn_with_level_order_churn() -> None:
    pf, churned, plan = _plan_explained_by_logins()
    fit = fit_card(pf, churned, level_order="churn")
    mapping = dict(fit.model.metric("plan").scheme.mapping)
    rates = {level: churned[plan == level].mean() for level in ("a", "b", "c")}
    assert rates["a"] == max(rates.values())
    for x in rates:
        for z in rates:
            if rates[x] > rates[z]:
                assert mapping[x] <= mapping[z]
    assert fit.levels_against_churn == ()


def test_category_levels_leave_churn_order_when_the_card_shows_it_beyond_chance() -> None:
    """By default ("auto") the levels follow the joint truth (a > c > b), against "a"'s own
    churn rate, because the score test on the card's residuals passes; the fit says so."""
    pf, churned, _ = _plan_explained_by_logins()
    for fit in (fit_card(pf, churned), fit_card(pf, churned, level_order="free")):
        mapping = dict(fit.model.metric("plan").scheme.mapping)
        assert mapping["a"] > mapping["c"] > mapping["b"] == 0.0
        assert 1.0 < mapping["a"] / mapping["c"] < 2.0  # the truth: 0.4 / 0.3
        assert fit.levels_against_churn == ("plan",)
        assert "levels against their own churn, explained by other measures: plan" in (
            fit.summary())


def addon_next_to_tenure(n: int) -> tuple[sk.Portfolio, np.ndarray]:
    """A streaming add-on that costs 0.4 log-odds of staying next to tenure, but is taken
    by longer customers, so on its own it churns less: its levels leave churn order."""
    rng = np.random.default_rng(5)
    addon = rng.choice(["streaming", "none"], n)
    tenure = np.round(rng.exponential(20, n) + 12 * (addon == "streaming"))
    stay = -1.0 + 0.08 * np.minimum(tenure, 40) - 0.4 * (addon == "streaming")
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "addon": addon})
    return pf, churned


def test_freed_levels_choose_their_own_pull_toward_the_scorecard() -> None:
    """Held to churn order, the add-on earns nothing and cross-validation picks a firm
    pull toward the scorecard (whose add-on points are 0 too); freed, the pull is chosen
    again, so the add-on's levels reach their joint worth (0.4 log-odds)."""
    pf, churned = addon_next_to_tenure(8000)
    held = fit_card(pf, churned, level_order="churn", l2_toward="scorecard")
    assert "addon" not in held.model.names
    assert held.l2 >= 10
    fit = fit_card(pf, churned, l2_toward="scorecard")
    assert fit.levels_against_churn == ("addon",)
    assert fit.l2 < held.l2
    mapping = dict(fit.model.metric("addon").scheme.mapping)
    assert mapping["streaming"] == 0.0
    assert mapping["none"] > 0.0
    # Tenure's points span its first band (about half a month) to its last (capped at 40
    # months): 0.08 × 39 log-odds.
    per_log_odds = fit.model.metric("tenure").scheme.max_points / (0.08 * 39)
    assert abs(mapping["none"] / per_log_odds - 0.4) < 0.15


def _addons_that_repeat_a_level(seed: int) -> tuple[sk.Portfolio, np.ndarray]:
    """Four add-on columns say nothing; their "no internet" level repeats the internet
    column's "none", which carries the effect."""
    rng = np.random.default_rng(seed)
    n = 5000
    login = rng.uniform(0, 1, n)
    internet = rng.choice(["fiber", "dsl", "none"], n, p=[0.45, 0.35, 0.2])
    addons = {f"addon{k}": np.where(internet == "none", "no internet",
                                    rng.choice(["yes", "no"], n)) for k in range(4)}
    stay = -1 + 3 * login + np.select([internet == "dsl", internet == "none"], [0.8, 1.6], 0.0)
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "login": login,
                                    "internet": internet, **addons})
    return pf, churned


def test_category_levels_keep_churn_order_when_nothing_pulls_them_apart() -> None:
    """Left free, the repeated level's points land anywhere among the add-ons' levels; the
    default keeps every level in churn order, so the card reads as its churn column."""
    free = set()
    for seed in range(4):
        pf, churned = _addons_that_repeat_a_level(seed)
        assert fit_card(pf, churned).levels_against_churn == ()
        free |= set(fit_card(pf, churned, level_order="free").levels_against_churn)
    assert free  # the case is one where free levels do run against churn


def test_level_order_is_checked() -> None:
    pf, churned, _ = _plan_explained_by_logins()
    with pytest.raises(sk.ModelError, match="level_order must be one of"):
        fit_card(pf, churned, level_order="sorted")


@settings(max_examples=50)
@given(df=st.integers(1, 15), level=st.floats(1e-7, 0.5))
def test_critical_chi2_matches_scipy(df: int, level: float) -> None:
    from successkit.scoring._likelihood import critical_chi2

    stats = pytest.importorskip("scipy.stats")
    assert np.isclose(critical_chi2(df, level), stats.chi2.isf(level, df), rtol=1e-7)


@settings(max_examples=60)
@given(df=st.integers(1, 40), x=st.floats(0.0, 200.0))
def test_chi2_tail_matches_scipy(df: int, x: float) -> None:
    from successkit.scoring._likelihood import chi2_tail

    stats = pytest.importorskip("scipy.stats")
    assert np.isclose(chi2_tail(x, df), stats.chi2.sf(x, df), rtol=1e-7, atol=1e-300)


def test_noise_rarely_earns_a_place() -> None:
    # A real threshold next to two noise columns, one continuous and one with a few values,
    # over ten samples: searched splits must pass a Bonferroni-shared 5 % test, so noise
    # reaches the card at most once.
    kept = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        n = 5000
        login = rng.uniform(0, 1, n)
        churned = rng.random(n) < np.where(login < 0.5, 0.4, 0.15)
        pf = sk.Portfolio.from_columns({
            "id": np.arange(n).astype(str), "login_rate": login,
            "noise": rng.normal(size=n), "few": rng.integers(0, 6, n).astype(float)})
        names = [m.name for m in fit_card(pf, churned).model.metrics]
        assert "login_rate" in names
        kept += ("noise" in names) + ("few" in names)
    assert kept <= 1


def test_a_weak_flag_enters_next_to_the_strong_metrics(monkeypatch: pytest.MonkeyPatch) -> None:
    # On its own the flag's churn gap is within chance on these accounts; next to tenure,
    # which explains most churn, its score test passes and it earns points.
    import successkit.outcomes.card_fit as card_fit
    from successkit.outcomes._card_entry import Entered

    rng = np.random.default_rng(2)
    n = 3000
    senior = (rng.random(n) < 0.16).astype(float)
    tenure = rng.uniform(0, 72, n).round()
    churned = rng.random(n) < 1 / (1 + np.exp(1.2 * np.log1p(tenure) - 3.0 - 0.4 * senior))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "senior": senior})
    fit = fit_card(pf, churned)
    scheme = fit.model.metric("senior").scheme
    assert isinstance(scheme, sk.Thresholds)
    assert scheme.cuts == (1.0,)
    assert not scheme.higher_is_better  # seniors earn fewer points
    assert "senior" not in dict(fit.dropped)
    assert_points_follow_churn(fit.model, pf, churned)
    monkeypatch.setattr(card_fit, "enter", lambda *args, **kwargs: Entered((), ()))
    alone = fit_card(pf, churned)
    assert dict(alone.dropped)["senior"].startswith("has one band")


def test_second_look_refuses_bands_against_their_own_churn() -> None:
    from successkit.outcomes._card_entry import _second_look

    # Residuals say flagged accounts stay less than the card predicts, but on their own
    # they churn less: the card would have to give fewer points to the lower churn rate.
    flag = np.repeat([0.0, 1.0], [4000, 1000])
    weight = np.full(5000, 0.2)
    residual = np.where(flag == 1, -0.08, 0.02)
    worse = np.arange(5000) % 10 < np.where(flag == 1, 3, 2)  # 30 % against 20 % churn
    better = np.arange(5000) % 10 < np.where(flag == 1, 1, 2)  # 10 % against 20 % churn
    bins = _second_look(flag, worse, residual, weight, 10, 0.02)
    assert bins is not None
    assert bins.cuts == (1.0,)
    assert _second_look(flag, better, residual, weight, 10, 0.02) is None
    # Residuals that are chance-sized do not pass the test.
    assert _second_look(flag, worse, residual / 20, weight, 10, 0.02) is None


def test_second_look_tests_a_flag_at_five_percent() -> None:
    from successkit.outcomes._card_entry import _second_look

    # A score statistic of 6 passes the 5 % test of a flag's one cut (3.84); the band
    # count's own penalty (log n, 8.5 here) must not stand in for that test.
    flag = np.repeat([0.0, 1.0], [4000, 1000])
    weight = np.full(5000, 0.2)
    step = np.sqrt(6.0 / 6250.0)
    residual = np.where(flag == 1, -step, step / 4)
    worse = np.arange(5000) % 10 < np.where(flag == 1, 3, 2)
    bins = _second_look(flag, worse, residual, weight, 10, 0.02)
    assert bins is not None
    assert bins.cuts == (1.0,)
    assert _second_look(flag, worse, residual * 0.75, weight, 10, 0.02) is None  # 3.4


def test_pooling_sees_across_empty_candidate_bins() -> None:
    from successkit.scoring._binning import HIGHER, _monotone_blocks

    # The third bin churns more than the first; the empty bin between them must not keep
    # them apart.
    n = np.array([100.0, 0.0, 50.0, 100.0])
    e = np.array([60.0, 0.0, 40.0, 20.0])
    blocks = _monotone_blocks(n, e, HIGHER)
    rates = [block[2] / block[1] for block in blocks]
    assert rates == sorted(rates, reverse=True)
    assert [block[0] for block in blocks] == [0.0, 3.0]


def test_numbers_held_as_text_are_refused_with_the_remedy() -> None:
    # A total exported with blanks for new accounts arrives as text: as a category it
    # would pool nearly every account into "other" and lose the numbers.
    rng = np.random.default_rng(4)
    n = 2000
    tenure = rng.integers(0, 72, n)
    total = (tenure * rng.uniform(20, 110, n)).round(2).astype(str)
    total[tenure == 0] = " "
    churned = rng.random(n) < 1 / (1 + np.exp(0.05 * tenure - 1))
    columns = {"id": np.arange(n).astype(str), "tenure": tenure.astype(float),
               "total": total}
    pf = sk.Portfolio.from_columns(columns)
    assert pf.schema["total"] == "category"
    # Found among the candidates: left off, with the remedy; asked for by name: an error.
    reason = dict(fit_card(pf, churned).dropped)["total"]
    assert reason.startswith("holds numbers as text")
    assert "kinds={'total': 'number'}" in reason
    with pytest.raises(sk.DataError, match="holds numbers as text") as error:
        fit_card(pf, churned, columns=["tenure", "total"])
    assert error.value.column == "total"
    as_number = sk.Portfolio.from_columns(columns, kinds={"total": "number"})
    assert "total" in [m.name for m in fit_card(as_number, churned).model.metrics]
    # Spreadsheet formatting ("$1,234.50") does not hide the numbers.
    amount = tenure * rng.uniform(20, 110, n)
    dollars = np.array([f"${v:,.2f}" if v else None for v in amount], dtype=object)
    assert any("," in str(d) for d in dollars)
    formatted = sk.Portfolio.from_columns({**columns, "total": dollars})
    reason = dict(fit_card(formatted, churned).dropped)["total"]
    assert reason.startswith("holds numbers")
    # Its remedy works: kinds= alone would not parse "$1,234.50", so the marks go first.
    assert "remove its ',', '$' formatting and read it as a number" in reason
    assert "total" not in dict(fit_card(as_number, churned).dropped)


def test_digit_codes_with_common_levels_stay_a_category() -> None:
    # Sixty region codes written as digits, each with plenty of accounts: a category.
    rng = np.random.default_rng(5)
    n = 6000
    region = rng.integers(100, 160, n)
    churned = rng.random(n) < np.where(region < 130, 0.35, 0.15)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str),
                                    "region": region.astype(str)})
    scheme = fit_card(pf, churned).model.metric("region").scheme
    assert isinstance(scheme, sk.Categories)


@pytest.mark.parametrize("kind", ["label", "reason", "flag", "days"])
def test_the_outcome_among_the_metrics_is_refused(kind: str) -> None:
    # The outcome itself, or something recorded after it, left among the candidates.
    rng = np.random.default_rng(6)
    n = 3000
    tenure = rng.integers(0, 72, n).astype(float)
    churned = rng.random(n) < 1 / (1 + np.exp(0.05 * tenure - 1))
    leak = {"label": np.where(churned, "Yes", "No"),
            "reason": np.where(churned, rng.choice(["price", "moved"], n), None).astype(object),
            "flag": churned.astype(float),
            "days": np.where(churned, rng.integers(1, 90, n), np.nan)}[kind]
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "leak": leak})
    with pytest.raises(sk.DataError, match="apart perfectly") as error:
        fit_card(pf, churned)
    assert error.value.column == "leak"
    assert fit_card(pf, churned, columns=["tenure"]).model.metrics[0].name == "tenure"


def test_date_columns_are_named_not_passed_over() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    login = rng.uniform(0, 1, n)
    signup = np.datetime64("2024-01-01") + rng.integers(0, 300, n).astype("timedelta64[D]")
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "login_rate": login,
                                    "signup": signup})
    churned = rng.random(n) < np.where(login < 0.5, 0.4, 0.1)
    reason = dict(fit_card(pf, churned).dropped)["signup"]
    assert reason.startswith("is a date column")
    assert "signup" not in dict(fit_card(pf, churned, columns=["login_rate"]).dropped)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), mix=st.floats(0.0, 0.8),
       effects=st.lists(st.floats(-0.8, 0.8), min_size=4, max_size=4))
def test_levels_against_churn_names_exactly_the_categories_whose_points_run_against_it(
        seed: int, mix: float, effects: list[float]) -> None:
    """A plain-Python reading of the card: a category is named when a level whose accounts
    churn more (shrunk by 20 pseudo-accounts at the overall rate) earns more points."""
    rng = np.random.default_rng(seed)
    n = 3000
    plan = rng.choice(["p0", "p1", "p2", "p3"], n)
    code = np.char.replace(plan, "p", "").astype(int)
    # Logins depend on the plan by ``mix``, so a plan's own churn may run against its worth.
    login = rng.uniform(0, 1, n) - mix * code / 3
    stay = 3.0 * login + np.asarray(effects)[code]
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "login": login,
                                    "plan": plan})
    fit = fit_card(pf, churned, level_order="free")
    if "plan" not in fit.model.names:
        assert fit.levels_against_churn == ()
        return
    points = dict(fit.model.metric("plan").scheme.mapping)
    rate = churned.mean()
    shrunk = {lv: (churned[plan == lv].sum() + 20 * rate) / ((plan == lv).sum() + 20)
              for lv in points}
    against = any(shrunk[a] > shrunk[b] and points[a] > points[b]
                  for a in points for b in points)
    assert fit.levels_against_churn == (("plan",) if against else ())
    churn_order = fit_card(pf, churned, level_order="churn")
    assert churn_order.levels_against_churn == ()


def test_a_freed_category_competes_for_max_metrics_at_its_worth() -> None:
    """Held to churn order the add-on earns nothing and would be the first cut; freed
    before selection, it outranks a weaker plan tier."""
    rng = np.random.default_rng(5)
    n = 12_000
    addon = rng.choice(["streaming", "none"], n)
    tier = rng.choice(["smb", "mid", "ent"], n)
    tenure = np.round(rng.exponential(20, n) + 12 * (addon == "streaming"))
    stay = (-1.0 + 0.08 * np.minimum(tenure, 40) - 0.6 * (addon == "streaming")
            + 0.3 * (tier == "ent"))
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "tenure": tenure,
                                    "addon": addon, "tier": tier})
    fit = fit_card(pf, churned, max_metrics=2)
    assert fit.model.names == ("tenure", "addon")
    assert fit.levels_against_churn == ("addon",)
    held = fit_card(pf, churned, max_metrics=2, level_order="churn")
    assert held.model.names == ("tenure", "tier")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(300, 1800), unanswered=st.floats(0, 0.6))
def test_no_number_band_on_a_small_portfolio_is_a_handful_of_accounts(
        seed: int, n: int, unanswered: float) -> None:
    """1 % of a small portfolio is a few accounts; a band never has fewer than
    ``min_category`` (20) accounts with a value, however sharp the pocket and however many
    values are missing."""
    rng = np.random.default_rng(seed)
    months = rng.integers(0, 24, n).astype(float)
    usage = rng.lognormal(0, 1, n)
    # A pocket of new accounts that never churn, and churn falling with usage.
    stay = np.where(months == 0, 4.0, 0.1 * months - 0.5) + 0.5 * np.log(usage)
    churned = rng.random(n) < 1 / (1 + np.exp(stay))
    usage[rng.random(n) < unanswered] = np.nan
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "months": months,
                                    "usage": usage})
    try:
        fit = fit_card(pf, churned)
    except sk.ModelError:
        return
    for metric in fit.model.metrics:
        if isinstance(metric.scheme, sk.Thresholds) and metric.name in ("months", "usage"):
            values = np.asarray(pf[metric.name], dtype=float)
            values = values[~np.isnan(values)]
            bands = np.searchsorted(np.asarray(metric.scheme.cuts), values, side="right")
            assert np.bincount(bands).min() >= 20


def test_outcomes_given_as_a_column_name_or_a_short_list_are_refused_with_what_to_do() -> None:
    pf, churned = known_card(500, seed=4)
    with pytest.raises(sk.DataError, match=r"got 'churned'; pass the outcomes themselves, "
                       r"not a column's name \(e\.g\. portfolio\['churned'\] == 'Yes'\)"):
        fit_card(pf, "churned")
    with pytest.raises(sk.DataError, match="churned has 100 values but there are 500 accounts"):
        fit_card(pf, churned[:100])
