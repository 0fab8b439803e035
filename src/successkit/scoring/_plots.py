"""Charts of health scores: the score distribution by band, and band shares over time.

Results are duck-typed (``Any``): result.py imports this module for ``HealthResult.plot``,
so this module must not import it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from successkit._plotting import MISSING_COLOUR, MISSING_HATCH, axes, band_colours
from successkit.errors import DataError

__all__ = ["plot_band_shares", "plot_card", "plot_health"]


def plot_health(result: Any, ax: Any = None, *, bins: int = 20, **kwargs: Any) -> Any:
    """Histogram of health scores, stacked by band, with the band edges as dashed lines.

    The body of :meth:`HealthResult.plot <successkit.HealthResult.plot>`.
    """
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
        raise DataError(f"bins must be a positive whole number, got {bins!r}")
    ax = axes(ax, "HealthResult.plot()")
    bands = result.bands
    labels = list(bands.labels)
    colours = band_colours(labels, bands.colours)
    codes = np.asarray(result.band_codes)
    scores = np.asarray(result.score, dtype=np.float64)
    per_band = [scores[codes == k] for k in range(len(labels))]  # a loop over bands
    options = {"edgecolor": "black", "linewidth": 0.5, **kwargs}
    ax.hist(
        per_band,
        bins=np.linspace(0.0, 100.0, bins + 1),
        stacked=True,
        color=colours,
        label=[f"{label} ({part.size:,})" for label, part in zip(labels, per_band, strict=True)],
        **options,
    )
    for _, lower in bands.bounds[1:]:
        ax.axvline(lower, color="black", linestyle="--", linewidth=0.8)
    missing = int(np.count_nonzero(codes < 0))
    ax.set_xlim(0, 100)
    ax.set_xlabel("health score")
    ax.set_ylabel("accounts")
    when = f" on {result.as_of.isoformat()}" if result.as_of is not None else ""
    unscored = f", {missing:,} without a score" if missing else ""
    ax.set_title(f"Health of {codes.size:,} accounts{when}{unscored}")
    ax.legend(title="band", frameon=False, fontsize="small")
    return ax


def _dates(results: Sequence[Any]) -> list[Any]:
    """The x positions: the results' dates, or 0, 1, ... when any date is unknown."""
    days = [getattr(r, "as_of", None) for r in results]
    if all(isinstance(d, dt.date) for d in days):
        if len(set(days)) < len(days):
            raise DataError("plot_band_shares() takes results of distinct dates")
        return days
    return list(range(len(results)))


def plot_band_shares(results: Sequence[Any], ax: Any = None, **kwargs: Any) -> Any:
    """The share of accounts in each band over time, as stacked areas (lowest band at the
    bottom; accounts without a score, when there are any, hatched on top).

    Parameters
    ----------
    results:
        Health results of the same bands, oldest first — e.g.
        :meth:`HealthModel.score_history <successkit.HealthModel.score_history>` of a
        :class:`~successkit.History`.
    ax:
        The matplotlib ``Axes`` to draw on; a new figure when ``None``.
    **kwargs:
        Passed to ``Axes.stackplot`` (e.g. ``alpha``).

    Returns
    -------
    matplotlib.axes.Axes
        One stacked area per band, the lowest band at the bottom; the legend lists the top
        band first.

    Raises
    ------
    DataError
        No results, results of different bands, or two results of the same date.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import successkit as sk
    >>> from successkit.scoring import plot_band_shares
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 100))])
    >>> history = sk.History([
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [80, 20]}, as_of="2026-08-01"),
    ...     sk.Portfolio.from_columns({"id": ["a", "b"], "x": [80, 50]}, as_of="2026-09-01"),
    ... ])
    >>> ax = plot_band_shares(model.score_history(history))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['green', 'yellow', 'red']
    """
    results = list(results)
    if not results:
        raise DataError("plot_band_shares() needs at least one health result")
    bands = results[0].bands
    for k, result in enumerate(results):
        if tuple(result.bands.labels) != tuple(bands.labels):
            raise DataError(
                f"plot_band_shares() needs results of the same bands; result {k} has "
                f"{list(result.bands.labels)}, result 0 has {list(bands.labels)}"
            )
    labels = list(bands.labels)
    # counts[band, date]; the last row counts accounts without a score
    counts = np.zeros((len(labels) + 1, len(results)), dtype=np.float64)
    for j, result in enumerate(results):  # a loop over snapshot dates
        codes = np.asarray(result.band_codes, dtype=np.intp)
        counts[:, j] = np.bincount(np.where(codes < 0, len(labels), codes),
                                   minlength=len(labels) + 1)
    totals = counts.sum(axis=0)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    has_missing = bool(counts[-1].any())
    rows = len(labels) + (1 if has_missing else 0)
    colours = [*band_colours(labels, bands.colours), MISSING_COLOUR]
    names = [*labels, "no score"]
    ax = axes(ax, "plot_band_shares()")
    x = _dates(results)
    areas = ax.stackplot(x, shares[:rows], colors=colours[:rows], labels=names[:rows],
                         edgecolor="black", linewidth=0.5, **kwargs)
    if has_missing:
        areas[-1].set_hatch(MISSING_HATCH)
    ax.set_ylim(0, 1)
    ax.margins(x=0)
    ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel("share of accounts")
    ax.set_xlabel("snapshot")
    ax.set_title("Accounts per band over time")
    # legend top band first, as the areas stack
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], texts[::-1], title="band", frameon=False, fontsize="small",
              loc="center left", bbox_to_anchor=(1.0, 0.5))
    if x and isinstance(x[0], dt.date):
        ax.tick_params(axis="x", labelrotation=30)
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter  # matplotlib is loaded by axes() by now

    return PercentFormatter(1.0)


def plot_card(card: Any, ax: Any = None, **kwargs: Any) -> Any:
    """The points card as bars: one group per measure (its name in bold), one bar per band,
    as long as the band's points; with data, each bar is shaded by its churn rate (darker is
    more churn) and labelled with its share of accounts. The body of ``Card.plot``."""
    rows = list(card.rows)
    if not rows:
        raise DataError("the card has no rows to plot")
    with_data = card.accounts is not None
    churn = [r.churn_rate for r in rows]
    known = [c for c in churn if c is not None]
    positions: list[float] = []
    ticks: list[float] = []
    labels: list[str] = []
    headings: list[int] = []
    y = 0.0
    previous = None
    for row in rows:  # a loop over the card's bands (a few dozen at most)
        if row.metric != previous:
            if previous is not None:
                y += 0.6  # a gap between measures
            headings.append(len(ticks))
            ticks.append(y)
            labels.append(row.metric)
            y += 1.0
            previous = row.metric
        positions.append(y)
        ticks.append(y)
        labels.append(row.band)
        y += 1.0
    width = 8.0 if with_data else 6.4
    ax = axes(ax, "Card.plot()", figsize=(width, max(3.0, 0.26 * len(ticks) + 1.0)))
    points = np.array([np.nan if r.points is None else r.points for r in rows], dtype=np.float64)
    drawn = ~np.isnan(points)
    shade = None
    if known:
        from matplotlib import colormaps  # matplotlib is loaded by axes() by now

        shade = colormaps["YlOrRd"]
        top = max(max(known), 1e-9)
        colours = [MISSING_COLOUR if c is None else shade(c / top) for c in churn]
    else:
        colours = [band_colours(["blue"])[0]] * len(rows)
    options = {"color": [c for c, d in zip(colours, drawn, strict=True) if d],
               "edgecolor": "black", "linewidth": 0.5, **kwargs}
    ax.barh(np.array(positions)[drawn], points[drawn], **options)
    # a dot at each bar's end, so a band of 0 points still shows its churn shade
    ax.scatter(points[drawn], np.array(positions)[drawn], s=36, zorder=3, edgecolors="black",
               linewidths=0.5, c=options["color"])
    span = float(np.nanmax(points)) if drawn.any() else 1.0
    for row, at, value in zip(rows, positions, points, strict=True):
        text = "—" if np.isnan(value) else f"{value:g}"
        if with_data and row.share is not None:
            text += f"  ·  {row.share:.0%} of accounts"
            if row.churn_rate is not None:
                text += f", churn {row.churn_rate:.0%}"
        ax.annotate(text, (0.0 if np.isnan(value) else float(value), at), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize="x-small")
    ax.set_yticks(ticks, labels)
    for k in headings:
        ax.get_yticklabels()[k].set_fontweight("bold")
    ax.invert_yaxis()  # the first measure on top, as the card reads
    ax.set_xlim(0, (span or 1.0) * (2.6 if with_data else 1.25))  # room for the labels
    ax.set_xlabel("points")
    title = f"Health card: {card.total_points:g} points"
    if with_data:
        title += f", {card.accounts:,} accounts"
    ax.set_title(title)
    if shade is not None:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        scale = ScalarMappable(norm=Normalize(0, top), cmap=shade)
        ax.figure.colorbar(scale, ax=ax, label="churn rate", shrink=0.35, aspect=15)
    return ax
