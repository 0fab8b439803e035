"""Time-split backtest: fit on the past, validate on what came after.

The way fightchurn's method tests a churn model: every snapshot of a history is an
observation of its accounts, labelled by whether each churned within ``horizon`` after the
snapshot. Snapshots whose outcome window closed by ``train_until`` train the weights (all
of them stacked, so an account contributes once per snapshot); every snapshot on or after
``train_until`` is scored with the fitted model and evaluated on its own. Nothing observed
after ``train_until`` reaches the fit. Unknown (censored) labels are left out and counted,
never taken as "stayed". The result reports the training AUC beside the held-out ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._html import html_table
from successkit._optional import import_optional
from successkit._options import column_name, flag
from successkit.contracts.labels import ChurnLabels
from successkit.data.calendar import shift, span_text
from successkit.data.dates import to_date
from successkit.data.history import History, not_a_history
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError
from successkit.outcomes._backtest_inputs import Reader, horizon_span, horizon_text, outcome_reader
from successkit.outcomes.fitting import SolverOptions, fit_matrix
from successkit.outcomes.validation import ValidationReport, evaluate

__all__ = ["BacktestResult", "backtest"]



def _frozen(value: Mapping[dt.date, ValidationReport]) -> Mapping[dt.date, ValidationReport]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, repr=False)
class BacktestResult:
    """Out-of-time validation of a health model: made by :func:`backtest`.

    .. versionadded:: 0.1

    Attributes
    ----------
    model:
        The model scored on the test snapshots: fitted on the training snapshots, or the
        model as given with ``fit=False``.
    train_dates:
        The snapshots the weights were fitted on (empty with ``fit=False``): those whose
        whole outcome window closed by :attr:`train_until`.
    train_until:
        The split date.
    reports:
        Test snapshot date → :class:`ValidationReport` of :attr:`model`.
    baseline:
        Test snapshot date → report of the model as given, before fitting (empty with
        ``fit=False``), to see what fitting gained out of time.
    train_report:
        The fitted model evaluated on its own training snapshots (stacked), for the
        training AUC beside the held-out ones; ``None`` with ``fit=False``.
    horizon:
        The outcome window after each snapshot, as text (``"90d"``, ``"1mo"``).
    horizon_days:
        The window in days (for calendar months and years: the first test snapshot's).
    train_unknown:
        Training labels left out because they were unknown (censored); each test report
        counts its own in ``unknown``.
    untested:
        Test snapshots left out because every label was unknown (their outcome window had
        not been observed yet).

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
    horizon: str = ""
    train_until: dt.date | None = None
    train_report: ValidationReport | None = None
    train_unknown: int = 0
    untested: tuple[dt.date, ...] = ()

    @property
    def train_auc(self) -> float:
        """The AUC of the fitted model on its training snapshots (NaN without a fit)."""
        return float("nan") if self.train_report is None else self.train_report.auc

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
        out["unknown"] = np.array([float(r.unknown) for r in reports], dtype=np.float64)
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
        >>> print(result.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Backtest: fitted on 2 snapshots (2026-07-01 … 2026-08-01), 30-day horizon
        Training: snapshots whose outcome window closed by 2026-09-01 (last training date
        2026-08-01); training AUC 0.8... on 803 account-snapshots
        2026-09-01: ... accounts, ... churned, AUC 0... (before fit 0...), lift ...×
        2026-10-01: ...
        """
        horizon = self.horizon or f"{self.horizon_days}d"
        split = "" if self.train_until is None else self.train_until.isoformat()
        if self.train_dates:
            first, last = self.train_dates[0].isoformat(), self.train_dates[-1].isoformat()
            head = (f"Backtest: fitted on {len(self.train_dates)} snapshots ({first} … {last}), "
                    f"{horizon_text(horizon)} horizon\n"
                    f"Training: snapshots whose outcome window closed by {split} (last "
                    f"training date {last})")
            if self.train_report is not None:
                head += (f"; training AUC {self.train_report.auc:.3f} on "
                         f"{self.train_report.accounts} account-snapshots")
            if self.train_unknown:
                head += f", {self.train_unknown} unknown labels left out"
        else:
            head = f"Backtest of the model as given, {horizon_text(horizon)} horizon"
        lines = [head]
        for day, report in self.reports.items():
            before = ""
            if day in self.baseline:
                before = f" (before fit {self.baseline[day].auc:.3f})"
            unknown = f", {report.unknown} unknown left out" if report.unknown else ""
            lines.append(
                f"{day.isoformat()}: {report.accounts} accounts, {report.churned} churned, "
                f"AUC {report.auc:.3f}{before}, lift {report.lift:.1f}×{unknown}"
            )
        if self.untested:
            lines.append("Not tested, outcome window not observed yet: "
                         + ", ".join(d.isoformat() for d in self.untested))
        return "\n".join(lines)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """AUC per test snapshot with its confidence interval, the model before fitting
        and the coin-toss line (needs ``successkit[plot]``); ``kwargs`` go to ``Axes.plot``
        for the AUC line. Returns the matplotlib ``Axes``."""
        from successkit.outcomes._plots import plot_backtest

        return plot_backtest(self, ax, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: train dates, horizon, and each test date's report."""
        return {
            "train_dates": [d.isoformat() for d in self.train_dates],
            "train_until": None if self.train_until is None else self.train_until.isoformat(),
            "horizon": self.horizon,
            "horizon_days": self.horizon_days,
            "train_auc": None if self.train_report is None else self.train_report.auc,
            "train_unknown": self.train_unknown,
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
        train = "" if self.train_report is None else f", training AUC {self.train_auc:.3f}"
        return (
            f"BacktestResult({len(self.train_dates)} training snapshots, "
            f"{len(self.reports)} test snapshots, AUC {aucs}{train})"
        )

    def _repr_html_(self) -> str:
        columns = self.columns()
        return html_table(columns, caption=repr(self))


def backtest(
    model: Any,
    history: History,
    outcomes: Any,
    *,
    train_until: Any,
    horizon: Any = None,
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
        What happened after each snapshot: the :class:`~successkit.contracts.ChurnLabels`
        of the history's dates (unknown labels are left out and counted); a function
        ``(as_of, days) → churned`` giving a boolean per account of the snapshot on
        ``as_of`` (such as ``SampleData.churned_within``); or churn dates — a date (or
        ``None``/``NaT``: no churn) per account of ``history.ids``, or a mapping or pandas
        Series keyed by account id (matched by id).
    train_until:
        The split date. A snapshot trains only when its whole outcome window (plus the
        labels' grace gap) has closed by then (``as_of + horizon <= train_until``), so no
        training label uses anything observed after it; snapshots on or after it are
        tested.
    horizon:
        The outcome window after each snapshot: ``"90d"``, ``"1mo"`` (a calendar month:
        2026-01-31 + 1mo = 2026-02-28), or days. Default: the labels' horizon, else 90 days.
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
        No snapshot to test, or none to train on; outcomes that do not fit the snapshots;
        a horizon that is not a duration.
    ModelError
        The training outcomes have one class only, or the fit does not converge.

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(500, months=5, seed=2)
    >>> model = sk.HealthModel([sk.Metric("login_rate", scheme=sk.Linear(0.1, 0.9))])
    >>> result = sk.backtest(model, sample.history, sample.churn_dates,
    ...                      train_until="2026-09-01", horizon="1mo", n_boot=0)
    >>> len(result.train_dates), len(result.reports), result.train_dates[-1].isoformat()
    (3, 2, '2026-08-01')
    """
    flag(fit, "fit", ModelError)
    if not callable(getattr(model, "score", None)) or (
            fit and not callable(getattr(model, "metric_matrix", None))):
        needs = "a health model whose weights it can fit" if fit else "a health model"
        raise ModelError(f"backtest() needs {needs}, got {type(model).__name__}")
    if not isinstance(history, History):
        raise not_a_history(history)
    split = to_date(train_until, what="train_until")
    solver = SolverOptions(l2=l2)  # l2 checked before any work
    if arr is not None:
        column_name(arr, "arr")
    span = horizon_span(horizon, outcomes)
    if span.count <= 0:
        raise DataError("horizon must be at least one day", column="horizon")
    grace = np.timedelta64(outcomes.grace_days if isinstance(outcomes, ChurnLabels) else 0, "D")
    read = outcome_reader(outcomes, history)
    snapshots = [s for s in history if s.as_of is not None]
    ends = shift(np.array([s.as_of for s in snapshots], dtype="datetime64[D]"), span)
    tests = [(s, e) for s, e in zip(snapshots, ends, strict=True)
             if s.as_of is not None and s.as_of >= split]
    if not tests:
        raise DataError(f"no snapshot on or after train_until {split.isoformat()} to test on")
    cut = np.datetime64(split, "D")
    trains = [(s, e) for s, e in zip(snapshots, ends, strict=True) if e + grace <= cut]
    fitted = model
    train_report = None
    train_unknown = 0
    if fit:
        if not trains:
            raise DataError(
                f"no snapshot's {horizon_text(span_text(span))} outcome window closes by "
                f"{split.isoformat()}; move train_until later or shorten the horizon"
            )
        fitted, train_report, train_unknown = _fit(model, trains, read, split, solver)
    reports: dict[dt.date, ValidationReport] = {}
    baseline: dict[dt.date, ValidationReport] = {}
    untested: list[dt.date] = []
    for snapshot, end in tests:  # a loop over snapshots
        assert snapshot.as_of is not None
        y, known = read(snapshot, end)
        if len(snapshot) and not known.any():
            untested.append(snapshot.as_of)
            continue
        churned = np.where(known, y, np.nan)
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
    if not reports:
        raise DataError(f"every label of the {len(tests)} test snapshots is unknown: their "
                        "outcome windows pass the end of the observed data")
    first = np.datetime64(tests[0][0].as_of, "D")
    return BacktestResult(
        model=fitted,
        train_dates=tuple(s.as_of for s, _ in trains if s.as_of is not None) if fit else (),
        reports=reports,
        baseline=baseline,
        horizon_days=int((tests[0][1] - first).astype(np.int64)),
        horizon=span_text(span),
        train_until=split,
        train_report=train_report,
        train_unknown=train_unknown,
        untested=tuple(untested),
    )


def _fit(
    model: Any, trains: list[tuple[Portfolio, np.datetime64]], read: Reader, split: dt.date,
    solver: SolverOptions,
) -> tuple[Any, ValidationReport, int]:
    """The model fitted on the stacked training snapshots (unknown labels left out), its
    report on them, and how many labels were unknown."""
    matrices, labels, keeps = [], [], []
    names: tuple[str, ...] = ()
    for snapshot, end in trains:  # a loop over snapshots
        names, matrix = model.metric_matrix(snapshot)
        y, known = read(snapshot, end)
        matrices.append(np.asarray(matrix)[known])
        labels.append(y[known])
        keeps.append(known)
    y_all = np.concatenate(labels)
    unknown = int(sum(int((~known).sum()) for known in keeps))
    try:
        fitted = fit_matrix(model, names, np.vstack(matrices), y_all,
                            solver=solver, unknown=unknown)
    except ModelError as exc:
        raise ModelError(f"fitting on {len(trains)} snapshots before "
                         f"{split.isoformat()}: {exc}") from exc
    scores = np.concatenate([
        np.asarray(fitted.score(snapshot).score, dtype=np.float64)[known]
        for (snapshot, _), known in zip(trains, keeps, strict=True)
    ])
    try:
        report = evaluate(scores, y_all, n_boot=0)
    except ModelError as exc:
        raise ModelError(f"training report on {len(trains)} snapshots: {exc}") from exc
    return fitted, report, unknown
