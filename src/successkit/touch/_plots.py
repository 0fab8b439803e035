"""Charts of touch: quadrant movement between two dates, and one account's touch score over
time with the touch points it earned.

Results and models are duck-typed (``Any``): quadrant_transitions.py imports this module for
``QuadrantTransitions.plot``, so this module must not import it back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from successkit._plotting import axes, series_colour
from successkit.data.history import History, not_a_history
from successkit.errors import DataError

__all__ = ["plot_touch_history", "plot_transitions"]

# One marker per touch point, so the rug reads without colour too.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def plot_transitions(moves: Any, ax: Any = None, **kwargs: Any) -> Any:
    """The before × after matrix of quadrant counts as a shaded grid, each cell labelled
    with its count. The body of :meth:`QuadrantTransitions.plot
    <successkit.QuadrantTransitions.plot>`."""
    ax = axes(ax, "QuadrantTransitions.plot()", figsize=(4.8, 4.2))
    counts = np.asarray(moves.counts)
    labels = list(moves.labels)
    # A sequential map whose lightness falls with the count: readable in grey and by
    # colour-blind readers.
    options = {"cmap": "Blues", "vmin": 0, **kwargs}
    image = ax.imshow(counts, **options)
    top = counts.max() if counts.size else 0
    for i in range(len(labels)):  # a loop over the 4 × 4 cells
        for j in range(len(labels)):
            value = int(counts[i, j])
            dark = top > 0 and value > top / 2
            ax.text(j, i, f"{value:,}", ha="center", va="center",
                    color="white" if dark else "black",
                    fontweight="bold" if i == j else "normal")
    ticks = np.arange(len(labels))
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.set_xlabel("quadrant after")
    ax.set_ylabel("quadrant before")
    into = moves._moved_into_counts()
    ax.set_title("Moved into " + ", ".join(
        f"{label}: {int(n):,}" for label, n in zip(labels, into, strict=True)))
    ax.figure.colorbar(image, ax=ax, label="accounts", shrink=0.8)
    return ax


def plot_touch_history(
    bound: Any, history: History, account: str, ax: Any = None, **kwargs: Any
) -> Any:
    """One account's touch score at every snapshot, with the touch points it earned drawn
    as a rug along the bottom (one marker and colour per touch point).

    Parameters
    ----------
    bound:
        A touch model with its events: :meth:`TouchModel.bind
        <successkit.TouchModel.bind>`.
    history:
        The snapshots to score the account at (its seats and ``as_of`` per date).
    account:
        The account id.
    ax:
        The matplotlib ``Axes`` to draw on; a new figure when ``None``.
    **kwargs:
        Passed to ``Axes.plot`` for the score line.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[0]`` is the score line (one point per snapshot with the account); each
        touch point earned is a scatter of its own, labelled with its count.

    Raises
    ------
    DataError
        ``history`` is not a History, or the account is in none of its snapshots.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import successkit as sk
    >>> from successkit.touch import plot_touch_history
    >>> events = {"account_id": ["a", "a", "a"], "touchpoint": ["web_access"] * 3,
    ...           "at": ["2026-08-15", "2026-09-15", "2026-09-20"]}
    >>> bound = sk.TouchModel.sansan(per=None).bind(events)
    >>> history = sk.History([sk.Portfolio.from_columns({"id": ["a"]}, as_of=day)
    ...                       for day in ["2026-08-31", "2026-09-30"]])
    >>> ax = plot_touch_history(bound, history, "a")
    >>> ax.lines[0].get_ydata().tolist()
    [1.0, 3.0]
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['touch score', 'web_access (3)']
    """
    if not isinstance(history, History):
        raise not_a_history(history)
    days: list[Any] = []
    scores: list[float] = []
    for snapshot in history.snapshots:  # a loop over snapshot dates
        if not np.any(snapshot.ids == account):
            continue
        result = bound.score(snapshot.account(account))
        days.append(np.datetime64(snapshot.as_of, "D"))
        scores.append(float(result.score[0]))
    if not days:
        raise DataError(f"account {account!r} is in no snapshot of the history")
    ax = axes(ax, "plot_touch_history()")
    options = {"color": "black", "marker": "o", "linewidth": 1.5, **kwargs}
    ax.plot(np.array(days), np.array(scores), label="touch score", **options)
    table = bound.events
    ids = table.account_names
    code = int(np.searchsorted(ids, account))
    if code < ids.size and ids[code] == account:
        mine = np.asarray(table.account) == code
        last = np.datetime64(history.as_of, "D")
        mine &= np.asarray(table.at) <= last
        touch = np.asarray(table.touch)[mine]
        when = np.asarray(table.at)[mine]
        n = table.events.total()[mine]  # a row with a count stands for that many events
        # the rug sits in axes coordinates (y from 0.03 up), apart from the score scale
        rug = ax.get_xaxis_transform()
        step = 0.18 / max(len(table.touchpoints), 1)
        for k, name in enumerate(table.touchpoints):  # a loop over touch points
            hit = (touch == k) & (n > 0)
            if not hit.any():
                continue
            ax.scatter(when[hit], np.full(int(hit.sum()), 0.02 + step * k),
                       transform=rug, marker=_MARKERS[k % len(_MARKERS)],
                       color=series_colour(k), s=28, label=f"{name} ({int(n[hit].sum()):,})",
                       zorder=3)
    # room below zero for the rug, so no marker covers the score line
    top = float(np.nanmax(scores)) if not np.isnan(scores).all() else 0.0
    top = top or 1.0
    ax.set_ylim(-0.3 * top, 1.1 * top)
    ax.axhline(0, color="grey", linewidth=0.6)
    # the space below zero belongs to the rug: no negative score ticks
    ax.yaxis.set_major_formatter(_blank_below_zero())
    ax.set_xlabel("snapshot")
    ax.set_ylabel("touch score")
    ax.set_title(f"Touch of {account}")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    return ax


def _blank_below_zero() -> Any:
    from matplotlib.ticker import FuncFormatter  # matplotlib is loaded by axes() by now

    return FuncFormatter(lambda value, _: "" if value < 0 else f"{value:g}")
