"""Charts of validation results (matplotlib, imported only when a chart is asked for)."""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._plotting import BAND_COLOURS, axes, band_colours
from successkit.errors import DataError

# The reports and models are duck-typed (Any): calibration.py and validation.py import this
# module, so it must not import them back.

__all__ = ["plot_calibration", "plot_curve", "plot_lift"]


def _axes(ax: Any, purpose: str) -> Any:
    return axes(ax, purpose, figsize=(6, 4))


def plot_lift(report: Any, ax: Any = None, *, by: str = "deciles", **kwargs: Any) -> Any:
    """Bars of the churn rate per risk decile (or band), with the overall rate as a line."""
    if by not in ("deciles", "bands"):
        raise DataError(f"by must be 'deciles' or 'bands', got {by!r}")
    table = report.deciles if by == "deciles" else report.bands
    if table is None:
        raise DataError("the report has no bands; evaluate() with bands= or a health result")
    ax = _axes(ax, "ValidationReport.plot_lift()")
    positions = np.arange(len(table))
    rates = np.nan_to_num(table.churn_rate)
    # the riskiest decile stands out in red against grey; bands take their own colours
    if by == "deciles":
        colours = [BAND_COLOURS["red"] if k == 0 else BAND_COLOURS["grey"]
                   for k in range(len(table))]
    else:
        colours = band_colours(list(table.labels))
    options = {"color": colours, "edgecolor": "black", "linewidth": 0.5, **kwargs}
    ax.bar(positions, rates, **options)
    ax.axhline(report.churn_rate, color="black", linestyle="--", linewidth=1,
               label=f"overall {report.churn_rate:.1%}")
    ax.set_xticks(positions, list(table.labels))
    ax.set_xlabel("risk decile (1 = lowest scores)" if by == "deciles" else "band")
    ax.set_ylabel("churn rate")
    ax.set_title(f"AUC {report.auc:.3f}, top-decile lift {report.lift:.1f}×")
    ax.legend(loc="upper right")
    return ax


def plot_calibration(report: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Observed churn rate against mean predicted probability per bin, with the diagonal."""
    table = report.reliability
    if table is None or table.predicted is None:
        raise DataError("the report has no probabilities; evaluate() with probability=")
    ax = _axes(ax, "ValidationReport.plot_calibration()")
    filled = table.accounts > 0
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="perfect")
    options = {"color": BAND_COLOURS["blue"], "marker": "o", **kwargs}
    ax.plot(table.predicted[filled], table.churn_rate[filled], label="observed", **options)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted churn probability")
    ax.set_ylabel("observed churn rate")
    ax.set_title(f"Brier score {report.brier:.4f}")
    ax.legend(loc="upper left")
    return ax


def plot_curve(model: Any, ax: Any = None, **kwargs: Any) -> Any:
    """The calibration curve: churn probability against health score."""
    ax = _axes(ax, "CalibratedModel.plot()")
    x, y = model.knots, model.probabilities
    options = {"color": BAND_COLOURS["blue"], "linewidth": 2, **kwargs}
    if model.method == "binned":
        ax.step(x, y, where="post", label="binned", **options)
    else:
        ax.plot(x, y, label="isotonic", **options)
    ax.set_xlabel("health score")
    ax.set_ylabel("churn probability")
    ax.set_title(f"Calibrated on {model.accounts} accounts ({model.churn_rate:.1%} churned)")
    ax.legend(loc="upper right")
    return ax
