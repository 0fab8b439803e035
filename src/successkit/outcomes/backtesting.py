"""Time-split backtest: fit on the past, validate on what came after.

The way fightchurn's method tests a churn model: every snapshot of a history is an
observation of its accounts, labelled by whether each churned within ``horizon`` after the
snapshot. Snapshots whose outcome window closed by ``train_until`` train the weights (all
of them stacked, so an account contributes once per snapshot); every snapshot on or after
``train_until`` is scored with the fitted model and evaluated on its own. Nothing observed
after ``train_until`` reaches the fit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._html import html_table
from successkit._optional import import_optional
from successkit.data.dates import duration_days, to_date
from successkit.data.history import History
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError
from successkit.outcomes.fitting import fit_matrix
from successkit.outcomes.validation import ValidationReport, evaluate
from successkit.scoring._outcome_inputs import read_outcome

__all__ = ["BacktestResult", "backtest"]

BoolArray = npt.NDArray[np.bool_]
Outcomes = Callable[[dt.date, int], Any]


def _frozen(value: Mapping[dt.date, ValidationReport]) -> Mapping[dt.date, ValidationReport]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, repr=False)
class BacktestResult:
    """Out-of-time validation of a health model: made by :func:`backtest`.

    Attributes
    ----------
    model:
        The model scored on the test snapshots: fitted on the training snapshots, or the
        model as given with ``fit=False``.
    train_dates:
        The snapshots the weights were fitted on (empty with ``fit=False``).
    reports:
        Test snapshot date → :class:`ValidationReport` of :attr:`model`.
    baseline:
        Test snapshot date → report of the model as given, before fitting (empty with
        ``fit=False``), to see what fitting gained out of time.
    horizon_days:
        The outcome window after each snapshot.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(600, months=6, seed=4)
    >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile()),
    ...                         sk.Metric("nps", scheme=sk.Linear(0, 10))])
    >>> result = sk.backtest(model, sample.history, sample.churned_within,
    ...                      train_until="2026-08-01", horizon="60d", n_boot=0)
    >>> [d.isoformat() for d in result.train_dates]
    ['2026-05-01', '2026-06-01']
    >>> [d.isoformat() for d in result.reports]
    ['2026-08-01', '2026-09-01', '2026-10-01']
    >>> all(0.5 < r.auc < 1 for r in result.reports.values())
    True
    """

    model: Any
    train_dates: tuple[dt.date, ...]
    reports: Mapping[dt.date, ValidationReport] = attrs.field(converter=_frozen)
    baseline: Mapping[dt.date, ValidationReport] = attrs.field(converter=_frozen)
    horizon_days: int

    def columns(self) -> dict[str, Any]:
        """One row per test snapshot: accounts, churned, AUC with its interval, lift, and
        the baseline AUC (NaN without a fit)."""
        dates = list(self.reports)
        reports = [self.reports[d] for d in dates]

        def column(name: str) -> npt.NDArray[np.float64]:
            return np.array([float(getattr(r, name)) for r in reports], dtype=np.float64)

        out: dict[str, Any] = {"as_of": dates}
        for name in ("accounts", "churned", "churn_rate", "auc", "auc_low", "auc_high", "lift"):
            out[name] = column(name)
        out["baseline_auc"] = np.array(
            [self.baseline[d].auc if d in self.baseline else np.nan for d in dates]
        )
        return out

    def summary(self) -> str:
        """One line per test snapshot.

        Examples
        --------
        >>> import successkit as sk
        >>> from successkit.datasets import make_portfolio
        >>> sample = make_portfolio(400, months=4, seed=1)
        >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Percentile())])
        >>> result = sk.backtest(model, sample.history, sample.churned_within,
        ...                      train_until="2026-09-01", horizon="30d", n_boot=0)
        >>> print(result.summary())  # doctest: +ELLIPSIS
        Backtest: fitted on 2 snapshots (2026-07-01 … 2026-08-01), 30-day horizon
        2026-09-01: ... accounts, ... churned, AUC 0... (before fit 0...), lift ...×
        2026-10-01: ...
        """
        if self.train_dates:
            first, last = self.train_dates[0].isoformat(), self.train_dates[-1].isoformat()
            head = (f"Backtest: fitted on {len(self.train_dates)} snapshots ({first} … {last}), "
                    f"{self.horizon_days}-day horizon")
        else:
            head = f"Backtest of the model as given, {self.horizon_days}-day horizon"
        lines = [head]
        for day, report in self.reports.items():
            before = ""
            if day in self.baseline:
                before = f" (before fit {self.baseline[day].auc:.3f})"
            lines.append(
                f"{day.isoformat()}: {report.accounts} accounts, {report.churned} churned, "
                f"AUC {report.auc:.3f}{before}, lift {report.lift:.1f}×"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: train dates, horizon, and each test date's report."""
        return {
            "train_dates": [d.isoformat() for d in self.train_dates],
            "horizon_days": self.horizon_days,
            "model": self.model.to_dict(),
            "reports": {d.isoformat(): r.to_dict() for d, r in self.reports.items()},
            "baseline": {d.isoformat(): r.to_dict() for d, r in self.baseline.items()},
        }

    def to_frame(self) -> Any:
        """:meth:`columns` as a pandas ``DataFrame`` indexed by snapshot date."""
        pd = import_optional("pandas", purpose="BacktestResult.to_frame()")
        columns = self.columns()
        dates = columns.pop("as_of")
        return pd.DataFrame(columns, index=pd.Index(pd.to_datetime(dates), name="as_of"))

    def __repr__(self) -> str:
        aucs = ", ".join(f"{r.auc:.3f}" for r in self.reports.values())
        return (
            f"BacktestResult({len(self.train_dates)} training snapshots, "
            f"{len(self.reports)} test snapshots, AUC {aucs})"
        )

    def _repr_html_(self) -> str:
        columns = self.columns()
        return html_table(columns, caption=repr(self))


def _outcome_reader(outcomes: Any, history: History) -> Callable[[Portfolio, int], BoolArray]:
    """A function giving each snapshot's outcomes from what the caller passed."""
    if callable(outcomes):
        def from_callable(snapshot: Portfolio, days: int) -> BoolArray:
            assert snapshot.as_of is not None
            values = outcomes(snapshot.as_of, days)
            return read_outcome(values, len(snapshot), ids=snapshot.ids,
                                what=f"outcomes on {snapshot.as_of.isoformat()}")
        return from_callable
    if isinstance(outcomes, Mapping):
        ids = np.asarray([str(k) for k in outcomes], dtype=str)
        raw = list(outcomes.values())
    else:
        ids = history.ids
        raw = outcomes
    try:
        dates = np.asarray(
            [np.datetime64("NaT") if v is None else v for v in raw], dtype="datetime64[D]"
        )
    except (TypeError, ValueError):
        raise DataError(
            "outcomes must be a function (as_of, days) → churned, or churn dates (a date or "
            "None per account)"
        ) from None
    if dates.ndim != 1 or dates.shape[0] != ids.shape[0]:
        raise DataError(
            f"churn dates must be one per account of the history ({ids.shape[0]}), "
            f"got shape {dates.shape}"
        )
    lookup = Portfolio(ids)

    def from_dates(snapshot: Portfolio, days: int) -> BoolArray:
        rows = lookup.index_of(snapshot.ids)
        churn = np.where(rows >= 0, dates[np.maximum(rows, 0)], np.datetime64("NaT"))
        start = np.datetime64(snapshot.as_of, "D")
        return np.asarray((churn > start) & (churn <= start + np.timedelta64(days, "D")))

    return from_dates


def backtest(
    model: Any,
    history: History,
    outcomes: Any,
    *,
    train_until: Any,
    horizon: Any = "90d",
    fit: bool = True,
    l2: float = 1.0,
    arr: str | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> BacktestResult:
    """Fit on the snapshots before ``train_until`` and validate on every later snapshot.

    Parameters
    ----------
    model:
        The health model (its weights are refitted unless ``fit=False``).
    history:
        Snapshots of the portfolio over time.
    outcomes:
        What happened after each snapshot: a function ``(as_of, days) → churned`` giving a
        boolean per account of the snapshot on ``as_of`` (such as
        ``SampleData.churned_within``), or churn dates — a date (or ``None``) per account of
        ``history.ids``, or a mapping of account id → churn date.
    train_until:
        The split date. A snapshot trains only when its whole outcome window has closed by
        then (``as_of + horizon <= train_until``); snapshots on or after it are tested.
    horizon:
        The outcome window after each snapshot (``"90d"``, ``"3mo"``, days).
    fit:
        ``False`` evaluates ``model`` as given on the test snapshots (no training).
    l2:
        The ridge penalty of the fit (see :func:`~successkit.HealthModel.fit`).
    arr:
        An ARR column of the snapshots, for ARR-weighted figures.
    n_boot, seed:
        Bootstrap replicates and seed of each report's AUC interval.

    Returns
    -------
    BacktestResult

    Raises
    ------
    DataError
        No snapshot to test, or none to train on; outcomes that do not fit the snapshots.
    ModelError
        The training outcomes have one class only, or the fit does not converge.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(500, months=5, seed=2)
    >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0.1, 0.9))])
    >>> result = sk.backtest(model, sample.history, sample.churn_dates,
    ...                      train_until="2026-09-01", horizon="30d", n_boot=0)
    >>> len(result.train_dates), len(result.reports)
    (3, 2)
    """
    if not isinstance(history, History):
        raise DataError(f"expected a History, got {type(history).__name__}")
    split = to_date(train_until, what="train_until")
    days = duration_days(horizon, what="horizon")
    if days <= 0:
        raise DataError("horizon must be at least one day")
    read = _outcome_reader(outcomes, history)
    window = dt.timedelta(days=days)
    tests = [s for s in history if s.as_of is not None and s.as_of >= split]
    if not tests:
        raise DataError(f"no snapshot on or after train_until {split.isoformat()} to test on")
    trains = [s for s in history if s.as_of is not None and s.as_of + window <= split]
    fitted = model
    if fit:
        if not trains:
            raise DataError(
                f"no snapshot's {days}-day outcome window closes by {split.isoformat()}; "
                "move train_until later or shorten the horizon"
            )
        matrices, labels = [], []
        names: tuple[str, ...] = ()
        for snapshot in trains:  # a loop over snapshots
            names, matrix = model.metric_matrix(snapshot)
            matrices.append(np.asarray(matrix))
            labels.append(read(snapshot, days))
        try:
            fitted = fit_matrix(model, names, np.vstack(matrices), np.concatenate(labels), l2=l2)
        except ModelError as exc:
            raise ModelError(f"fitting on {len(trains)} snapshots before "
                             f"{split.isoformat()}: {exc}") from exc
    reports: dict[dt.date, ValidationReport] = {}
    baseline: dict[dt.date, ValidationReport] = {}
    for snapshot in tests:
        assert snapshot.as_of is not None
        churned = read(snapshot, days)
        arr_values = None if arr is None else snapshot.column(arr, "number").values
        try:
            reports[snapshot.as_of] = evaluate(
                fitted.score(snapshot), churned, arr=arr_values, n_boot=n_boot, seed=seed
            )
            if fit:
                baseline[snapshot.as_of] = evaluate(
                    model.score(snapshot), churned, arr=arr_values, n_boot=n_boot, seed=seed
                )
        except ModelError as exc:
            raise ModelError(f"testing on {snapshot.as_of.isoformat()}: {exc}") from exc
    return BacktestResult(
        model=fitted,
        train_dates=tuple(s.as_of for s in trains if s.as_of is not None) if fit else (),
        reports=reports,
        baseline=baseline,
        horizon_days=days,
    )
