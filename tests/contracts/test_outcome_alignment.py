"""Outcomes and churn dates keyed by account id are aligned by id, never by position.

Every function that takes outcomes or churn dates accepts a pandas or polars Series, a
mapping or an array; a Series indexed by id (or a mapping) is matched by id, ids that do not
match are a DataError naming them, NaT / None / NaN is "no churn date" (or, for outcomes,
"unknown"), and only successkit errors escape.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import numpy as np
import pytest

import successkit as sk
from successkit.contracts import churn_labels
from successkit.data._keyed import read_churn_dates
from successkit.data.contracts import Contracts
from successkit.datasets import make_portfolio
from successkit.errors import DataError, SuccesskitError
from successkit.scoring._outcome_inputs import read_labels, read_outcome

IDS = np.array(["a", "b", "c"])


def test_series_in_a_different_order_is_aligned_by_index() -> None:
    pd = pytest.importorskip("pandas")
    series = pd.Series([True, False, False], index=["c", "a", "b"])
    assert read_outcome(series, 3, ids=IDS).tolist() == [False, False, True]


def test_mapping_is_aligned_by_key() -> None:
    assert read_outcome({"b": 1, "c": 0, "a": 0}, 3, ids=IDS).tolist() == [False, True, False]


def test_non_matching_ids_are_named() -> None:
    with pytest.raises(DataError, match=r"\['c'\]"):
        read_outcome({"a": 1, "b": 0, "z": 0}, 3, ids=IDS)
    with pytest.raises(DataError, match=r"not among the accounts, e.g. \['z'\]"):
        read_outcome({"a": 1, "b": 0, "c": 0, "z": 0}, 3, ids=IDS)


def test_default_index_stays_positional() -> None:
    pd = pytest.importorskip("pandas")
    assert read_outcome(pd.Series([1, 0, 1]), 3, ids=IDS).tolist() == [True, False, True]


def test_nullable_and_polars_series_mark_unknown_outcomes() -> None:
    pd = pytest.importorskip("pandas")
    series = pd.Series([True, None, False], index=["b", "c", "a"], dtype="boolean")
    y, known = read_labels(series, 3, ids=IDS)
    assert (y.tolist(), known.tolist()) == ([False, True, False], [True, True, False])
    pl = pytest.importorskip("polars")
    y, known = read_labels(pl.Series([1.0, None, 0.0]), 3, ids=IDS)
    assert (y.tolist(), known.tolist()) == ([True, False, False], [True, False, True])


@pytest.fixture(scope="module")
def sample() -> object:
    return make_portfolio(400, months=6, seed=5)


def _model() -> sk.HealthModel:
    return sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile()),
                           sk.Metric("nps", scheme=sk.Linear(0, 10))])


def test_every_outcome_taker_aligns_a_shuffled_series_by_id(sample: object) -> None:
    pd = pytest.importorskip("pandas")
    pf = sample.portfolio  # type: ignore[attr-defined]
    churned = np.asarray(sample.churned)  # type: ignore[attr-defined]
    order = np.random.default_rng(0).permutation(len(pf))
    shuffled = pd.Series(churned[order], index=pf.ids[order])
    result = _model().score(pf)
    assert sk.evaluate(result, shuffled, n_boot=0).auc == sk.evaluate(result, churned,
                                                                      n_boot=0).auc
    assert _model().fit(pf, shuffled) == _model().fit(pf, churned)
    assert _model().calibrate(pf, shuffled) == _model().calibrate(pf, churned)
    as_dict = dict(zip(pf.ids.tolist(), churned.tolist(), strict=True))
    assert sk.evaluate(result, as_dict, n_boot=0).auc == sk.evaluate(result, churned,
                                                                     n_boot=0).auc
    wrong = pd.Series(churned, index=[f"x{i}" for i in range(len(pf))])
    # Keyed by row numbers, as a Series is after a split: no key is an account id.
    by_row = pd.Series(churned[::-1], index=np.arange(len(pf))[::-1])
    partly = pd.Series(churned[:-1], index=pf.ids[:-1])
    for outcome, message in ((wrong, "none of which is an account id"),
                             (by_row, r"keys such as \['\d+'"),
                             (partly, r"has no value for 1 account ids")):
        for call in (
            lambda y: sk.evaluate(result, y, n_boot=0),
            lambda y: _model().fit(pf, y),
            lambda y: _model().calibrate(pf, y),
            lambda y: sk.fit_card(pf, y),
        ):
            with pytest.raises(DataError, match=message):
                call(outcome)


def test_arr_and_probability_keyed_by_id_are_aligned(sample: object) -> None:
    pd = pytest.importorskip("pandas")
    result = _model().score(sample.portfolio)  # type: ignore[attr-defined]
    arr = np.arange(len(result.ids), dtype=float) + 1
    reverse = pd.Series(arr[::-1], index=result.ids[::-1])
    assert sk.arr_at_risk(result, reverse).arr.tolist() == sk.arr_at_risk(result, arr).arr.tolist()
    churned = sample.churned  # type: ignore[attr-defined]
    p = np.linspace(0, 1, len(arr))
    keyed = sk.evaluate(result, churned, arr=reverse, probability=pd.Series(p[::-1],
                        index=result.ids[::-1]), n_boot=0)
    plain = sk.evaluate(result, churned, arr=arr, probability=p, n_boot=0)
    assert (keyed.brier, keyed.arr_auc) == (plain.brier, plain.arr_auc)


def test_retention_from_keyed_arr_matches_portfolios() -> None:
    pd = pytest.importorskip("pandas")
    start = pd.Series([100.0, 200.0, 50.0], index=["a", "b", "c"])
    end = {"d": 40.0, "b": 200.0, "a": 130.0}
    q1 = sk.Portfolio.from_columns({"id": ["a", "b", "c"], "arr": [100, 200, 50]})
    q2 = sk.Portfolio.from_columns({"id": ["a", "b", "d"], "arr": [130, 200, 40]})
    keyed, portfolios = sk.retention(start, end), sk.retention(q1, q2)
    assert (keyed.nrr, keyed.grr, keyed.logo_churn_rate) == (
        portfolios.nrr, portfolios.grr, portfolios.logo_churn_rate)
    with pytest.raises(DataError, match="both be keyed"):
        sk.retention(start, [1.0, 2.0, 3.0])


def test_churn_dates_accept_every_form() -> None:
    pd = pytest.importorskip("pandas")
    want = ([False, True, True], ["NaT", "2026-03-01", "2026-05-01"])
    forms = [
        {"c": "2026-05-01", "b": dt.date(2026, 3, 1), "a": pd.NaT},
        {"b": "2026-03-01", "c": np.datetime64("2026-05-01")},  # churners only
        pd.Series(pd.to_datetime(["2026-05-01", None, "2026-03-01"]), index=["c", "a", "b"]),
        [None, "2026-03-01", pd.Timestamp("2026-05-01")],
        [float("nan"), "2026-03-01", "2026-05-01"],
        np.array(["NaT", "2026-03-01", "2026-05-01"], dtype="M8[D]"),
    ]
    for value in forms:
        churned, dates = read_churn_dates(value, IDS)
        assert (churned.tolist(), dates.astype(str).tolist()) == want
    pl = pytest.importorskip("polars")
    churned, dates = read_churn_dates(
        pl.Series([None, dt.date(2026, 3, 1), dt.date(2026, 5, 1)]), IDS)
    assert (churned.tolist(), dates.astype(str).tolist()) == want


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": "2026-01-01", "zz": "2026-01-01"}, r"not among the accounts, e\.g\. \['zz'\]"),
        (["2026-01-01", "soon", None], "unparseable date 'soon'"),
        ([1.5, None, None], "must be dates"),
        (["2026-01-01"], "1 values but there are 3"),
        ("2026-01-01", "one date"),
    ],
)
def test_bad_churn_dates_are_data_errors(value: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_churn_dates(value, IDS)


def test_replay_takes_churn_dates_with_nat_and_a_series() -> None:
    pd = pytest.importorskip("pandas")
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "usage": [u, 0.8]}, as_of=day)
        for u, day in [(0.9, "2026-01-01"), (0.4, "2026-02-01"), (0.3, "2026-03-01")]
    ])
    pb = sk.Playbook.parse("rule low: when usage < 50% then call")
    by_dict = pb.replay(history, outcome={"a": "2026-06-01", "b": pd.NaT})
    by_series = pb.replay(history, outcome=pd.Series(pd.to_datetime([None, "2026-06-01"]),
                                                     index=["b", "a"]))
    assert by_dict.rule("low").churn_share == by_series.rule("low").churn_share == 1.0
    with pytest.raises(DataError, match=r"\['zz'\]"):
        pb.replay(history, outcome={"zz": "2026-06-01"})


def test_replay_with_a_horizon_counts_churn_within_it() -> None:
    history = sk.History([
        sk.Portfolio.from_columns({"id": ["a", "b"], "usage": [u, 0.8]}, as_of=day)
        for u, day in [(0.9, "2026-01-01"), (0.4, "2026-02-01"), (0.3, "2026-03-01")]
    ])
    pb = sk.Playbook.parse("rule low: when usage < 50% then call")
    churn = {"a": "2026-03-01", "b": "2026-09-01"}
    monthly = pb.replay(history, outcome=churn, horizon="1mo")
    # a's CTA on 2026-02-01: churn on 2026-03-01 is within one calendar month
    assert monthly.rule("low").churn_share == 1.0
    # base rate: of 6 account-snapshots, a churns within a month of 2026-02-01 only
    assert monthly.churn_rate == pytest.approx(1 / 6)
    assert monthly.horizon == "1mo"
    assert "within 1mo" in monthly.summary()
    assert pb.replay(history, outcome=churn, horizon="27d").rule("low").churn_share == 0.0
    with pytest.raises(DataError, match="not a duration"):
        pb.replay(history, outcome=churn, horizon="soon")
    with pytest.raises(DataError, match="needs outcome"):
        pb.replay(history, horizon="1mo")
    # A churner known only as True has no date to hold against the horizon: refused.
    with pytest.raises(DataError, match="needs the churn date") as caught:
        pb.replay(history, outcome={"a": True, "b": None}, horizon="1mo")
    assert caught.value.account == "a"


def test_backtest_takes_labels_and_keyed_churn_dates(sample: object) -> None:
    pd = pytest.importorskip("pandas")
    history = sample.history  # type: ignore[attr-defined]
    dates = sample.churn_dates  # type: ignore[attr-defined]
    options = {"train_until": "2026-08-01", "horizon": "1mo", "n_boot": 0}
    by_array = sk.backtest(_model(), history, dates, **options)
    series = pd.Series(dates, index=history.ids)[::-1]
    by_series = sk.backtest(_model(), history, series, **options)
    assert by_array.model == by_series.model
    assert by_array.horizon == "1mo"
    assert by_array.train_dates[-1] == dt.date(2026, 7, 1)
    with pytest.raises(DataError, match="not among the accounts"):
        sk.backtest(_model(), history, {"nobody": "2026-01-01"}, **options)


def test_only_successkit_errors_escape() -> None:
    weird: list[object] = [object(), {"a": object()}, [[1, 2], [3]], 3.5, b"x"]
    for value in weird:
        for call in (
            lambda v=value: read_outcome(v, 3, ids=IDS),
            lambda v=value: read_churn_dates(v, IDS),
        ):
            with contextlib.suppress(SuccesskitError):
                call()


def test_labels_of_one_snapshot_are_outcomes() -> None:
    c = Contracts.from_columns({
        "account_id": ["a", "b", "c", "d"],
        "start": ["2020-01-01"] * 4,
        "end": [None, "2020-03-01", "2020-06-01", None],
    })
    labels = churn_labels(c, ["2020-02-01", "2020-05-01"], "1mo", observed_until="2020-05-20")
    first = labels.on("2020-02-01")
    assert first.churned.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert first.unknown == 0
    later = labels.on("2020-05-01")  # b gone; the window to 2020-06-01 is not observed yet
    assert later.ids.tolist() == ["a", "c", "d"]
    assert later.unknown == 3
    report = sk.evaluate([90.0, 10.0, 70.0, 80.0], first,
                         ids=["a", "b", "c", "d"], n_boot=0)
    assert (report.auc, report.unknown) == (1.0, 0)
    with pytest.raises(DataError, match="no labels on 2020-03-01"):
        labels.on("2020-03-01")
    with pytest.raises(DataError, match="cover 2 dates"):
        read_outcome(labels, 4, ids=np.array(["a", "b", "c", "d"]))
