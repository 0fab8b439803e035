"""Chart of one account's usage metrics over the snapshots of a History."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from successkit._plotting import axes, series_colour
from successkit.data.history import History, not_a_history
from successkit.errors import DataError

__all__ = ["plot_usage"]

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def plot_usage(
    history: History,
    account: str,
    metrics: str | Sequence[str],
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """One account's metrics at every snapshot of ``history``, one line (colour and marker)
    per metric; a missing value or a snapshot without the account is a gap.

    Parameters
    ----------
    history:
        Snapshots with the metric columns, e.g. from
        :func:`successkit.usage.usage_history`.
    account:
        The account id.
    metrics:
        A number column name, or several (draw metrics of one scale together).
    ax:
        The matplotlib ``Axes`` to draw on; a new figure when ``None``.
    **kwargs:
        Passed to ``Axes.plot`` for every line.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[i]`` is the ``i``-th metric, one point per snapshot; a legend only when
        there are two metrics or more.

    Raises
    ------
    DataError
        ``history`` is not a History, a metric is no number column of it (with the closest
        name), or the account is in none of its snapshots.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import successkit as sk
    >>> from successkit.usage import plot_usage
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "logins": [3, 9]}, as_of="2026-08-01"),
    ...     sk.Portfolio.from_columns({"id": ["a"], "logins": [5]}, as_of="2026-09-01"),
    ... ])
    >>> ax = plot_usage(history, "a", "logins")
    >>> ax.lines[0].get_ydata().tolist(), ax.get_legend() is None
    ([3.0, 5.0], True)
    """
    if not isinstance(history, History):
        raise not_a_history(history)
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not names:
        raise DataError("plot_usage() needs at least one metric")
    known = {name for snapshot in history.snapshots for name in snapshot.names}
    for name in names:
        if name not in known:
            history.latest.column(name)  # raises the DataError that names the closest column
    days = np.array([np.datetime64(d, "D") for d in history.dates])
    values = np.full((len(names), len(days)), np.nan)
    found = False
    for j, snapshot in enumerate(history.snapshots):  # a loop over snapshot dates
        row = np.flatnonzero(snapshot.ids == account)
        if not row.size:
            continue
        found = True
        for i, name in enumerate(names):  # a loop over metrics
            if name in snapshot.columns:
                values[i, j] = snapshot.column(name, "number").values[row[0]]
    if not found:
        raise DataError(f"account {account!r} is in no snapshot of the history")
    ax = axes(ax, "plot_usage()")
    for i, name in enumerate(names):
        options = {"color": series_colour(i), "marker": _MARKERS[i % len(_MARKERS)],
                   "linewidth": 1.5, **kwargs}
        ax.plot(days, values[i], label=name, **options)
    ax.set_xlabel("snapshot")
    ax.set_ylabel(names[0] if len(names) == 1 else "value")
    ax.set_title(f"Usage of {account}")
    ax.tick_params(axis="x", labelrotation=30)
    if len(names) > 1:
        ax.legend(frameon=False, fontsize="small")
    return ax

