"""Fitting weights: the solver against scikit-learn, driver recovery, structure, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from successkit.datasets import make_portfolio
from successkit.outcomes import fit
from successkit.outcomes.fitting import fit_weights

linear_model = pytest.importorskip("sklearn.linear_model")
metrics = pytest.importorskip("sklearn.metrics")

TOUCH = sk.Categories({"bad": 1, "fair": 2, "good": 3, "excellent": 4})


def _driver_model() -> sk.HealthModel:
    """The true drivers of the sample data plus two noise columns, equally weighted."""
    return sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Percentile()),
        sk.Metric("roi_achievement", scheme=sk.Percentile()),
        sk.Metric("keyperson_touch", scheme=TOUCH),
        sk.Metric("support_tickets", scheme=sk.Percentile(higher_is_better=False)),
        sk.Metric("feature_x_usage", scheme=sk.Percentile()),
        sk.Metric("employees", scheme=sk.Percentile()),
    ])


@pytest.fixture(scope="module")
def sample() -> object:
    return make_portfolio(4000, months=1, seed=11)


# -- the solver -----------------------------------------------------------------------------


def _logistic_data(seed: int, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, size=(n, 3))
    risk = 1.5 - scores @ np.array([2.0, 1.0, 0.5]) / 100
    return scores, rng.random(n) < 1 / (1 + np.exp(-risk))


@pytest.mark.parametrize("l2", [0.0, 1.0, 25.0])
def test_solver_equals_scikit_learn_when_no_bound_is_active(l2: float) -> None:
    scores, churned = _logistic_data(1)
    result = fit_weights(("a", "b", "c"), scores, churned, l2=l2)
    oracle = linear_model.LogisticRegression(
        C=1 / l2 if l2 else np.inf, tol=1e-12, max_iter=10_000
    ).fit(-scores / 100, churned)
    assert (result.coefficients > 0).all()
    assert np.allclose(result.coefficients, oracle.coef_[0], atol=1e-5)
    assert result.intercept == pytest.approx(oracle.intercept_[0], abs=1e-5)
    assert result.iterations < 20


@given(st.integers(0, 10_000), st.floats(0.0, 10.0))
def test_solution_satisfies_the_optimality_conditions(seed: int, l2: float) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    scores = rng.uniform(0, 100, size=(n, 4))
    scores[rng.random((n, 4)) < 0.1] = np.nan
    # two protective metrics, one harmful (its weight must stay at 0), one noise
    risk = -1.0 - np.nan_to_num(scores - 50) @ np.array([2.0, 1.0, -1.5, 0.0]) / 100
    churned = rng.random(n) < 1 / (1 + np.exp(-risk))
    if churned.all() or not churned.any():
        return
    result = fit_weights(("a", "b", "c", "d"), scores, churned, l2=l2 + 0.01)
    features = -np.where(np.isnan(scores), result.means, scores) / 100
    mu = 1 / (1 + np.exp(-(result.intercept + features @ result.coefficients)))
    gradient = features.T @ (mu - churned) + (l2 + 0.01) * result.coefficients
    beta = result.coefficients
    assert (beta >= 0).all()
    assert abs(float(np.sum(mu - churned))) < 1e-5 * n  # intercept: zero gradient
    free = beta > 1e-9
    assert np.allclose(gradient[free], 0, atol=1e-5 * n)  # interior: zero gradient
    assert (gradient[~free] >= -1e-5 * n).all()  # at the bound: pushing outwards


def test_a_harmful_metric_gets_no_weight() -> None:
    # A metric whose higher scores go with more churn cannot earn a non-negative weight; with
    # enough data (fixed seed) the constrained optimum puts it exactly on the bound.
    rng = np.random.default_rng(20261122)
    n = 4000
    scores = rng.uniform(0, 100, size=(n, 4))
    risk = -1.0 - (scores - 50) @ np.array([2.0, 1.0, -1.5, 0.0]) / 100
    churned = rng.random(n) < 1 / (1 + np.exp(-risk))
    result = fit_weights(("a", "b", "c", "d"), scores, churned, l2=0.01)
    assert result.coefficients[2] == 0
    assert result.coefficients[0] > result.coefficients[1] > 0


# -- fitting a model ------------------------------------------------------------------------


def test_fit_recovers_the_ranking_of_the_true_drivers(sample: object) -> None:
    model = _driver_model()
    fitted = fit(model, sample.portfolio, sample.churned)  # type: ignore[attr-defined]
    _, matrix = model.metric_matrix(sample.portfolio)  # type: ignore[attr-defined]
    spread = np.nanstd(np.asarray(matrix), axis=0)
    # A weight per metric-score point, times the score's spread, is the effect of one
    # standard deviation — comparable with the drivers' coefficients on standardised data.
    importance = {m.name: m.weight * s for m, s in zip(fitted.metrics, spread, strict=True)}
    drivers = sample.drivers  # type: ignore[attr-defined]
    true_order = sorted((n for n in importance if drivers[n] != 0), key=lambda n: -abs(drivers[n]))
    fitted_order = sorted(importance, key=lambda n: -importance[n])
    assert fitted_order[: len(true_order)] == true_order
    for noise in ("feature_x_usage", "employees"):
        assert importance[noise] < 0.25 * importance["support_tickets"]


def test_held_out_auc_matches_logistic_regression(sample: object) -> None:
    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = sample.churned  # type: ignore[attr-defined]
    train = np.random.default_rng(0).random(len(pf)) < 0.5
    model = sk.HealthModel.dear()
    fitted = fit(model, pf.take(train), churned[train])
    test = pf.take(~train)
    fitted_auc = sk.evaluate(fitted.score(test), churned[~train], n_boot=0).auc
    hand_auc = sk.evaluate(model.score(test), churned[~train], n_boot=0).auc
    _, matrix = model.metric_matrix(pf)
    matrix = np.asarray(matrix)
    filled = np.where(np.isnan(matrix), np.nanmean(matrix[train], axis=0), matrix)
    oracle = linear_model.LogisticRegression(max_iter=5000).fit(filled[train], churned[train])
    oracle_auc = metrics.roc_auc_score(churned[~train], oracle.predict_proba(filled[~train])[:, 1])
    assert abs(fitted_auc - oracle_auc) < 0.02
    assert fitted_auc > hand_auc


def test_fit_keeps_the_models_structure(sample: object) -> None:
    model = sk.HealthModel.dear()
    fitted = fit(model, sample.portfolio, sample.churned)  # type: ignore[attr-defined]
    assert fitted.names == model.names
    assert [m.scheme for m in fitted.metrics] == [m.scheme for m in model.metrics]
    assert [m.group for m in fitted.metrics] == [m.group for m in model.metrics]
    assert fitted.group_names == model.group_names
    assert fitted.bands == model.bands
    assert fitted.missing == model.missing
    weights = {m.name: m.weight for m in fitted.metrics}
    assert sum(weights.values()) == pytest.approx(100, abs=0.01)
    assert all(w >= 0 for w in weights.values())
    assert fitted.groups is not None
    for group, weight in fitted.groups:
        members = sum(m.weight for m in fitted.metrics if m.group == group)
        assert weight == pytest.approx(members)
    assert weights["login_rate"] == max(weights.values())
    assert sk.HealthModel.from_dict(fitted.to_dict()) == fitted


def test_fit_without_groups_and_with_missing_values() -> None:
    rng = np.random.default_rng(4)
    n = 600
    good = rng.uniform(0, 1, n)
    noise = rng.uniform(0, 1, n)
    churned = rng.random(n) < 1 / (1 + np.exp(-(1.0 - 4 * good)))
    good_seen = np.where(rng.random(n) < 0.2, np.nan, good)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "good": good_seen,
                                    "noise": noise})
    model = sk.HealthModel([sk.Metric("good", scheme=sk.Linear(0, 1)),
                            sk.Metric("noise", scheme=sk.Linear(0, 1))])
    fitted = fit(model, pf, churned)
    assert fitted.groups is None
    assert fitted.metric("good").weight > 90


def test_fit_by_segment(sample: object) -> None:
    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = sample.churned  # type: ignore[attr-defined]
    model = _driver_model()
    segmented = fit(model, pf, churned, by="tier", min_segment=1000)
    assert isinstance(segmented, sk.SegmentedModel)
    sizes = {t: int((pf["tier"] == t).sum()) for t in ("high", "low", "tech")}
    assert {label for label, _ in segmented.models} == {t for t, n in sizes.items() if n >= 1000}
    assert segmented.default == fit(model, pf, churned)
    scores = segmented.score(pf).score
    assert not np.isnan(scores).all()


# -- errors ---------------------------------------------------------------------------------


def _tiny() -> tuple[sk.HealthModel, sk.Portfolio]:
    model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1)),
                            sk.Metric("y", scheme=sk.Linear(0, 1))])
    pf = sk.Portfolio.from_columns({
        "id": list("abcdef"),
        "x": [0.1, 0.2, 0.3, 0.7, 0.8, 0.9],
        "y": [0.5, 0.1, 0.9, 0.3, 0.6, 0.2],
        "tier": ["a", "a", "a", "b", "b", "b"],
    })
    return model, pf


def test_single_class_outcomes_are_a_model_error() -> None:
    model, pf = _tiny()
    with pytest.raises(sk.ModelError, match="all 6 training accounts stayed"):
        fit(model, pf, np.zeros(6, dtype=bool))
    with pytest.raises(sk.ModelError, match="all 6 training accounts churned"):
        fit(model, pf, np.ones(6, dtype=bool))


def test_separable_outcomes_without_a_penalty_do_not_converge() -> None:
    model, pf = _tiny()
    churned = np.array([True, True, True, False, False, False])  # x separates perfectly
    with pytest.raises(sk.ModelError, match=r"did not converge.*use l2 > 0"):
        fit(model, pf, churned, l2=0)
    assert fit(model, pf, churned, l2=1.0).metric("x").weight > 50


def test_outcomes_no_metric_predicts_are_a_model_error() -> None:
    _model, pf = _tiny()
    churned = np.array([False, False, False, True, True, True])  # higher x churns more
    with pytest.raises(sk.ModelError, match="every fitted weight is 0"):
        fit(sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))]), pf, churned)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"l2": -1}, sk.ModelError, "l2 must be finite and not negative"),
        ({"l2": "big"}, sk.ModelError, "l2 must be a number"),
        ({"by": "tier", "min_segment": 0}, sk.DataError, "min_segment must be"),
        ({"by": "tier", "min_segment": 10}, sk.ModelError, "no segment of 'tier' has 10"),
        ({"by": "tier", "min_segment": True}, sk.DataError, "min_segment must be"),
        ({"by": "tier", "min_segment": np.int64(10)}, sk.ModelError, "no segment of 'tier'"),
        ({"by": "tierr"}, sk.DataError, "did you mean 'tier'"),
        ({"max_iter": 0}, sk.ModelError, "max_iter must be a positive integer, got 0"),
        ({"max_iter": 2.5}, sk.ModelError, "max_iter must be a positive integer"),
        ({"tol": -1e-8}, sk.ModelError, "tol must be a positive number"),
        ({"tol": float("nan")}, sk.ModelError, "tol must be a positive number"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    model, pf = _tiny()
    churned = np.array([True, False, True, False, False, True])
    with pytest.raises(error, match=message):
        fit(model, pf, churned, **kwargs)  # type: ignore[arg-type]


def test_bad_inputs() -> None:
    model, pf = _tiny()
    churned = np.array([True, False, True, False, False, True])
    with pytest.raises(sk.DataError, match="churned has 5 values"):
        fit(model, pf, churned[:5])
    with pytest.raises(sk.DataError, match="expected a Portfolio"):
        fit(model, {"x": [1]}, churned)  # type: ignore[arg-type]
    with pytest.raises(sk.ModelError, match="learns the weights of a HealthModel"):
        fit(sk.SegmentedModel("tier", {"a": model}), pf, churned)
    empty = pf.with_columns(y=[None] * 6)
    with pytest.raises(sk.DataError, match="metric 'y' has no value") as info:
        fit(model, empty, churned)
    assert info.value.column == "y"
    with pytest.raises(sk.DataError) as info:
        fit(model, pf, [True, False, True, False, False, "x"])
    assert info.value.account == "f"


def test_health_model_methods_are_the_functions(sample: object) -> None:
    from successkit.outcomes import calibrate

    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = sample.churned  # type: ignore[attr-defined]
    model = _driver_model()
    assert model.fit(pf, churned, l2=2.0) == fit(model, pf, churned, l2=2.0)
    assert isinstance(model.fit(pf, churned, by="tier", min_segment=1000), sk.SegmentedModel)
    assert model.calibrate(pf, churned, method="binned") == calibrate(
        model, pf, churned, method="binned"
    )


# -- what a fit says it learnt from -----------------------------------------------------------


@given(
    seed=st.integers(0, 10_000),
    unknown_share=st.sampled_from([0.0, 0.1, 0.4]),
    unscored_share=st.sampled_from([0.0, 0.15]),
)
def test_training_counts_what_the_fit_used_and_left_out(
    seed: int, unknown_share: float, unscored_share: float
) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    good = rng.uniform(0, 1, n)
    noise = rng.uniform(0, 1, n)
    flags = rng.random(n) < 1 / (1 + np.exp(-(1.0 - 4 * good)))
    flags[:2] = [True, False]  # both outcomes among the known, scored accounts
    unknown = rng.random(n) < unknown_share
    unknown[:2] = False
    unscored = rng.random(n) < unscored_share
    unscored[:2] = False
    # An account with no score at all: every metric missing.
    good_seen = np.where(unscored, np.nan, good)
    noise_seen = np.where(unscored, np.nan, noise)
    pf = sk.Portfolio.from_columns({"id": np.arange(n).astype(str), "good": good_seen,
                                    "noise": noise_seen})
    outcome = [None if u else bool(f) for u, f in zip(unknown, flags, strict=True)]
    model = sk.HealthModel([sk.Metric("good", scheme=sk.Linear(0, 1)),
                            sk.Metric("noise", scheme=sk.Linear(0, 1))])
    fitted = model.fit(pf, outcome)
    used = ~unknown & ~unscored
    assert fitted.training == sk.outcomes.fitting.Training(
        accounts=int(used.sum()), churned=int(flags[used].sum()),
        unknown=int(unknown.sum()), unscored=int((unscored & ~unknown).sum()))
    # Leaving the unknown outcomes out is the same as fitting the known accounts alone.
    known_only = fit(model, pf.take(np.flatnonzero(~unknown)), flags[~unknown])
    assert known_only == fitted
    assert known_only.training is not None
    assert known_only.training.unknown == 0


def test_training_is_a_record_of_the_fit_not_part_of_the_model(sample: object) -> None:
    import pickle

    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = np.asarray(sample.churned)  # type: ignore[attr-defined]
    model = _driver_model()
    assert model.training is None
    outcome = np.where(np.arange(churned.size) % 10 == 0, np.nan, churned.astype(float))
    fitted = model.fit(pf, outcome)
    assert fitted.training is not None
    assert fitted.training.unknown == (churned.size + 9) // 10
    assert "training" not in repr(fitted)
    assert "training" not in fitted.to_dict()
    # Equality and the fingerprint are the weights', whatever the fit saw.
    restored = sk.HealthModel.from_dict(fitted.to_dict())
    assert restored == fitted
    assert restored.fingerprint == fitted.fingerprint
    assert restored.training is None
    assert pickle.loads(pickle.dumps(fitted)).training == fitted.training
    # A variant's weights were not learnt from those accounts: it has no record.
    assert fitted.with_weights({"login_rate": 5}).training is None
    with pytest.raises(TypeError):
        sk.HealthModel(list(model.metrics), training=fitted.training)  # type: ignore[call-arg]
    assert str(fitted.training).startswith(f"fitted on {fitted.training.accounts} accounts")


def test_training_of_a_segmented_fit(sample: object) -> None:
    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = list(sample.churned)  # type: ignore[attr-defined]
    churned[0] = None
    segmented = fit(_driver_model(), pf, churned, by="tier", min_segment=1000)
    assert segmented.default is not None
    assert segmented.training == segmented.default.training
    assert segmented.training is not None
    assert segmented.training.unknown == 1
    tiers = np.asarray(pf["tier"])
    for label, model in segmented.models:
        assert model.training is not None
        assert model.training.accounts == int((tiers[1:] == label).sum())
        assert model.training.unknown == int(tiers[0] == label)


def test_numpy_booleans_mixed_with_unknowns_are_outcomes() -> None:
    # ``list(array)`` with a None put in: numpy booleans beside None, as users build them.
    from successkit.scoring._outcome_inputs import read_labels

    y, known = read_labels([None, np.True_, np.False_, True], 4, ids=None)
    assert known.tolist() == [False, True, True, True]
    assert y.tolist() == [False, True, False, True]
