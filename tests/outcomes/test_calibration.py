"""CalibratedModel: isotonic and binned calibration, monotone, priced, serialisable."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import successkit as sk
from strategies import scored_outcomes
from successkit.outcomes import calibrate
from successkit.scoring.isotonic import isotonic_decreasing, pool_adjacent_violators

GRID = np.linspace(-20.0, 120.0, 281)


@given(scored_outcomes(min_size=2, max_size=80), st.sampled_from(["isotonic", "binned"]),
       st.integers(1, 12))
def test_calibration_is_monotone(
    data: tuple[np.ndarray, np.ndarray], method: str, bins: int
) -> None:
    scores, churned = data
    calibrated = sk.CalibratedModel.from_scores(scores, churned, method=method, bins=bins)
    p = calibrated.predict(GRID)
    assert (np.diff(p) <= 1e-12).all()
    assert ((p >= 0) & (p <= 1)).all()


@given(scored_outcomes(min_size=2, max_size=80, levels=30))
def test_isotonic_equals_scikit_learn(data: tuple[np.ndarray, np.ndarray]) -> None:
    isotonic = pytest.importorskip("sklearn.isotonic")
    scores, churned = data
    calibrated = sk.CalibratedModel.from_scores(scores, churned)
    if calibrated.knots.size < 2:
        return  # scikit-learn needs two distinct scores to interpolate
    oracle = isotonic.IsotonicRegression(increasing=False, out_of_bounds="clip")
    oracle.fit(scores, churned.astype(float))
    assert np.allclose(calibrated.predict(GRID), oracle.predict(GRID), atol=1e-12)


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=40), st.data())
def test_pool_adjacent_violators(values: list[float], data: st.DataObject) -> None:
    y = np.asarray(values)
    w = np.asarray(data.draw(st.lists(st.floats(0.1, 5), min_size=len(y), max_size=len(y))))
    fit = pool_adjacent_violators(y, w)
    assert (np.diff(fit) >= -1e-9).all()
    assert float(fit @ w) == pytest.approx(float(y @ w), abs=1e-6)  # pooling keeps the mass
    if (np.diff(y) >= 0).all():
        assert np.allclose(fit, y)


def test_isotonic_by_hand() -> None:
    knots, fit = isotonic_decreasing(np.array([10.0, 20, 30, 40]), np.array([1.0, 0, 1, 0]))
    assert knots.tolist() == [10, 20, 30, 40]
    assert fit.tolist() == [1.0, 0.5, 0.5, 0.0]
    calibrated = sk.CalibratedModel.from_scores([10.0, 20, 30, 40], [1, 0, 1, 0])
    assert calibrated.predict([0.0, 15.0, 25.0, 35.0, 50.0, np.nan]).tolist()[:5] == [
        1.0, 0.75, 0.5, 0.25, 0.0,
    ]
    assert np.isnan(calibrated.predict([np.nan])[0])
    assert calibrated.accounts == 4
    assert calibrated.churn_rate == 0.5


def test_binned_by_hand() -> None:
    scores = np.arange(10, dtype=float) * 10  # 0 … 90
    churned = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    calibrated = sk.CalibratedModel.from_scores(scores, churned, method="binned", bins=5)
    assert calibrated.knots.tolist() == [0, 20, 40, 60, 80]
    # bin rates 1, 0.5, 0, 0.5, 0 → pooled: 1, 0.5, 0.25, 0.25, 0
    assert calibrated.probabilities.tolist() == [1.0, 0.5, 0.25, 0.25, 0.0]
    assert calibrated.predict([-5.0, 0.0, 19.9, 20.0, 95.0]).tolist() == [1, 1, 1, 0.5, 0]


def test_binned_never_splits_ties() -> None:
    scores = np.array([10.0] * 6 + [90.0] * 4)
    churned = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)
    calibrated = sk.CalibratedModel.from_scores(scores, churned, method="binned", bins=10)
    assert calibrated.knots.tolist() == [10, 90]
    assert calibrated.probabilities.tolist() == [0.5, 0.25]


def _model_and_portfolio() -> tuple[sk.HealthModel, sk.Portfolio, np.ndarray]:
    model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0, 1))])
    pf = sk.Portfolio.from_columns({
        "id": list("abcdef"),
        "login_rate": [0.1, 0.2, 0.4, 0.6, 0.8, None],
        "arr": [100.0, 200, 300, 400, 500, 600],
    })
    return model, pf, np.array([True, True, False, True, False, False])


def test_calibrate_a_model_and_price_the_risk() -> None:
    model, pf, churned = _model_and_portfolio()
    calibrated = calibrate(model, pf, churned)
    assert calibrated.model == model
    assert calibrated.accounts == 5  # the account without a score is left out
    p = calibrated.predict(pf)
    assert p[:5].tolist() == [1.0, 1.0, 0.5, 0.5, 0.0]
    assert np.isnan(p[5])
    loss = calibrated.expected_loss(pf)
    assert loss[:5].tolist() == [100.0, 200.0, 150.0, 200.0, 0.0]
    assert calibrated.expected_loss(pf, arr=np.ones(6))[:5].tolist() == p[:5].tolist()
    assert calibrated.predict(model.score(pf))[:5].tolist() == p[:5].tolist()


def test_probabilities_plug_into_evaluate() -> None:
    model, pf, churned = _model_and_portfolio()
    calibrated = calibrate(model, pf, churned, method="binned", bins=2)
    report = sk.evaluate(model.score(pf), churned, probability=calibrated.predict(pf), n_boot=0)
    assert report.reliability is not None
    assert report.brier < report.churn_rate * (1 - report.churn_rate)


def test_round_trip_through_json() -> None:
    model, pf, churned = _model_and_portfolio()
    for method in ("isotonic", "binned"):
        calibrated = calibrate(model, pf, churned, method=method)
        data = json.loads(json.dumps(calibrated.to_dict(), allow_nan=False))
        again = sk.CalibratedModel.from_dict(data)
        assert again == calibrated
        assert again.fingerprint == calibrated.fingerprint
        assert np.array_equal(again.predict(pf), calibrated.predict(pf), equal_nan=True)
    bare = sk.CalibratedModel.from_scores([1.0, 2.0], [True, False])
    assert sk.CalibratedModel.from_dict(bare.to_dict()) == bare


def test_segmented_models_round_trip() -> None:
    model, pf, churned = _model_and_portfolio()
    segmented = sk.SegmentedModel("tier", {"high": model}, default=model)
    pf = pf.with_columns(tier=["high", "low", "high", "low", "high", "low"])
    calibrated = calibrate(segmented, pf, churned)
    assert sk.CalibratedModel.from_dict(calibrated.to_dict()) == calibrated


def test_repr_names_the_method() -> None:
    calibrated = sk.CalibratedModel.from_scores([10.0, 50, 90], [True, True, False])
    assert repr(calibrated) == (
        "CalibratedModel(isotonic, scores, 3 knots, p 0.000–1.000, trained on 3 accounts)"
    )


def test_plot_the_curve() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for method in ("isotonic", "binned"):
        calibrated = sk.CalibratedModel.from_scores(
            [10.0, 50, 90, 20], [True, True, False, False], method=method
        )
        ax = calibrated.plot()
        assert ax.get_ylabel() == "churn probability"
    plt.close("all")


# -- errors ---------------------------------------------------------------------------------


def test_single_class_outcomes_are_a_model_error() -> None:
    with pytest.raises(sk.ModelError, match="all 3 accounts stayed"):
        sk.CalibratedModel.from_scores([1.0, 2.0, 3.0], [False, False, False])
    model, pf, _ = _model_and_portfolio()
    with pytest.raises(sk.ModelError, match="churned and staying"):
        calibrate(model, pf, np.ones(6, dtype=bool))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sk.CalibratedModel.from_scores([1.0, 2], [1, 0], method="spline"),
         sk.ModelError, "method must be one of 'isotonic', 'binned'"),
        (lambda: sk.CalibratedModel.from_scores([1.0, 2], [1, 0], method="binned", bins=0),
         sk.DataError, "bins must be a positive integer"),
        (lambda: sk.CalibratedModel.from_scores([np.nan, np.nan], [1, 0]),
         sk.DataError, "no account has a score"),
        (lambda: sk.CalibratedModel.from_scores([1.0, 2], [1, 0, 1]),
         sk.DataError, "3 values but there are 2"),
        (lambda: sk.CalibratedModel(knots=[2.0, 1.0], probabilities=[0.5, 0.4]),
         sk.ModelError, "knots must increase"),
        (lambda: sk.CalibratedModel(knots=[1.0, 2.0], probabilities=[0.4, 0.5]),
         sk.ModelError, "must not increase"),
        (lambda: sk.CalibratedModel(knots=[1.0], probabilities=[1.5]),
         sk.ModelError, r"lie in \[0, 1\]"),
        (lambda: sk.CalibratedModel(knots=[], probabilities=[]),
         sk.ModelError, "at least one knot"),
        (lambda: sk.CalibratedModel(knots=[1.0, 2.0], probabilities=[0.5]),
         sk.ModelError, "same length"),
        (lambda: sk.CalibratedModel(knots=[np.nan], probabilities=[0.5]),
         sk.ModelError, "finite"),
        (lambda: sk.CalibratedModel.from_dict({"type": "calibrated", "version": 2}),
         sk.ModelError, "unsupported calibrated version"),
        (lambda: sk.CalibratedModel.from_dict({"type": "calibrated", "version": 1}),
         sk.ModelError, "missing key 'knots'"),
        (lambda: sk.CalibratedModel.from_dict({"type": "calibrated", "version": 1,
                                               "knots": ["a"], "probabilities": [0.1]}),
         sk.ModelError, "knots must be a list of numbers"),
        (lambda: sk.CalibratedModel.from_dict({"type": "calibrated", "version": 1,
                                               "method": "isotonic", "knots": [1.0],
                                               "probabilities": [0.1],
                                               "model": {"type": "touch"}}),
         sk.ModelError, "cannot rebuild a model of type 'touch'"),
        (lambda: calibrate(sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))]),
                           [1.0], [True]),
         sk.DataError, "expected a Portfolio"),
    ],
)
def test_bad_calibrations(call: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]


def test_a_bare_calibration_needs_scores() -> None:
    _, pf, _ = _model_and_portfolio()
    bare = sk.CalibratedModel.from_scores([1.0, 2.0], [True, False])
    with pytest.raises(sk.ModelError, match="pass scores"):
        bare.predict(pf)
    with pytest.raises(sk.DataError, match="names a column"):
        bare.expected_loss([1.0, 2.0])
    with pytest.raises(sk.DataError) as info:
        bare.expected_loss([1.0, 2.0], arr=[5.0, -1.0])
    assert info.value.row == 1
