"""Charts of roadmap stages: accounts per stage (a funnel) and days in stage.

Results are duck-typed (``Any``): result.py imports this module for ``StageResult.plot``,
so this module must not import it back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._plotting import BAND_COLOURS, axes
from successkit.errors import DataError

__all__ = ["plot_days_in_stage", "plot_funnel"]

_ON_TRACK = BAND_COLOURS["blue"]
_STALLED = BAND_COLOURS["red"]


def plot_funnel(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Accounts per stage as horizontal bars, first stage on top, the stalled accounts of
    each stage hatched in red. The body of :meth:`StageResult.plot
    <successkit.StageResult.plot>`."""
    stages = list(result.stages)
    if not stages:
        raise DataError("the roadmap has no stages to plot")
    codes = np.asarray(result.codes)
    placed = codes >= 0
    accounts = np.bincount(codes[placed], minlength=len(stages))
    stalled = np.bincount(codes[placed & np.asarray(result.stalled)], minlength=len(stages))
    ax = axes(ax, "StageResult.plot()")
    rows = np.arange(len(stages))
    options = {"color": _ON_TRACK, "edgecolor": "black", "linewidth": 0.5, **kwargs}
    ax.barh(rows, accounts - stalled, label="on track", **options)
    ax.barh(rows, stalled, left=accounts - stalled, color=_STALLED, hatch="xx",
            edgecolor="white", linewidth=0.5, label="stalled")
    for row, n in zip(rows, accounts, strict=True):
        ax.annotate(f"{int(n):,}", (int(n), row), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small")
    ax.set_yticks(rows, stages)
    ax.invert_yaxis()  # the first stage on top, as a funnel reads
    ax.set_xlim(0, max(int(accounts.max()), 1) * 1.15)
    ax.set_xlabel("accounts")
    unplaced = int(np.count_nonzero(~placed))
    note = f" ({unplaced:,} without a stage)" if unplaced else ""
    ax.set_title(f"Accounts per stage{note}")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_days_in_stage(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Days in stage per stage as box plots (accounts whose entry date is known), with each
    stage's expected duration as a red dash. The body of :meth:`StageResult.plot_days_in_stage
    <successkit.StageResult.plot_days_in_stage>`."""
    stages = list(result.stages)
    codes = np.asarray(result.codes)
    days = np.asarray(result.days_in_stage, dtype=np.float64)
    expected = np.asarray(result.expected, dtype=np.float64)
    known = ~np.isnan(days)
    groups = [days[(codes == k) & known] for k in range(len(stages))]  # a loop over stages
    if not any(g.size for g in groups):
        raise DataError(
            "no account has a known day of entry into its stage; assign the roadmap over a "
            "History (or use a tenure roadmap) to know days in stage"
        )
    ax = axes(ax, "StageResult.plot_days_in_stage()")
    positions = np.arange(1, len(stages) + 1)
    options = {"widths": 0.5, "patch_artist": True, **kwargs}
    boxes = ax.boxplot(groups, positions=positions, **options)
    for patch in boxes["boxes"]:
        patch.set_facecolor(_ON_TRACK)
        patch.set_alpha(0.6)
    label = "expected duration"  # on the first dash only
    for k, position in enumerate(positions):  # a loop over stages
        if k < expected.size and not np.isnan(expected[k]):
            ax.hlines(float(expected[k]), position - 0.35, position + 0.35, color=_STALLED,
                      linestyle="--", linewidth=2, label=label)
            label = "_nolegend_"
    ax.set_xticks(positions, [f"{s}\n({g.size:,})" for s, g in zip(stages, groups, strict=True)])
    ax.set_ylabel("days in stage")
    ax.set_ylim(bottom=0)
    ax.set_title("Days in stage (accounts with a known entry)")
    if ax.get_legend_handles_labels()[1]:
        ax.legend(loc="best", fontsize="small")
    return ax
