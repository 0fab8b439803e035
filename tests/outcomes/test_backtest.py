"""backtest(): time split, no leakage, outcome forms, reports per test snapshot."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import successkit as sk
from successkit.datasets import make_portfolio


@pytest.fixture(scope="module")
def sample() -> object:
    return make_portfolio(800, months=8, seed=6)


def _model() -> sk.HealthModel:
    return sk.HealthModel([
        sk.Metric("login_rate", scheme=sk.Percentile()),
        sk.Metric("roi_achievement", scheme=sk.Percentile()),
        sk.Metric("feature_x_usage", scheme=sk.Percentile()),
    ])


def test_train_and_test_snapshots_follow_the_split(sample: object) -> None:
    history = sample.history  # type: ignore[attr-defined]
    result = sk.backtest(_model(), history, sample.churned_within,  # type: ignore[attr-defined]
                         train_until="2026-07-01", horizon="60d", n_boot=0)
    # trains only when as_of + 60 days <= 2026-07-01
    assert [d.isoformat() for d in result.train_dates] == [
        "2026-03-01", "2026-04-01", "2026-05-01",
    ]
    assert [d.isoformat() for d in result.reports] == [
        "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01",
    ]
    assert set(result.baseline) == set(result.reports)
    assert result.horizon_days == 60
    for day, report in result.reports.items():
        snapshot = history.at(day)
        assert report.accounts == len(snapshot)
        expected = sample.churned_within(day, 60)  # type: ignore[attr-defined]
        assert report.churned == int(expected.sum())
        assert report.fingerprint == result.model.fingerprint
        assert 0.6 < report.auc < 1


def test_nothing_after_the_split_reaches_the_fit(sample: object) -> None:
    asked: list[tuple[dt.date, int]] = []

    def spy(as_of: dt.date, days: int) -> np.ndarray:
        asked.append((as_of, days))
        return sample.churned_within(as_of, days)  # type: ignore[attr-defined,no-any-return]

    split = dt.date(2026, 7, 1)
    result = sk.backtest(_model(), sample.history, spy, train_until=split,  # type: ignore[attr-defined]
                         horizon="60d", n_boot=0)
    trained = [(d, n) for d, n in asked if d < split]
    assert trained
    assert all(d + dt.timedelta(days=n) <= split for d, n in trained)

    # Scrambling every outcome observed after the split leaves the fitted model unchanged.
    def scrambled(as_of: dt.date, days: int) -> np.ndarray:
        real = sample.churned_within(as_of, days)  # type: ignore[attr-defined]
        return real if as_of < split else ~real

    again = sk.backtest(_model(), sample.history, scrambled, train_until=split,  # type: ignore[attr-defined]
                        horizon="60d", n_boot=0)
    assert again.model == result.model
    first = next(iter(result.reports))
    assert again.reports[first].auc == pytest.approx(1 - result.reports[first].auc)


def test_churn_dates_and_callables_agree(sample: object) -> None:
    options = {"train_until": "2026-08-01", "horizon": "30d", "n_boot": 0}
    by_callable = sk.backtest(_model(), sample.history, sample.churned_within, **options)  # type: ignore[attr-defined]
    by_dates = sk.backtest(_model(), sample.history, sample.churn_dates, **options)  # type: ignore[attr-defined]
    ids = sample.history.ids.tolist()  # type: ignore[attr-defined]
    dates = [None if np.isnat(d) else d.astype(object) for d in sample.churn_dates]  # type: ignore[attr-defined]
    by_mapping = sk.backtest(_model(), sample.history, dict(zip(ids, dates, strict=True)),  # type: ignore[attr-defined]
                             **options)
    assert by_callable.model == by_dates.model == by_mapping.model
    for day in by_callable.reports:
        assert by_callable.reports[day].auc == by_dates.reports[day].auc
        assert by_callable.reports[day].churned == by_mapping.reports[day].churned


def test_without_fit_the_model_is_tested_as_given(sample: object) -> None:
    model = _model()
    result = sk.backtest(model, sample.history, sample.churned_within,  # type: ignore[attr-defined]
                         train_until="2026-09-01", horizon="30d", fit=False, n_boot=0,
                         arr="arr")
    assert result.model is model
    assert result.train_dates == ()
    assert dict(result.baseline) == {}
    report = result.reports[dt.date(2026, 9, 1)]
    assert report.has_arr
    assert "Backtest of the model as given, 30-day horizon" in result.summary()
    assert np.isnan(result.columns()["baseline_auc"]).all()


def test_fitting_does_not_hurt_out_of_time(sample: object) -> None:
    result = sk.backtest(_model(), sample.history, sample.churned_within,  # type: ignore[attr-defined]
                         train_until="2026-07-01", horizon="60d", n_boot=0)
    fitted = np.mean([r.auc for r in result.reports.values()])
    before = np.mean([r.auc for r in result.baseline.values()])
    assert fitted >= before - 0.01
    assert result.model.metric("feature_x_usage").weight < result.model.metric("login_rate").weight


def test_output(sample: object) -> None:
    result = sk.backtest(_model(), sample.history, sample.churned_within,  # type: ignore[attr-defined]
                         train_until="2026-09-01", horizon="30d", n_boot=20)
    text = result.summary()
    assert text.startswith("Backtest: fitted on ")
    assert "2026-10-01:" in text
    assert "before fit" in text
    assert repr(result).startswith("BacktestResult(")
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert list(data["reports"]) == ["2026-09-01", "2026-10-01"]
    assert sk.HealthModel.from_dict(data["model"]) == result.model
    assert "<table" in result._repr_html_()
    pytest.importorskip("pandas")
    frame = result.to_frame()
    assert len(frame) == 2
    assert {"auc", "auc_low", "baseline_auc", "lift"} <= set(frame.columns)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"train_until": "2027-01-01"}, sk.DataError, "no snapshot on or after train_until"),
        ({"train_until": "2026-03-01"}, sk.DataError, "no snapshot's 90-day outcome window"),
        ({"train_until": "2026-09-01", "horizon": 0}, sk.DataError, "at least one day"),
        ({"train_until": "not a date"}, sk.DataError, "not an ISO date"),
        ({"train_until": "2026-09-01", "horizon": "soon"}, sk.DataError, "horizon"),
    ],
)
def test_bad_splits(sample: object, kwargs: dict[str, object], error: type[Exception],
                    message: str) -> None:
    with pytest.raises(error, match=message):
        sk.backtest(_model(), sample.history, sample.churned_within, n_boot=0, **kwargs)  # type: ignore[attr-defined]


def test_bad_outcomes(sample: object) -> None:
    history = sample.history  # type: ignore[attr-defined]
    options = {"train_until": "2026-09-01", "horizon": "30d", "n_boot": 0}
    with pytest.raises(sk.DataError, match="churn dates must be one per account"):
        sk.backtest(_model(), history, [None, None], **options)
    with pytest.raises(sk.DataError, match=r"outcomes must be labels .* unparseable") as info:
        sk.backtest(_model(), history, ["soon"] * len(history.ids), **options)
    assert info.value.account == history.ids[0]
    with pytest.raises(sk.DataError, match="outcomes on 2026-") as info:
        sk.backtest(_model(), history, lambda day, days: np.zeros(3, dtype=bool), **options)
    assert "values but there are" in str(info.value)
    with pytest.raises(sk.ModelError, match="fitting on 6 snapshots before 2026-09-01: all"):
        sk.backtest(_model(), history, lambda day, days: np.zeros(len(history.at(day)), bool),
                    **options)
    with pytest.raises(sk.DataError, match="expected a History"):
        sk.backtest(_model(), sample.portfolio, sample.churned_within, **options)  # type: ignore[attr-defined]


def test_a_test_snapshot_with_one_outcome_is_named(sample: object) -> None:
    history = sample.history  # type: ignore[attr-defined]
    split = dt.date(2026, 9, 1)

    def outcomes(day: dt.date, days: int) -> np.ndarray:
        real = sample.churned_within(day, days)  # type: ignore[attr-defined]
        return real if day < split else np.zeros_like(real)

    with pytest.raises(sk.ModelError, match="testing on 2026-09-01: all"):
        sk.backtest(_model(), history, outcomes, train_until=split, horizon="30d", n_boot=0)


def test_the_fitted_model_says_what_trained_it(sample: object) -> None:
    history = sample.history  # type: ignore[attr-defined]

    def censored(as_of: dt.date, days: int) -> np.ndarray:
        # Every third account's outcome is unknown (None) on every snapshot.
        flags = sample.churned_within(as_of, days)  # type: ignore[attr-defined]
        return np.array([None if k % 3 == 0 else bool(f) for k, f in enumerate(flags)],
                        dtype=object)

    result = sk.backtest(_model(), history, censored, train_until="2026-07-01",
                         horizon="60d", n_boot=0)
    training = result.model.training
    assert training is not None
    assert training.unknown == result.train_unknown > 0
    assert training.accounts == result.train_report.accounts
    assert training.churned == result.train_report.churned
