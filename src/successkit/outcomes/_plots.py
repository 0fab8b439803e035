"""Charts of validation over time and of ranking: the cumulative gain chart and the
backtest's AUC per test snapshot.

Reports are duck-typed (``Any``): validation.py and backtesting.py import this module for
their ``plot()`` methods, so this module must not import them back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._plotting import BAND_COLOURS, axes
from successkit.errors import DataError

__all__ = ["gain_curve", "plot_backtest", "plot_gain"]


def gain_curve(report: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Cumulative share of accounts and of churned accounts, riskiest decile first,
    starting at (0, 0).

    Examples
    --------
    >>> class Deciles:
    ...     accounts = np.array([5.0, 5.0]); churned = np.array([3.0, 1.0])
    >>> class Report:
    ...     deciles = Deciles()
    >>> [a.tolist() for a in gain_curve(Report())]
    [[0.0, 0.5, 1.0], [0.0, 0.75, 1.0]]
    """
    table = report.deciles
    accounts = np.asarray(table.accounts, dtype=np.float64)
    churned = np.asarray(table.churned, dtype=np.float64)
    if accounts.sum() <= 0 or churned.sum() <= 0:
        raise DataError("a gain chart needs evaluated accounts and at least one churned")
    x = np.concatenate([[0.0], np.cumsum(accounts) / accounts.sum()])
    y = np.concatenate([[0.0], np.cumsum(churned) / churned.sum()])
    return x, y


def plot_gain(report: Any, ax: Any = None, **kwargs: Any) -> Any:
    """The cumulative gain chart: the share of churned accounts caught by contacting the
    riskiest share of accounts first, against a random order (the diagonal) and a perfect
    ranking. The body of :meth:`ValidationReport.plot <successkit.ValidationReport.plot>`."""
    x, y = gain_curve(report)
    ax = axes(ax, "ValidationReport.plot()", figsize=(4.8, 4.2))
    rate = float(report.churn_rate)
    ax.plot([0, rate, 1], [0, 1, 1], color="grey", linestyle=":", linewidth=1,
            label="perfect ranking")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="random order")
    options = {"color": BAND_COLOURS["blue"], "marker": "o", "linewidth": 2, **kwargs}
    ax.plot(x, y, label="by score", **options)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("share of accounts contacted, riskiest first")
    ax.set_ylabel("share of churned accounts caught")
    first = float(y[1]) if y.size > 1 else float("nan")
    ax.set_title(f"Riskiest decile holds {first:.0%} of churn (lift {report.lift:.1f}×)")
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    return ax


def plot_backtest(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """AUC per test snapshot with its bootstrap interval, the model before fitting when
    there is one, and the coin-toss line at 0.5. The body of :meth:`BacktestResult.plot
    <successkit.BacktestResult.plot>`."""
    columns = result.columns()
    dates = np.array([np.datetime64(d, "D") for d in columns["as_of"]])
    if dates.size == 0:
        raise DataError("the backtest has no test snapshots to plot")
    ax = axes(ax, "BacktestResult.plot()")
    auc = columns["auc"]
    low, high = columns["auc_low"], columns["auc_high"]
    if not np.isnan(low).all():
        ax.fill_between(dates, low, high, color=BAND_COLOURS["blue"], alpha=0.2, linewidth=0,
                        label="confidence interval")
    fitted = "fitted model" if result.train_dates else "model"
    options = {"color": BAND_COLOURS["blue"], "marker": "o", "linewidth": 2, **kwargs}
    ax.plot(dates, auc, label=fitted, **options)
    baseline = columns["baseline_auc"]
    if not np.isnan(baseline).all():
        ax.plot(dates, baseline, color="black", marker="s", linestyle="--", linewidth=1,
                label="model before fitting")
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="coin toss")
    ax.set_ylim(0.4, 1.0)
    ax.set_xticks(dates, [str(d) for d in dates])  # one tick per test snapshot
    ax.set_xlabel("test snapshot")
    ax.set_ylabel("AUC")
    ax.set_title(f"Out-of-time AUC, churn within {result.horizon_days} days")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(loc="lower left", frameon=False, fontsize="small")
    return ax
